package store

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/mendkit/mend/trust"
)

// Store holds one append-only event stream per relationship. Implementations
// are safe for concurrent use, honour context cancellation, validate their
// input with typed errors and change nothing when they return an error.
//
// The package's conformance suite, [github.com/mendkit/mend/exercise/store/storetest.Run],
// states the contract as tests; an app that keeps journeys in its own
// database implements Store, on [NewBatch], [Batch.Check] and [CheckRead],
// and runs the suite against it.
type Store interface {
	// Append adds events to the end of rel's stream, atomically: all of them
	// or none. It succeeds only if the stream's last sequence is expected (0
	// for a stream that has no events yet), and the events must carry the
	// sequences expected+1, expected+2, … in order. It returns the sequence
	// of the last event appended.
	//
	// A mismatch returns a *[ConflictError] (errors.Is(err, trust.ErrConflict)).
	// Appending events that are all already stored, with identical content,
	// is an idempotent success that changes nothing and returns the sequence
	// of the last of them, so a retried request is applied once. An event
	// whose ID is already stored with different content, or a batch of which
	// only some events are already stored, is a conflict.
	Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (last trust.Sequence, err error)

	// Load returns rel's events with sequence >= from, in sequence order.
	// from 0 and 1 both mean the whole stream. A stream with no events, or
	// from beyond its end, gives an empty slice. The events are the
	// caller's own: changing them does not change the store.
	Load(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]trust.Event, error)

	// Last returns the sequence of rel's last event, or 0 if it has none.
	Last(ctx context.Context, rel trust.RelationshipID) (trust.Sequence, error)

	// Relationships lists the relationships that have at least one event,
	// sorted by ID (byte order, which is also the order of their strings).
	Relationships(ctx context.Context) ([]trust.RelationshipID, error)

	// Close releases the store. Every later call returns [ErrClosed]; a
	// second Close returns nil. Close waits for appends in flight.
	Close() error
}

// Scanner is implemented by stores that can stream a relationship's events
// without holding them all in memory. [Scan] uses it when it is there.
type Scanner interface {
	// Scan yields rel's events with sequence >= from, in order, as of the
	// moment iteration starts. After an error it yields that error once, with
	// a zero event, and stops.
	Scan(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) iter.Seq2[trust.Event, error]
}

// Scan iterates over rel's events with sequence >= from. It streams from a
// store that implements [Scanner], and falls back to [Store.Load] for one that
// does not. After an error it yields that error once, with a zero event, and
// stops.
func Scan(ctx context.Context, s Store, rel trust.RelationshipID, from trust.Sequence) iter.Seq2[trust.Event, error] {
	if sc, ok := s.(Scanner); ok {
		return sc.Scan(ctx, rel, from)
	}
	return func(yield func(trust.Event, error) bool) {
		events, err := s.Load(ctx, rel, from)
		if err != nil {
			yield(trust.Event{}, err)
			return
		}
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// MaxEventSize is the largest encoded event, in bytes, a store accepts. A
// journey event is normally well under a kilobyte; the limit keeps one
// runaway payload from becoming a record that every reader must hold.
const MaxEventSize = 4 << 20

// Package sentinels, for errors.Is.
var (
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrCorrupt reports a log file that is damaged other than by a torn
	// final write; a *[CorruptionError] wraps it.
	ErrCorrupt = errors.New("store: corrupt log")
	// ErrLocked reports a log directory another open store already uses.
	ErrLocked = errors.New("store: log is in use by another store")
	// ErrFailed reports a file store that refuses appends because a write or
	// fsync failed; reopening it recovers what was acknowledged.
	ErrFailed = errors.New("store: refusing appends after an I/O failure")
)

// ConflictError reports an append refused by optimistic concurrency or by an
// event ID that is already stored with other content. It matches
// trust.ErrConflict with errors.Is.
type ConflictError struct {
	// Relationship is the stream appended to.
	Relationship trust.RelationshipID
	// Expected is the last sequence the caller expected.
	Expected trust.Sequence
	// Actual is the stream's last sequence when the append was refused.
	Actual trust.Sequence
	// EventID is set when the conflict is about one event's ID.
	EventID trust.EventID
	// Reason says what conflicted.
	Reason string
}

// Error implements the error interface.
func (e *ConflictError) Error() string {
	if !e.EventID.IsZero() {
		return fmt.Sprintf("store: conflict appending to %s: event %s: %s", e.Relationship, e.EventID, e.Reason)
	}
	return fmt.Sprintf("store: conflict appending to %s: expected last sequence %d, stream is at %d", e.Relationship, e.Expected, e.Actual)
}

// Is reports whether target is trust.ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == trust.ErrConflict }

// CorruptionError reports damage in a log file that recovery may not repair:
// a record that fails its checksum or does not parse, with intact records
// after it, so dropping it would lose acknowledged events. It matches
// [ErrCorrupt] with errors.Is.
type CorruptionError struct {
	// Path is the log file.
	Path string
	// Offset is the byte offset of the damaged record.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

// Error implements the error interface.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("store: corrupt log %s at offset %d: %s", e.Path, e.Offset, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }
