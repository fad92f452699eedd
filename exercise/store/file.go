package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// DefaultMaxBatch is the number of events one group commit writes at most
// when [FileOptions.MaxBatch] is zero.
const DefaultMaxBatch = 4096

// FileOptions configures [OpenFile]. The zero value is the safe default.
type FileOptions struct {
	// NoSync skips every fsync: when acknowledging appends, after
	// recovery truncates a torn tail, and when creating files. It is
	// UNSAFE: an acknowledged append may be lost in a machine crash or power
	// cut, and such a crash may leave damage that recovery refuses to
	// repair. It is for tests and benchmarks only. Close still syncs the log.
	NoSync bool
	// MaxBatch is the most events one group commit writes; 0 means
	// DefaultMaxBatch. Appends waiting together share one write and one
	// fsync up to this limit. A single append of more events is written
	// alone, never split.
	MaxBatch int
	// Logger, when set, receives a warning whenever recovery cuts something
	// off the log: a torn final commit (the offset where it began, the bytes
	// dropped, why, and the relationships of its intact records, which lose
	// only events never acknowledged) or an incomplete file header.
	// Recovery is otherwise silent; nil logs nothing.
	Logger *slog.Logger

	sync func(*os.File) error // replaces (*os.File).Sync in tests
}

// File is the durable embedded [Store]: one append-only log file in a
// directory, an in-memory index of where each relationship's events are,
// and a committer goroutine that writes and fsyncs waiting appends together
// (group commit). See the package documentation for its guarantees.
type File struct {
	path     string
	f        *os.File
	sync     func(*os.File) error
	maxBatch int
	noSync   bool
	log      *slog.Logger

	life     sync.Mutex // guards closed; inflight counts calls using f
	closed   bool
	inflight sync.WaitGroup

	mu      sync.RWMutex // guards streams and failed; only the committer writes them
	streams map[trust.RelationshipID]*fileStream
	failed  error

	qmu   sync.Mutex
	queue []*request
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}

	// Owned by the committer goroutine.
	end      int64  // offset where the next group is written
	group    uint64 // number of the last committed group
	unsynced bool   // with NoSync: the log changed since it was last synced
}

type fileStream struct {
	locs []loc                 // locs[i] is the record of the event with sequence i+1; append-only
	ids  map[trust.EventID]int // event ID to index in locs
}

type request struct {
	ctx  context.Context
	b    Batch
	done chan result
}

type result struct {
	last trust.Sequence
	err  error
}

var (
	_ Store   = (*File)(nil)
	_ Scanner = (*File)(nil)
)

