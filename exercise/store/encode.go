package store

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// envelope is trust.Event's JSON form without its data, which encode splices
// in itself so that an unregistered app payload keeps its exact bytes.
type envelope struct {
	SpecVersion     string               `json:"specversion"`
	ID              trust.EventID        `json:"id"`
	Source          string               `json:"source"`
	Type            string               `json:"type"`
	Subject         string               `json:"subject,omitempty"`
	Time            time.Time            `json:"time"`
	DataContentType string               `json:"datacontenttype"`
	DataSchema      string               `json:"dataschema,omitempty"`
	Relationship    trust.RelationshipID `json:"relationship"`
	Sequence        trust.Sequence       `json:"sequence"`
	RecordedTime    time.Time            `json:"recordedtime"`
	Actor           trust.Actor          `json:"actor"`
	Visibility      trust.Visibility     `json:"visibility"`
	SealKey         string               `json:"sealkey,omitempty"`
}

// encode returns an event's stored form: its JSON, with the fields in
// trust.Event's order, HTML characters left as they are, and the data of a
// *trust.RawPayload copied verbatim (less surrounding whitespace). Equal
// events give equal bytes, which is how retries are recognised.
func encode(e trust.Event) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(1024)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(envelope{
		SpecVersion: e.SpecVersion, ID: e.ID, Source: e.Source, Type: e.Type, Subject: e.Subject,
		Time: e.Time, DataContentType: e.DataContentType, DataSchema: e.DataSchema,
		Relationship: e.Relationship, Sequence: e.Sequence, RecordedTime: e.RecordedTime,
		Actor: e.Actor, Visibility: e.Visibility, SealKey: e.SealKey,
	})
	if err != nil {
		return nil, err
	}
	// The encoder wrote "{…}\n"; reopen the object to add the data.
	buf.Truncate(buf.Len() - 2)
	buf.WriteString(`,"data":`)
	if raw, ok := e.Data.(*trust.RawPayload); ok {
		buf.Write(bytes.TrimSpace(raw.JSON))
	} else {
		if err := enc.Encode(e.Data); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// record is one event ready to store.
type record struct {
	id   trust.EventID
	seq  trust.Sequence
	data []byte // encode's output
}

// batch is a validated append request.
type batch struct {
	rel      trust.RelationshipID
	expected trust.Sequence
	recs     []record
}

func (b *batch) last() trust.Sequence { return b.recs[len(b.recs)-1].seq }

func field(i int, name string) string {
	if name == "" {
		return "events." + strconv.Itoa(i)
	}
	return "events." + strconv.Itoa(i) + "." + name
}

// prepare validates an append request and encodes its events. It checks
// each event, that it belongs to rel, that sequences run on from expected,
// that no ID repeats within the request, that the encoding is within
// MaxEventSize and that it decodes back, so that nothing the store accepts
// is unreadable later.
func prepare(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events []trust.Event) (*batch, error) {
	if rel.IsZero() {
		return nil, check.Invalid("store", "relationship", "is required")
	}
	if len(events) == 0 {
		return nil, check.Invalid("store", "events", "at least one event is required")
	}
	if uint64(expected) > ^uint64(0)-uint64(len(events)) {
		return nil, check.Invalid("store", "expected", "leaves no room for %d more events", len(events))
	}
	b := &batch{rel: rel, expected: expected, recs: make([]record, len(events))}
	seen := make(map[trust.EventID]int, len(events))
	for i, e := range events {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := e.Validate(); err != nil {
			return nil, check.Prefix(field(i, ""), err)
		}
		if e.Relationship != rel {
			return nil, check.Invalid("store", field(i, "relationship"), "is %s, not the stream's relationship %s", e.Relationship, rel)
		}
		if want := expected + trust.Sequence(i) + 1; e.Sequence != want {
			return nil, check.Invalid("store", field(i, "sequence"), "is %d; after expected sequence %d it must be %d", e.Sequence, expected, want)
		}
		if j, dup := seen[e.ID]; dup {
			return nil, check.Invalid("store", field(i, "id"), "repeats the ID of events.%d", j)
		}
		seen[e.ID] = i
		data, err := encode(e)
		if err != nil {
			return nil, check.Invalid("store", field(i, ""), "cannot be encoded: %v", err)
		}
		if len(data) > MaxEventSize {
			return nil, check.Invalid("store", field(i, ""), "encodes to %d bytes; the limit is %d", len(data), MaxEventSize)
		}
		if _, err := trust.DecodeEvent(data); err != nil {
			if p := check.Prefix(field(i, ""), err); p != err {
				return nil, p
			}
			return nil, check.Invalid("store", field(i, ""), "does not decode back: %v", err)
		}
		b.recs[i] = record{id: e.ID, seq: e.Sequence, data: data}
	}
	return b, nil
}

// view is what decide needs to know about a stream.
type view interface {
	last() trust.Sequence
	// lookup returns the stored bytes of the event with the given ID.
	lookup(id trust.EventID) ([]byte, bool, error)
}

// decide checks a prepared batch against a stream. It returns duplicate true
// when every event is already stored identically (an idempotent retry), nil
// when the batch may be appended, or a *ConflictError.
func decide(v view, b *batch) (duplicate bool, err error) {
	matched := 0
	for _, r := range b.recs {
		stored, ok, err := v.lookup(r.id)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if !bytes.Equal(stored, r.data) {
			return false, &ConflictError{Relationship: b.rel, Expected: b.expected, Actual: v.last(), EventID: r.id,
				Reason: "an event with this ID is already stored with different content"}
		}
		matched++
	}
	switch {
	case matched == len(b.recs):
		return true, nil
	case matched > 0:
		return false, &ConflictError{Relationship: b.rel, Expected: b.expected, Actual: v.last(), EventID: firstStored(v, b),
			Reason: "some but not all of the events are already stored"}
	case v.last() != b.expected:
		return false, &ConflictError{Relationship: b.rel, Expected: b.expected, Actual: v.last()}
	}
	return false, nil
}

func firstStored(v view, b *batch) trust.EventID {
	for _, r := range b.recs {
		if _, ok, _ := v.lookup(r.id); ok {
			return r.id
		}
	}
	return trust.EventID{}
}
