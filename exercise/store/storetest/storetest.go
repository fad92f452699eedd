// Package storetest is the conformance suite for implementations of
// [store.Store]. Every store mend ships runs it, and an app that keeps
// journeys in its own database should run it against its implementation:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openMyStore(t) })
//	}
//
// The suite checks ordering, optimistic concurrency, idempotent retries,
// conflicting duplicate IDs, concurrent appenders (run it with -race),
// context cancellation, that bad input changes nothing, large batches,
// that stored events are isolated from callers' memory, that unregistered
// app payloads keep their exact bytes, streaming through [store.Scan], and
// Close. [Stream] builds the deterministic events it uses; other tests may use
// it too.
//
// The package uses only the standard library's testing package, so a store's
// tests need no test framework to run it. With -short, the large-batch test
// appends batches of 300 events instead of 2,000 (still ending with an event
// of [store.MaxEventSize] bytes).
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// Run runs the conformance suite. open must return a new, empty store each
// time it is called; the suite closes it (so Close must tolerate being called
// again by open's own cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"AppendAndLoad", testAppendAndLoad},
		{"Relationships", testRelationships},
		{"ExpectedSequenceConflicts", testExpectedConflicts},
		{"IdempotentRetry", testIdempotentRetry},
		{"ConflictingDuplicateIDs", testConflictingDuplicates},
		{"BadInputChangesNothing", testBadInput},
		{"ConcurrentAppenders", testConcurrentAppenders},
		{"ContextCancellation", testContextCancellation},
		{"LargeBatch", testLargeBatch},
		{"Isolation", testIsolation},
		{"RawPayloadBytes", testRawPayload},
		{"Scan", testScan},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if s == nil || reflect.ValueOf(s).Kind() == reflect.Pointer && reflect.ValueOf(s).IsNil() {
				t.Fatal("open returned a nil store")
			}
			t.Cleanup(func() { _ = s.Close() })
			tc.run(t, s)
		})
	}
}

// The assertion helpers. Each reports through t with what was being checked;
// those named must… stop the test, the others let it go on.

// mustOK stops the test if err is not nil.
func mustOK(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprintf(format, args...), err)
	}
}

// wantIs reports a failure unless errors.Is(err, target).
func wantIs(t *testing.T, err, target error, format string, args ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one matching %v", fmt.Sprintf(format, args...), err, target)
	}
}

// mustAs stops the test unless err is or wraps an E, and returns it.
func mustAs[E error](t *testing.T, err error, format string, args ...any) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("%s: got error %v (%T), want a %T", fmt.Sprintf(format, args...), err, err, target)
	}
	return target
}

// wantEqual reports a failure unless got == want.
func wantEqual[T comparable](t *testing.T, got, want T, format string, args ...any) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", fmt.Sprintf(format, args...), got, want)
	}
}

// mustLen stops the test unless events has n elements.
func mustLen(t *testing.T, events []trust.Event, n int, format string, args ...any) {
	t.Helper()
	if len(events) != n {
		t.Fatalf("%s: got %d events, want %d", fmt.Sprintf(format, args...), len(events), n)
	}
}

// wantSame reports a failure unless got and want encode to the same JSON,
// event by event (a loaded payload is a pointer where the appended one may
// be a value, so the events themselves are not compared).
func wantSame(t *testing.T, got, want []trust.Event, format string, args ...any) {
	t.Helper()
	if d := diff(encoded(t, got...), encoded(t, want...)); d != "" {
		t.Errorf("%s: %s", fmt.Sprintf(format, args...), d)
	}
}

// diff describes the first difference between two lists of encoded events,
// or returns "" if they are equal.
func diff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("event %d of %d differs %s", i, len(want), where(got[i], want[i]))
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d events, want %d", len(got), len(want))
	}
	return ""
}

// where shows two different encodings around their first difference; a
// test event may be megabytes long.
func where(got, want string) string {
	at := 0
	for at < len(got) && at < len(want) && got[at] == want[at] {
		at++
	}
	excerpt := func(s string) string {
		from, to := max(at-60, 0), min(at+60, len(s))
		return fmt.Sprintf("…%s… (%d bytes)", s[from:to], len(s))
	}
	return fmt.Sprintf("at byte %d:\n got  %s\n want %s", at, excerpt(got), excerpt(want))
}

