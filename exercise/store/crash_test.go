package store_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

// appendOp is one append in a scripted history.
type appendOp struct {
	st       *storetest.Stream
	expected trust.Sequence
	events   []trust.Event
}

// history is a fixed sequence of appends across three relationships, with
// batches of one to three events; the twelfth appends three events and the
// last (fourteenth) one.
func history() []appendOp {
	streams := []*storetest.Stream{storetest.NewStream(41), storetest.NewStream(42), storetest.NewStream(43)}
	next := map[*storetest.Stream]trust.Sequence{}
	var ops []appendOp
	for i := range 14 {
		st := streams[i%3]
		n := 1 + i%3
		if i == 13 {
			n = 1
		}
		from := next[st] + 1
		ops = append(ops, appendOp{st: st, expected: from - 1, events: st.Events(from, n)})
		next[st] = from + trust.Sequence(n) - 1
	}
	return ops
}

// writeHistory writes ops to a new store in dir and returns the log's size
// after each append (sizes[0] is the size before any).
func writeHistory(t *testing.T, dir string, ops []appendOp) []int64 {
	t.Helper()
	s, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
	require.NoError(t, err)
	sizes := []int64{logSize(t, dir)}
	for _, op := range ops {
		_, err := s.Append(context.Background(), op.st.Rel, op.expected, op.events...)
		require.NoError(t, err)
		sizes = append(sizes, logSize(t, dir))
	}
	require.NoError(t, s.Close())
	return sizes
}

func logSize(t *testing.T, dir string) int64 {
	t.Helper()
	info, err := os.Stat(filepath.Join(dir, store.LogName))
	require.NoError(t, err)
	return info.Size()
}

// withLog writes a log file with the given content into a new directory.
func withLog(t *testing.T, content []byte) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.LogName), content, 0o600))
	return dir
}

// rewrite makes the log in dir hold content. It writes over the file in
// place: truncating a file to nothing and writing it again makes ext4 flush
// it to disk on close, which would dominate tests that rewrite a log
// hundreds of times.
func rewrite(t *testing.T, dir string, content []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, store.LogName), os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	_, err = f.WriteAt(content, 0)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(int64(len(content))))
	require.NoError(t, f.Close())
}

// recordStarts returns the offsets of the log records in content[from:to];
// from must be where a record starts.
func recordStarts(content []byte, from, to int64) []int64 {
	var out []int64
	for off := from; off < to; off += store.RecordHeaderSize + int64(binary.LittleEndian.Uint32(content[off:])) {
		out = append(out, off)
	}
	return out
}

// offsets returns the offsets in content[from:to], which holds whole
// records, that a test cuts or damages: every one, or with -short every
// byte of each record's header, the first, second and last bytes of its
// JSON, and every 16th byte between.
func offsets(content []byte, from, to int64) []int64 {
	var out []int64
	starts := recordStarts(content, from, to)
	for i, start := range starts {
		end := to
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		for off := start; off < end; off++ {
			in := off - start
			if !testing.Short() || in <= store.RecordHeaderSize+1 || in%16 == 0 || off == end-1 {
				out = append(out, off)
			}
		}
	}
	return out
}

// wantApplied checks that the store in dir holds exactly the first k appends of ops.
func wantApplied(t *testing.T, dir string, ops []appendOp, k int) {
	t.Helper()
	s, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
	require.NoError(t, err)
	defer s.Close()
	checkApplied(t, s, ops, k)
}

func checkApplied(t *testing.T, s store.Store, ops []appendOp, k int) {
	t.Helper()
	want := map[trust.RelationshipID][]trust.Event{}
	for _, op := range ops[:k] {
		want[op.st.Rel] = append(want[op.st.Rel], op.events...)
	}
	rels, err := s.Relationships(context.Background())
	require.NoError(t, err)
	assert.Len(t, rels, len(want))
	for rel, events := range want {
		got, err := s.Load(context.Background(), rel, 0)
		require.NoError(t, err)
		require.Len(t, got, len(events), "stream %s after %d appends", rel, k)
		for i := range got {
			assert.Equal(t, events[i].ID, got[i].ID)
		}
	}
}

