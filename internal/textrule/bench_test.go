package textrule_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mendkit/mend/internal/textrule"
)

// lengthOnly is the check free text had before the rule: valid UTF-8,
// present, at most maxLen characters. It is here to measure what the rule
// costs on top.
func lengthOnly(s string, minLen, maxLen int) bool {
	return utf8.ValidString(s) && (minLen == 0 || strings.TrimSpace(s) != "") && utf8.RuneCountInString(s) <= maxLen
}

var (
	asciiNote = strings.Repeat("I felt unheard when the plans changed again. ", 10)
	mixedNote = strings.Repeat("Me sentí ignorada 😔 — 日本語も少し。\n", 10)
	sink      bool
)

func BenchmarkProblem(b *testing.B) {
	for _, tc := range []struct{ name, s string }{{"ascii", asciiNote}, {"mixed", mixedNote}} {
		b.Run(tc.name+"/rule", func(b *testing.B) {
			b.SetBytes(int64(len(tc.s)))
			for b.Loop() {
				sink = textrule.Problem(tc.s, 1, 8000) == ""
			}
		})
		b.Run(tc.name+"/length-only", func(b *testing.B) {
			b.SetBytes(int64(len(tc.s)))
			for b.Loop() {
				sink = lengthOnly(tc.s, 1, 8000)
			}
		})
	}
}
