package textrule_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/mendkit/mend/internal/textrule"
)

func TestProblem(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"plain", ""},
		{"line one\nline two\tindented", ""},
		{"mañana", ""},
		{"日本", ""},
		{"🙂 👩‍❤️‍👨", ""},
		{"שלום\u200f 12", ""}, // a right-to-left mark is allowed
		{"\ufffd is the replacement character itself", ""},
		{"a\x00b", "contains a control character (U+0000) at byte 1"},
		{"bell\x07", "contains a control character (U+0007) at byte 4"},
		{"\x1b[31mred", "contains a control character (U+001B) at byte 0"},
		{"crlf\r\nline", ""}, // a carriage return before a newline is a line end
		{"cr\rline", "contains a control character (U+000D) at byte 2"},
		{"del\x7f", "contains a control character (U+007F) at byte 3"},
		{"ñ\u0085", "contains a control character (U+0085) at byte 2"},
		{"\u009b", "contains a control character (U+009B) at byte 0"},
		{"abc\u202egnp.exe", "contains a bidirectional control character (U+202E) at byte 3"},
		{"\u202a", "contains a bidirectional control character (U+202A) at byte 0"},
		{"x\u2066y\u2069", "contains a bidirectional control character (U+2066) at byte 1"},
		{"\u2069", "contains a bidirectional control character (U+2069) at byte 0"},
		{"ok\xff", "is not valid UTF-8 (byte 0xff at byte 2)"},
		{"\xc3", "is not valid UTF-8 (byte 0xc3 at byte 0)"},
		{"\xed\xa0\x80", "is not valid UTF-8 (byte 0xed at byte 0)"}, // a UTF-16 surrogate
	} {
		assert.Equal(t, tc.want, textrule.Problem(tc.in, 0, 100), "%q", tc.in)
		assert.Equal(t, tc.want == "", textrule.Clean(tc.in), "%q", tc.in)
	}
}

func TestProblemLength(t *testing.T) {
	assert.Equal(t, "is required", textrule.Problem(" \n\t", 1, 10))
	assert.Equal(t, "", textrule.Problem("", 0, 10))
	assert.Equal(t, "", textrule.Problem("日本語", 1, 3), "the limit counts characters, not bytes")
	assert.Equal(t, "is 4 characters; the limit is 3", textrule.Problem("日本語!", 1, 3))
	assert.Equal(t, "contains a control character (U+0000) at byte 0", textrule.Problem("\x00", 1, 0),
		"a dirty value is refused for what it contains before its length")
}

func FuzzProblem(f *testing.F) {
	for _, s := range []string{"", "a", "a\x00", "\u202e", "\xff", "ñ\u0085", "日本\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := textrule.Problem(s, 0, len(s))
		if p != "" {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("%q was accepted but is not valid UTF-8", s)
		}
		for _, r := range s {
			if r == 0xfffd {
				continue
			}
			if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("%q was accepted but holds %U", s, r)
			}
		}
	})
}
