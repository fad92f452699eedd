package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mendkit/mend/trust"
)

// Stream builds deterministic, valid events for one relationship: sequence 1
// is a trust.journey_started event with the default profile, and every later
// sequence a trust.pause_changed event, pausing and resuming in turn, written
// by the two partners alternately. The same seed and sequence always give
// the same event, byte for byte, so a test can rebuild an event to retry it.
type Stream struct {
	// Rel is the relationship the events belong to.
	Rel trust.RelationshipID
	// Partners are the two partners.
	Partners [2]trust.PartnerID
	seed     uint64
}

// Base is the instant the streams' journeys start.
var Base = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// NewStream returns the stream for seed. Different seeds give different
// relationships and event IDs.
func NewStream(seed uint64) *Stream {
	src := trust.SeededIDs(mix(seed, 0))
	s := &Stream{seed: seed}
	s.Rel = must(trust.NewID[trust.Relationship](src))
	s.Partners[0] = must(trust.NewID[trust.Partner](src))
	s.Partners[1] = must(trust.NewID[trust.Partner](src))
	return s
}

// Event returns the stream's event at seq (at least 1).
func (s *Stream) Event(seq trust.Sequence) trust.Event { return s.build(seq, 0, "") }

// Events returns n consecutive events starting at sequence from.
func (s *Stream) Events(from trust.Sequence, n int) []trust.Event {
	out := make([]trust.Event, n)
	for i := range out {
		out[i] = s.Event(from + trust.Sequence(i))
	}
	return out
}

// Altered returns an event with the same ID and sequence as Event(seq) but
// different content: storing it beside the original is a conflict.
func (s *Stream) Altered(seq trust.Sequence) trust.Event { return s.build(seq, 0, "altered") }

// By returns writer's own version of the event at seq (seq > 1): a pause
// change with its own ID, so concurrent writers racing for the same sequence
// write different events. Writer 0 gives Event(seq).
func (s *Stream) By(writer int, seq trust.Sequence) trust.Event {
	return s.build(seq, uint64(writer), "")
}

// Raw returns an event at seq (seq > 1) of an app event type this program
// has not registered, "storetest.note_written", whose data has spacing and
// characters a JSON encoder would normally rewrite. A store must give back
// its data byte for byte.
func (s *Stream) Raw(seq trust.Sequence) trust.Event {
	data := fmt.Sprintf("{ \"text\" : \"a <b> & c \\u00e9 \\/ %d\",\n  \"tags\": [ 1, 2.50, true ] }", seq)
	return s.header(&trust.RawPayload{Type: "storetest.note_written", JSON: json.RawMessage(data)}, seq, 0, trust.Shared)
}

// Sized returns an event at seq (seq > 1) of an unregistered app type whose
// JSON encoding is n bytes (or as close as the envelope allows).
func (s *Stream) Sized(seq trust.Sequence, n int) trust.Event {
	blob := func(k int) trust.Event {
		data := `{"blob":"` + strings.Repeat("x", k) + `"}`
		return s.header(&trust.RawPayload{Type: "storetest.blob_written", JSON: json.RawMessage(data)}, seq, 0, trust.Shared)
	}
	overhead := len(must(json.Marshal(blob(0))))
	return blob(max(n-overhead, 0))
}

func (s *Stream) build(seq trust.Sequence, writer uint64, variant string) trust.Event {
	if seq == 1 {
		names := [2]string{"Alex", "Sam"}
		if variant != "" {
			names[1] = "Sam " + variant
		}
		start := trust.JourneyStarted{
			Relationship: trust.Relationship{
				ID: s.Rel,
				Partners: [2]trust.Partner{
					{ID: s.Partners[0], DisplayName: names[0], Pronouns: "they/them", Locale: "en-GB"},
					{ID: s.Partners[1], DisplayName: names[1], Locale: "en-GB"},
				},
				TimeZone: "Europe/London",
				Started:  Base,
			},
			Profile: trust.DefaultProfile(),
		}
		return s.header(start, 1, writer, "")
	}
	reason := fmt.Sprintf("step %d", seq)
	if writer != 0 {
		reason += fmt.Sprintf(" by writer %d", writer)
	}
	if variant != "" {
		reason += " (" + variant + ")"
	}
	return s.header(trust.PauseChange{Paused: seq%2 == 0, Reason: reason}, seq, writer, "")
}

func (s *Stream) header(p trust.Payload, seq trust.Sequence, writer uint64, vis trust.Visibility) trust.Event {
	id := must(trust.NewID[trust.Event](trust.SeededIDs(mix(s.seed, uint64(seq)<<8|writer+1))))
	at := Base.Add(time.Duration(seq) * time.Minute)
	e, err := trust.NewEvent(p, trust.Header{
		ID: id, Relationship: s.Rel, Sequence: seq, Time: at, Recorded: at,
		Actor: trust.PartnerActor(s.Partners[int(seq+trust.Sequence(writer))%2]), Visibility: vis,
	})
	if err != nil {
		panic(fmt.Sprintf("storetest: building event %d: %v", seq, err))
	}
	return e
}

// mix derives a well-spread 64-bit seed from two numbers (SplitMix64 steps).
func mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 + b + 0x632be59bd9b4e019
	for range 2 {
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
	}
	return z
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("storetest: %v", err))
	}
	return v
}
