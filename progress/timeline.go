package progress

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/mendkit/mend/trust"
)

// Timeline is one journey's event stream held in memory: append-only,
// ordered by sequence, idempotent by event ID, and read through a viewer.
//
// Append accepts the next event in sequence (the first must have sequence 1
// and every later one the next number) and ignores an event whose ID it
// already holds with the same sequence and type, so a writer can retry safely;
// the same ID with different content is a conflict. Nothing is ever removed
// or rewritten.
//
// Read returns only what a viewer may see, decided by [trust.Access] over the
// whole stream: shared entries, the viewer's own private entries, sealed
// answers once both partners answered, and for a professional what the
// partners consented to share. There is no viewer-scoped way to read another
// partner's private entry. [Timeline.Unfiltered] is for storage and replay
// only.
//
// The timeline keeps events of its own: Append stores a copy of the event
// (its payload's JSON encoding, decoded again as a store reads an event
// back), and Read and Unfiltered return fresh copies, so changing an event after appending it, or
// one that was returned, never changes the timeline. As from a store, an
// event of a type the program has not registered comes back as a
// [trust.RawPayload].
//
// A Timeline is safe for concurrent use.
type Timeline struct {
	mu     sync.RWMutex
	events []trust.Event // the timeline's own copies, never handed out
	byID   map[trust.EventID]int
	access *trust.Access
	rel    trust.RelationshipID
}

// NewTimeline returns an empty timeline.
func NewTimeline() *Timeline {
	return &Timeline{byID: map[trust.EventID]int{}, access: trust.NewAccess()}
}

// Append adds e at the end of the timeline. It reports whether e was added:
// false with a nil error means the timeline already held the same event. It
// refuses an invalid event, an event of another relationship, a sequence
// that does not follow, and an ID reused for a different event; on error the
// timeline is unchanged.
func (t *Timeline) Append(e trust.Event) (bool, error) {
	if err := e.Validate(); err != nil {
		return false, err
	}
	e, err := copyEvent(e)
	if err == nil {
		err = e.Validate() // what the timeline keeps is what a store would read back
	}
	if err != nil {
		return false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.byID[e.ID]; ok {
		old := t.events[i]
		if old.Sequence == e.Sequence && old.Type == e.Type && old.Time.Equal(e.Time) && old.Actor == e.Actor {
			return false, nil
		}
		return false, &trust.TransitionError{Pkg: pkgName, Event: e.Type, Cause: trust.ErrConflict,
			Reason: "event " + e.ID.String() + " is already in the timeline with different content"}
	}
	if !t.rel.IsZero() && e.Relationship != t.rel {
		return false, &trust.TransitionError{Pkg: pkgName, Event: e.Type, Cause: trust.ErrConflict,
			Reason: "event belongs to relationship " + e.Relationship.String() + ", not " + t.rel.String()}
	}
	if want := trust.Sequence(len(t.events) + 1); e.Sequence != want {
		return false, &trust.TransitionError{Pkg: pkgName, Event: e.Type, Cause: trust.ErrConflict,
			Reason: "sequence " + itoa(int(e.Sequence)) + " does not follow; the next is " + itoa(int(want))}
	}
	t.rel = e.Relationship
	t.byID[e.ID] = len(t.events)
	t.events = append(t.events, e)
	t.access.Observe(e)
	return true, nil
}

// AppendAll appends events in order and stops at the first error, returning
// how many were newly added.
func (t *Timeline) AppendAll(events []trust.Event) (int, error) {
	n := 0
	for _, e := range events {
		added, err := t.Append(e)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// Len returns the number of events.
func (t *Timeline) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.events)
}

// Query narrows a read. The zero Query reads everything the viewer may see.
type Query struct {
	// Types keeps only these event types; empty keeps all.
	Types []string
	// From keeps events whose Time is at or after it; zero means no lower bound.
	From time.Time
	// To keeps events whose Time is before it; zero means no upper bound.
	To time.Time
	// AfterSequence keeps events with a greater sequence number.
	AfterSequence trust.Sequence
	// Limit caps the number of events returned; zero means no cap.
	Limit int
}

func (q Query) match(e trust.Event) bool {
	if e.Sequence <= q.AfterSequence {
		return false
	}
	if !q.From.IsZero() && e.Time.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !e.Time.Before(q.To) {
		return false
	}
	if len(q.Types) == 0 {
		return true
	}
	for _, typ := range q.Types {
		if typ == e.Type {
			return true
		}
	}
	return false
}

// Read returns copies of the events v may see that match q, in sequence order.
func (t *Timeline) Read(v trust.Viewer, q Query) []trust.Event {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []trust.Event
	for _, e := range t.events {
		if !q.match(e) || !t.access.CanSee(v, e) {
			continue
		}
		out = append(out, handOut(e))
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}

// Unfiltered returns a copy of every event, whoever may see it. It is for
// storage and replay (or for feeding an [Analyzer], which filters by viewer
// itself), never for showing to a partner or a professional: use
// [Timeline.Read] for that.
func (t *Timeline) Unfiltered() []trust.Event {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]trust.Event, len(t.events))
	for i, e := range t.events {
		out[i] = handOut(e)
	}
	return out
}

// copyEvent returns e with a payload of its own, decoded from the payload's
// JSON encoding as [trust.DecodeEvent] decodes it: into the registered
// payload type, or into a [trust.RawPayload] for an unregistered type. The
// rest of the envelope is plain values.
func copyEvent(e trust.Event) (trust.Event, error) {
	b, err := json.Marshal(e.Data)
	if err != nil {
		return trust.Event{}, fmt.Errorf("progress: timeline: event %s: %w", e.ID, err)
	}
	spec, ok := trust.LookupEventType(e.Type)
	if !ok {
		e.Data = &trust.RawPayload{Type: e.Type, JSON: b}
		return e, nil
	}
	p := spec.New()
	if err := json.Unmarshal(b, p); err != nil {
		return trust.Event{}, fmt.Errorf("progress: timeline: event %s: %w", e.ID, err)
	}
	e.Data = p
	return e, nil
}

// handOut returns a copy of one of the timeline's events for a caller. An
// event whose type was registered only after it was appended, and whose data
// does not decode to that type, is handed out with its data raw, as appended.
func handOut(e trust.Event) trust.Event {
	if c, err := copyEvent(e); err == nil {
		return c
	}
	b, _ := json.Marshal(e.Data) // it was marshalled when appended
	e.Data = &trust.RawPayload{Type: e.Type, JSON: b}
	return e
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