// OpenFile opens the file store in dir, creating the directory (mode 0700)
// and its log file (mode 0600) if they do not exist. It recovers the log:
// it keeps every complete commit group, truncates a torn final one, and
// refuses to open a log damaged anywhere else with a *[CorruptionError]. It
// then rebuilds the index of every relationship's events. Only one open
// store may use a directory at a time; on Unix systems a second gets
// [ErrLocked].
func OpenFile(dir string, opts FileOptions) (*File, error) {
	if dir == "" {
		return nil, check.Invalid("store", "dir", "is required")
	}
	if opts.MaxBatch < 0 {
		return nil, check.Invalid("store", "max_batch", "must not be negative")
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.sync == nil {
		opts.sync = (*os.File).Sync
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if !opts.NoSync {
			if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
				return nil, err
			}
		}
	}
	path := filepath.Join(dir, logName)
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &File{
		path: path, f: fh, sync: opts.sync, maxBatch: opts.MaxBatch, noSync: opts.NoSync, log: opts.Logger,
		streams: map[trust.RelationshipID]*fileStream{},
		wake:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	if err := s.open(dir); err != nil {
		_ = fh.Close()
		return nil, err
	}
	go s.run()
	return s, nil
}

func (s *File) open(dir string) error {
	if err := lockFile(s.f); err != nil {
		if errors.Is(err, ErrLocked) {
			return fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return fmt.Errorf("store: locking %s: %w", s.path, err)
	}
	info, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	rec, err := readLog(s.f, info.Size(), s.path, s.index)
	if err != nil {
		return err
	}
	if rec.fresh {
		// A new file, or one whose creation a crash interrupted: write the
		// header, make it durable, then make the file's name durable.
		if _, err := s.f.WriteAt(fileHeader(), 0); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := s.f.Truncate(fileHeaderSize); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := s.syncFile(); err != nil {
			return err
		}
		if !s.noSync {
			if err := syncDir(dir); err != nil {
				return err
			}
		}
		rec.end = fileHeaderSize
		if s.log != nil && info.Size() > 0 {
			s.log.Warn("store: recovery rewrote an incomplete file header", "path", s.path, "bytes", info.Size())
		}
	} else if rec.end < info.Size() {
		if s.log != nil {
			s.log.Warn("store: recovery truncated a torn final commit", "path", s.path, "offset", rec.end,
				"bytes", info.Size()-rec.end, "reason", rec.torn, "relationships", tornRelationships(s.f, rec.end, info.Size()))
		}
		// Drop the torn tail, durably, before anything is written after it.
		if err := s.f.Truncate(rec.end); err != nil {
			return fmt.Errorf("store: truncating torn tail (%s): %w", rec.torn, err)
		}
		if err := s.syncFile(); err != nil {
			return err
		}
	}
	s.end, s.group = rec.end, rec.lastGroup
	return nil
}

// tornRelationships names the relationships of the intact records at the
// start of a torn tail, from off to size, for the recovery log: the
// journeys whose last, unacknowledged append is dropped. It reads records
// until the first that is damaged or incomplete.
func tornRelationships(r io.ReaderAt, off, size int64) []string {
	var out []string
	hdr := make([]byte, recHeaderSize)
	for size-off >= recHeaderSize {
		if _, err := r.ReadAt(hdr, off); err != nil {
			break
		}
		h := parseHeader(hdr)
		if h.length == 0 || h.length > MaxEventSize || int64(h.length) > size-off-recHeaderSize {
			break
		}
		rec := make([]byte, recHeaderSize+int(h.length))
		if _, err := r.ReadAt(rec, off); err != nil || !h.valid(rec) {
			break
		}
		var k keyFields
		if json.Unmarshal(rec[recHeaderSize:], &k) != nil {
			break
		}
		if id := k.Relationship.String(); !slices.Contains(out, id) {
			out = append(out, id)
		}
		off += int64(len(rec))
	}
	return out
}

func (s *File) syncFile() error {
	if s.noSync {
		s.unsynced = true
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("store: syncing %s: %w", s.path, err)
	}
	return nil
}

// index adds a recovered record to the index, checking that the stream's
// sequences run on and its IDs do not repeat.
func (s *File) index(r scanned) error {
	st := s.streams[r.Relationship]
	if st == nil {
		st = &fileStream{ids: map[trust.EventID]int{}}
		s.streams[r.Relationship] = st
	}
	if want := trust.Sequence(len(st.locs) + 1); r.Sequence != want {
		return fmt.Errorf("event %s of %s has sequence %d where %d was due", r.ID, r.Relationship, r.Sequence, want)
	}
	if _, dup := st.ids[r.ID]; dup {
		return fmt.Errorf("event ID %s repeats in %s", r.ID, r.Relationship)
	}
	st.ids[r.ID] = len(st.locs)
	st.locs = append(st.locs, r.loc)
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: syncing directory %s: %w", dir, err)
	}
	return nil
}

// acquire registers a call that uses the file, unless the store is closed.
func (s *File) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.inflight.Add(1)
	return nil
}

func (s *File) release() { s.inflight.Done() }

// Append implements [Store.Append]. It returns once the events are written
// and fsynced (see [FileOptions.NoSync]). A context cancelled while the
// append waits for the committer withdraws it; once the committer has taken
// it, Append waits for the outcome, so an error always means nothing was stored.
func (s *File) Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (trust.Sequence, error) {
	if err := s.acquire(ctx); err != nil {
		return 0, err
	}
	defer s.release()
	b, err := NewBatch(ctx, rel, expected, events...)
	if err != nil {
		return 0, err
	}
	s.mu.RLock()
	failed := s.failed
	s.mu.RUnlock()
	if failed != nil {
		return 0, failed
	}
	req := &request{ctx: ctx, b: b, done: make(chan result, 1)}
	s.qmu.Lock()
	s.queue = append(s.queue, req)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	r := <-req.done
	return r.last, r.err
}

// run is the committer: it takes every waiting append (up to maxBatch
// events), writes them as one group with one fsync, and answers them all.
func (s *File) run() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
		for {
			reqs := s.take()
			if len(reqs) == 0 {
				break
			}
			s.commit(reqs)
		}
	}
}

