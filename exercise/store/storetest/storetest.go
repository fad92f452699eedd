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
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			require.NotNil(t, s, "open returned a nil store")
			t.Cleanup(func() { _ = s.Close() })
			tc.run(t, s)
		})
	}
}

// encoded returns the JSON of events, for comparing what went in with what
// came out (a loaded payload is a pointer where the appended one may be a value).
func encoded(t *testing.T, events ...trust.Event) []string {
	t.Helper()
	out := make([]string, len(events))
	for i, e := range events {
		b, err := json.Marshal(e)
		require.NoError(t, err)
		out[i] = string(b)
	}
	return out
}

// mustAppend appends and requires success.
func mustAppend(t *testing.T, s store.Store, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) trust.Sequence {
	t.Helper()
	last, err := s.Append(context.Background(), rel, expected, events...)
	require.NoError(t, err)
	return last
}

func load(t *testing.T, s store.Store, rel trust.RelationshipID, from trust.Sequence) []trust.Event {
	t.Helper()
	events, err := s.Load(context.Background(), rel, from)
	require.NoError(t, err)
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
	require.NoError(t, err)
	st := state{rels: rels, events: map[trust.RelationshipID][]string{}}
	for _, rel := range rels {
		st.events[rel] = encoded(t, load(t, s, rel, 0)...)
		last, err := s.Last(ctx, rel)
		require.NoError(t, err)
		require.Equal(t, trust.Sequence(len(st.events[rel])), last, "Last disagrees with Load for %s", rel)
	}
	return st
}

func testAppendAndLoad(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(1)
	events := st.Events(1, 5)

	assert.Equal(t, trust.Sequence(1), mustAppend(t, s, st.Rel, 0, events[0]))
	assert.Equal(t, trust.Sequence(5), mustAppend(t, s, st.Rel, 1, events[1:]...))

	last, err := s.Last(ctx, st.Rel)
	require.NoError(t, err)
	assert.Equal(t, trust.Sequence(5), last)

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
			assert.NotNil(t, got, "Load returns an empty slice, not nil")
			assert.Equal(t, encoded(t, tc.want...), encoded(t, got...))
			for i, e := range got {
				assert.Equal(t, max(tc.from, 1)+trust.Sequence(i), e.Sequence)
				assert.NoError(t, e.Validate())
			}
		})
	}

	other := NewStream(2)
	got, err := s.Load(ctx, other.Rel, 0)
	require.NoError(t, err)
	assert.Empty(t, got, "a stream with no events loads as empty")
	last, err = s.Last(ctx, other.Rel)
	require.NoError(t, err)
	assert.Zero(t, last)
}