// encoded returns the JSON of events.
func encoded(t *testing.T, events ...trust.Event) []string {
	t.Helper()
	out := make([]string, len(events))
	for i, e := range events {
		b, err := json.Marshal(e)
		mustOK(t, err, "encoding event %d", i)
		out[i] = string(b)
	}
	return out
}

// mustAppend appends and requires success.
func mustAppend(t *testing.T, s store.Store, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) trust.Sequence {
	t.Helper()
	last, err := s.Append(context.Background(), rel, expected, events...)
	mustOK(t, err, "appending %d events after sequence %d", len(events), expected)
	return last
}

func load(t *testing.T, s store.Store, rel trust.RelationshipID, from trust.Sequence) []trust.Event {
	t.Helper()
	events, err := s.Load(context.Background(), rel, from)
	mustOK(t, err, "loading from sequence %d", from)
	return events
}

// state is everything a store holds, for checking that a failed call changed nothing.
type state struct {
	rels   []trust.RelationshipID
	events map[trust.RelationshipID][]string
}

func snapshot(t *testing.T, s store.Store) state {
	t.Helper()
	ctx := context.Background()
	rels, err := s.Relationships(ctx)
	mustOK(t, err, "listing relationships")
	st := state{rels: rels, events: map[trust.RelationshipID][]string{}}
	for _, rel := range rels {
		st.events[rel] = encoded(t, load(t, s, rel, 0)...)
		last, err := s.Last(ctx, rel)
		mustOK(t, err, "reading the last sequence of %s", rel)
		if want := trust.Sequence(len(st.events[rel])); last != want {
			t.Fatalf("Last disagrees with Load for %s: Last says %d, Load gives %d events", rel, last, want)
		}
	}
	return st
}

// wantUnchanged reports a failure if s no longer holds what before recorded.
func wantUnchanged(t *testing.T, s store.Store, before state, format string, args ...any) {
	t.Helper()
	after := snapshot(t, s)
	what := fmt.Sprintf(format, args...)
	if !reflect.DeepEqual(after.rels, before.rels) {
		t.Errorf("%s: relationships were %v, are %v", what, before.rels, after.rels)
		return
	}
	for _, rel := range before.rels {
		if d := diff(after.events[rel], before.events[rel]); d != "" {
			t.Errorf("%s: stream %s changed: %s", what, rel, d)
		}
	}
}

func testAppendAndLoad(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(1)
	events := st.Events(1, 5)

	wantEqual(t, mustAppend(t, s, st.Rel, 0, events[0]), 1, "appending the first event")
	wantEqual(t, mustAppend(t, s, st.Rel, 1, events[1:]...), 5, "appending four more")

	last, err := s.Last(ctx, st.Rel)
	mustOK(t, err, "Last")
	wantEqual(t, last, 5, "Last")

	tests := []struct {
		name string
		from trust.Sequence
		want []trust.Event
	}{
		{"from zero is the whole stream", 0, events},
		{"from one is the whole stream", 1, events},
		{"from the middle", 3, events[2:]},
		{"from the last event", 5, events[4:]},
		{"just past the end is empty", 6, nil},
		{"far past the end is empty", 1 << 40, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := load(t, s, st.Rel, tc.from)
			if got == nil {
				t.Error("Load returns an empty slice, not nil")
			}
			wantSame(t, got, tc.want, "Load from %d", tc.from)
			for i, e := range got {
				wantEqual(t, e.Sequence, max(tc.from, 1)+trust.Sequence(i), "sequence of loaded event %d", i)
				if err := e.Validate(); err != nil {
					t.Errorf("loaded event %d is invalid: %v", i, err)
				}
			}
		})
	}

	other := NewStream(2)
	got, err := s.Load(ctx, other.Rel, 0)
	mustOK(t, err, "loading a stream with no events")
	wantEqual(t, len(got), 0, "a stream with no events loads as empty")
	last, err = s.Last(ctx, other.Rel)
	mustOK(t, err, "Last of a stream with no events")
	wantEqual(t, last, 0, "Last of a stream with no events")
}

