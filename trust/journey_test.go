package trust_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

func TestJourneyWalksTheDefaultProfile(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	assert.Equal(t, "understand", s.j.Phase().Key)

	_, err := s.j.Advance(s.now)
	var ge *trust.GateError
	require.ErrorAs(t, err, &ge)
	assert.ErrorIs(t, err, trust.ErrGateNotMet)
	kinds := map[trust.GateKind]bool{}
	for _, g := range ge.Unmet {
		kinds[g.Gate.Kind] = true
	}
	assert.Equal(t, map[trust.GateKind]bool{trust.GateBreachRecorded: true, trust.GateAccountsGiven: true, trust.GateBothCommitted: true}, kinds)

	b := s.breach(alex)
	b.Ongoing = true
	s.must(trust.PartnerActor(alex), &b)
	s.must(trust.PartnerActor(alex), s.account(b.ID, alex), "sealed", trust.AccountSealKey(b.ID))
	s.must(trust.PartnerActor(sam), s.account(b.ID, sam), "sealed", trust.AccountSealKey(b.ID))
	s.must(trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: trust.CommitYes})
	s.must(trust.PartnerActor(sam), &trust.Commitment{Partner: sam, Answer: trust.CommitYes})
	pc, err := s.j.Advance(s.now)
	require.NoError(t, err)
	s.must(trust.SystemActor, &pc)
	assert.Equal(t, "acknowledge", s.j.Phase().Key)

	// A first round that is not yet accepted, then a second one that is.
	a1 := s.ack(b.ID, alex)
	s.must(trust.PartnerActor(alex), a1)
	s.must(trust.PartnerActor(sam), &trust.AcknowledgementAnswer{Acknowledgement: a1.ID, Partner: sam, Response: trust.AckNotYet, StillNeeded: "why it lasted so long"})
	a2 := s.ack(b.ID, alex)
	s.must(trust.PartnerActor(alex), a2)
	s.must(trust.PartnerActor(sam), &trust.AcknowledgementAnswer{Acknowledgement: a2.ID, Partner: sam, Response: trust.AckAccepted})
	rounds, accepted := s.j.AcknowledgementRounds(b.ID)
	assert.Equal(t, 2, rounds)
	assert.True(t, accepted)

	_, err = s.j.Advance(s.now)
	require.ErrorIs(t, err, trust.ErrGateNotMet, "the breach is still ongoing")
	assert.True(t, s.j.BreachOngoing())
	s.must(trust.PartnerActor(alex), &trust.BreachEnded{Breach: b.ID})
	assert.False(t, s.j.BreachOngoing())
	pc2, err := s.j.Advance(s.now)
	require.NoError(t, err)
	s.must(trust.SystemActor, &pc2)
	assert.Equal(t, "rebuild", s.j.Phase().Key)

	// A new disclosure sends the journey back, keeping the effort made.
	effort := s.j.Effort(alex)
	b2 := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b2)
	reg, ok := s.j.RegressionFor(b2.ID)
	require.True(t, ok)
	assert.Equal(t, trust.Regressed, reg.Direction)
	assert.Equal(t, "understand", reg.To)
	s.must(trust.SystemActor, &reg)
	assert.Equal(t, "understand", s.j.Phase().Key)
	assert.Equal(t, effort+1, s.j.Effort(alex), "effort counters are never reset")
	assert.Equal(t, 2, s.j.Count(trust.TypeAcknowledgementGiven))

	replayed, err := trust.ReplayJourney(s.events)
	require.NoError(t, err)
	assert.Equal(t, trust.StateDigest(s.j), trust.StateDigest(replayed), "the journey is a pure fold over its events")
}

