package exercise_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
)

// BenchmarkPlanFileStore measures Plan alone, as BenchmarkPlan's "plan" does,
// on a journey of 2,000 events kept in the durable file store: every read
// first asks the store for the events after the ones the engine has folded,
// which on the file store takes its index lock and finds none.
func BenchmarkPlanFileStore(b *testing.B) {
	c := journeyWithHistory(b, 2000)
	events := c.events()
	f, err := store.OpenFile(b.TempDir(), store.FileOptions{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = f.Close() })
	_, err = f.Append(c.ctx, c.rel.ID, 0, events...)
	require.NoError(b, err)
	eng, err := exercise.NewEngine(exercise.Options{Store: f, Clock: c.clock})
	require.NoError(b, err)
	_, err = eng.Plan(c.ctx, c.rel.ID, c.a) // load the journey once
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := eng.Plan(c.ctx, c.rel.ID, c.a); err != nil {
			b.Fatal(err)
		}
	}
}
