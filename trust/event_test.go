package trust_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

func TestEventsRoundTripAndValidate(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	b.Ongoing = true
	s.must(trust.PartnerActor(alex), &b)
	s.must(trust.PartnerActor(alex), s.account(b.ID, alex), "sealed", trust.AccountSealKey(b.ID))
	a := s.ack(b.ID, alex)
	s.must(trust.PartnerActor(alex), a)
	s.must(trust.PartnerActor(sam), &trust.AcknowledgementAnswer{Acknowledgement: a.ID, Partner: sam, Response: trust.AckNotYet, StillNeeded: "more"})
	req := &trust.NeedsRequest{ID: trust.NeedsRequestID(s.id()), From: sam, Category: trust.NeedTransparency, Feeling: "f", Situation: "s", Need: "n"}
	s.must(trust.PartnerActor(sam), req)
	s.must(trust.PartnerActor(alex), &trust.NeedsAnswer{Request: req.ID, Partner: alex, Reply: trust.NeedsDeclined, Reason: "not yet ready"})
	s.must(trust.PartnerActor(sam), &trust.NeedsClosed{Request: req.ID, Outcome: trust.NeedsWithdrawn})
	s.must(trust.PartnerActor(sam), &trust.Commitment{Partner: sam, Answer: trust.CommitYes})
	f := &trust.SafetyFlag{ID: trust.SafetyFlagID(s.id()), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetySelfHarm}}
	s.must(trust.PartnerActor(sam), f)
	s.must(trust.PartnerActor(sam), &trust.SafetyFlagCleared{Flag: f.ID, Partner: sam})
	s.must(trust.PartnerActor(sam), &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: true})
	s.must(trust.PartnerActor(alex), &trust.ResearchConsent{Partner: alex, Granted: true})
	s.must(trust.PartnerActor(alex), &trust.PauseChange{Paused: true})
	s.must(trust.PartnerActor(alex), &trust.PauseChange{Paused: false})
	s.must(trust.PartnerActor(alex), &trust.BreachEnded{Breach: b.ID})

	v := schemagen.NewValidator(t, trust.Schemas())
	seen := map[string]bool{}
	for _, e := range s.events {
		v.ValidateEvent(t, e)
		seen[e.Type] = true
		raw, err := json.Marshal(e)
		require.NoError(t, err)
		back, err := trust.DecodeEvent(raw)
		require.NoError(t, err)
		again, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(raw), string(again), e.Type)
		assert.Equal(t, string(raw), string(again), "re-encoding is byte-identical")
	}
	assert.Len(t, seen, 15)
}