func TestJourneyRefusesAndChangesNothing(t *testing.T) {
	type step struct {
		actor trust.Actor
		data  func(s *stream, b trust.Breach) trust.Payload
	}
	tests := []struct {
		name   string
		reason string
		setup  []step
		actor  trust.Actor
		data   func(s *stream, b trust.Breach) trust.Payload
		want   error
	}{
		{name: "account for someone else", reason: "only a partner writes their own account",
			actor: trust.PartnerActor(sam), data: func(s *stream, b trust.Breach) trust.Payload { return s.account(b.ID, alex) }, want: trust.ErrForbidden},
		{name: "acknowledgement by hurt partner", reason: "only the partner who caused a breach acknowledges it",
			actor: trust.PartnerActor(sam), data: func(s *stream, b trust.Breach) trust.Payload { return s.ack(b.ID, sam) }, want: trust.ErrForbidden},
		{name: "acknowledgement of unknown breach", reason: "references must resolve",
			actor: trust.PartnerActor(alex), data: func(s *stream, b trust.Breach) trust.Payload { return s.ack(trust.BreachID(s.id()), alex) }, want: trust.ErrNotFound},
		{name: "answer own acknowledgement", reason: "the author cannot accept their own acknowledgement",
			setup: []step{{trust.PartnerActor(alex), func(s *stream, b trust.Breach) trust.Payload {
				a := s.ack(b.ID, alex)
				a.ID = trust.AcknowledgementID(mustID[trust.Acknowledgement]("a1b2c3d4-0000-4000-8000-0000000000aa"))
				return a
			}}},
			actor: trust.PartnerActor(alex), data: func(s *stream, b trust.Breach) trust.Payload {
				return &trust.AcknowledgementAnswer{Acknowledgement: mustID[trust.Acknowledgement]("a1b2c3d4-0000-4000-8000-0000000000aa"), Partner: alex, Response: trust.AckAccepted}
			}, want: trust.ErrForbidden},
		{name: "joint work while flagged", reason: "a safety flag pauses joint work at once",
			setup: []step{{trust.PartnerActor(sam), func(s *stream, b trust.Breach) trust.Payload {
				return &trust.SafetyFlag{ID: trust.SafetyFlagID(s.id()), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}}
			}}},
			actor: trust.PartnerActor(alex), data: func(s *stream, b trust.Breach) trust.Payload { return s.ack(b.ID, alex) }, want: trust.ErrPausedForSafety},
		{name: "needs request while paused", reason: "a requested pause also stops joint work",
			setup: []step{{trust.PartnerActor(alex), func(*stream, trust.Breach) trust.Payload { return &trust.PauseChange{Paused: true} }}},
			actor: trust.PartnerActor(sam), data: func(s *stream, b trust.Breach) trust.Payload {
				return &trust.NeedsRequest{ID: trust.NeedsRequestID(s.id()), From: sam, Category: trust.NeedSpace, Feeling: "f", Situation: "s", Need: "n"}
			}, want: trust.ErrPausedForSafety},
		{name: "clear someone else's flag", reason: "only the raiser or a consented professional clears a flag",
			setup: []step{{trust.PartnerActor(sam), func(s *stream, b trust.Breach) trust.Payload {
				return &trust.SafetyFlag{ID: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000bb"), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyThreats}}
			}}},
			actor: trust.PartnerActor(alex), data: func(*stream, trust.Breach) trust.Payload {
				return &trust.SafetyFlagCleared{Flag: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000bb"), Partner: sam}
			}, want: trust.ErrForbidden},
		{name: "professional without safety consent", reason: "consent to shared entries is not consent to safety data",
			setup: []step{
				{trust.PartnerActor(sam), func(s *stream, b trust.Breach) trust.Payload {
					return &trust.SafetyFlag{ID: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000cc"), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}}
				}},
				{trust.PartnerActor(sam), func(*stream, trust.Breach) trust.Payload {
					return &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: true}
				}}},
			actor: trust.ProfessionalActor(pro), data: func(*stream, trust.Breach) trust.Payload {
				return &trust.SafetyFlagCleared{Flag: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000cc"), Partner: sam}
			}, want: trust.ErrForbidden},
		{name: "skip a phase", reason: "a journey advances one phase at a time",
			actor: trust.SystemActor, data: func(*stream, trust.Breach) trust.Payload {
				return &trust.PhaseChange{From: "understand", To: "rebuild", Direction: trust.Advanced, Reason: "hurry"}
			}, want: trust.ErrInvalidTransition},
		{name: "advance with gates unmet", reason: "gates are checked when the event is applied, not only when proposed",
			actor: trust.SystemActor, data: func(*stream, trust.Breach) trust.Payload {
				return &trust.PhaseChange{From: "understand", To: "acknowledge", Direction: trust.Advanced, Reason: "hurry"}
			}, want: trust.ErrGateNotMet},
		{name: "duplicate breach", reason: "a breach is recorded once",
			actor: trust.PartnerActor(alex), data: func(s *stream, b trust.Breach) trust.Payload { return &b }, want: trust.ErrConflict},
		{name: "fulfil an open request", reason: "only an accepted request can be fulfilled",
			setup: []step{{trust.PartnerActor(sam), func(s *stream, b trust.Breach) trust.Payload {
				return &trust.NeedsRequest{ID: mustID[trust.NeedsRequest]("a1b2c3d4-0000-4000-8000-0000000000dd"), From: sam, Category: trust.NeedSpace, Feeling: "f", Situation: "s", Need: "n"}
			}}},
			actor: trust.PartnerActor(sam), data: func(*stream, trust.Breach) trust.Payload {
				return &trust.NeedsClosed{Request: mustID[trust.NeedsRequest]("a1b2c3d4-0000-4000-8000-0000000000dd"), Outcome: trust.NeedsFulfilled}
			}, want: trust.ErrInvalidTransition},
		{name: "partner outside the relationship", reason: "strangers cannot write to a journey",
			actor: trust.PartnerActor(mustID[trust.Partner]("99999999-0000-4000-8000-000000000001")), data: func(*stream, trust.Breach) trust.Payload {
				return &trust.Commitment{Partner: mustID[trust.Partner]("99999999-0000-4000-8000-000000000001"), Answer: trust.CommitYes}
			}, want: trust.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStream(t, trust.DefaultProfile())
			b := s.breach(alex)
			s.must(trust.PartnerActor(alex), &b)
			for _, st := range tt.setup {
				s.must(st.actor, st.data(s, b))
			}
			before := trust.StateDigest(s.j)
			err := s.try(tt.actor, tt.data(s, b))
			require.Error(t, err, tt.reason)
			assert.ErrorIs(t, err, tt.want, tt.reason)
			assert.Equal(t, before, trust.StateDigest(s.j), "a refused event changes nothing")
			assert.Equal(t, before, trust.StateDigest(s.j.Clone()), "a clone is an exact copy")
		})
	}
}

func TestJourneyRejectsOutOfOrderAndForeignEvents(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	e := s.build(trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: trust.CommitYes}, "", "")
	e.Sequence = 5
	assert.ErrorIs(t, s.j.Apply(e), trust.ErrConflict)

	other := rel
	other.ID = mustID[trust.Relationship]("d1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8")
	e2, err := trust.NewEvent(&trust.Commitment{Partner: alex, Answer: trust.CommitYes}, trust.Header{
		ID: mustID[trust.Event]("e0000000-0000-4000-8000-0000000000ff"), Relationship: other.ID, Sequence: 2, Recorded: t0, Actor: trust.PartnerActor(alex)})
	require.NoError(t, err)
	assert.ErrorIs(t, s.j.Apply(e2), trust.ErrConflict)
	assert.Equal(t, trust.Sequence(1), s.j.Sequence())
}

