package agreement_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// typed reports whether err is one of the package's typed errors.
func typed(err error) bool {
	var ve *trust.ValidationError
	var te *trust.TransitionError
	return errors.As(err, &ve) || errors.As(err, &te)
}

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=FR", "FREQ=DAILY;COUNT=10", "FREQ=MONTHLY;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=DAILY;UNTIL=20250331T200000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", "", "FREQ=", ";=;", "FREQ=HOURLY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opt, err := agreement.ParseRule(s)
		if err != nil {
			var ve *trust.ValidationError
			require.True(t, errors.As(err, &ve), "%q: %v", s, err)
			require.Equal(t, "rrule", ve.Field)
			return
		}
		require.Equal(t, s, opt.RRuleString(), "a parsed rule is canonical")
		err = agreement.RecurringTiming(agreement.Recurrence{Rule: s, StartsOn: "2025-03-07", At: "19:00", Duration: time.Hour, Grace: 30 * time.Minute}).Validate()
		if err != nil {
			var ve *trust.ValidationError
			require.True(t, errors.As(err, &ve), "%q: %v", s, err)
			require.Equal(t, "rrule", ve.Field)
		}
	})
}

func FuzzParseAgreement(f *testing.F) {
	fx := newFixture(f, "Europe/London")
	seed, err := json.Marshal(fx.draftStandard(utc(2025, 3, 1, 10, 0)).agreement)
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"id":"8485e61a-f0b9-4291-beaa-14370b0b83e6","version":1,"title":"t","purpose":"p","terms":[]}`))
	f.Add([]byte(`{"terms":[{"timing":{"kind":"recurring","rrule":"FREQ=WEEKLY"}}]}`))
	f.Add([]byte(`{"version":"1"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := agreement.Parse(b)
		if err != nil {
			var ve *trust.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Equal(t, "agreement", ve.Pkg)
			return
		}
		out, err := json.Marshal(a)
		require.NoError(t, err)
		again, err := agreement.Parse(out)
		require.NoError(t, err)
		require.Equal(t, a.Digest(), again.Digest(), "a valid agreement round-trips")
	})
}

func FuzzApplyEvent(f *testing.F) {
	fx := newFixture(f, "America/New_York")
	t0 := utc(2025, 3, 1, 10, 0)
	s := fx.draftStandard(t0)
	fx.activateNew(s.agreement, t0)
	for _, e := range fx.events {
		b, err := json.Marshal(e)
		require.NoError(f, err)
		f.Add(b)
	}
	kept := fx.event(&agreement.OccurrenceKept{Agreement: s.agreement.ID, Term: s.dateNight, Occurrence: utc(2025, 3, 8, 0, 0), Partner: fx.a}, as(fx.a), utc(2025, 3, 8, 3, 0))
	b, err := json.Marshal(kept)
	require.NoError(f, err)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := trust.DecodeEvent(b)
		if err != nil {
			return // decoding the envelope is trust's job; the Book sees only valid events
		}
		book := fx.book.Clone()
		before, _ := json.Marshal(book.Agreements())
		if err := book.Apply(e); err != nil {
			require.True(t, typed(err), "%v", err)
			after, _ := json.Marshal(book.Agreements())
			require.Equal(t, string(before), string(after), "a refused event changes nothing")
		}
		_ = book.Occurrences(utc(2025, 3, 1, 0, 0), utc(2025, 4, 1, 0, 0))
		_, _ = book.Compliance(utc(2025, 3, 1, 0, 0), utc(2025, 4, 1, 0, 0))
		_, _ = book.ICalendar(s.agreement.ID, utc(2025, 3, 15, 0, 0))
		_ = book.Lapses(utc(2025, 6, 1, 0, 0))
		_ = time.Second
	})
}