func TestUnknownEventTypesPassThroughUntouched(t *testing.T) {
	in := `{"specversion":"1.0","id":"e0000000-0000-4000-8000-000000000009","source":"urn:uuid:c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8","type":"myapp.gratitude_note","time":"2026-03-09T19:00:00Z","datacontenttype":"application/json","relationship":"c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8","sequence":"00000000000000000009","recordedtime":"2026-03-09T19:00:01Z","actor":"partner:7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02","visibility":"shared","data":{"note":"thank you",  "stars": [1,2,3]}}`
	e, err := trust.DecodeEvent([]byte(in))
	require.NoError(t, err)
	raw, ok := e.Data.(*trust.RawPayload)
	require.True(t, ok)
	assert.Equal(t, "myapp.gratitude_note", raw.EventType())
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"data":{"note":"thank you","stars":[1,2,3]}`, "app data keeps every member, compacted")
	assert.Equal(t, `{"note":"thank you",  "stars": [1,2,3]}`, string(raw.JSON), "the payload holds the original bytes")
}

func TestDecodeEventErrorsNameTheField(t *testing.T) {
	base := func(mut string) string {
		return `{"specversion":"1.0","id":"e0000000-0000-4000-8000-000000000009","source":"urn:uuid:c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8","type":"trust.commitment_stated","time":"2026-03-09T19:00:00Z","datacontenttype":"application/json","relationship":"c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8","sequence":"00000000000000000009","recordedtime":"2026-03-09T19:00:01Z","actor":"partner:7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02","visibility":"private","dataschema":"https://mendkit.github.io/mend/schemas/trust/commitment-1.0.json",` + mut + `}`
	}
	tests := []struct {
		name, json, field string
	}{
		{"bad answer", base(`"data":{"partner":"7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02","answer":"perhaps"}`), "data.answer"},
		{"wrong type", base(`"data":{"partner":"7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02","answer":3}`), "data.answer"},
		{"missing data", base(`"data":null`), "data"},
		{"bad actor", `{"actor":"sam","data":{}}`, "actor"},
		{"bad sequence", `{"sequence":"12","data":{}}`, "sequence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := trust.DecodeEvent([]byte(tt.json))
			var ve *trust.ValidationError
			require.ErrorAs(t, err, &ve, "%v", err)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestRegisterEventType(t *testing.T) {
	err := trust.RegisterEventType(trust.EventSpec{Type: trust.TypeBreachRecorded, New: func() trust.Payload { return new(trust.Breach) }, Writers: trust.ByEitherPartner})
	assert.ErrorIs(t, err, trust.ErrConflict)
	err = trust.RegisterEventType(trust.EventSpec{Type: "myapp.unwritable", New: func() trust.Payload { return &trust.RawPayload{Type: "myapp.unwritable"} }})
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve, "a type must declare its writers")
	assert.Equal(t, "writers", ve.Field)
	_, registered := trust.LookupEventType("myapp.unwritable")
	assert.False(t, registered)
	err = trust.RegisterEventType(trust.EventSpec{Type: "NoNamespace", New: func() trust.Payload { return new(trust.Breach) }})
	assert.ErrorIs(t, err, trust.ErrInvalid)
	err = trust.RegisterEventType(trust.EventSpec{Type: "myapp.thing", New: func() trust.Payload { return new(trust.Breach) }})
	assert.ErrorIs(t, err, trust.ErrInvalid, "the payload's own type must match")
}

func TestIDsAreDeterministicAndCanonical(t *testing.T) {
	a, b := trust.SeededIDs(7), trust.SeededIDs(7)
	for range 5 {
		x, err := trust.NewID[trust.Event](a)
		require.NoError(t, err)
		y, err := trust.NewID[trust.Event](b)
		require.NoError(t, err)
		assert.Equal(t, x, y)
		assert.Equal(t, byte(4), x[6]>>4, "version 4")
	}
	var id trust.PartnerID
	require.Error(t, json.Unmarshal([]byte(`"{0b5f7c1e-3a52-4d0c-9a11-5d2f6c7e8a01}"`), &id), "only the canonical form is accepted")
	out, err := json.Marshal(alex)
	require.NoError(t, err)
	assert.Equal(t, `"0b5f7c1e-3a52-4d0c-9a11-5d2f6c7e8a01"`, string(out))
}

func TestSourceMustNameTheRelationship(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	e := s.events[0]
	require.NoError(t, e.Validate())
	for _, bad := range []string{"", "urn:uuid:" + alex.String(), "urn:uuid:" + strings.ToUpper(rel.ID.String()), "/relationships/" + rel.ID.String()} {
		e.Source = bad
		var ve *trust.ValidationError
		require.ErrorAs(t, e.Validate(), &ve, bad)
		assert.Equal(t, "source", ve.Field)
	}
}

// A nil payload, typed or not, is refused naming the field, never a panic.
func TestNilPayloadsAreRefused(t *testing.T) {
	h := trust.Header{ID: mustID[trust.Event]("5f0c6a3e-8d2b-4c1a-9e7f-0a1b2c3d4e5f"), Relationship: rel.ID, Sequence: 2,
		Recorded: t0, Actor: trust.PartnerActor(alex)}
	for _, p := range []trust.Payload{nil, (*trust.Commitment)(nil), (*trust.Breach)(nil)} {
		_, err := trust.NewEvent(p, h)
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%T", p)
		assert.Equal(t, "data", ve.Field)
	}
	e, err := trust.NewEvent(&trust.Commitment{Partner: alex, Answer: trust.CommitYes}, h)
	require.NoError(t, err)
	e.Data = (*trust.Commitment)(nil)
	assert.ErrorIs(t, e.Validate(), trust.ErrInvalid, "Validate refuses a typed nil payload")
}