func TestTornTailAtEveryOffsetOfTheLastAppend(t *testing.T) {
	t.Parallel()
	ops := history()
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)
	last := len(ops)
	dir := t.TempDir()

	thorough := int64(16)
	if testing.Short() {
		thorough = 64
	}
	for _, cut := range offsets(content, sizes[last-1], sizes[last]) {
		rewrite(t, dir, content[:cut])
		s, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
		require.NoError(t, err, "cut at %d", cut)
		assert.Equal(t, sizes[last-1], logSize(t, dir), "cut at %d: the torn tail is truncated", cut)
		op := ops[last-1]
		got, err := s.Last(context.Background(), op.st.Rel)
		require.NoError(t, err)
		assert.Equal(t, op.expected, got, "cut at %d: the torn append is gone", cut)
		if (cut-sizes[last-1])%thorough == 0 {
			// Now and then: everything earlier is there, and the store takes
			// the lost append again after it.
			checkApplied(t, s, ops, last-1)
			_, err = s.Append(context.Background(), op.st.Rel, op.expected, op.events...)
			require.NoError(t, err, "cut at %d", cut)
			require.NoError(t, s.Close())
			wantApplied(t, dir, ops, last)
		}
		require.NoError(t, s.Close())
	}
}

func TestTornMultiEventAppendIsDroppedWhole(t *testing.T) {
	t.Parallel()
	ops := history()[:12]
	require.Len(t, ops[11].events, 3)
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)
	dir := t.TempDir()
	// Cuts at every record boundary inside the append (the first records
	// intact, the commit record missing) and after each record's header,
	// and at a stride in between.
	stride := int64(13)
	if testing.Short() {
		stride = 61
	}
	var cuts []int64
	for _, start := range recordStarts(content, sizes[11], sizes[12]) {
		cuts = append(cuts, start, start+store.RecordHeaderSize)
	}
	for cut := sizes[11] + 1; cut < sizes[12]; cut += stride {
		cuts = append(cuts, cut)
	}
	for _, cut := range cuts {
		rewrite(t, dir, content[:cut])
		s, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
		require.NoError(t, err, "cut at %d", cut)
		got, err := s.Last(context.Background(), ops[11].st.Rel)
		require.NoError(t, err)
		assert.Equal(t, ops[11].expected, got, "cut at %d: none of the append's three events is kept", cut)
		require.NoError(t, s.Close())
	}
}

func TestTornTailAtRandomOffsets(t *testing.T) {
	t.Parallel()
	ops := history()
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(7, 11))
	cuts := []int64{0, 1, 15, 16, 17}
	n := 150
	if testing.Short() {
		n = 30
	}
	for range n {
		cuts = append(cuts, rng.Int64N(int64(len(content))+1))
	}
	dir := t.TempDir()
	for _, cut := range cuts {
		kept := 0
		for kept < len(ops) && sizes[kept+1] <= cut {
			kept++
		}
		rewrite(t, dir, content[:cut])
		wantApplied(t, dir, ops, kept)
		assert.Equal(t, max(sizes[kept], 16), logSize(t, dir), "cut at %d", cut)
	}
}

func TestGarbageAfterTheLastAppendIsDropped(t *testing.T) {
	ops := history()
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)
	tests := []struct {
		name string
		tail []byte
	}{
		{"zeros, as a file extended by a crash", make([]byte, 4096)},
		{"ones", []byte(strings.Repeat("\xff", 100))},
		{"a lone header byte", []byte{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := withLog(t, append(append([]byte(nil), content...), tc.tail...))
			wantApplied(t, dir, ops, len(ops))
			assert.Equal(t, sizes[len(ops)], logSize(t, dir))
		})
	}
}

func TestDamageBeforeTheLastAppendIsRefused(t *testing.T) {
	t.Parallel()
	ops := history()
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)

	// Every byte of a middle three-event append, and of the append just
	// before the last (with -short, a sample of them).
	dir := t.TempDir()
	for _, k := range []int{6, len(ops) - 1} {
		for _, off := range offsets(content, sizes[k-1], sizes[k]) {
			damaged := append([]byte(nil), content...)
			damaged[off] ^= 0x5a
			rewrite(t, dir, damaged)
			_, err := store.OpenFile(dir, store.FileOptions{NoSync: true})
			require.Error(t, err, "flipped byte at %d", off)
			require.ErrorIs(t, err, store.ErrCorrupt)
			var ce *store.CorruptionError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, filepath.Join(dir, store.LogName), ce.Path)
			assert.True(t, ce.Offset >= sizes[k-1] && ce.Offset <= off, "flip at %d reported at %d", off, ce.Offset)
			assert.Equal(t, int64(len(content)), logSize(t, dir), "a refused log is left as it is")
		}
	}
}