func TestCommitmentAlignmentRoutes(t *testing.T) {
	tests := []struct {
		a, b trust.CommitmentAnswer
		want trust.Alignment
	}{
		{trust.CommitYes, trust.CommitYes, trust.AlignedYes},
		{trust.CommitYes, trust.CommitUnsure, trust.AlignmentMixed},
		{trust.CommitYes, trust.CommitNo, trust.AlignmentMixed},
		{trust.CommitNo, trust.CommitNo, trust.AlignedNo},
		{"", trust.CommitYes, trust.AlignmentUnknown},
	}
	for _, tt := range tests {
		s := newStream(t, trust.DefaultProfile())
		if tt.a != "" {
			s.must(trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: tt.a})
		}
		s.must(trust.PartnerActor(sam), &trust.Commitment{Partner: sam, Answer: tt.b})
		assert.Equal(t, tt.want, s.j.Alignment(), "%s/%s", tt.a, tt.b)
	}
	// Re-asked over time: the latest answer counts.
	s := newStream(t, trust.DefaultProfile())
	s.must(trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: trust.CommitUnsure})
	s.must(trust.PartnerActor(sam), &trust.Commitment{Partner: sam, Answer: trust.CommitYes})
	s.must(trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: trust.CommitYes})
	assert.Equal(t, trust.AlignedYes, s.j.Alignment())
}

