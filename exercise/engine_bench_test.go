package exercise_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// journeyWithHistory builds a journey with about n events of history under
// an agreement of five terms (four rituals, one of them weekly, two daily,
// and a boundary): check-ins twice a day, and plans whose due assignments
// are completed, over many weeks.
func journeyWithHistory(b *testing.B, n int) *couple {
	c := newCouple(b, trust.DefaultProfile(), nil, 11)
	c.understand(false)
	fiveTermAgreement(c)
	c.acknowledge()
	for events := len(c.events()); events < n; {
		for _, it := range c.plan(c.a).Items {
			if it.DueNow {
				for _, who := range it.Assignment.Participants {
					c.do(it, who)
					it.Assignment.Started = append(it.Assignment.Started, who)
				}
			}
		}
		for _, p := range []trust.PartnerID{c.a, c.b} {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: ptr(6)}, nil)
			require.NoError(b, err)
		}
		c.clock.Advance(12 * time.Hour)
		more, err := c.eng.Store().Load(c.ctx, c.rel.ID, trust.Sequence(events+1))
		require.NoError(b, err)
		events += len(more)
	}
	return c
}

// fiveTermAgreement has the couple propose and sign an agreement of five
// terms: a weekly check-in, a Friday date night, a daily reunion, a daily
// appreciation and a boundary.
func fiveTermAgreement(c *couple) {
	c.t.Helper()
	d, err := agreement.NewDraft(c.rel, c.ids, c.clock.Now(), "How we reconnect", "Time to talk, time together, and a limit we keep.")
	require.NoError(c.t, err)
	start := c.clock.Now().In(mustLoc(c.t, c.rel.TimeZone)).Format(time.DateOnly)
	both := agreement.Both(c.rel)
	for _, t := range []agreement.Term{
		{Kind: agreement.Ritual, Title: "Weekly check-in", Ritual: "weekly_checkin", CommittedBy: both,
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: start, At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})},
		{Kind: agreement.Ritual, Title: "Friday date night", Ritual: "date_night", CommittedBy: both,
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: start, At: "19:30", Duration: 2 * time.Hour, Grace: 12 * time.Hour})},
		{Kind: agreement.DailyConnection, Title: "Reunion", Ritual: "daily_reunion", CommittedBy: both,
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=DAILY", StartsOn: start, At: "18:30", Duration: 20 * time.Minute, Grace: 3 * time.Hour})},
		{Kind: agreement.DailyConnection, Title: "Appreciation", Ritual: "daily_appreciation", CommittedBy: both,
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=DAILY", StartsOn: start, At: "21:00", Duration: 10 * time.Minute, Grace: 2 * time.Hour})},
		{Kind: agreement.Boundary, Title: "No contact", Detail: "No contact with the third person.", CommittedBy: []trust.PartnerID{c.a},
			Timing: agreement.StandingTiming()},
	} {
		_, err = d.Add(t)
		require.NoError(c.t, err)
	}
	a, err := d.Agreement()
	require.NoError(c.t, err)
	require.Len(c.t, a.Terms, 5)
	_, err = c.eng.ProposeAgreement(c.ctx, c.rel.ID, trust.PartnerActor(c.a), a)
	require.NoError(c.t, err)
	for _, p := range []trust.PartnerID{c.a, c.b} {
		_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, trust.PartnerActor(p), agreement.Signed{Agreement: a.ID})
		require.NoError(c.t, err)
	}
}

// BenchmarkPlan measures, on journeys with 200 and 2,000 events of history
// under an agreement of five terms, bringing a plan up to date and reading
// it (Refresh, which asks the scheduler, then Plan: what an app does to show
// a partner their plan) and Plan alone (the query, reading the folded
// state). The engine keeps its folds current, so both cost about the same
// at either length: neither replays history.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{200, 2000} {
		c := journeyWithHistory(b, n)
		b.Run(fmt.Sprintf("history=%d/refresh+plan", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := c.eng.Refresh(c.ctx, c.rel.ID); err != nil {
					b.Fatal(err)
				}
				if _, err := c.eng.Plan(c.ctx, c.rel.ID, c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("history=%d/plan", n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := c.eng.Plan(c.ctx, c.rel.ID, c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecord measures recording check-ins through the engine on the
// in-memory store and on the durable file store (fsync before each
// acknowledgement), reporting events per second.
func BenchmarkRecord(b *testing.B) {
	stores := map[string]func(b *testing.B) store.Store{
		"memory": func(*testing.B) store.Store { return store.NewMemory() },
		"file-fsync": func(b *testing.B) store.Store {
			f, err := store.OpenFile(b.TempDir(), store.FileOptions{})
			require.NoError(b, err)
			b.Cleanup(func() { _ = f.Close() })
			return f
		},
	}
	for _, name := range []string{"memory", "file-fsync"} {
		b.Run(name, func(b *testing.B) {
			c := newCouple(b, trust.DefaultProfile(), stores[name](b), 12)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				p := c.rel.Partners[i%2].ID
				if _, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: ptr(i % 11)}, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