func TestDamageInTheLastAppendCountsAsTorn(t *testing.T) {
	// A flipped byte in the final commit group looks exactly like a write
	// the crash cut short, so recovery drops that group. This is the one
	// case where damage costs an acknowledged append; the package doc says so.
	ops := history()
	full := t.TempDir()
	sizes := writeHistory(t, full, ops)
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)
	damaged := append([]byte(nil), content...)
	damaged[sizes[len(ops)-1]+30] ^= 0x01
	dir := withLog(t, damaged)
	wantApplied(t, dir, ops, len(ops)-1)
}

func TestForeignFilesAreRefused(t *testing.T) {
	ops := history()
	full := t.TempDir()
	writeHistory(t, full, ops[:2])
	content, err := os.ReadFile(filepath.Join(full, store.LogName))
	require.NoError(t, err)
	newer := append([]byte(nil), content...)
	newer[8] = 2

	tests := []struct {
		name    string
		content []byte
		reason  string
	}{
		{"not a log at all", []byte("id,relationship,sequence\n1,2,3\n"), "not a mend event log"},
		{"a short file that is not a log header", []byte("mendLOG"), "not a mend event log"},
		{"a newer format version", newer, "format version 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.OpenFile(withLog(t, tc.content), store.FileOptions{})
			require.ErrorIs(t, err, store.ErrCorrupt)
			assert.ErrorContains(t, err, tc.reason)
		})
	}
}

func TestOpenFile(t *testing.T) {
	t.Run("creates a private directory and log", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "journeys", "store")
		s, err := store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err)
		defer s.Close()
		info, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
		info, err = os.Stat(filepath.Join(dir, store.LogName))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	})
	t.Run("one store per directory", func(t *testing.T) {
		dir := t.TempDir()
		s, err := store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err)
		_, err = store.OpenFile(dir, store.FileOptions{})
		assert.ErrorIs(t, err, store.ErrLocked)
		require.NoError(t, s.Close())
		s, err = store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err, "closing releases the directory")
		require.NoError(t, s.Close())
	})
	t.Run("bad options", func(t *testing.T) {
		_, err := store.OpenFile("", store.FileOptions{})
		assert.ErrorIs(t, err, trust.ErrInvalid)
		_, err = store.OpenFile(t.TempDir(), store.FileOptions{MaxBatch: -1})
		assert.ErrorIs(t, err, trust.ErrInvalid)
	})
	t.Run("reopening keeps everything and carries on", func(t *testing.T) {
		ops := history()
		dir := t.TempDir()
		writeHistory(t, dir, ops[:7])
		s, err := store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err)
		for _, op := range ops[7:] {
			_, err := s.Append(context.Background(), op.st.Rel, op.expected, op.events...)
			require.NoError(t, err)
		}
		require.NoError(t, s.Close())
		wantApplied(t, dir, ops, len(ops))
	})
}

func TestFailedSyncStopsAppends(t *testing.T) {
	ops := history()
	dir := t.TempDir()
	syncs := 0
	fail := fmt.Errorf("disk on fire")
	s, err := store.OpenFile(dir, store.WithSync(store.FileOptions{}, func(f *os.File) error {
		syncs++
		if syncs == 3 {
			return fail
		}
		return f.Sync()
	}))
	require.NoError(t, err)
	ctx := context.Background()
	for _, op := range ops[:2] {
		_, err := s.Append(ctx, op.st.Rel, op.expected, op.events...)
		require.NoError(t, err)
	}
	size := logSize(t, dir)
	op := ops[2]
	_, err = s.Append(ctx, op.st.Rel, op.expected, op.events...)
	assert.ErrorIs(t, err, store.ErrFailed)
	assert.ErrorIs(t, err, fail)
	assert.Equal(t, size, logSize(t, dir), "the failed group is cut off the log")
	_, err = s.Append(ctx, op.st.Rel, op.expected, op.events...)
	assert.ErrorIs(t, err, store.ErrFailed, "a failed store takes no more appends")
	checkApplied(t, s, ops, 2)
	require.NoError(t, s.Close())

	wantApplied(t, dir, ops, 2)
	s, err = store.OpenFile(dir, store.FileOptions{})
	require.NoError(t, err)
	_, err = s.Append(ctx, op.st.Rel, op.expected, op.events...)
	require.NoError(t, err, "reopening recovers")
	require.NoError(t, s.Close())
}

