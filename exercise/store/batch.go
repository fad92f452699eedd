package store

import (
	"bytes"
	"context"
	"strconv"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Record is one event in the form a store keeps it. Data is the event's
// JSON, with its fields in a fixed order and the data of an app event type
// this program has not registered kept byte for byte, so equal events have
// equal Data and comparing Data is how a store recognises a retried append.
// A database store puts Data in a column (with ID and Sequence beside it
// for its indexes) and reads the event back with [trust.DecodeEvent].
type Record struct {
	// ID is the event's ID, unique within its relationship's stream.
	ID trust.EventID
	// Sequence is the event's position in its stream, from 1.
	Sequence trust.Sequence
	// Data is the event's stored form, at most [MaxEventSize] bytes.
	Data []byte
}

// Batch is an append request that [NewBatch] has checked and encoded: the
// records an Append writes, all of them or none.
type Batch struct {
	// Relationship is the stream appended to.
	Relationship trust.RelationshipID
	// Expected is the sequence the caller believes is the stream's last.
	Expected trust.Sequence
	// Records are the events to append, in order: their sequences are
	// Expected+1, Expected+2, …. There is at least one.
	Records []Record
}

// NewBatch checks an append request and encodes its events: everything
// [Store.Append] must do that does not depend on what is stored. It returns
// ctx's error if ctx is done, and a *[trust.ValidationError] naming the
// field if rel is zero ("relationship"), there are no events ("events"),
// expected leaves no room for them ("expected"), or an event is invalid,
// belongs to another relationship, does not carry the sequence that follows
// expected, repeats the ID of an earlier event of the request, encodes to
// more than [MaxEventSize] bytes, or would not decode back ("events.N…"), so
// that nothing a store accepts is unreadable later. The batch shares no
// memory with events.
func NewBatch(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (Batch, error) {
	if rel.IsZero() {
		return Batch{}, check.Invalid("store", "relationship", "is required")
	}
	if len(events) == 0 {
		return Batch{}, check.Invalid("store", "events", "at least one event is required")
	}
	if uint64(expected) > ^uint64(0)-uint64(len(events)) {
		return Batch{}, check.Invalid("store", "expected", "leaves no room for %d more events", len(events))
	}
	recs := make([]Record, len(events))
	seen := make(map[trust.EventID]int, len(events))
	for i, e := range events {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return Batch{}, err
			}
		}
		if err := e.Validate(); err != nil {
			return Batch{}, check.Prefix(field(i, ""), err)
		}
		if e.Relationship != rel {
			return Batch{}, check.Invalid("store", field(i, "relationship"), "is %s, not the stream's relationship %s", e.Relationship, rel)
		}
		if want := expected + trust.Sequence(i) + 1; e.Sequence != want {
			return Batch{}, check.Invalid("store", field(i, "sequence"), "is %d; after expected sequence %d it must be %d", e.Sequence, expected, want)
		}
		if j, dup := seen[e.ID]; dup {
			return Batch{}, check.Invalid("store", field(i, "id"), "repeats the ID of events.%d", j)
		}
		seen[e.ID] = i
		data, err := encode(e)
		if err != nil {
			return Batch{}, check.Invalid("store", field(i, ""), "cannot be encoded: %v", err)
		}
		if len(data) > MaxEventSize {
			return Batch{}, check.Invalid("store", field(i, ""), "encodes to %d bytes; the limit is %d", len(data), MaxEventSize)
		}
		if _, err := trust.DecodeEvent(data); err != nil {
			if p := check.Prefix(field(i, ""), err); p != err {
				return Batch{}, p
			}
			return Batch{}, check.Invalid("store", field(i, ""), "does not decode back: %v", err)
		}
		recs[i] = Record{ID: e.ID, Sequence: e.Sequence, Data: data}
	}
	return Batch{Relationship: rel, Expected: expected, Records: recs}, nil
}

func field(i int, name string) string {
	if name == "" {
		return "events." + strconv.Itoa(i)
	}
	return "events." + strconv.Itoa(i) + "." + name
}

// Last returns the sequence of the batch's last event, which a successful
// Append returns, retry or not.
func (b Batch) Last() trust.Sequence {
	if len(b.Records) == 0 {
		return b.Expected
	}
	return b.Records[len(b.Records)-1].Sequence
}

// Check decides the batch against its stream as the store holds it; call it
// under the lock, or in the transaction, that then writes the batch. last is
// the stream's last sequence (0 if it has no events), and stored looks up
// an event of the stream by ID and returns its [Record.Data].
//
// Check returns retry true if every event of the batch is stored already
// with identical data: the request is an idempotent retry, for which Append
// writes nothing and returns [Batch.Last]. It returns a *[ConflictError]
// (errors.Is(err, trust.ErrConflict)) if an event's ID is stored with
// different data, if only some of the events are stored, or if last is not
// b.Expected, and an error of stored's as it is. Otherwise the store
// appends b.Records and returns [Batch.Last]. A batch that did not come from
// NewBatch and has no records is a *[trust.ValidationError].
func (b Batch) Check(last trust.Sequence, stored func(trust.EventID) ([]byte, bool, error)) (retry bool, err error) {
	if len(b.Records) == 0 {
		return false, check.Invalid("store", "events", "at least one event is required")
	}
	var first trust.EventID // the first event of the batch that is stored
	matched := 0
	for _, r := range b.Records {
		data, ok, err := stored(r.ID)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if !bytes.Equal(data, r.Data) {
			return false, &ConflictError{Relationship: b.Relationship, Expected: b.Expected, Actual: last, EventID: r.ID,
				Reason: "an event with this ID is already stored with different content"}
		}
		if matched == 0 {
			first = r.ID
		}
		matched++
	}
	switch {
	case matched == len(b.Records):
		return true, nil
	case matched > 0:
		return false, &ConflictError{Relationship: b.Relationship, Expected: b.Expected, Actual: last, EventID: first,
			Reason: "some but not all of the events are already stored"}
	case last != b.Expected:
		return false, &ConflictError{Relationship: b.Relationship, Expected: b.Expected, Actual: last}
	}
	return false, nil
}

// CheckRead returns the error a read of rel's stream ([Store.Load],
// [Store.Last], [Scanner.Scan]) fails with before it reads anything: ctx's
// error if ctx is done, or a *[trust.ValidationError] if rel is zero. It
// returns nil if the read may go ahead.
func CheckRead(ctx context.Context, rel trust.RelationshipID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rel.IsZero() {
		return check.Invalid("store", "relationship", "is required")
	}
	return nil
}
