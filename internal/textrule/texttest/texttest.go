// Package texttest holds the samples every package's tests run against its
// free-text fields: text the rule of package textrule refuses, with what the
// refusal names, and text it accepts.
package texttest

// Hostile are values every free-text field refuses; Names is what the
// problem's wording names.
var Hostile = []struct{ In, Names string }{
	{"a\x00b", "U+0000"},
	{"ring\x07", "U+0007"},
	{"\x1b[2Jcleared", "U+001B"},
	{"lone\rreturn", "U+000D"},
	{"del\x7f", "U+007F"},
	{"next\u0085line", "U+0085"},
	{"txt.\u202eexe", "U+202E"},
	{"\u2066isolated\u2069", "U+2066"},
	{"ok\xff\xfe", "UTF-8"},
	{"half \xe6\x97", "UTF-8"},
}

// Clean are values every free-text field accepts.
var Clean = []string{"two\nlines", "form\r\nlines", "a\ttab", "mañana", "日本", "I feel 🙂", "עברית\u200f 12"}