func (s *File) take() []*request {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	n, events := 0, 0
	for n < len(s.queue) && (n == 0 || events+len(s.queue[n].b.Records) <= s.maxBatch) {
		events += len(s.queue[n].b.Records)
		n++
	}
	reqs := s.queue[:n:n]
	s.queue = s.queue[n:]
	if len(s.queue) == 0 {
		s.queue = nil
	}
	return reqs
}

// pendStream is a stream's state including the group being built.
type pendStream struct {
	last trust.Sequence
	ids  map[trust.EventID][]byte
}

// fileView is a stream as [Batch.Check] sees it: what is committed plus
// what the current group will add.
type fileView struct {
	s  *File
	st *fileStream
	p  *pendStream
}

func (v fileView) last() trust.Sequence {
	if v.p != nil {
		return v.p.last
	}
	if v.st != nil {
		return trust.Sequence(len(v.st.locs))
	}
	return 0
}

func (v fileView) lookup(id trust.EventID) ([]byte, bool, error) {
	if v.st != nil {
		if i, ok := v.st.ids[id]; ok {
			b, err := v.s.readRecords(v.st.locs[i : i+1])
			if err != nil {
				return nil, false, err
			}
			return b[0], true, nil
		}
	}
	if v.p != nil {
		if b, ok := v.p.ids[id]; ok {
			return b, true, nil
		}
	}
	return nil, false, nil
}

type placed struct {
	rel trust.RelationshipID
	id  trust.EventID
	loc loc // off relative to the group's start until committed
}

func (s *File) commit(reqs []*request) {
	s.mu.RLock()
	failed := s.failed
	s.mu.RUnlock()
	if failed != nil {
		for _, r := range reqs {
			r.done <- result{err: failed}
		}
		return
	}
	group := s.group + 1
	overlay := map[trust.RelationshipID]*pendStream{}
	var (
		buf      []byte
		lastRec  = -1
		recs     []placed
		accepted []*request
	)
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.done <- result{err: err}
			continue
		}
		rel := r.b.Relationship
		v := fileView{s: s, st: s.streams[rel], p: overlay[rel]}
		retry, err := r.b.Check(v.last(), v.lookup)
		if err != nil {
			r.done <- result{err: err}
			continue
		}
		accepted = append(accepted, r)
		if retry {
			continue // answered with the group: it may repeat events of this group
		}
		p := v.p
		if p == nil {
			p = &pendStream{last: v.last(), ids: map[trust.EventID][]byte{}}
			overlay[rel] = p
		}
		for _, rec := range r.b.Records {
			lastRec = len(buf)
			recs = append(recs, placed{rel: rel, id: rec.ID, loc: loc{off: int64(len(buf)), n: uint32(len(rec.Data))}})
			buf = appendRecord(buf, group, 0, rec.Data)
			p.ids[rec.ID] = rec.Data
			p.last = rec.Sequence
		}
	}
	if len(recs) > 0 {
		sealRecord(buf[lastRec:lastRec+recHeaderSize+int(recs[len(recs)-1].loc.n)], flagCommit)
		if err := s.write(buf); err != nil {
			for _, r := range accepted {
				r.done <- result{err: err}
			}
			return
		}
		s.mu.Lock()
		for _, p := range recs {
			st := s.streams[p.rel]
			if st == nil {
				st = &fileStream{ids: map[trust.EventID]int{}}
				s.streams[p.rel] = st
			}
			st.ids[p.id] = len(st.locs)
			st.locs = append(st.locs, loc{off: s.end + p.loc.off, n: p.loc.n})
		}
		s.mu.Unlock()
		s.end += int64(len(buf))
		s.group = group
	}
	for _, r := range accepted {
		r.done <- result{last: r.b.Last()}
	}
}

// write appends one group to the log and makes it durable. On failure it
// cuts the log back to where the group began and stops the store taking
// appends: after a failed fsync the kernel may have dropped the written
// pages, so what is on disk is no longer known.
func (s *File) write(buf []byte) error {
	_, err := s.f.WriteAt(buf, s.end)
	if err == nil && !s.noSync {
		err = s.sync(s.f)
	}
	s.unsynced = s.unsynced || s.noSync
	if err == nil {
		return nil
	}
	if terr := s.f.Truncate(s.end); terr == nil {
		_ = s.f.Sync()
	}
	failed := fmt.Errorf("%w: %w", ErrFailed, err)
	s.mu.Lock()
	s.failed = failed
	s.mu.Unlock()
	return failed
}