func testRelationships(t *testing.T, s store.Store) {
	ctx := context.Background()
	rels, err := s.Relationships(ctx)
	mustOK(t, err, "Relationships of an empty store")
	wantEqual(t, len(rels), 0, "relationships in an empty store")

	want := map[trust.RelationshipID]bool{}
	for seed := uint64(10); seed < 17; seed++ {
		st := NewStream(seed)
		mustAppend(t, s, st.Rel, 0, st.Events(1, int(seed%3)+1)...)
		want[st.Rel] = true
	}
	rels, err = s.Relationships(ctx)
	mustOK(t, err, "Relationships")
	if len(rels) != len(want) {
		t.Fatalf("got %d relationships, want %d", len(rels), len(want))
	}
	for i, rel := range rels {
		if !want[rel] {
			t.Errorf("%s was never appended to", rel)
		}
		if i > 0 && rels[i-1].String() >= rel.String() {
			t.Errorf("relationships are not sorted: %s comes before %s", rels[i-1], rel)
		}
	}
}

func testExpectedConflicts(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(3)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 3)...)
	fresh := NewStream(4)

	tests := []struct {
		name     string
		rel      trust.RelationshipID
		expected trust.Sequence
		events   []trust.Event
		actual   trust.Sequence
	}{
		{"a stale expected sequence loses", st.Rel, 2, []trust.Event{st.By(1, 3)}, 3},
		{"expecting an empty stream when it is not", st.Rel, 0, []trust.Event{st.By(1, 1)}, 3},
		{"an expected sequence beyond the end", st.Rel, 5, []trust.Event{st.Event(6)}, 3},
		{"an expected sequence on an empty stream", fresh.Rel, 1, []trust.Event{fresh.Event(2)}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, s)
			last, err := s.Append(ctx, tc.rel, tc.expected, tc.events...)
			if err == nil {
				t.Fatalf("Append succeeded (last %d); want a conflict", last)
			}
			wantEqual(t, last, 0, "the sequence a failed Append returns")
			wantIs(t, err, trust.ErrConflict, "Append")
			ce := mustAs[*store.ConflictError](t, err, "Append")
			wantEqual(t, ce.Relationship, tc.rel, "ConflictError.Relationship")
			wantEqual(t, ce.Expected, tc.expected, "ConflictError.Expected")
			wantEqual(t, ce.Actual, tc.actual, "ConflictError.Actual")
			wantUnchanged(t, s, before, "a conflict changes nothing")
		})
	}
}

func testIdempotentRetry(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(5)
	mustAppend(t, s, st.Rel, 0, st.Event(1))
	batch := st.Events(2, 3)
	mustAppend(t, s, st.Rel, 1, batch...)
	after := snapshot(t, s)

	// The acknowledgement was lost; the client sends the same request again.
	last, err := s.Append(ctx, st.Rel, 1, batch...)
	mustOK(t, err, "a retry of an applied request succeeds")
	wantEqual(t, last, 4, "a retry returns the sequence the original returned")
	wantUnchanged(t, s, after, "a retry is applied once")

	// Others appended since; the retry still succeeds and still changes nothing.
	mustAppend(t, s, st.Rel, 4, st.Event(5))
	after = snapshot(t, s)
	last, err = s.Append(ctx, st.Rel, 1, batch...)
	mustOK(t, err, "a retry after later appends")
	wantEqual(t, last, 4, "a retry after later appends returns the original's sequence")
	last, err = s.Append(ctx, st.Rel, 0, st.Event(1))
	mustOK(t, err, "a retry of the first event")
	wantEqual(t, last, 1, "a retry of the first event returns its sequence")
	wantUnchanged(t, s, after, "retries after later appends change nothing")
	wantEqual(t, len(load(t, s, st.Rel, 0)), 5, "events stored")
}

func testConflictingDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(6)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 4)...)

	reused := st.Event(5)
	reused.ID = st.Event(2).ID

	tests := []struct {
		name     string
		expected trust.Sequence
		events   []trust.Event
		id       trust.EventID
	}{
		{"same ID and sequence, different content", 2, []trust.Event{st.Altered(3)}, st.Event(3).ID},
		{"a stored ID reused for a new event", 4, []trust.Event{reused}, reused.ID},
		{"a batch of which only some events are stored", 3, []trust.Event{st.Event(4), st.Event(5)}, st.Event(4).ID},
		{"a changed first event", 0, []trust.Event{st.Altered(1)}, st.Event(1).ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, s)
			last, err := s.Append(ctx, st.Rel, tc.expected, tc.events...)
			if err == nil {
				t.Fatalf("Append succeeded (last %d); want a conflict", last)
			}
			wantIs(t, err, trust.ErrConflict, "Append")
			ce := mustAs[*store.ConflictError](t, err, "Append")
			wantEqual(t, ce.EventID, tc.id, "ConflictError.EventID")
			wantEqual(t, ce.Actual, 4, "ConflictError.Actual")
			wantUnchanged(t, s, before, "a conflict changes nothing")
		})
	}
}

