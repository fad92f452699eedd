package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkNext measures finding the next occurrence of a daily term that
// has been in force for a year (the rule is walked from its start).
func BenchmarkNext(b *testing.B) {
	f, _, _ := dailyEvidence(b, 0, nil)
	now := utc(2026, 1, 1, 12, 0)
	require.Len(b, f.book.Next(now, 1), 1)
	b.ReportAllocs()
	for b.Loop() {
		f.book.Next(now, 1)
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

// BenchmarkApplyKept measures folding one evidence event into a Book that
// already holds a year of them.
func BenchmarkApplyKept(b *testing.B) {
	f, _, _ := dailyEvidence(b, 365, nil)
	e := f.events[len(f.events)-1]
	b.ReportAllocs()
	for b.Loop() {
		_ = f.book.Check(e)
	}
	_ = time.Second
}
