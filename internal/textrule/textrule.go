// Package textrule is the one rule for free text that mend stores: names,
// notes, reasons, answers and catalogue wording. It imports nothing from
// mend, so trust and the packages above it share it (trust through its own
// text check, the others through internal/check.Text).
//
// Text is clean when it is valid UTF-8 and contains no control character
// other than newline (U+000A, or a carriage return directly followed by one,
// as browsers send form text) and tab (U+0009): no NUL, no lone carriage
// return, no other C0 control (U+0000–U+001F), no DEL (U+007F) and no C1 control
// (U+0080–U+009F, including NEL U+0085). It also contains none of the
// bidirectional embedding, override and isolate controls (U+202A–U+202E and
// U+2066–U+2069), which reorder the text displayed after them and so can make
// what one partner reads differ from what the other wrote. The implicit
// direction marks U+200E, U+200F and U+061C are allowed: right-to-left
// writing needs them, and they change the direction of no more than the
// neutral characters beside them.
package textrule

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Problem returns "" when s is clean text of the allowed length, and
// otherwise what is wrong with it, in words fit to follow a field name: "is
// not valid UTF-8 (byte 0xff at byte 3)", "contains a control character
// (U+0007) at byte 12", "contains a bidirectional control character
// (U+202E) at byte 0", "is required" (when minLen > 0 and s is empty or only
// white space) or "is 90 characters; the limit is 80". Lengths count
// characters (runes).
func Problem(s string, minLen, maxLen int) string {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			crlf := c == '\r' && i+1 < len(s) && s[i+1] == '\n'
			if (c < 0x20 && c != '\n' && c != '\t' && !crlf) || c == 0x7f {
				return fmt.Sprintf("contains a control character (U+%04X) at byte %d", c, i)
			}
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("is not valid UTF-8 (byte 0x%02x at byte %d)", c, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("contains a control character (U+%04X) at byte %d", r, i)
		case bidi(r):
			return fmt.Sprintf("contains a bidirectional control character (U+%04X) at byte %d", r, i)
		}
		i += size
		n++
	}
	if minLen > 0 && strings.TrimSpace(s) == "" {
		return "is required"
	}
	if n > maxLen {
		return fmt.Sprintf("is %d characters; the limit is %d", n, maxLen)
	}
	return ""
}

// Clean reports whether s is clean text of any length.
func Clean(s string) bool { return Problem(s, 0, len(s)) == "" }

// bidi reports whether r is a bidirectional embedding, override or isolate
// control (U+202A–U+202E, U+2066–U+2069), which clean text never contains.
func bidi(r rune) bool { return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 }
