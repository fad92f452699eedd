package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/mendkit/mend/internal/check"
)

// Config says what to generate and how to split the work. Only Params,
// Seed and IncludeSafety change the dataset; Workers, Shard and Shards
// change only who does which part of the work.
type Config struct {
	// Params are the model's parameters.
	Params Params
	// Seed seeds every draw and the pseudonymisation key.
	Seed uint64
	// IncludeSafety exports safety flags. The manifest records it.
	IncludeSafety bool
	// Workers is how many couples are simulated at once. Default: GOMAXPROCS.
	Workers int
	// Shard and Shards split the parts between machines: this run writes
	// the parts k with k mod Shards == Shard. Default: 0 of 1 (everything).
	Shard, Shards int
	// Progress, if set, hears about each couple as it is written.
	Progress Progress
}

// Progress hears how a generation goes. The CLI draws a progress bar on
// stderr with it; calls come from one goroutine, in couple order.
type Progress interface {
	// Start announces how many couples this run covers.
	Start(couples int)
	// Add reports couples finished and the journey events they produced.
	Add(couples, events int)
	// Finish says the run is over.
	Finish()
}

func (c *Config) defaults() error {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Shards == 0 {
		c.Shards = 1
	}
	if c.Shards < 1 || c.Shard < 0 || c.Shard >= c.Shards {
		return check.Invalid(pkg, "shard", "must be i/n with 0 <= i < n")
	}
	return c.Params.Validate()
}

// Parts returns how many parts the dataset has: couples / couples_per_part, rounded up.
func (p Params) Parts() int { return (p.Couples + p.CouplesPerPart - 1) / p.CouplesPerPart }

// PartRange returns the couple indices [lo, hi) of part k.
func (p Params) PartRange(k int) (lo, hi int) {
	lo = k * p.CouplesPerPart
	return lo, min(lo+p.CouplesPerPart, p.Couples)
}

// ShardParts lists the parts shard i of n writes: those k with k mod n == i.
func (p Params) ShardParts(i, n int) []int {
	var out []int
	for k := i; k < p.Parts(); k += n {
		out = append(out, k)
	}
	return out
}

// Counts count what a part, or a dataset, holds.
type Counts struct {
	// Couples is how many couples were drawn.
	Couples int `json:"couples" jsonschema:"minimum=0"`
	// Exported is how many of them are in the dataset (both partners consented).
	Exported int `json:"exported" jsonschema:"minimum=0"`
	// NoConsent is how many were left out because a partner did not consent.
	NoConsent int `json:"no_consent" jsonschema:"minimum=0"`
	// JourneyEvents is how many events the engine recorded for the exported couples.
	JourneyEvents int `json:"journey_events" jsonschema:"minimum=0"`
	// Events is how many events were exported.
	Events int `json:"events" jsonschema:"minimum=0"`
	// DroppedSafety is how many safety events were left out.
	DroppedSafety int `json:"dropped_safety" jsonschema:"minimum=0"`
	// PanelRows is how many panel rows were written.
	PanelRows int `json:"panel_rows" jsonschema:"minimum=0"`
}

func (s *Counts) add(o Counts) {
	s.Couples += o.Couples
	s.Exported += o.Exported
	s.NoConsent += o.NoConsent
	s.JourneyEvents += o.JourneyEvents
	s.Events += o.Events
	s.DroppedSafety += o.DroppedSafety
	s.PanelRows += o.PanelRows
}

// PartStats counts what one part holds.
type PartStats struct {
	// Part is the part's number.
	Part int `json:"part"`
	Counts
}

// File names inside a dataset directory.
const (
	eventsDir  = "events"
	stagingDir = ".parts"
)

// EventsFile returns the path, relative to the dataset directory, of part
// k's JSON Lines file.
func EventsFile(k int) string { return filepath.Join(eventsDir, fmt.Sprintf("part-%05d.jsonl", k)) }