func testRelationships(t *testing.T, s store.Store) {
	ctx := context.Background()
	rels, err := s.Relationships(ctx)
	require.NoError(t, err)
	assert.Empty(t, rels)

	want := map[trust.RelationshipID]bool{}
	for seed := uint64(10); seed < 17; seed++ {
		st := NewStream(seed)
		mustAppend(t, s, st.Rel, 0, st.Events(1, int(seed%3)+1)...)
		want[st.Rel] = true
	}
	rels, err = s.Relationships(ctx)
	require.NoError(t, err)
	require.Len(t, rels, len(want))
	for i, rel := range rels {
		assert.True(t, want[rel], "%s was never appended to", rel)
		if i > 0 {
			assert.Less(t, rels[i-1].String(), rel.String(), "relationships are sorted")
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
			require.Error(t, err)
			assert.Zero(t, last)
			assert.ErrorIs(t, err, trust.ErrConflict)
			var ce *store.ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.rel, ce.Relationship)
			assert.Equal(t, tc.expected, ce.Expected)
			assert.Equal(t, tc.actual, ce.Actual)
			assert.Equal(t, before, snapshot(t, s), "a conflict changes nothing")
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
	require.NoError(t, err, "a retry of an applied request succeeds")
	assert.Equal(t, trust.Sequence(4), last, "a retry returns the sequence the original returned")
	assert.Equal(t, after, snapshot(t, s), "a retry is applied once")

	// Others appended since; the retry still succeeds and still changes nothing.
	mustAppend(t, s, st.Rel, 4, st.Event(5))
	after = snapshot(t, s)
	last, err = s.Append(ctx, st.Rel, 1, batch...)
	require.NoError(t, err)
	assert.Equal(t, trust.Sequence(4), last)
	last, err = s.Append(ctx, st.Rel, 0, st.Event(1))
	require.NoError(t, err)
	assert.Equal(t, trust.Sequence(1), last)
	assert.Equal(t, after, snapshot(t, s))
	assert.Len(t, load(t, s, st.Rel, 0), 5)
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
			_, err := s.Append(ctx, st.Rel, tc.expected, tc.events...)
			require.Error(t, err)
			assert.ErrorIs(t, err, trust.ErrConflict)
			var ce *store.ConflictError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.id, ce.EventID)
			assert.Equal(t, trust.Sequence(4), ce.Actual)
			assert.Equal(t, before, snapshot(t, s), "a conflict changes nothing")
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
	require.NoError(t, err, "a raw payload under a registered type passes the envelope's checks")

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
			require.Error(t, err)
			assert.Zero(t, last)
			assert.ErrorIs(t, err, trust.ErrInvalid)
			var ve *trust.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "error: %v", err)
			assert.Equal(t, before, snapshot(t, s), "bad input changes nothing")
		})
	}

	t.Run("reads need a relationship", func(t *testing.T) {
		_, err := s.Load(ctx, trust.RelationshipID{}, 0)
		assert.ErrorIs(t, err, trust.ErrInvalid)
		_, err = s.Last(ctx, trust.RelationshipID{})
		assert.ErrorIs(t, err, trust.ErrInvalid)
	})

	t.Run("the stream still takes the next event", func(t *testing.T) {
		assert.Equal(t, trust.Sequence(3), mustAppend(t, s, st.Rel, 2, st.Event(3)))
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
		assert.NoError(t, err)
	}

	for w := range writers {
		st := NewStream(100 + uint64(w))
		assert.Equal(t, encoded(t, st.Events(1, perWriter)...), encoded(t, load(t, s, st.Rel, 0)...))
	}
	events := load(t, s, shared.Rel, 0)
	require.Len(t, events, 1+writers*(perWriter/5), "every successful append is stored once")
	for _, e := range events[1:] {
		w, ok := won[e.Sequence]
		require.True(t, ok, "sequence %d was stored but never acknowledged", e.Sequence)
		assert.Equal(t, shared.By(w, e.Sequence).ID, e.ID, "sequence %d holds the winner's event", e.Sequence)
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
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Append(ctx, NewStream(10).Rel, 0, NewStream(10).Event(1))
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Load(ctx, st.Rel, 0)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Last(ctx, st.Rel)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Relationships(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.Equal(t, before, snapshot(t, s), "cancelled calls change nothing")

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
			assert.ErrorIs(t, last, context.Canceled, "a streaming store notices cancellation between events")
			assert.Len(t, got, 1)
		}
	})
}

func testLargeBatch(t *testing.T, s store.Store) {
	const n = 2000
	st := NewStream(11)
	events := st.Events(1, n)
	assert.Equal(t, trust.Sequence(n), mustAppend(t, s, st.Rel, 0, events...))
	got := load(t, s, st.Rel, 0)
	require.Len(t, got, n)
	assert.Equal(t, encoded(t, events...), encoded(t, got...))
	assert.Equal(t, encoded(t, events[n-10:]...), encoded(t, load(t, s, st.Rel, n-9)...))

	// A second large batch after the first, ending with big events, the
	// last just under the size limit.
	more := append(st.Events(n+1, n-2), st.Sized(2*n-1, 256<<10), st.Sized(2*n, store.MaxEventSize))
	assert.Equal(t, trust.Sequence(2*n), mustAppend(t, s, st.Rel, n, more...))
	got = load(t, s, st.Rel, n+1)
	require.Len(t, got, n)
	assert.Equal(t, encoded(t, more...), encoded(t, got...))
}

