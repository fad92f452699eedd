package simulate

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the record to dst as one JSON line: exactly the bytes
// encoding/json's Encoder writes for it, newline included (HTML characters
// and U+2028/U+2029 escaped, invalid UTF-8 replaced by \ufffd, omitempty
// fields left out). It is written by hand because the generator encodes
// every record it exports, and encoding/json took a tenth of the
// generator's CPU time (BenchmarkGenerate); the tests hold it to
// encoding/json's output, field by field, on real, random and fuzzed records.
func (e *ExportEvent) AppendJSON(dst []byte) []byte {
	w := jsonWriter{b: dst}
	w.open()
	w.str("couple", e.Couple)
	w.int("seq", e.Seq)
	w.str("type", string(e.Type))
	w.int("day", e.Day)
	w.int("minute", e.Minute)
	w.str("actor", e.Actor)
	w.str("role", string(e.Role))
	w.str("visibility", string(e.Visibility))
	w.key("data")
	e.Data.appendJSON(&w)
	w.close()
	return append(w.b, '\n')
}

// appendJSON writes the data object, its fields in declaration order.
func (d *ExportData) appendJSON(w *jsonWriter) {
	w.open()
	w.optStr("partner", d.Partner)
	optStrs(w, "partners", d.Partners)
	w.optStr("profile", d.Profile)
	w.optInt("profile_version", d.ProfileVersion)
	w.optStr("phase", d.Phase)
	optStrs(w, "phases", d.Phases)
	w.intPtr("consented", d.Consented)
	w.optStr("breach", d.Breach)
	w.optStr("related_to", d.RelatedTo)
	w.optStr("kind", string(d.Kind))
	w.optStr("severity", string(d.Severity))
	w.optStr("discovery", string(d.Discovery))
	w.optStr("revealed_by", d.RevealedBy)
	w.optStr("caused_by", d.CausedBy)
	w.boolPtr("ongoing", d.Ongoing)
	w.boolPtr("mutual", d.Mutual)
	w.intPtr("happened_day", d.HappenedDay)
	w.intPtr("came_to_light_day", d.CameToLightDay)
	w.optStr("acknowledgement", d.Acknowledgement)
	w.optStr("response", string(d.Response))
	w.optStr("request", d.Request)
	w.optStr("category", string(d.Category))
	w.optStr("reply", string(d.Reply))
	w.optStr("outcome", string(d.Outcome))
	w.optStr("answer", string(d.Answer))
	w.optStr("flag", d.Flag)
	optStrs(w, "safety_kinds", d.SafetyKinds)
	w.boolPtr("granted", d.Granted)
	w.boolPtr("include_safety", d.IncludeSafety)
	w.boolPtr("paused", d.Paused)
	w.optStr("from", d.From)
	w.optStr("to", d.To)
	w.optStr("direction", string(d.Direction))
	w.optStr("agreement", d.Agreement)
	w.optInt("version", d.Version)
	if len(d.Terms) > 0 {
		w.key("terms")
		w.b = append(w.b, '[')
		for i := range d.Terms {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			d.Terms[i].appendJSON(w)
		}
		w.b = append(w.b, ']')
	}
	w.optStr("term", d.Term)
	w.intPtr("consents", d.Consents)
	w.intPtr("occurrence_day", d.OccurrenceDay)
	w.intPtr("trust", d.Trust)
	w.intPtr("safe", d.Safe)
	w.intPtr("close", d.Close)
	w.optInt("instruments", d.Instruments)
	w.optStr("assignment", d.Assignment)
	w.optStr("exercise", d.Exercise)
	w.optStr("scheduler", d.Scheduler)
	w.intPtr("due_day", d.DueDay)
	w.intPtr("due_days", d.DueDays)
	w.optInt("helpful", d.Helpful)
	w.optStr("skip_reason", string(d.SkipReason))
	w.optStr("step", d.Step)
	w.close()
}

// appendJSON writes the term object, its fields in declaration order.
func (t *ExportTerm) appendJSON(w *jsonWriter) {
	w.open()
	w.str("term", t.Term)
	w.str("kind", string(t.Kind))
	w.optStr("ritual", t.Ritual)
	w.str("timing", string(t.Timing))
	w.optInt("duration_minutes", t.DurationMinutes)
	w.optInt("grace_minutes", t.GraceMinutes)
	w.int("committed", t.Committed)
	w.close()
}

// jsonWriter appends a JSON object's members to b, remembering whether
// the next member needs a comma before it. Keys are written as given:
// they are the struct tags' names, which never need escaping.
type jsonWriter struct {
	b    []byte
	more bool // a member (or a nested value) precedes the next member
}

func (w *jsonWriter) open() {
	w.b = append(w.b, '{')
	w.more = false
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.more = true
}

// key writes the separator and the member's key and colon.
func (w *jsonWriter) key(k string) {
	if w.more {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.more = true
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// optStr writes a string member unless it is empty (omitempty).
func (w *jsonWriter) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) int(k string, v int) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

// optInt writes an int member unless it is 0 (omitempty).
func (w *jsonWriter) optInt(k string, v int) {
	if v != 0 {
		w.int(k, v)
	}
}

// intPtr writes *v unless v is nil (omitempty): a pointer to 0 is written.
func (w *jsonWriter) intPtr(k string, v *int) {
	if v != nil {
		w.int(k, *v)
	}
}

// boolPtr writes *v unless v is nil (omitempty): a pointer to false is written.
func (w *jsonWriter) boolPtr(k string, v *bool) {
	if v != nil {
		w.key(k)
		w.b = strconv.AppendBool(w.b, *v)
	}
}

// optStrs writes a string array member unless it is nil or empty
// (omitempty). It is a function because methods cannot be generic.
func optStrs[S ~string](w *jsonWriter, k string, v []S) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, string(s))
	}
	w.b = append(w.b, ']')
}

// jsonSafe holds true for the bytes encoding/json copies into a string
// as they are (with HTML escaping on): printable ASCII other than the
// quote, the backslash and <, > and &, and DEL. Every other byte is
// escaped or, from 0x80 up, starts a UTF-8 sequence to look at.
var jsonSafe = func() (t [256]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped exactly as
// encoding/json escapes it with HTML escaping on (its default): the
// usual short escapes for \b, \f, \n, \r, \t, \" and \\; \u00XX for
// other control characters and <, > and &; \u2028 and \u2029 for those
// separators; and \ufffd for each byte of invalid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	i := 0
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	dst = append(dst, '"')
	if i == len(s) { // the common case: nothing to escape
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		b := s[i]
		if jsonSafe[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
