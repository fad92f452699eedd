package trust_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/textrule/texttest"
	"github.com/mendkit/mend/trust"
)

// textFields lists trust's free-text fields, each as the value to validate
// with the field set to s, and the field its error names.
func textFields(t *testing.T) []struct {
	field string
	with  func(s string) interface{ Validate() error }
} {
	st := newStream(t, trust.DefaultProfile())
	b := st.breach(alex)
	type v = interface{ Validate() error }
	return []struct {
		field string
		with  func(s string) interface{ Validate() error }
	}{
		{"partners.1.display_name", func(s string) v { r := rel; r.Partners[1].DisplayName = s; return r }},
		{"partners.0.pronouns", func(s string) v { r := rel; r.Partners[0].Pronouns = s; return r }},
		{"label", func(s string) v { c := b; c.Label = s; return c }},
		{"what_happened", func(s string) v { a := st.account(b.ID, alex); a.WhatHappened = s; return a }},
		{"my_part", func(s string) v { a := st.account(b.ID, alex); a.MyPart = s; return a }},
		{"context", func(s string) v { a := st.account(b.ID, alex); a.Context = s; return a }},
		{"harm", func(s string) v { a := st.ack(b.ID, alex); a.Harm = s; return a }},
		{"responsibility", func(s string) v { a := st.ack(b.ID, alex); a.Responsibility = s; return a }},
		{"feelings", func(s string) v { a := st.ack(b.ID, alex); a.Feelings = s; return a }},
		{"remorse", func(s string) v { a := st.ack(b.ID, alex); a.Remorse = s; return a }},
		{"will_change", func(s string) v { a := st.ack(b.ID, alex); a.WillChange = s; return a }},
		{"observable", func(s string) v { a := st.ack(b.ID, alex); a.Observable = s; return a }},
		{"still_needed", func(s string) v {
			return trust.AcknowledgementAnswer{Acknowledgement: trust.AcknowledgementID(st.id()), Partner: sam, Response: trust.AckNotYet, StillNeeded: s}
		}},
		{"note", func(s string) v { return trust.BreachEnded{Breach: b.ID, Note: s} }},
		{"feeling", func(s string) v { n := needs(st); n.Feeling = s; return n }},
		{"situation", func(s string) v { n := needs(st); n.Situation = s; return n }},
		{"need", func(s string) v { n := needs(st); n.Need = s; return n }},
		{"counter_offer", func(s string) v {
			return trust.NeedsAnswer{Request: trust.NeedsRequestID(st.id()), Partner: sam, Reply: trust.NeedsCounterOffer, CounterOffer: s}
		}},
		{"reason", func(s string) v {
			return trust.NeedsAnswer{Request: trust.NeedsRequestID(st.id()), Partner: sam, Reply: trust.NeedsDeclined, Reason: s}
		}},
		{"note", func(s string) v {
			return trust.NeedsClosed{Request: trust.NeedsRequestID(st.id()), Outcome: trust.NeedsFulfilled, Note: s}
		}},
		{"note", func(s string) v {
			return trust.SafetyFlag{ID: trust.SafetyFlagID(st.id()), Partner: alex, Kinds: []trust.SafetyKind{trust.SafetyKind(trust.SafetyKind("").Values()[0])}, Note: s}
		}},
		{"reason", func(s string) v { return trust.PauseChange{Paused: true, Reason: s} }},
		{"reason", func(s string) v {
			return trust.PhaseChange{From: "safety", To: "atonement", Direction: trust.Advanced, Reason: s}
		}},
		{"title", func(s string) v { p := trust.DefaultProfile(); p.Title = s; return p }},
		{"phases.1.purpose", func(s string) v { p := trust.DefaultProfile(); p.Phases[1].Purpose = s; return p }},
		{"why", func(s string) v { return trust.Gate{Kind: trust.GateDaysInPhase, Days: 7, Why: s} }},
		{"subject", func(s string) v { return event(t, s, "") }},
	}
}

func needs(st *stream) trust.NeedsRequest {
	return trust.NeedsRequest{ID: trust.NeedsRequestID(st.id()), From: alex, Category: trust.NeedCategory(trust.NeedCategory("").Values()[0]),
		Feeling: "uneasy", Situation: "late nights", Need: "a text"}
}

// event is an account given by Alex whose subject and seal key are then
// set as given (NewEvent would refuse them): sealed when sealKey is set.
func event(t *testing.T, subject, sealKey string) trust.Event {
	st := newStream(t, trust.DefaultProfile())
	h := trust.Header{ID: trust.EventID(st.id()), Relationship: rel.ID, Sequence: 2, Recorded: t0,
		Actor: trust.PartnerActor(alex), Visibility: trust.Private}
	if sealKey != "" {
		h.Visibility, h.SealKey = trust.Sealed, "clean"
	}
	e, err := trust.NewEvent(st.account(trust.BreachID(st.id()), alex), h)
	require.NoError(t, err)
	e.Subject = subject
	if sealKey != "" {
		e.SealKey = sealKey
	}
	return e
}

func TestFreeTextRefusesControlAndBidiCharacters(t *testing.T) {
	for _, f := range textFields(t) {
		for _, ok := range texttest.Clean {
			assert.NoError(t, f.with(ok).Validate(), "%s accepts %q", f.field, ok)
		}
		for _, h := range texttest.Hostile {
			err := f.with(h.In).Validate()
			var ve *trust.ValidationError
			if assert.True(t, errors.As(err, &ve), "%s refuses %q with a *ValidationError, not %v", f.field, h.In, err) {
				assert.Equal(t, f.field, ve.Field, "%q", h.In)
				assert.Contains(t, ve.Problem, h.Names, "%s: %q", f.field, h.In)
				assert.ErrorIs(t, err, trust.ErrInvalid)
			}
		}
	}
}

// A journey refuses an event carrying dirty text, and is unchanged.
func TestJourneyRefusesDirtyText(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b)
	before := s.j.Sequence()
	a := s.account(b.ID, alex)
	e := s.build(trust.PartnerActor(alex), a, trust.Sealed, trust.AccountSealKey(b.ID))
	a.MyPart = "all of it\u202e" // after NewEvent, which would refuse it
	_, err := s.j.Prepare(e)
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "data.my_part", ve.Field)
	require.ErrorAs(t, s.j.Apply(e), &ve)
	assert.Equal(t, before, s.j.Sequence(), "nothing was applied")
}

func TestRawPayloadMustBeUTF8(t *testing.T) {
	p := &trust.RawPayload{Type: "myapp.note", JSON: json.RawMessage("{\"text\":\"\xff\"}")}
	err := p.Validate()
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "data", ve.Field)
	assert.Contains(t, ve.Problem, "UTF-8")
	assert.NoError(t, (&trust.RawPayload{Type: "myapp.note", JSON: json.RawMessage(`{"text":"日本 🙂"}`)}).Validate())
}

// ParseProfile reads one JSON value: anything but white space after it is refused.
func TestParseProfileRefusesTrailingData(t *testing.T) {
	b, err := json.Marshal(trust.DefaultProfile())
	require.NoError(t, err)
	_, err = trust.ParseProfile(append(b, " \r\n\t"...))
	require.NoError(t, err)
	for _, tail := range []string{"}", "]", ",", " x", "{}", "\x00"} {
		_, err := trust.ParseProfile(append(append([]byte(nil), b...), tail...))
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%q", tail)
		assert.Contains(t, ve.Problem, "trailing data", "%q", tail)
	}
}