func testBadInput(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(7)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 2)...)
	other := NewStream(8)

	noID := st.Event(3)
	noID.ID = trust.EventID{}
	badVisibility := st.Event(3)
	badVisibility.Visibility = "public"
	dupIDs := st.Events(3, 2)
	dupIDs[1].ID = dupIDs[0].ID
	undecodable, err := trust.NewEvent(&trust.RawPayload{Type: trust.TypePauseChanged, JSON: json.RawMessage(`{"paused":"yes"}`)},
		trust.Header{ID: st.By(9, 3).ID, Relationship: st.Rel, Sequence: 3, Recorded: Base, Actor: trust.PartnerActor(st.Partners[0])})
	mustOK(t, err, "a raw payload under a registered type passes the envelope's checks")

	tests := []struct {
		name     string
		rel      trust.RelationshipID
		expected trust.Sequence
		events   []trust.Event
		field    string
	}{
		{"no relationship", trust.RelationshipID{}, 2, []trust.Event{st.Event(3)}, "relationship"},
		{"no events", st.Rel, 2, nil, "events"},
		{"an invalid event", st.Rel, 2, []trust.Event{noID}, "events.0.id"},
		{"an invalid visibility", st.Rel, 2, []trust.Event{badVisibility}, "events.0.visibility"},
		{"an event of another relationship", st.Rel, 2, []trust.Event{other.Event(3)}, "events.0.relationship"},
		{"a sequence gap after expected", st.Rel, 2, []trust.Event{st.Event(4)}, "events.0.sequence"},
		{"a gap inside the batch", st.Rel, 2, []trust.Event{st.Event(3), st.Event(5)}, "events.1.sequence"},
		{"a repeated sequence inside the batch", st.Rel, 2, []trust.Event{st.Event(3), st.Event(3)}, "events.1.sequence"},
		{"a repeated ID inside the batch", st.Rel, 2, dupIDs, "events.1.id"},
		{"an event that does not decode back", st.Rel, 2, []trust.Event{undecodable}, "events.0.data.paused"},
		{"an oversized event", st.Rel, 2, []trust.Event{st.Event(3), st.Sized(4, store.MaxEventSize+1)}, "events.1"},
		{"an expected sequence with no room after it", st.Rel, ^trust.Sequence(0), []trust.Event{st.Event(3)}, "expected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, s)
			last, err := s.Append(ctx, tc.rel, tc.expected, tc.events...)
			if err == nil {
				t.Fatalf("Append succeeded (last %d); want a validation error", last)
			}
			wantEqual(t, last, 0, "the sequence a failed Append returns")
			wantIs(t, err, trust.ErrInvalid, "Append")
			ve := mustAs[*trust.ValidationError](t, err, "Append")
			wantEqual(t, ve.Field, tc.field, "the field the error names (error: %v)", err)
			wantUnchanged(t, s, before, "bad input changes nothing")
		})
	}

	t.Run("reads need a relationship", func(t *testing.T) {
		_, err := s.Load(ctx, trust.RelationshipID{}, 0)
		wantIs(t, err, trust.ErrInvalid, "Load without a relationship")
		_, err = s.Last(ctx, trust.RelationshipID{})
		wantIs(t, err, trust.ErrInvalid, "Last without a relationship")
	})

	t.Run("the stream still takes the next event", func(t *testing.T) {
		wantEqual(t, mustAppend(t, s, st.Rel, 2, st.Event(3)), 3, "appending after the refused appends")
	})
}

