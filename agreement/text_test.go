package agreement_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/textrule/texttest"
	"github.com/mendkit/mend/trust"
)

func TestFreeTextRefusesControlAndBidiCharacters(t *testing.T) {
	f := newFixture(t, "Europe/London")
	std := f.draftStandard(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	a := std.agreement
	ref := func() (agreement.ID, agreement.TermID) { return a.ID, a.Terms[0].ID }
	type v = interface{ Validate() error }
	for _, tc := range []struct {
		field string
		with  func(s string) v
	}{
		{"title", func(s string) v { c := a; c.Terms = slices.Clone(a.Terms); c.Title = s; return c }},
		{"purpose", func(s string) v { c := a; c.Terms = slices.Clone(a.Terms); c.Purpose = s; return c }},
		{"change_note", func(s string) v { c := a; c.Terms = slices.Clone(a.Terms); c.ChangeNote = s; return c }},
		{"terms.1.title", func(s string) v { c := a; c.Terms = slices.Clone(a.Terms); c.Terms[1].Title = s; return c }},
		{"terms.0.detail", func(s string) v { c := a; c.Terms = slices.Clone(a.Terms); c.Terms[0].Detail = s; return c }},
		{"reason", func(s string) v { return agreement.Retired{Agreement: a.ID, Partner: f.a, Reason: s} }},
		{"note", func(s string) v {
			id, term := ref()
			return agreement.TermBroken{Agreement: id, Term: term, Partner: f.a, OccurredAt: time.Now(), Note: s}
		}},
		{"note", func(s string) v {
			id, term := ref()
			return agreement.TermRenegotiated{Agreement: id, Term: term, Partner: f.a, Note: s}
		}},
	} {
		for _, ok := range texttest.Clean {
			assert.NoError(t, tc.with(ok).Validate(), "%s accepts %q", tc.field, ok)
		}
		for _, h := range texttest.Hostile {
			err := tc.with(h.In).Validate()
			var ve *trust.ValidationError
			if assert.True(t, errors.As(err, &ve), "%s refuses %q with a *trust.ValidationError, not %v", tc.field, h.In, err) {
				assert.Equal(t, tc.field, ve.Field, "%q", h.In)
				assert.Equal(t, "agreement", ve.Pkg)
				assert.Contains(t, ve.Problem, h.Names, "%s: %q", tc.field, h.In)
			}
		}
	}
}

// Parse reads one JSON value: anything but white space after it is refused.
func TestParseRefusesTrailingData(t *testing.T) {
	f := newFixture(t, "Europe/London")
	b, err := json.Marshal(f.draftStandard(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)).agreement)
	require.NoError(t, err)
	_, err = agreement.Parse(append(b, " \n"...))
	require.NoError(t, err)
	for _, tail := range []string{"}", "]", ",", " x", "{}"} {
		_, err := agreement.Parse(append(b, tail...))
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%q", tail)
		assert.Contains(t, ve.Problem, "trailing data", "%q", tail)
	}
}
