package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

// seedLog returns the bytes of a small valid log: appends of one or two
// small app events to two relationships, k appends in all.
func seedLog(t *testing.T, k int) []byte {
	streams := []*storetest.Stream{storetest.NewStream(61), storetest.NewStream(62)}
	next := map[*storetest.Stream]trust.Sequence{}
	var ops []appendOp
	for i := range k {
		st := streams[i%2]
		op := appendOp{st: st, expected: next[st]}
		for range 1 + i%2 {
			next[st]++
			op.events = append(op.events, st.Raw(next[st]))
		}
		ops = append(ops, op)
	}
	dir := t.TempDir()
	writeHistory(t, dir, ops)
	b, err := os.ReadFile(filepath.Join(dir, store.LogName))
	require.NoError(t, err)
	return b
}

// FuzzOpenLog feeds arbitrary bytes to recovery as a log file. Opening must
// never panic: it either fails with a *CorruptionError or recovers a prefix
// of the file whose events load (or fail to decode with typed errors), and
// recovering the recovered file again changes nothing.
func FuzzOpenLog(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("mendlog\x00"))
	f.Add([]byte("mendlog\x00\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := withLog(t, data)
		s, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
		if err != nil {
			var ce *store.CorruptionError
			require.ErrorAs(t, err, &ce, "an unreadable log gives a typed error, not %v", err)
			assert.Equal(t, int64(len(data)), logSize(t, dir), "a refused log is left as it is")
			return
		}
		ctx := context.Background()
		rels, err := s.Relationships(ctx)
		require.NoError(t, err)
		lasts := map[trust.RelationshipID]trust.Sequence{}
		for _, rel := range rels {
			last, err := s.Last(ctx, rel)
			require.NoError(t, err)
			lasts[rel] = last
			events, err := s.Load(ctx, rel, 0)
			if err != nil {
				assert.True(t, errors.Is(err, trust.ErrInvalid) || errors.Is(err, store.ErrCorrupt), "typed load error: %v", err)
				continue
			}
			assert.Len(t, events, int(last))
		}
		require.NoError(t, s.Close())

		kept, err := os.ReadFile(filepath.Join(dir, store.LogName))
		require.NoError(t, err)
		if len(data) >= 16 {
			assert.Equal(t, data[:len(kept)], kept, "recovery only cuts the tail")
		}

		s, err = store.OpenFile(dir, store.FileOptions{NoSync: true})
		require.NoError(t, err, "a recovered log opens again")
		defer s.Close()
		again, err := s.Relationships(ctx)
		require.NoError(t, err)
		assert.Equal(t, rels, again)
		for _, rel := range again {
			last, err := s.Last(ctx, rel)
			require.NoError(t, err)
			assert.Equal(t, lasts[rel], last)
		}
	})
}

// FuzzAppendDecoded appends any event trust.DecodeEvent accepts, renumbered
// as the first of its stream, and checks it loads back as the same JSON.
func FuzzAppendDecoded(f *testing.F) {
	st := storetest.NewStream(1)
	for _, e := range []trust.Event{st.Event(1), st.Event(2), st.Raw(3)} {
		b, err := json.Marshal(e)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := trust.DecodeEvent(data)
		if err != nil {
			return
		}
		e.Sequence = 1
		s := store.NewMemory()
		_, err = s.Append(context.Background(), e.Relationship, 0, e)
		if err != nil {
			require.ErrorIs(t, err, trust.ErrInvalid)
			return
		}
		got, err := s.Load(context.Background(), e.Relationship, 0)
		require.NoError(t, err)
		require.Len(t, got, 1)
		want, err := json.Marshal(e)
		require.NoError(t, err)
		have, err := json.Marshal(got[0])
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(have))
	})
}

// TestWriteFuzzSeeds rewrites the committed seed corpora from the current
// log format. It runs only when MEND_WRITE_FUZZ_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("MEND_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set MEND_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	full := seedLog(t, 5)
	small := seedLog(t, 2)
	flipped := append([]byte(nil), full...)
	flipped[len(small)+40] ^= 0x10
	seeds := map[string][]byte{
		"valid-small":        small,
		"valid-full":         full,
		"torn-tail":          full[:len(full)-25],
		"torn-group":         full[:len(full)-300],
		"torn-header":        full[:len(small)+9],
		"zero-tail":          append(append([]byte(nil), small...), make([]byte, 64)...),
		"middle-damage":      flipped,
		"header-only":        full[:16],
		"partial-header":     full[:5],
		"wrong-version":      append([]byte("mendlog\x00\x09\x00\x00\x00\x00\x00\x00\x00"), small[16:]...),
		"huge-length-record": append(append([]byte(nil), small...), 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpenLog")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, b := range seeds {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	st := storetest.NewStream(2)
	dir = filepath.Join("testdata", "fuzz", "FuzzAppendDecoded")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, e := range map[string]trust.Event{"journey-started": st.Event(1), "pause": st.Event(4), "raw-app-event": st.Raw(5)} {
		b, err := json.Marshal(e)
		require.NoError(t, err)
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
}