func testConcurrentAppenders(t *testing.T, s store.Store) {
	ctx := context.Background()
	const writers, perWriter = 8, 25

	// Writers on their own streams, readers alongside them.
	var wg sync.WaitGroup
	errs := make(chan error, 4*writers*perWriter)
	for w := range writers {
		st := NewStream(100 + uint64(w))
		wg.Go(func() {
			for seq := trust.Sequence(1); seq <= perWriter; seq++ {
				if _, err := s.Append(ctx, st.Rel, seq-1, st.Event(seq)); err != nil {
					errs <- fmt.Errorf("writer %d seq %d: %w", w, seq, err)
					return
				}
			}
		})
		wg.Go(func() {
			for range perWriter {
				events, err := s.Load(ctx, st.Rel, 0)
				if err != nil {
					errs <- err
					return
				}
				for i, e := range events {
					if e.Sequence != trust.Sequence(i+1) {
						errs <- fmt.Errorf("reader saw sequence %d at index %d", e.Sequence, i)
						return
					}
				}
			}
		})
	}

	// Writers racing for one stream: each reads the last sequence and tries
	// to append its own event after it; losers get conflicts and try again.
	shared := NewStream(200)
	mustAppend(t, s, shared.Rel, 0, shared.Event(1))
	var mu sync.Mutex
	won := map[trust.Sequence]int{}
	conflicts := 0
	for w := 1; w <= writers; w++ {
		wg.Go(func() {
			for wins := 0; wins < perWriter/5; {
				last, err := s.Last(ctx, shared.Rel)
				if err != nil {
					errs <- err
					return
				}
				_, err = s.Append(ctx, shared.Rel, last, shared.By(w, last+1))
				mu.Lock()
				switch {
				case err == nil:
					wins++
					won[last+1] = w
				case errors.Is(err, trust.ErrConflict):
					conflicts++
				default:
					errs <- err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call failed: %v", err)
	}

	for w := range writers {
		st := NewStream(100 + uint64(w))
		wantSame(t, load(t, s, st.Rel, 0), st.Events(1, perWriter), "writer %d's stream", w)
	}
	events := load(t, s, shared.Rel, 0)
	mustLen(t, events, 1+writers*(perWriter/5), "every successful append is stored once")
	for _, e := range events[1:] {
		w, ok := won[e.Sequence]
		if !ok {
			t.Fatalf("sequence %d was stored but never acknowledged", e.Sequence)
		}
		wantEqual(t, e.ID, shared.By(w, e.Sequence).ID, "sequence %d holds the winner's event", e.Sequence)
	}
	t.Logf("%d conflicts among %d racing writers", conflicts, writers)
}

func testContextCancellation(t *testing.T, s store.Store) {
	st := NewStream(9)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 3)...)
	before := snapshot(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := s.Append(ctx, st.Rel, 3, st.Event(4))
	wantIs(t, err, context.Canceled, "Append to a stream")
	_, err = s.Append(ctx, NewStream(10).Rel, 0, NewStream(10).Event(1))
	wantIs(t, err, context.Canceled, "Append to a new stream")
	_, err = s.Load(ctx, st.Rel, 0)
	wantIs(t, err, context.Canceled, "Load")
	_, err = s.Last(ctx, st.Rel)
	wantIs(t, err, context.Canceled, "Last")
	_, err = s.Relationships(ctx)
	wantIs(t, err, context.Canceled, "Relationships")
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		wantIs(t, err, context.Canceled, "Scan")
	}
	wantUnchanged(t, s, before, "cancelled calls change nothing")

	t.Run("cancelled while streaming", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var got []trust.Sequence
		var last error
		for e, err := range store.Scan(ctx, s, st.Rel, 0) {
			if err != nil {
				last = err
				break
			}
			got = append(got, e.Sequence)
			cancel()
		}
		if _, ok := s.(store.Scanner); ok {
			wantIs(t, last, context.Canceled, "a streaming store notices cancellation between events")
			wantEqual(t, len(got), 1, "events yielded before the cancellation was noticed")
		}
	})
}

func testLargeBatch(t *testing.T, s store.Store) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	st := NewStream(11)
	events := st.Events(1, n)
	wantEqual(t, mustAppend(t, s, st.Rel, 0, events...), trust.Sequence(n), "appending %d events at once", n)
	got := load(t, s, st.Rel, 0)
	mustLen(t, got, n, "loading the batch")
	wantSame(t, got, events, "the loaded batch")
	wantSame(t, load(t, s, st.Rel, trust.Sequence(n-9)), events[n-10:], "the batch's last ten events")

	// A second large batch after the first, ending with big events, the
	// last just under the size limit.
	more := append(st.Events(trust.Sequence(n+1), n-2), st.Sized(trust.Sequence(2*n-1), 256<<10), st.Sized(trust.Sequence(2*n), store.MaxEventSize))
	wantEqual(t, mustAppend(t, s, st.Rel, trust.Sequence(n), more...), trust.Sequence(2*n), "appending a second batch")
	got = load(t, s, st.Rel, trust.Sequence(n+1))
	mustLen(t, got, n, "loading the second batch")
	wantSame(t, got, more, "the loaded second batch")
}