func TestNeedsRequestLifecycle(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	req := &trust.NeedsRequest{ID: trust.NeedsRequestID(s.id()), From: sam, Category: trust.NeedReassurance,
		Feeling: "anxious", Situation: "late evenings", Need: "a text when plans change"}
	s.must(trust.PartnerActor(sam), req)
	assert.Equal(t, "I feel anxious about late evenings and I need a text when plans change.", req.Sentence())
	assert.ErrorIs(t, s.try(trust.PartnerActor(sam), &trust.NeedsAnswer{Request: req.ID, Partner: sam, Reply: trust.NeedsAccepted}), trust.ErrForbidden)
	s.must(trust.PartnerActor(alex), &trust.NeedsAnswer{Request: req.ID, Partner: alex, Reply: trust.NeedsNeedsTime})
	st, _ := s.j.NeedsStatus(req.ID)
	assert.Equal(t, trust.NeedsStatusNeedsTime, st)
	s.must(trust.PartnerActor(alex), &trust.NeedsAnswer{Request: req.ID, Partner: alex, Reply: trust.NeedsCounterOffer, CounterOffer: "a call at 18:00"})
	assert.ErrorIs(t, s.try(trust.PartnerActor(alex), &trust.NeedsAnswer{Request: req.ID, Partner: alex, Reply: trust.NeedsAccepted}), trust.ErrInvalidTransition)
	assert.ErrorIs(t, s.try(trust.PartnerActor(alex), &trust.NeedsClosed{Request: req.ID, Outcome: trust.NeedsFulfilled}), trust.ErrForbidden,
		"only the asker says a need was fulfilled")
	s.must(trust.PartnerActor(sam), &trust.NeedsClosed{Request: req.ID, Outcome: trust.NeedsFulfilled})
	st, _ = s.j.NeedsStatus(req.ID)
	assert.Equal(t, trust.NeedsStatusFulfilled, st)
	assert.Empty(t, s.j.OpenNeeds())
}

