package agreement_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/agreement"
)

// ruleGen draws a recurrence rule a couple might write.
func ruleGen() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		freq := rapid.SampledFrom([]string{"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}).Draw(t, "freq")
		parts := []string{"FREQ=" + freq}
		if n := rapid.IntRange(1, 3).Draw(t, "interval"); n > 1 {
			parts = append(parts, fmt.Sprintf("INTERVAL=%d", n))
		}
		if rapid.Bool().Draw(t, "count") {
			parts = append(parts, fmt.Sprintf("COUNT=%d", rapid.IntRange(1, 40).Draw(t, "n")))
		}
		switch freq {
		case "WEEKLY", "DAILY":
			days := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}), 0, 3, rapid.ID[string]).Draw(t, "byday")
			if len(days) > 0 {
				parts = append(parts, "BYDAY="+strings.Join(days, ","))
			}
		case "MONTHLY":
			if rapid.Bool().Draw(t, "nth") {
				parts = append(parts, "BYDAY="+rapid.SampledFrom([]string{"1FR", "-1SU", "2SA"}).Draw(t, "nthday"))
			} else {
				parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", rapid.SampledFrom([]int{1, 15, 28, 31, -1}).Draw(t, "md")))
			}
		}
		s, err := agreement.NormalizeRule(strings.Join(parts, ";"))
		if err != nil {
			t.Fatalf("generator made a bad rule: %v", err)
		}
		return s
	})
}

func TestOccurrencesProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tz := rapid.SampledFrom([]string{"Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"}).Draw(rt, "tz")
		rule := ruleGen().Draw(rt, "rule")
		start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 800).Draw(rt, "startDay"))
		at := fmt.Sprintf("%02d:%02d", rapid.IntRange(0, 23).Draw(rt, "h"), rapid.SampledFrom([]int{0, 15, 30, 45}).Draw(rt, "m"))
		duration := time.Duration(rapid.IntRange(1, agreement.MaxDurationMinutes).Draw(rt, "durationM")) * time.Minute
		grace := time.Duration(rapid.IntRange(0, agreement.MaxGraceMinutes).Draw(rt, "graceM")) * time.Minute
		f := newFixture(t, tz)
		_, tid := f.single(agreement.Term{Kind: agreement.Ritual, Title: "Ritual",
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: rule, StartsOn: start.Format(agreement.DateLayout), At: at, Duration: duration, Grace: grace})}, start.Add(-72*time.Hour))
		from := start.Add(time.Duration(rapid.IntRange(-100, 500).Draw(rt, "fromH")) * time.Hour * 24)
		to := from.Add(time.Duration(rapid.IntRange(1, 400*24).Draw(rt, "spanH")) * time.Hour)
		got := f.book.Occurrences(from, to)
		for i, o := range got {
			require.Equal(rt, tid, o.Term)
			require.False(rt, o.Start.Before(from), "inside the window")
			require.True(rt, o.Start.Before(to), "inside the window")
			if i > 0 {
				require.True(rt, got[i-1].Start.Before(o.Start), "sorted and distinct")
			}
			if o.LocalStart[11:] != at {
				// Only a local time that does not exist that day (clocks going
				// forward) is read with the offset before the gap.
				d, err := time.Parse(agreement.DateLayout, o.LocalStart[:10])
				require.NoError(rt, err)
				h, m := 0, 0
				_, _ = fmt.Sscanf(at, "%d:%d", &h, &m)
				probe := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, f.book.Location())
				require.NotEqual(rt, at, probe.Format("15:04"), "%s moved off %s although it exists", o.LocalStart, at)
			}
		}
		require.Equal(rt, got, f.book.Occurrences(from, to), "stable across calls")
		mid := from.Add(to.Sub(from) / 2).Truncate(time.Minute)
		halves := append(f.book.Occurrences(from, mid), f.book.Occurrences(mid, to)...)
		require.Equal(rt, starts(got), starts(halves), "splitting the window changes nothing")
		fromStart := []time.Time{}
		for _, o := range f.book.Occurrences(start.Add(-72*time.Hour), to) {
			if !o.Start.Before(from) {
				fromStart = append(fromStart, o.Start)
			}
		}
		require.Equal(rt, fromStart, starts(got), "walking from the rule's start agrees with starting later")
		next := f.book.Next(from, 3)
		require.True(rt, slices.IsSortedFunc(next, func(a, b agreement.Occurrence) int { return a.Start.Compare(b.Start) }))
		if len(got) > 0 && len(next) > 0 {
			require.Equal(rt, got[0].Start, next[0].Start, "Next starts where Occurrences does")
		}
		var due []agreement.Occurrence
		longest := time.Duration(agreement.MaxDurationMinutes+agreement.MaxGraceMinutes) * time.Minute
		for _, o := range f.book.Occurrences(from.Add(-longest), to) {
			if o.GraceEnd.After(from) {
				due = append(due, o)
			}
		}
		require.Equal(rt, due, f.book.Due(from, to.Sub(from)), "Due is every occurrence before from+window whose grace window is open at from")
	})
}
