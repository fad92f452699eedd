package progress_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mendkit/mend/internal/textrule/texttest"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
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
		}, texttest.Clean},
		{"note", func(s string) v { return progress.CheckInNote{CheckIn: id, Partner: p, Note: s} },
			append([]string{"two\nlines"}, texttest.Clean...)},
		{"answers.0.version", func(s string) v { return progress.CheckInNote{CheckIn: id, Partner: p, Answers: answers(s)} }, nil},
	} {
		for _, ok := range tc.clean {
			assert.NoError(t, tc.with(ok).Validate(), "%s accepts %q", tc.field, ok)
		}
		for _, h := range texttest.Hostile {
			err := tc.with(h.In).Validate()
			var ve *trust.ValidationError
			if assert.True(t, errors.As(err, &ve), "%s refuses %q with a *trust.ValidationError, not %v", tc.field, h.In, err) {
				assert.Equal(t, tc.field, ve.Field, "%q", h.In)
				assert.Contains(t, ve.Problem, h.Names, "%s: %q", tc.field, h.In)
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
