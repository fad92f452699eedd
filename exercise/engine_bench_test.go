package exercise_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// journeyWithHistory builds a journey with about n events of history:
// check-ins and planned, completed assignments over many weeks.
func journeyWithHistory(b *testing.B, n int) *couple {
	c := newCouple(b, trust.DefaultProfile(), nil, 11)
	c.understand(false)
	c.acknowledge()
	for len(c.events()) < n {
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
		c.clock.Advance(24 * time.Hour)
	}
	return c
}

// BenchmarkPlan measures, on journeys with 200 and 2,000 events of history,
// bringing a plan up to date and reading it (Refresh, which asks the
// scheduler, then Plan: what an app does to show a partner their plan) and
// Plan alone (the query, reading the folded state). The engine keeps its
// folds current, so both cost about the same at either length: neither
// replays history.
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