func testIsolation(t *testing.T, s store.Store) {
	st := NewStream(12)
	first := st.Event(1)
	c := &trust.Commitment{Partner: st.Partners[0], Answer: trust.CommitYes}
	second, err := trust.NewEvent(c, trust.Header{ID: st.By(7, 2).ID, Relationship: st.Rel, Sequence: 2,
		Recorded: Base, Actor: trust.PartnerActor(st.Partners[0])})
	mustOK(t, err, "building a commitment event")
	mustAppend(t, s, st.Rel, 0, first, second)
	want := encoded(t, first, second)

	// The caller changes what it appended.
	c.Answer = trust.CommitNo
	first.Data.(trust.JourneyStarted).Profile.Phases[0].Key = "changed"
	if d := diff(encoded(t, load(t, s, st.Rel, 0)...), want); d != "" {
		t.Errorf("appended events are copied, but changing them changed the store: %s", d)
	}

	// The caller changes what it loaded.
	got := load(t, s, st.Rel, 0)
	got[0].Data.(*trust.JourneyStarted).Relationship.Partners[0].DisplayName = "changed"
	got[0].Data.(*trust.JourneyStarted).Profile.Phases[0].Key = "changed"
	got[1].Data.(*trust.Commitment).Answer = trust.CommitNo
	got[1].Subject = "changed"
	if d := diff(encoded(t, load(t, s, st.Rel, 0)...), want); d != "" {
		t.Errorf("loaded events are the caller's own, but changing them changed the store: %s", d)
	}
}

func testRawPayload(t *testing.T, s store.Store) {
	st := NewStream(13)
	raw := st.Raw(2)
	mustAppend(t, s, st.Rel, 0, st.Event(1), raw)
	got := load(t, s, st.Rel, 2)
	mustLen(t, got, 1, "loading the raw event")
	p, ok := got[0].Data.(*trust.RawPayload)
	if !ok {
		t.Fatalf("an unregistered type loads as a *trust.RawPayload, not %T", got[0].Data)
	}
	wantEqual(t, p.Type, "storetest.note_written", "the raw payload's type")
	wantEqual(t, string(p.JSON), string(raw.Data.(*trust.RawPayload).JSON), "app payloads keep their exact bytes")

	last, err := s.Append(context.Background(), st.Rel, 1, st.Raw(2))
	mustOK(t, err, "a retried raw event is recognised as the same")
	wantEqual(t, last, 2, "the sequence a retried raw event returns")
}

func testScan(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(14)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 40)...)

	var got []trust.Event
	for e, err := range store.Scan(ctx, s, st.Rel, 11) {
		mustOK(t, err, "Scan from 11")
		got = append(got, e)
	}
	wantSame(t, got, load(t, s, st.Rel, 11), "Scan gives what Load gives")

	n := 0
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		mustOK(t, err, "Scan from 0")
		n++
		if n == 5 {
			break
		}
	}
	wantEqual(t, n, 5, "stopping early is allowed")

	for _, err := range store.Scan(ctx, s, trust.RelationshipID{}, 0) {
		wantIs(t, err, trust.ErrInvalid, "Scan without a relationship")
	}
	for range store.Scan(ctx, s, NewStream(15).Rel, 0) {
		t.Error("an empty stream yields nothing")
	}
}

func testClose(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(16)
	mustAppend(t, s, st.Rel, 0, st.Event(1))
	mustOK(t, s.Close(), "Close")
	if err := s.Close(); err != nil {
		t.Errorf("a second Close is harmless, but it returned %v", err)
	}

	_, err := s.Append(ctx, st.Rel, 1, st.Event(2))
	wantIs(t, err, store.ErrClosed, "Append after Close")
	_, err = s.Load(ctx, st.Rel, 0)
	wantIs(t, err, store.ErrClosed, "Load after Close")
	_, err = s.Last(ctx, st.Rel)
	wantIs(t, err, store.ErrClosed, "Last after Close")
	_, err = s.Relationships(ctx)
	wantIs(t, err, store.ErrClosed, "Relationships after Close")
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		wantIs(t, err, store.ErrClosed, "Scan after Close")
	}
}