func TestCloseDuringAppendsKeepsEveryAcknowledgedAppend(t *testing.T) {
	dir := t.TempDir()
	s, err := store.OpenFile(dir, store.FileOptions{})
	require.NoError(t, err)
	ctx := context.Background()
	acked := make([]trust.Sequence, 8)
	var wg sync.WaitGroup
	started := make(chan struct{}, 8)
	for w := range acked {
		st := storetest.NewStream(700 + uint64(w))
		wg.Go(func() {
			for seq := trust.Sequence(1); ; seq++ {
				_, err := s.Append(ctx, st.Rel, seq-1, st.Event(seq))
				if err != nil {
					assert.ErrorIs(t, err, store.ErrClosed)
					return
				}
				acked[w] = seq
				if seq == 3 {
					started <- struct{}{}
				}
			}
		})
	}
	for range acked {
		<-started
	}
	require.NoError(t, s.Close())
	wg.Wait()

	s, err = store.OpenFile(dir, store.FileOptions{})
	require.NoError(t, err)
	defer s.Close()
	for w, n := range acked {
		last, err := s.Last(ctx, storetest.NewStream(700+uint64(w)).Rel)
		require.NoError(t, err)
		assert.Equal(t, n, last, "writer %d: exactly the acknowledged appends are stored", w)
	}
}

const crashDirEnv = "MEND_STORE_CRASH_DIR"

// TestCrashChild is the writer TestKilledWriterKeepsAcknowledgedAppends runs
// in a child process: it appends from four goroutines until killed and prints
// "ack <writer> <last sequence>" after every acknowledged append.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKilledWriterKeepsAcknowledgedAppends")
	}
	s, err := store.OpenFile(dir, store.FileOptions{})
	require.NoError(t, err)
	ctx := context.Background()
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := range 4 {
		st := storetest.NewStream(500 + uint64(w))
		wg.Go(func() {
			last, err := s.Last(ctx, st.Rel)
			if err != nil {
				panic(err)
			}
			for i := 0; i < 20000; i++ {
				n := 1 + i%3
				last, err = s.Append(ctx, st.Rel, last, st.Events(last+1, n)...)
				if err != nil {
					panic(err)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d %d\n", w, last)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestKilledWriterKeepsAcknowledgedAppends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	acked := map[int]trust.Sequence{}
	for round, killAfter := range []int{40, 150, 400} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines, killed := 0, false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w, seq, ok := parseAck(sc.Text())
			if !ok {
				continue
			}
			acked[w] = max(acked[w], seq)
			lines++
			if lines == killAfter && !killed {
				require.NoError(t, cmd.Process.Kill())
				killed = true
			}
		}
		err = cmd.Wait()
		require.True(t, killed, "round %d: the child stopped before it was killed: %v", round, err)
		require.Error(t, err, "the child was killed")

		s, err := store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err, "round %d: reopening after the kill", round)
		for w := range 4 {
			st := storetest.NewStream(500 + uint64(w))
			events, err := s.Load(context.Background(), st.Rel, 0)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(events), int(acked[w]), "round %d writer %d: every acknowledged append survives", round, w)
			for i, e := range events {
				require.Equal(t, st.Event(trust.Sequence(i+1)).ID, e.ID)
			}
			t.Logf("round %d writer %d: %d acknowledged, %d stored", round, w, acked[w], len(events))
		}
		require.NoError(t, s.Close())
	}
}

// parseAck parses one of the child's "ack <writer> <sequence>" lines.
func parseAck(line string) (int, trust.Sequence, bool) {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ack" {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(f[1])
	seq, err2 := strconv.ParseUint(f[2], 10, 64)
	return w, trust.Sequence(seq), err1 == nil && err2 == nil
}