func TestDaysInPhaseGateUsesEventTime(t *testing.T) {
	p := trust.Profile{Key: "two-step", Version: 1, Title: "Two", Summary: "s", Phases: []trust.Phase{
		{Key: "one", Title: "One", Purpose: "p", Exit: []trust.Gate{{Kind: trust.GateDaysInPhase, Days: 14}}},
		{Key: "two", Title: "Two", Purpose: "p"},
	}}
	s := newStream(t, p)
	_, err := s.j.Advance(t0.Add(13 * 24 * time.Hour))
	var ge *trust.GateError
	require.True(t, errors.As(err, &ge))
	assert.Equal(t, "13 of 14 days in this phase", ge.Unmet[0].Reason)
	pc, err := s.j.Advance(t0.Add(14 * 24 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "two", pc.To)
}

func TestProfilesAreValidAndDistinct(t *testing.T) {
	ps := trust.Profiles()
	require.Len(t, ps, 4)
	keys := []string{}
	for _, p := range ps {
		require.NoError(t, p.Validate(), p.Key)
		keys = append(keys, p.Key)
		assert.GreaterOrEqual(t, len(p.Phases), 3, p.Key)
		assert.NotEqual(t, -1, p.PhaseIndex(p.RegressTo), p.Key)
	}
	assert.Equal(t, []string{trust.ProfileEFT, trust.ProfileGBS, trust.ProfileGottman, trust.ProfileMend}, keys)
	g, ok := trust.LookupProfile(trust.ProfileGottman)
	require.True(t, ok)
	assert.Equal(t, []string{"atone", "attune", "attach"}, []string{g.Phases[0].Key, g.Phases[1].Key, g.Phases[2].Key})
	g.Phases[0].Key = "changed"
	again, _ := trust.LookupProfile(trust.ProfileGottman)
	assert.Equal(t, "atone", again.Phases[0].Key, "LookupProfile returns copies")
}

func TestParseProfileErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, json, field string
	}{
		{"unknown gate", `{"key":"p","version":1,"title":"T","summary":"s","phases":[{"key":"a","title":"A","purpose":"p","exit":[{"kind":"full_moon"}]}]}`, "phases.0.exit.0.kind"},
		{"duplicate phase", `{"key":"p","version":1,"title":"T","summary":"s","phases":[{"key":"a","title":"A","purpose":"p"},{"key":"a","title":"A","purpose":"p"}]}`, "phases.1.key"},
		{"event count without type", `{"key":"p","version":1,"title":"T","summary":"s","phases":[{"key":"a","title":"A","purpose":"p","exit":[{"kind":"event_count","min":2}]}]}`, "phases.0.exit.0.event_type"},
		{"regress to nowhere", `{"key":"p","version":1,"title":"T","summary":"s","phases":[{"key":"a","title":"A","purpose":"p"}],"regress_to":"b"}`, "regress_to"},
		{"bad version", `{"key":"p","version":0,"title":"T","summary":"s","phases":[{"key":"a","title":"A","purpose":"p"}]}`, "version"},
		{"wrong type", `{"key":"p","version":"one"}`, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := trust.ParseProfile([]byte(tt.json))
			var ve *trust.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, trust.ErrInvalid)
		})
	}
}

func TestPrepareChecksOnceAndCommitsLater(t *testing.T) {
	p, ok := trust.LookupProfile(trust.ProfileGottman)
	require.True(t, ok)
	s := newStream(t, p)
	b := s.breach(alex)
	e := s.build(trust.PartnerActor(alex), &b, "", "")

	commit, err := s.j.Prepare(e)
	require.NoError(t, err)
	assert.Empty(t, s.j.Breaches(), "Prepare changes nothing")
	assert.Equal(t, trust.Sequence(1), s.j.Sequence())
	commit()
	assert.Len(t, s.j.Breaches(), 1)
	assert.Equal(t, e.Sequence, s.j.Sequence())
	assert.Equal(t, 1, s.j.Effort(alex))
	assert.Panics(t, commit, "a second commit of the same event would fold it twice")

	// A refused event gives no commit and changes nothing.
	dup := s.build(trust.PartnerActor(alex), &b, "", "")
	dup.Sequence = e.Sequence + 1
	refused, err := s.j.Prepare(dup)
	require.ErrorIs(t, err, trust.ErrConflict)
	assert.Nil(t, refused, "a refused event has nothing to commit")
	assert.Len(t, s.j.Breaches(), 1)

	// Apply and Prepare-then-commit reach the same journey.
	other, err := trust.NewJourney(s.events[0])
	require.NoError(t, err)
	require.NoError(t, other.Apply(e))
	assert.Equal(t, s.j.Breaches(), other.Breaches())
	assert.Equal(t, s.j.Sequence(), other.Sequence())
}
