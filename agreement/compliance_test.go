package agreement_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

// dailyEvidence activates a daily 21:30 connection on 2025-01-01 in London
// and reports each of the first n days kept, except the days in missed.
func dailyEvidence(t testing.TB, n int, missed map[int]bool) (*fixture, agreement.ID, agreement.TermID) {
	f := newFixture(t, "Europe/London")
	id, tid := f.single(agreement.Term{Kind: agreement.DailyConnection, Title: "Six-minute evening talk",
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=DAILY", StartsOn: "2025-01-01", At: "21:30", Duration: 6 * time.Minute, Grace: 2 * time.Hour})}, utc(2025, 1, 1, 8, 0))
	for d, o := range f.book.TermOccurrences(id, tid, utc(2025, 1, 1, 0, 0), utc(2025, 1, 1, 0, 0).AddDate(0, 0, n)) {
		occ := o.Start
		if missed[d] {
			f.apply(&agreement.OccurrenceMissed{Agreement: id, Term: tid, Occurrence: occ, Partner: &f.b}, as(f.b), occ.Add(time.Hour))
			continue
		}
		f.apply(&agreement.OccurrenceKept{Agreement: id, Term: tid, Occurrence: occ, Partner: f.a}, as(f.a), occ.Add(time.Hour))
	}
	return f, id, tid
}

func TestStrengthFollowsTheLoopFormula(t *testing.T) {
	f, id, tid := dailyEvidence(t, 60, nil)
	m := math.Pow(0.5, 1.0/13) // f = 1 a day
	c, err := f.book.Compliance(utc(2025, 1, 31, 0, 0), utc(2025, 3, 2, 0, 0))
	require.NoError(t, err)
	tc, ok := c.Term(id, tid)
	require.True(t, ok)
	require.NotNil(t, tc.Strength)
	assert.InDelta(t, 1-math.Pow(m, 30), tc.Strength.Start, 1e-4, "30 kept days before the window")
	assert.InDelta(t, 1-math.Pow(m, 60), tc.Strength.End, 1e-4, "60 kept days by its end")
	assert.Equal(t, 1.0, tc.Strength.FrequencyPerDay)
	assert.Equal(t, 13.0, tc.Strength.HalfLifeDays)
	assert.Equal(t, agreement.Counts{Due: 30, Kept: 30}, *tc.Occurrences)
	assert.Empty(t, tc.Conversation)
}

func TestStrengthForgivesAGapInsteadOfResetting(t *testing.T) {
	f, id, tid := dailyEvidence(t, 73, map[int]bool{60: true, 61: true, 62: true})
	at := func(day int) float64 {
		c, err := f.book.Compliance(utc(2025, 1, 1, 0, 0), utc(2025, 1, 1, 0, 0).AddDate(0, 0, day))
		require.NoError(t, err)
		tc, _ := c.Term(id, tid)
		return tc.Strength.End
	}
	before, gap, after := at(60), at(63), at(73)
	m := math.Pow(0.5, 1.0/13)
	assert.InDelta(t, before*m*m*m, gap, 1e-4, "three missed days decay the score by m each, no reset")
	assert.Greater(t, gap, 0.8, "a three-day gap after two months leaves most of the strength")
	assert.Greater(t, after, gap, "keeping it again rebuilds strength")

	c, err := f.book.Compliance(utc(2025, 3, 1, 0, 0), utc(2025, 3, 5, 0, 0))
	require.NoError(t, err)
	tc, _ := c.Term(id, tid)
	assert.Equal(t, []agreement.Reason{agreement.ReasonMostlyMissed, agreement.ReasonMissedInARow}, tc.Conversation)
}

func TestWeeklyStrengthUsesTheSmoothedWindow(t *testing.T) {
	run := func(skip bool) agreement.TermCompliance {
		f := newFixture(t, "America/New_York")
		id, tid := f.single(agreement.Term{Kind: agreement.Ritual, Title: "Friday date night",
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: "2025-01-03", At: "19:00", Duration: 2 * time.Hour, Grace: 2 * time.Hour})}, utc(2025, 1, 1, 12, 0))
		for _, occ := range f.book.TermOccurrences(id, tid, utc(2025, 1, 1, 0, 0), utc(2025, 4, 1, 0, 0)) {
			if occ.LocalStart == "2025-02-14T19:00" {
				if skip {
					f.apply(&agreement.OccurrenceSkipped{Agreement: id, Term: tid, Occurrence: occ.Start, Partner: f.a, Reason: "Away for work."}, as(f.a), occ.Start.Add(-48*time.Hour))
				} else {
					f.apply(&agreement.OccurrenceMissed{Agreement: id, Term: tid, Occurrence: occ.Start, Partner: &f.a}, as(f.a), occ.Start.Add(3*time.Hour))
				}
				continue
			}
			f.apply(&agreement.OccurrenceKept{Agreement: id, Term: tid, Occurrence: occ.Start, Partner: f.b}, as(f.b), occ.Start.Add(3*time.Hour))
		}
		c, err := f.book.Compliance(utc(2025, 1, 1, 0, 0), utc(2025, 4, 1, 0, 0))
		require.NoError(t, err)
		tc, _ := c.Term(id, tid)
		return tc
	}
	skipped, missed := run(true), run(false)
	assert.InDelta(t, 1.0/7, skipped.Strength.FrequencyPerDay, 1e-4, "exactly once a week over 28 years")
	assert.InDelta(t, 13/math.Sqrt(1.0/7), skipped.Strength.HalfLifeDays, 1e-3, "a half-life of about 34 days")
	assert.Equal(t, 1, skipped.Occurrences.Skipped)
	assert.Equal(t, skipped.Occurrences.Due, skipped.Occurrences.Kept)
	assert.Greater(t, skipped.Strength.End, 0.7, "twelve weeks of date nights build most of the strength")
	assert.Greater(t, skipped.Strength.End, missed.Strength.End, "a planned skip costs less than a miss")
	assert.Greater(t, missed.Strength.End, 0.6, "one miss in twelve weeks is forgiven, not reset")
}

