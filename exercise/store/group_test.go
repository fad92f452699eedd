package store_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

// blockingSync returns an fsync stand-in that blocks the first call until
// release is closed and counts every call.
func blockingSync(release <-chan struct{}, syncs *atomic.Int32) func(*os.File) error {
	return func(*os.File) error {
		if syncs.Add(1) == 1 {
			<-release
		}
		return nil
	}
}

// appendLater starts an append and waits until it is queued behind the
// blocked commit, so appends queue in a known order.
func appendLater(wg *sync.WaitGroup, ctx context.Context, s store.Store, rel trust.RelationshipID, expected trust.Sequence, events []trust.Event) *error {
	var err error
	wg.Go(func() { _, err = s.Append(ctx, rel, expected, events...) })
	synctest.Wait()
	return &err
}

func TestGroupCommitSharesOneFsync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var syncs atomic.Int32
		s, err := store.OpenFile(t.TempDir(), store.WithSync(store.FileOptions{}, blockingSync(release, &syncs)))
		require.NoError(t, err)
		defer s.Close()
		ctx := context.Background()
		var wg sync.WaitGroup

		// The first append takes the committer into an fsync that blocks.
		a := storetest.NewStream(1)
		firstErr := appendLater(&wg, ctx, s, a.Rel, 0, a.Events(1, 1))
		require.Equal(t, int32(1), syncs.Load())

		// Meanwhile, appends queue up: to other streams, twice more to the
		// first stream (the second depending on the first), a retry of one
		// of them, and one whose caller gives up.
		var errs []*error
		for seed := uint64(2); seed <= 5; seed++ {
			st := storetest.NewStream(seed)
			errs = append(errs, appendLater(&wg, ctx, s, st.Rel, 0, st.Events(1, 2)))
		}
		errs = append(errs, appendLater(&wg, ctx, s, a.Rel, 1, a.Events(2, 1)))
		errs = append(errs, appendLater(&wg, ctx, s, a.Rel, 2, a.Events(3, 2)))
		errs = append(errs, appendLater(&wg, ctx, s, a.Rel, 1, a.Events(2, 1)))
		gaveUp, cancel := context.WithCancel(ctx)
		g := storetest.NewStream(6)
		cancelled := appendLater(&wg, gaveUp, s, g.Rel, 0, g.Events(1, 1))
		cancel()
		require.Equal(t, int32(1), syncs.Load(), "nothing else is written while the fsync runs")

		close(release)
		wg.Wait()
		require.NoError(t, *firstErr)
		for i, err := range errs {
			assert.NoError(t, *err, "append %d", i)
		}
		assert.ErrorIs(t, *cancelled, context.Canceled, "an append whose caller gave up before it was taken is withdrawn")
		assert.Equal(t, int32(2), syncs.Load(), "seven waiting appends share one fsync")

		last, err := s.Last(ctx, a.Rel)
		require.NoError(t, err)
		assert.Equal(t, trust.Sequence(4), last, "the retry was applied once")
		last, err = s.Last(ctx, g.Rel)
		require.NoError(t, err)
		assert.Zero(t, last, "the withdrawn append stored nothing")
	})
}

func TestGroupCommitRespectsMaxBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var syncs atomic.Int32
		opts := store.WithSync(store.FileOptions{MaxBatch: 2}, blockingSync(release, &syncs))
		s, err := store.OpenFile(t.TempDir(), opts)
		require.NoError(t, err)
		defer s.Close()
		ctx := context.Background()
		var wg sync.WaitGroup

		first := storetest.NewStream(10)
		errs := []*error{appendLater(&wg, ctx, s, first.Rel, 0, first.Events(1, 1))}
		for seed := uint64(11); seed <= 15; seed++ {
			st := storetest.NewStream(seed)
			errs = append(errs, appendLater(&wg, ctx, s, st.Rel, 0, st.Events(1, 1)))
		}
		big := storetest.NewStream(16)
		errs = append(errs, appendLater(&wg, ctx, s, big.Rel, 0, big.Events(1, 5)))
		close(release)
		wg.Wait()
		for i, err := range errs {
			assert.NoError(t, *err, "append %d", i)
		}
		// 1 (the first) + 3 groups of at most two one-event appends + 1 for
		// the five-event append, which is never split.
		assert.Equal(t, int32(5), syncs.Load())
		last, err := s.Last(ctx, big.Rel)
		require.NoError(t, err)
		assert.Equal(t, trust.Sequence(5), last)
	})
}