func testIsolation(t *testing.T, s store.Store) {
	st := NewStream(12)
	first := st.Event(1)
	c := &trust.Commitment{Partner: st.Partners[0], Answer: trust.CommitYes}
	second, err := trust.NewEvent(c, trust.Header{ID: st.By(7, 2).ID, Relationship: st.Rel, Sequence: 2,
		Recorded: Base, Actor: trust.PartnerActor(st.Partners[0])})
	require.NoError(t, err)
	mustAppend(t, s, st.Rel, 0, first, second)
	want := encoded(t, first, second)

	// The caller changes what it appended.
	c.Answer = trust.CommitNo
	first.Data.(trust.JourneyStarted).Profile.Phases[0].Key = "changed"
	assert.Equal(t, want, encoded(t, load(t, s, st.Rel, 0)...), "appended events are copied")

	// The caller changes what it loaded.
	got := load(t, s, st.Rel, 0)
	got[0].Data.(*trust.JourneyStarted).Relationship.Partners[0].DisplayName = "changed"
	got[0].Data.(*trust.JourneyStarted).Profile.Phases[0].Key = "changed"
	got[1].Data.(*trust.Commitment).Answer = trust.CommitNo
	got[1].Subject = "changed"
	assert.Equal(t, want, encoded(t, load(t, s, st.Rel, 0)...), "loaded events are the caller's own")
}

func testRawPayload(t *testing.T, s store.Store) {
	st := NewStream(13)
	raw := st.Raw(2)
	mustAppend(t, s, st.Rel, 0, st.Event(1), raw)
	got := load(t, s, st.Rel, 2)
	require.Len(t, got, 1)
	p, ok := got[0].Data.(*trust.RawPayload)
	require.True(t, ok, "an unregistered type loads as a RawPayload, not %T", got[0].Data)
	assert.Equal(t, "storetest.note_written", p.Type)
	assert.Equal(t, string(raw.Data.(*trust.RawPayload).JSON), string(p.JSON), "app payloads keep their exact bytes")

	last, err := s.Append(context.Background(), st.Rel, 1, st.Raw(2))
	require.NoError(t, err, "a retried raw event is recognised as the same")
	assert.Equal(t, trust.Sequence(2), last)
}

func testScan(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(14)
	mustAppend(t, s, st.Rel, 0, st.Events(1, 40)...)

	var got []trust.Event
	for e, err := range store.Scan(ctx, s, st.Rel, 11) {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, encoded(t, load(t, s, st.Rel, 11)...), encoded(t, got...))

	n := 0
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		require.NoError(t, err)
		n++
		if n == 5 {
			break
		}
	}
	assert.Equal(t, 5, n, "stopping early is allowed")

	for _, err := range store.Scan(ctx, s, trust.RelationshipID{}, 0) {
		assert.ErrorIs(t, err, trust.ErrInvalid)
	}
	for range store.Scan(ctx, s, NewStream(15).Rel, 0) {
		t.Error("an empty stream yields nothing")
	}
}

func testClose(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := NewStream(16)
	mustAppend(t, s, st.Rel, 0, st.Event(1))
	require.NoError(t, s.Close())
	assert.NoError(t, s.Close(), "a second Close is harmless")

	_, err := s.Append(ctx, st.Rel, 1, st.Event(2))
	assert.ErrorIs(t, err, store.ErrClosed)
	_, err = s.Load(ctx, st.Rel, 0)
	assert.ErrorIs(t, err, store.ErrClosed)
	_, err = s.Last(ctx, st.Rel)
	assert.ErrorIs(t, err, store.ErrClosed)
	_, err = s.Relationships(ctx)
	assert.ErrorIs(t, err, store.ErrClosed)
	for _, err := range store.Scan(ctx, s, st.Rel, 0) {
		assert.ErrorIs(t, err, store.ErrClosed)
	}
}