// readRecords reads and checks the records at locs, reading runs of
// adjacent records with one call.
func (s *File) readRecords(locs []loc) ([][]byte, error) {
	out := make([][]byte, 0, len(locs))
	for i := 0; i < len(locs); {
		j, size := i+1, locs[i].size()
		for j < len(locs) && locs[j].off == locs[j-1].off+locs[j-1].size() && size+locs[j].size() <= 1<<20 {
			size += locs[j].size()
			j++
		}
		buf := make([]byte, size)
		if _, err := s.f.ReadAt(buf, locs[i].off); err != nil {
			return nil, fmt.Errorf("store: reading %s at offset %d: %w", s.path, locs[i].off, err)
		}
		for _, l := range locs[i:j] {
			rec := buf[:l.size()]
			buf = buf[l.size():]
			h := parseHeader(rec)
			if h.length != l.n || !h.valid(rec) {
				return nil, &CorruptionError{Path: s.path, Offset: l.off, Reason: "record no longer matches its checksum"}
			}
			out = append(out, rec[recHeaderSize:])
		}
		i = j
	}
	return out, nil
}

// Load implements [Store.Load].
func (s *File) Load(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]trust.Event, error) {
	return collect(s.Scan(ctx, rel, from))
}

// Scan implements [Scanner]. It reads the log in chunks of up to 256
// events, so a long stream never has to fit in memory at once.
func (s *File) Scan(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) iter.Seq2[trust.Event, error] {
	return func(yield func(trust.Event, error) bool) {
		locs, err := s.snapshot(ctx, rel, from)
		if err != nil {
			yield(trust.Event{}, err)
			return
		}
		seq := max(from, 1)
		for len(locs) > 0 {
			chunk := locs[:min(len(locs), 256)]
			locs = locs[len(chunk):]
			recs, err := s.read(ctx, chunk)
			if err != nil {
				yield(trust.Event{}, err)
				return
			}
			for _, data := range recs {
				if err := ctx.Err(); err != nil {
					yield(trust.Event{}, err)
					return
				}
				e, err := trust.DecodeEvent(data)
				if err != nil {
					yield(trust.Event{}, fmt.Errorf("store: decoding event %d of %s: %w", seq, rel, err))
					return
				}
				if !yield(e, nil) {
					return
				}
				seq++
			}
		}
	}
}

func (s *File) read(ctx context.Context, locs []loc) ([][]byte, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	return s.readRecords(locs)
}

func (s *File) snapshot(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]loc, error) {
	if err := CheckRead(ctx, rel); err != nil {
		return nil, err
	}
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.streams[rel]
	if st == nil || uint64(from) > uint64(len(st.locs)) {
		return nil, nil
	}
	// Elements are never changed and the committer only appends, so the
	// snapshot needs no copy.
	return st.locs[max(from, 1)-1 : len(st.locs) : len(st.locs)], nil
}

// Last implements [Store.Last].
func (s *File) Last(ctx context.Context, rel trust.RelationshipID) (trust.Sequence, error) {
	if err := CheckRead(ctx, rel); err != nil {
		return 0, err
	}
	if err := s.acquire(ctx); err != nil {
		return 0, err
	}
	defer s.release()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if st := s.streams[rel]; st != nil {
		return trust.Sequence(len(st.locs)), nil
	}
	return 0, nil
}

// Relationships implements [Store.Relationships].
func (s *File) Relationships(ctx context.Context) ([]trust.RelationshipID, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	s.mu.RLock()
	out := make([]trust.RelationshipID, 0, len(s.streams))
	for rel := range s.streams {
		out = append(out, rel)
	}
	s.mu.RUnlock()
	sortIDs(out)
	return out, nil
}

// Close implements [Store.Close]. It waits for calls in flight, stops the
// committer, syncs the log if FileOptions.NoSync left changes unsynced, and
// closes it, which releases the directory's lock.
func (s *File) Close() error {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return nil
	}
	s.closed = true
	s.life.Unlock()
	s.inflight.Wait()
	close(s.stop)
	<-s.done
	var err error
	if s.unsynced {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.mu.Lock()
	s.streams = nil
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("store: closing %s: %w", s.path, err)
	}
	return nil
}
