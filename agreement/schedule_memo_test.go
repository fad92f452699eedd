package agreement

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestScheduleMemoMatchesTheRule asks a schedule about random windows in
// random order (forward, backward, overlapping, across clock changes) and
// checks every answer from its memo against a fresh walk of the rule.
func TestScheduleMemoMatchesTheRule(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	rules := []Timing{
		RecurringTiming("FREQ=DAILY", "2026-03-01", "01:30", 20, 60),
		RecurringTiming("FREQ=WEEKLY;BYDAY=SU", "2026-03-01", "01:30", 60, 1440),
		RecurringTiming("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2026-01-05", "19:00", 60, 120),
		RecurringTiming("FREQ=MONTHLY;BYMONTHDAY=31", "2026-01-31", "09:00", 30, 60),
		RecurringTiming("FREQ=DAILY;UNTIL=20260420T000000Z", "2026-03-20", "08:00", 15, 30),
		RecurringTiming("FREQ=DAILY;COUNT=40", "2026-03-20", "08:00", 15, 30),
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, timing := range rules {
		memo, err := newSchedule(timing, loc)
		require.NoError(t, err)
		fresh, err := newSchedule(timing, loc)
		require.NoError(t, err)
		for range 300 {
			from := base.Add(time.Duration(r.IntN(120*24)) * time.Hour)
			to := from.Add(time.Duration(r.IntN(21*24)+1) * time.Hour)
			limit := r.IntN(6) // sometimes stop early
			var got, want []time.Time
			memo.each(from, to, func(t time.Time) bool { got = append(got, t); return limit == 0 || len(got) < limit })
			fresh.walk(from, to, func(t time.Time) bool { want = append(want, t); return limit == 0 || len(want) < limit })
			require.Equal(t, want, got, "%s: [%s, %s) limit %d", timing.RRule, from, to, limit)
		}
	}
}
