package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// BenchmarkNext measures finding the next occurrence of a daily term that
// has been in force for a year.
func BenchmarkNext(b *testing.B) {
	f, _, _ := dailyEvidence(b, 0, nil)
	now := utc(2026, 1, 1, 12, 0)
	require.Len(b, f.book.Next(now, 1), 1)
	b.ReportAllocs()
	for b.Loop() {
		f.book.Next(now, 1)
	}
}

// fiveTerms activates, on 2025-01-01 in London, an agreement of five terms:
// a daily talk, a Sunday check-in, a Friday date night, a monthly review
// and a standing boundary.
func fiveTerms(b *testing.B) *fixture {
	f := newFixture(b, "Europe/London")
	d, err := agreement.NewDraft(f.rel, f.ids, utc(2025, 1, 1, 8, 0), "Our week", "What we keep, every week.")
	require.NoError(b, err)
	for _, t := range []agreement.Term{
		{Kind: agreement.DailyConnection, Title: "Evening talk", Timing: agreement.RecurringTiming(agreement.Recurrence{
			Rule: "FREQ=DAILY", StartsOn: "2025-01-01", At: "21:30", Duration: 6 * time.Minute, Grace: 2 * time.Hour})},
		{Kind: agreement.Ritual, Title: "Weekly check-in", Timing: agreement.RecurringTiming(agreement.Recurrence{
			Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2025-01-05", At: "20:00", Duration: 45 * time.Minute, Grace: 24 * time.Hour})},
		{Kind: agreement.Ritual, Title: "Date night", Timing: agreement.RecurringTiming(agreement.Recurrence{
			Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: "2025-01-03", At: "19:00", Duration: 3 * time.Hour, Grace: 2 * time.Hour})},
		{Kind: agreement.Ritual, Title: "Monthly review", Timing: agreement.RecurringTiming(agreement.Recurrence{
			Rule: "FREQ=MONTHLY;BYDAY=+1SA", StartsOn: "2025-01-04", At: "10:00", Duration: time.Hour, Grace: 24 * time.Hour})},
		{Kind: agreement.Boundary, Title: "No contact", CommittedBy: []trust.PartnerID{f.a}, Timing: agreement.StandingTiming()},
	} {
		if t.CommittedBy == nil {
			t.CommittedBy = agreement.Both(f.rel)
		}
		_, err := d.Add(t)
		require.NoError(b, err)
	}
	a, err := d.Agreement()
	require.NoError(b, err)
	f.activateNew(a, utc(2025, 1, 1, 8, 0))
	return f
}

// BenchmarkDue measures what is due in the next day, a year into an
// agreement of five terms: what an engine asks on every plan.
func BenchmarkDue(b *testing.B) {
	f := fiveTerms(b)
	now := utc(2026, 1, 1, 12, 0)
	require.NotEmpty(b, f.book.Due(now, 24*time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		f.book.Due(now, 24*time.Hour)
	}
}

// BenchmarkCompliance measures compliance over a year of daily evidence.
func BenchmarkCompliance(b *testing.B) {
	f, _, _ := dailyEvidence(b, 365, map[int]bool{40: true, 41: true, 200: true})
	from, to := utc(2025, 1, 1, 0, 0), utc(2026, 1, 1, 0, 0)
	c, err := f.book.Compliance(from, to)
	require.NoError(b, err)
	require.Equal(b, 362, c.Agreements[0].Occurrences.Kept)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.book.Compliance(from, to)
	}
}

// BenchmarkApplyKept measures checking one evidence event against a Book
// that already holds a year of them.
func BenchmarkApplyKept(b *testing.B) {
	f, _, _ := dailyEvidence(b, 365, nil)
	e := f.events[len(f.events)-1]
	b.ReportAllocs()
	for b.Loop() {
		_ = f.book.Check(e)
	}
}
