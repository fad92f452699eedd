package trust_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

var (
	t0   = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	alex = mustID[trust.Partner]("0b5f7c1e-3a52-4d0c-9a11-5d2f6c7e8a01")
	sam  = mustID[trust.Partner]("7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02")
	pro  = mustID[trust.Professional]("a1b2c3d4-0000-4000-8000-000000000005")
	rel  = trust.Relationship{ID: mustID[trust.Relationship]("c1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8"),
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}},
		TimeZone: "Europe/London", Started: t0}
)

func mustID[T any](s string) trust.ID[T] {
	id, err := trust.ParseID[T](s)
	if err != nil {
		panic(err)
	}
	return id
}

// stream builds a journey's events with consecutive sequences and
// deterministic IDs, one hour apart.
type stream struct {
	t      testing.TB
	ids    trust.IDSource
	now    time.Time
	events []trust.Event
	j      *trust.Journey
}

func newStream(t testing.TB, profile trust.Profile) *stream {
	s := &stream{t: t, ids: trust.SeededIDs(1), now: t0}
	e := s.build(trust.SystemActor, &trust.JourneyStarted{Relationship: rel, Profile: profile}, "", "")
	j, err := trust.NewJourney(e)
	require.NoError(t, err)
	s.j = j
	s.events = append(s.events, e)
	return s
}

func (s *stream) build(actor trust.Actor, p trust.Payload, vis trust.Visibility, seal string) trust.Event {
	s.t.Helper()
	id, err := trust.NewID[trust.Event](s.ids)
	require.NoError(s.t, err)
	e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: trust.Sequence(len(s.events) + 1),
		Recorded: s.now, Actor: actor, Visibility: vis, SealKey: seal})
	require.NoError(s.t, err)
	return e
}

// try builds the next event and applies it, returning the error.
func (s *stream) try(actor trust.Actor, p trust.Payload, opts ...string) error {
	s.t.Helper()
	var vis trust.Visibility
	var seal string
	if len(opts) > 0 {
		vis = trust.Visibility(opts[0])
	}
	if len(opts) > 1 {
		seal = opts[1]
	}
	e := s.build(actor, p, vis, seal)
	if err := s.j.Apply(e); err != nil {
		return err
	}
	s.events = append(s.events, e)
	s.now = s.now.Add(time.Hour)
	return nil
}

func (s *stream) must(actor trust.Actor, p trust.Payload, opts ...string) {
	s.t.Helper()
	require.NoError(s.t, s.try(actor, p, opts...))
}

func (s *stream) id() [16]byte {
	u, err := s.ids.NewUUID()
	require.NoError(s.t, err)
	return u
}

func (s *stream) breach(by trust.PartnerID) trust.Breach {
	return trust.Breach{ID: trust.BreachID(s.id()), Kind: trust.BreachDeception, Severity: trust.SeveritySerious,
		Happened: trust.TimeRange{Start: t0.AddDate(0, -3, 0)}, CameToLight: trust.TimeRange{Start: t0.AddDate(0, 0, -7)},
		Discovery: trust.Disclosed, RevealedBy: by, CausedBy: by}
}

func (s *stream) account(b trust.BreachID, p trust.PartnerID) *trust.Account {
	return &trust.Account{ID: trust.AccountID(s.id()), Breach: b, Partner: p, WhatHappened: "what I saw", MyPart: "what I did"}
}

func (s *stream) ack(b trust.BreachID, p trust.PartnerID) *trust.Acknowledgement {
	return &trust.Acknowledgement{ID: trust.AcknowledgementID(s.id()), Breach: b, Partner: p, Harm: "h", Responsibility: "r",
		NoBlameShift: true, Feelings: "f", Remorse: "sorry", WillChange: "w", Observable: "o"}
}