func stagingFile(k int, what string) string {
	return filepath.Join(stagingDir, fmt.Sprintf("part-%05d.%s", k, what))
}

// result is one couple's output, encoded by the worker that simulated it.
type result struct {
	index  int
	err    error
	stats  Counts
	events []byte
	couple []byte
	panel  []byte
}

// Generate simulates this shard's parts and writes them into dir: each
// part's events to events/part-NNNNN.jsonl, and its summary rows, panel rows
// and counts to a staging area that [Finalize] assembles. Couples are
// simulated by a bounded pool of workers and written in index order, so the
// bytes do not depend on Workers. Each file is written under a temporary
// name and renamed when complete, so a part that exists is whole.
func Generate(ctx context.Context, cfg Config, dir string) (Counts, error) {
	var total Counts
	if err := cfg.defaults(); err != nil {
		return total, err
	}
	for _, d := range []string{eventsDir, stagingDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return total, err
		}
	}
	parts := cfg.Params.ShardParts(cfg.Shard, cfg.Shards)
	couples := 0
	for _, k := range parts {
		lo, hi := cfg.Params.PartRange(k)
		couples += hi - lo
	}
	if cfg.Progress != nil {
		cfg.Progress.Start(couples)
		defer cfg.Progress.Finish()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	key := PseudonymKey(cfg.Seed)
	jobs := make(chan int)
	results := make(chan result, cfg.Workers)
	// At most window couples are in flight or waiting to be written, so
	// memory does not grow with the number of couples.
	window := make(chan struct{}, 4*cfg.Workers)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- runCouple(ctx, cfg, key, i)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, k := range parts {
			lo, hi := cfg.Params.PartRange(k)
			for i := lo; i < hi; i++ {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- i:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	w := &partWriter{dir: dir}
	pending := map[int]result{}
	var err error
	pi := 0
	next := -1
	if len(parts) > 0 {
		next, _ = cfg.Params.PartRange(parts[0])
	}
	for r := range results {
		if err != nil {
			<-window
			continue
		}
		pending[r.index] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			<-window
			if r.err != nil {
				err = r.err
				cancel()
				break
			}
			k := parts[pi]
			if w.part != k || w.events == nil {
				if err = w.open(k); err != nil {
					cancel()
					break
				}
			}
			if err = w.write(r); err != nil {
				cancel()
				break
			}
			if cfg.Progress != nil {
				cfg.Progress.Add(1, r.stats.JourneyEvents)
			}
			next++
			if _, hi := cfg.Params.PartRange(k); next == hi {
				w.stats.Part = k
				total.add(w.stats.Counts)
				if err = w.close(); err != nil {
					cancel()
					break
				}
				pi++
				if pi < len(parts) {
					next, _ = cfg.Params.PartRange(parts[pi])
				}
			}
		}
	}
	w.abort()
	if werr := w.wait(); err == nil {
		err = werr
	}
	if err == nil {
		err = ctx.Err()
	}
	return total, err
}

// runCouple simulates, exports, summarises and encodes one couple.
func runCouple(ctx context.Context, cfg Config, key []byte, i int) result {
	r := result{index: i, stats: Counts{Couples: 1}}
	d := DrawCouple(cfg.Params, cfg.Seed, i)
	if !d.Consented() {
		// The journey would never leave the app: the generator does not
		// spend time on it. Export would refuse it anyway.
		r.stats.NoConsent = 1
		return r
	}
	c, err := simulate(ctx, cfg.Params, d, cfg.Seed)
	if err != nil {
		r.err = err
		return r
	}
	x, ok, err := Export(c.Events, ExportOptions{Key: key, IncludeSafety: cfg.IncludeSafety})
	if err != nil || !ok {
		r.err = errors.Join(err, fmt.Errorf("simulate: couple %d: consenting couple not exported", i))
		return r
	}
	for _, e := range c.Events {
		if e.Sensitive() && !cfg.IncludeSafety {
			r.stats.DroppedSafety++
		}
	}
	r.stats.Exported = 1
	r.stats.JourneyEvents = len(c.Events)
	r.stats.Events = len(x.Events)
	// An exported record is about 250 bytes of JSON.
	buf := make([]byte, 0, 256*len(x.Events))
	for i := range x.Events {
		buf = x.Events[i].AppendJSON(buf)
	}
	r.events = buf
	sum, rows := Summarise(x, d, cfg.Params.Weeks, cfg.IncludeSafety)
	r.couple = sum.appendCSV(nil)
	for _, row := range rows {
		r.panel = row.appendCSV(r.panel)
	}
	r.stats.PanelRows = len(rows)
	return r
}

// partWriter writes one part at a time.
type partWriter struct {
	dir                   string
	part                  int
	events, couple, panel *os.File
	stats                 PartStats

	// A finished part is synced and renamed in the background, so the
	// workers never wait for the disk; wait collects the outcome.
	closing  sync.WaitGroup
	closeMu  sync.Mutex
	closeErr error
}

func (w *partWriter) paths(k int) [3]string {
	return [3]string{filepath.Join(w.dir, EventsFile(k)), filepath.Join(w.dir, stagingFile(k, "couples.csv")),
		filepath.Join(w.dir, stagingFile(k, "panel.csv"))}
}

func (w *partWriter) open(k int) error {
	w.abort()
	w.part, w.stats = k, PartStats{}
	var fs [3]*os.File
	for i, p := range w.paths(k) {
		f, err := os.Create(p + ".tmp")
		if err != nil {
			for _, g := range fs[:i] {
				g.Close()
			}
			return err
		}
		fs[i] = f
	}
	w.events, w.couple, w.panel = fs[0], fs[1], fs[2]
	return nil
}

func (w *partWriter) write(r result) error {
	w.stats.Counts.add(r.stats)
	for _, x := range []struct {
		f *os.File
		b []byte
	}{{w.events, r.events}, {w.couple, r.couple}, {w.panel, r.panel}} {
		if _, err := x.f.Write(x.b); err != nil {
			return err
		}
	}
	return nil
}

// close finishes the part: it writes its counts, syncs and renames every file.
func (w *partWriter) close() error {
	b, err := json.Marshal(w.stats)
	if err != nil {
		return err
	}
	stats := filepath.Join(w.dir, stagingFile(w.part, "stats.json"))
	if err := os.WriteFile(stats+".tmp", append(b, '\n'), 0o644); err != nil {
		return err
	}
	fs := []*os.File{w.events, w.couple, w.panel}
	w.events, w.couple, w.panel = nil, nil, nil
	paths := w.paths(w.part)
	w.closing.Go(func() {
		err := finishPart(fs, append(paths[:], stats))
		w.closeMu.Lock()
		w.closeErr = errors.Join(w.closeErr, err)
		w.closeMu.Unlock()
	})
	return nil
}

// finishPart syncs and closes a part's files, then renames them into place,
// the counts (the last path) last: a part with counts is a complete part.
func finishPart(fs []*os.File, paths []string) error {
	var err error
	for _, f := range fs {
		if err == nil {
			err = f.Sync()
		}
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := os.Rename(p+".tmp", p); err != nil {
			return err
		}
	}
	return nil
}

// wait waits for the parts being finished in the background and returns
// the first error any of them met.
func (w *partWriter) wait() error {
	w.closing.Wait()
	w.closeMu.Lock()
	defer w.closeMu.Unlock()
	return w.closeErr
}

// abort drops a part left half-written.
func (w *partWriter) abort() {
	if w.events == nil {
		return
	}
	for _, f := range []*os.File{w.events, w.couple, w.panel} {
		f.Close()
		os.Remove(f.Name())
	}
	w.events, w.couple, w.panel = nil, nil, nil
}
