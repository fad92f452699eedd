package progress_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

// hostileText are values every free-text field refuses, with what the
// problem names; cleanText are values every free-text field accepts.
var (
	hostileText = []struct{ in, names string }{
		{"a\x00b", "U+0000"}, {"ring\x07", "U+0007"}, {"\x1b[2J", "U+001B"}, {"del\x7f", "U+007F"},
		{"next\u0085", "U+0085"}, {"x\u202e", "U+202E"}, {"\u2066x", "U+2066"}, {"ok\xff", "UTF-8"},
	}
	cleanText = []string{"calm\tok", "mañana", "日本", "🙂"}
)

func TestFreeTextRefusesControlAndBidiCharacters(t *testing.T) {
	id := mustID[progress.CheckIn](t, trust.SeededIDs(5))
	p := mustID[trust.Partner](t, trust.SeededIDs(6))
	answers := func(version string) []instrument.Response {
		return []instrument.Response{{Instrument: "phq-2", Version: version, Answers: []instrument.Answer{{Item: "1", Value: 1}}}}
	}
	type v = interface{ Validate() error }
	for _, tc := range []struct {
		field string
		with  func(s string) v
		clean []string
	}{
		{"feelings.1", func(s string) v {
			return progress.CheckIn{ID: id, Partner: p, Day: "2026-03-02", Feelings: []string{"hopeful", s}}
		}, cleanText},
		{"note", func(s string) v { return progress.CheckInNote{CheckIn: id, Partner: p, Note: s} },
			append([]string{"two\nlines"}, cleanText...)},
		{"answers.0.version", func(s string) v { return progress.CheckInNote{CheckIn: id, Partner: p, Answers: answers(s)} }, nil},
	} {
		for _, ok := range tc.clean {
			assert.NoError(t, tc.with(ok).Validate(), "%s accepts %q", tc.field, ok)
		}
		for _, h := range hostileText {
			err := tc.with(h.in).Validate()
			var ve *trust.ValidationError
			if assert.True(t, errors.As(err, &ve), "%s refuses %q with a *trust.ValidationError, not %v", tc.field, h.in, err) {
				assert.Equal(t, tc.field, ve.Field, "%q", h.in)
				assert.Contains(t, ve.Problem, h.names, "%s: %q", tc.field, h.in)
			}
		}
	}
}

// An entry with a dirty note is refused whole: no check-in without its note.
func TestEntrySplitRefusesDirtyNote(t *testing.T) {
	p := mustID[trust.Partner](t, trust.SeededIDs(6))
	id := mustID[progress.CheckIn](t, trust.SeededIDs(5))
	_, n, err := progress.Entry{Partner: p, Note: "fine\x1b[8m hidden"}.Split(id, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), time.UTC)
	var ve *trust.ValidationError
	if assert.True(t, errors.As(err, &ve), "%v", err) {
		assert.Equal(t, "note.note", ve.Field)
	}
	assert.Nil(t, n)
}