func TestComplianceJSONIsDeterministicAndValid(t *testing.T) {
	f, _, _ := dailyEvidence(t, 20, map[int]bool{4: true})
	c1, err := f.book.Compliance(utc(2025, 1, 1, 0, 0), utc(2025, 1, 22, 0, 0))
	require.NoError(t, err)
	c2, err := agreement.ComplianceOf(f.rel, f.events, utc(2025, 1, 1, 0, 0), utc(2025, 1, 22, 0, 0))
	require.NoError(t, err)
	b1, err := json.Marshal(c1)
	require.NoError(t, err)
	b2, err := json.Marshal(c2)
	require.NoError(t, err)
	assert.Equal(t, string(b1), string(b2), "same events, same bytes")
	require.NoError(t, f.validator().Validate(schemafile.ID("agreement", "compliance", "1.0"), b1))
	for _, o := range f.book.Next(utc(2025, 1, 21, 0, 0), 3) {
		b, err := json.Marshal(o)
		require.NoError(t, err)
		require.NoError(t, f.validator().Validate(schemafile.ID("agreement", "occurrence", "1.0"), b))
	}

	_, err = f.book.Compliance(utc(2025, 1, 2, 0, 0), utc(2025, 1, 1, 0, 0))
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func TestDueAndNext(t *testing.T) {
	f := newFixture(t, "Europe/London")
	s := f.draftStandard(utc(2025, 3, 1, 10, 0))
	f.activateNew(s.agreement, utc(2025, 3, 1, 10, 0))
	id := s.agreement.ID
	now := utc(2025, 3, 7, 21, 0) // during Friday's date night
	due := f.book.Due(now, 48*time.Hour)
	require.Len(t, due, 2)
	assert.Equal(t, s.dateNight, due[0].Term, "under way")
	assert.Equal(t, s.checkIn, due[1].Term, "Sunday's check-in is within 48 hours")
	assert.Equal(t, id, due[0].Agreement)
	assert.Equal(t, agreement.Ritual, due[0].Kind)
	assert.Equal(t, "Friday date night", due[0].Title)
	assert.Equal(t, agreement.Both(f.rel), due[0].CommittedBy)
	assert.Equal(t, utc(2025, 3, 8, 0, 0), due[0].GraceEnd, "three hours and two hours of grace")

	f.apply(&agreement.OccurrenceKept{Agreement: id, Term: s.dateNight, Occurrence: utc(2025, 3, 7, 19, 0), Partner: f.a}, as(f.a), now)
	due = f.book.Due(now, 48*time.Hour)
	require.Len(t, due, 1, "a reported occurrence is no longer due")

	next := f.book.Next(now, 3)
	assert.Equal(t, []string{"2025-03-09T20:00", "2025-03-14T19:00", "2025-03-16T20:00"}, locals(next))
	o, ok := f.book.NextOf(id, s.dateNight, now)
	require.True(t, ok)
	assert.Equal(t, "2025-03-14T19:00", o.LocalStart)
}
