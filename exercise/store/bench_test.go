package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

// syncs counts the file store's group-commit fsyncs in benchmarks.
var syncs atomic.Int64

// benchStores are the stores the benchmarks compare.
var benchStores = []struct {
	name string
	open func(b *testing.B) store.Store
}{
	{"memory", func(b *testing.B) store.Store { return store.NewMemory() }},
	{"file-fsync", func(b *testing.B) store.Store {
		s, err := store.OpenFile(b.TempDir(), store.WithSync(store.FileOptions{}, func(f *os.File) error {
			syncs.Add(1)
			return f.Sync()
		}))
		require.NoError(b, err)
		return s
	}},
	{"file-nosync", func(b *testing.B) store.Store {
		s, err := store.OpenFile(b.TempDir(), store.FileOptions{NoSync: true})
		require.NoError(b, err)
		return s
	}},
}

// BenchmarkAppend measures one-event appends, each writer to its own
// relationship. With the file store and fsync, eight writers share group
// commits and so reach several times one writer's events per second.
func BenchmarkAppend(b *testing.B) {
	for _, bs := range benchStores {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", bs.name, writers), func(b *testing.B) {
				s := bs.open(b)
				defer s.Close()
				per := (b.N + writers - 1) / writers
				streams := make([]*storetest.Stream, writers)
				events := make([][]trust.Event, writers)
				for w := range writers {
					streams[w] = storetest.NewStream(uint64(w))
					events[w] = streams[w].Events(1, per)
				}
				ctx := context.Background()
				syncs.Store(0)
				b.ResetTimer()
				var wg sync.WaitGroup
				for w := range writers {
					wg.Go(func() {
						for i, e := range events[w] {
							if _, err := s.Append(ctx, streams[w].Rel, trust.Sequence(i), e); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(per*writers)/b.Elapsed().Seconds(), "events/s")
				if n := syncs.Load(); n > 0 {
					b.ReportMetric(float64(per*writers)/float64(n), "events/fsync")
				}
			})
		}
	}
}

// BenchmarkLoad measures replaying a 1,000-event stream.
func BenchmarkLoad(b *testing.B) {
	const n = 1000
	for _, bs := range benchStores[:2] {
		b.Run(bs.name, func(b *testing.B) {
			s := bs.open(b)
			defer s.Close()
			st := storetest.NewStream(1)
			_, err := s.Append(context.Background(), st.Rel, 0, st.Events(1, n)...)
			require.NoError(b, err)
			b.ResetTimer()
			for b.Loop() {
				events, err := s.Load(context.Background(), st.Rel, 0)
				if err != nil || len(events) != n {
					b.Fatal(err, len(events))
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
