package agreement_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

func snapshot(t *testing.T, b *agreement.Book) string {
	t.Helper()
	j, err := json.Marshal(b.Agreements())
	require.NoError(t, err)
	return string(j)
}

func TestLifecycle(t *testing.T) {
	f := newFixture(t, "Europe/London")
	t0 := utc(2025, 3, 1, 10, 0)
	s := f.draftStandard(t0)
	id := s.agreement.ID

	f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
	rec, ok := f.book.Agreement(id)
	require.True(t, ok)
	assert.Equal(t, agreement.StatusProposed, rec.Status)
	assert.Equal(t, 1, rec.Pending)
	assert.Empty(t, f.book.Active(t0.Add(time.Hour)))

	sig, err := f.book.SignatureFor(id, f.a)
	require.NoError(t, err)
	assert.Equal(t, []agreement.TermID{s.transparency}, sig.ConsentsTo, "A gives access in the transparency term")
	f.apply(&sig, as(f.a), t0.Add(time.Hour))
	_, ready := f.book.Activation(id)
	assert.False(t, ready, "one signature does not activate")

	sigB, err := f.book.SignatureFor(id, f.b)
	require.NoError(t, err)
	assert.Empty(t, sigB.ConsentsTo, "B gives no access")
	f.apply(&sigB, as(f.b), t0.Add(2*time.Hour))
	act, ready := f.book.Activation(id)
	require.True(t, ready)
	assert.Equal(t, s.agreement.Digest(), act.Digest)
	f.apply(&act, trust.SystemActor, t0.Add(2*time.Hour))

	rec, _ = f.book.Agreement(id)
	assert.Equal(t, agreement.StatusActive, rec.Status)
	assert.Equal(t, 1, rec.InForce)
	require.Len(t, rec.Signatures, 2)
	assert.Equal(t, t0.Add(time.Hour), rec.Signatures[0].SignedAt)
	assert.Equal(t, 1, rec.Signatures[1].Version)
	require.Len(t, f.book.Active(t0.Add(3*time.Hour)), 1)

	// Review and amend: the Friday date night moves to 19:30.
	t1 := utc(2025, 3, 20, 18, 0)
	f.apply(&agreement.ReviewStarted{Agreement: id, Partner: &f.b, Reason: "Fridays are rushed after work.", Terms: []agreement.TermID{s.dateNight}}, as(f.b), t1)
	d, err := agreement.AmendDraft(rec, f.rel, f.ids, t1, "Date night starts half an hour later.")
	require.NoError(t, err)
	dn, _ := s.agreement.Term(s.dateNight)
	dn.Timing.LocalTime = "19:30"
	require.NoError(t, d.Replace(dn))
	v2, err := d.Agreement()
	require.NoError(t, err)
	f.apply(&agreement.Amended{Agreement: v2, AmendedBy: f.b}, as(f.b), t1.Add(time.Hour))
	rec, _ = f.book.Agreement(id)
	assert.Equal(t, agreement.StatusAmended, rec.Status)
	assert.Equal(t, 1, rec.InForce, "the version in force stays in force until the amendment is signed")
	assert.Equal(t, 2, rec.Pending)

	f.signBothAndActivate(id, t1.Add(2*time.Hour))
	rec, _ = f.book.Agreement(id)
	assert.Equal(t, agreement.StatusActive, rec.Status)
	assert.Equal(t, 2, rec.InForce)
	require.Len(t, rec.Versions, 2, "every version is kept")
	require.Len(t, rec.Periods, 2)
	require.NotNil(t, rec.Periods[0].To)
	assert.Equal(t, rec.Periods[1].From, *rec.Periods[0].To)

	changes, err := rec.Diff(1, 2)
	require.NoError(t, err)
	assert.Equal(t, `"Friday date night": timing.local_time changed from "19:00" to "19:30"`, agreement.DiffText(changes))

	// Occurrences on each side of the amendment follow the version then in force.
	occ := f.book.TermOccurrences(id, s.dateNight, utc(2025, 3, 7, 0, 0), utc(2025, 3, 22, 0, 0))
	assert.Equal(t, []string{"2025-03-07T19:00", "2025-03-14T19:00", "2025-03-21T19:30"}, locals(occ))
	assert.Equal(t, []int{1, 1, 2}, []int{occ[0].Version, occ[1].Version, occ[2].Version})

	f.apply(&agreement.Retired{Agreement: id, Partner: f.a, Reason: "We wrote a new one together."}, as(f.a), utc(2025, 6, 1, 9, 0))
	rec, _ = f.book.Agreement(id)
	assert.Equal(t, agreement.StatusRetired, rec.Status)
	assert.Empty(t, f.book.Active(utc(2025, 6, 2, 0, 0)))
	assert.Empty(t, f.book.TermOccurrences(id, s.dateNight, utc(2025, 6, 1, 9, 0), utc(2025, 7, 1, 0, 0)))

	// Replaying the stream gives the same Book.
	again, err := agreement.ReplayBook(f.rel, f.events)
	require.NoError(t, err)
	assert.Equal(t, snapshot(t, f.book), snapshot(t, again))
}

func TestRefusedEventsChangeNothing(t *testing.T) {
	t0 := utc(2025, 3, 1, 10, 0)
	stranger := trust.PartnerID{9, 9, 9, 9, 9, 9, 0x49, 9, 0x89, 9, 9, 9, 9, 9, 9, 9}
	pro := trust.ProfessionalID{8, 8, 8, 8, 8, 8, 0x48, 8, 0x88, 8, 8, 8, 8, 8, 8, 8}
	type setup struct {
		f *fixture
		s standard
	}
	proposed := func(t *testing.T) setup {
		f := newFixture(t, "Europe/London")
		s := f.draftStandard(t0)
		f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
		return setup{f, s}
	}
	active := func(t *testing.T) setup {
		f := newFixture(t, "Europe/London")
		s := f.draftStandard(t0)
		f.activateNew(s.agreement, t0)
		return setup{f, s}
	}
	sig := func(x setup, p trust.PartnerID) agreement.Signed {
		s, err := x.f.book.SignatureFor(x.s.agreement.ID, p)
		require.NoError(x.f.t, err)
		return s
	}
	for _, tc := range []struct {
		name, reason string
		setup        func(*testing.T) setup
		payload      func(setup) trust.Payload
		actor        func(setup) trust.Actor
		want         []error
		field        string
	}{
		{name: "stranger signs", reason: "only a partner of the relationship signs",
			setup: proposed, payload: func(x setup) trust.Payload {
				s := sig(x, x.f.a)
				s.Partner = stranger
				return &s
			}, actor: func(setup) trust.Actor { return as(stranger) }, want: []error{trust.ErrForbidden, trust.ErrInvalidTransition}},
		{name: "signs for the other", reason: "a signature is written by the partner signing",
			setup: proposed, payload: func(x setup) trust.Payload { s := sig(x, x.f.b); return &s },
			actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrForbidden}},
		{name: "system signs", reason: "the system never signs for a partner",
			setup: proposed, payload: func(x setup) trust.Payload { s := sig(x, x.f.a); return &s },
			actor: func(setup) trust.Actor { return trust.SystemActor }, want: []error{trust.ErrForbidden}},
		{name: "professional proposes", reason: "agreements are the couple's own",
			setup: proposed, payload: func(x setup) trust.Payload { s := sig(x, x.f.a); return &s },
			actor: func(setup) trust.Actor { return trust.ProfessionalActor(pro) }, want: []error{trust.ErrForbidden}},
		{name: "wrong version", reason: "a signature names the version awaiting signatures",
			setup: proposed, payload: func(x setup) trust.Payload { s := sig(x, x.f.a); s.Version = 2; return &s },
			actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrConflict}},
		{name: "wrong digest", reason: "a partner signs exactly the text the book holds",
			setup: proposed, payload: func(x setup) trust.Payload {
				s := sig(x, x.f.a)
				s.Digest = "sha256:" + "00000000000000000000000000000000000000000000000000000000000000ff"
				return &s
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrConflict}},
		{name: "no consent to transparency", reason: "the partner who gives access must consent explicitly",
			setup: proposed, payload: func(x setup) trust.Payload { s := sig(x, x.f.a); s.ConsentsTo = nil; return &s },
			actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrForbidden}},
		{name: "consent to someone else's access", reason: "only the access-giving partner consents",
			setup: proposed, payload: func(x setup) trust.Payload {
				s := sig(x, x.f.b)
				s.ConsentsTo = []agreement.TermID{x.s.transparency}
				return &s
			}, actor: func(x setup) trust.Actor { return as(x.f.b) }, want: []error{trust.ErrInvalid}, field: "data.consents_to.0"},
		{name: "activate with one signature", reason: "one signature does not activate",
			setup: proposed, payload: func(x setup) trust.Payload {
				return &agreement.Activated{Agreement: x.s.agreement.ID, Version: 1, Digest: x.s.agreement.Digest(),
					Signatures: []agreement.Signature{{Partner: x.f.a, Version: 1, SignedAt: t0}, {Partner: x.f.b, Version: 1, SignedAt: t0}}}
			}, actor: func(setup) trust.Actor { return trust.SystemActor }, want: []error{trust.ErrInvalidTransition}},
		{name: "duplicate proposal", reason: "an agreement is proposed once",
			setup: proposed, payload: func(x setup) trust.Payload {
				return &agreement.Proposed{Agreement: x.s.agreement, ProposedBy: x.f.a}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrConflict}},
		{name: "review before activation", reason: "only an agreement in force is reviewed",
			setup: proposed, payload: func(x setup) trust.Payload {
				return &agreement.ReviewStarted{Agreement: x.s.agreement.ID, Partner: &x.f.a, Reason: "Too early."}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrInvalidTransition}},
		{name: "amend without review", reason: "an agreement in force is reviewed before it is amended",
			setup: active, payload: func(x setup) trust.Payload {
				v := x.s.agreement
				v.Version, v.ChangeNote, v.Title = 2, "Renamed.", "How we keep going"
				return &agreement.Amended{Agreement: v, AmendedBy: x.f.a}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrInvalidTransition}},
		{name: "sign an active agreement", reason: "nothing awaits signatures",
			setup: active, payload: func(x setup) trust.Payload {
				return &agreement.Signed{Agreement: x.s.agreement.ID, Version: 1, Digest: x.s.agreement.Digest(), Partner: x.f.a}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrInvalidTransition}},
		{name: "revoke a boundary", reason: "only transparency terms are revoked this way",
			setup: active, payload: func(x setup) trust.Payload {
				return &agreement.TransparencyRevoked{Agreement: x.s.agreement.ID, Term: x.s.boundary, Partner: x.f.b}
			}, actor: func(x setup) trust.Actor { return as(x.f.b) }, want: []error{trust.ErrInvalidTransition}},
		{name: "unknown agreement", reason: "evidence names an agreement in the book",
			setup: active, payload: func(x setup) trust.Payload {
				return &agreement.Retired{Agreement: agreement.ID{1, 2, 3}, Partner: x.f.a, Reason: "?"}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrNotFound}},
		{name: "kept before it starts", reason: "an occurrence is reported once it has started",
			setup: active, payload: func(x setup) trust.Payload {
				return &agreement.OccurrenceKept{Agreement: x.s.agreement.ID, Term: x.s.dateNight, Occurrence: utc(2025, 3, 7, 19, 0), Partner: x.f.a}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrInvalidTransition}},
		{name: "kept at no occurrence", reason: "evidence names an occurrence of the schedule",
			setup: active, payload: func(x setup) trust.Payload {
				return &agreement.OccurrenceKept{Agreement: x.s.agreement.ID, Term: x.s.dateNight, Occurrence: utc(2025, 2, 28, 19, 0), Partner: x.f.a}
			}, actor: func(x setup) trust.Actor { return as(x.f.a) }, want: []error{trust.ErrNotFound}},
		{name: "lapse before sunset", reason: "a transparency term is in force through its review date",
			setup: active, payload: func(x setup) trust.Payload {
				tr, _ := x.s.agreement.Term(x.s.transparency)
				return &agreement.Lapsed{Agreement: x.s.agreement.ID, Term: x.s.transparency, Version: 1, ReviewOn: tr.ReviewOn}
			}, actor: func(setup) trust.Actor { return trust.SystemActor }, want: []error{trust.ErrInvalidTransition}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.setup(t)
			before := snapshot(t, x.f.book)
			p := tc.payload(x)
			e, err := trust.NewEvent(p, trust.Header{ID: trust.EventID{7, 7}, Relationship: x.f.rel.ID, Sequence: 99,
				Time: utc(2025, 3, 2, 12, 0), Recorded: utc(2025, 3, 2, 12, 0), Actor: tc.actor(x)})
			require.NoError(t, err)
			checkErr := x.f.book.Check(e)
			err = x.f.book.Apply(e)
			require.Error(t, err, tc.reason)
			assert.Equal(t, checkErr, err, "Check and Apply agree")
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w, tc.reason)
			}
			if tc.field != "" {
				var ve *trust.ValidationError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, tc.field, ve.Field)
			}
			assert.Equal(t, before, snapshot(t, x.f.book), "a refused event changes nothing")
		})
	}
}

func TestTransparencyConsentRevocationAndSunset(t *testing.T) {
	t0 := utc(2025, 3, 1, 10, 0)
	t.Run("either partner revokes at once", func(t *testing.T) {
		for _, who := range []trust.PartnerID{partnerA, partnerB} {
			f := newFixture(t, "Europe/London")
			s := f.draftStandard(t0)
			f.activateNew(s.agreement, t0)
			at := utc(2025, 3, 10, 21, 13)
			require.True(t, f.book.InForce(s.agreement.ID, s.transparency, at.Add(-time.Second)))
			f.apply(&agreement.TransparencyRevoked{Agreement: s.agreement.ID, Term: s.transparency, Partner: who}, as(who), at)
			assert.False(t, f.book.InForce(s.agreement.ID, s.transparency, at), "revocation is effective immediately")
			assert.True(t, f.book.InForce(s.agreement.ID, s.boundary, at), "the rest of the agreement stands")
			active := f.book.Active(at)
			require.Len(t, active, 1)
			_, has := active[0].Term(s.transparency)
			assert.False(t, has)
			err := f.try(&agreement.TransparencyRevoked{Agreement: s.agreement.ID, Term: s.transparency, Partner: who}, as(who), at.Add(time.Minute))
			assert.ErrorIs(t, err, trust.ErrConflict, "revoked once")
			assert.Empty(t, f.book.Lapses(utc(2025, 5, 1, 0, 0)), "a revoked term does not lapse")
		}
	})
	t.Run("revocation withdraws pending signatures", func(t *testing.T) {
		f := newFixture(t, "Europe/London")
		s := f.draftStandard(t0)
		f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
		sig, _ := f.book.SignatureFor(s.agreement.ID, f.a)
		f.apply(&sig, as(f.a), t0.Add(time.Minute))
		f.apply(&agreement.TransparencyRevoked{Agreement: s.agreement.ID, Term: s.transparency, Partner: f.a, Reason: "I changed my mind."}, as(f.a), t0.Add(2*time.Minute))
		rec, _ := f.book.Agreement(s.agreement.ID)
		assert.Empty(t, rec.Signatures, "the term can only come back with fresh signatures")
	})
	t.Run("sunset lapses unless both re-sign", func(t *testing.T) {
		f := newFixture(t, "Europe/London")
		s := f.draftStandard(t0)
		f.activateNew(s.agreement, t0)
		tr, _ := s.agreement.Term(s.transparency)
		assert.Equal(t, "2025-03-31", tr.ReviewOn, "30 days after the draft by default")
		assert.Empty(t, f.book.Lapses(utc(2025, 3, 31, 22, 59)), "in force through the review date (BST)")
		lapses := f.book.Lapses(utc(2025, 3, 31, 23, 0))
		require.Len(t, lapses, 1)
		assert.Equal(t, s.transparency, lapses[0].Term)
		f.apply(&lapses[0], trust.SystemActor, utc(2025, 4, 1, 6, 0))
		assert.False(t, f.book.InForce(s.agreement.ID, s.transparency, utc(2025, 3, 31, 23, 0)), "lapsed at the sunset, not when recorded")
		assert.Empty(t, f.book.Lapses(utc(2025, 4, 2, 0, 0)))

		// Both re-sign a version with a later review date: it is back in force.
		at := utc(2025, 4, 3, 18, 0)
		f.apply(&agreement.ReviewStarted{Agreement: s.agreement.ID, Partner: &f.b, Reason: "Renew the shared calendar?"}, as(f.b), at)
		rec, _ := f.book.Agreement(s.agreement.ID)
		d, err := agreement.AmendDraft(rec, f.rel, f.ids, at, "Renew the shared calendar for another month.")
		require.NoError(t, err)
		tr.ReviewOn = "2025-05-03"
		require.NoError(t, d.Replace(tr))
		v2, err := d.Agreement()
		require.NoError(t, err)
		f.apply(&agreement.Amended{Agreement: v2, AmendedBy: f.a}, as(f.a), at)
		f.signBothAndActivate(s.agreement.ID, at.Add(time.Hour))
		assert.True(t, f.book.InForce(s.agreement.ID, s.transparency, at.Add(2*time.Hour)))
	})
	t.Run("review date within ninety days", func(t *testing.T) {
		f := newFixture(t, "Europe/London")
		s := f.draftStandard(t0)
		v := s.agreement
		v.Terms[3].ReviewOn = "2025-12-31"
		err := f.try(&agreement.Proposed{Agreement: v, ProposedBy: f.a}, as(f.a), t0)
		var ve *trust.ValidationError
		require.True(t, errors.As(err, &ve), "%v", err)
		assert.Equal(t, "data.agreement.terms.3.review_on", ve.Field)
	})
	t.Run("a transparency term needs a review date", func(t *testing.T) {
		err := agreement.Term{ID: agreement.TermID{1}, Kind: agreement.Transparency, Title: "Phone", CommittedBy: []trust.PartnerID{partnerA},
			Timing: agreement.StandingTiming()}.Validate()
		var ve *trust.ValidationError
		require.True(t, errors.As(err, &ve))
		assert.Equal(t, "review_on", ve.Field)
	})
}

func TestExceptionsAndEvidence(t *testing.T) {
	f := newFixture(t, "America/New_York")
	t0 := utc(2025, 3, 1, 15, 0)
	s := f.draftStandard(t0)
	f.activateNew(s.agreement, t0)
	id := s.agreement.ID
	fri := func(d int) time.Time { return utc(2025, 3, d, 23, 0) } // 19:00 EDT

	// Skip 21 March, planned a week ahead.
	f.apply(&agreement.OccurrenceSkipped{Agreement: id, Term: s.dateNight, Occurrence: fri(21), Partner: f.b, Reason: "Visiting family."}, as(f.b), utc(2025, 3, 14, 12, 0))
	// Move 28 March to Saturday 29 March 18:00 EDT.
	sat := utc(2025, 3, 29, 22, 0)
	f.apply(&agreement.OccurrenceMoved{Agreement: id, Term: s.dateNight, Occurrence: fri(28), To: sat, Partner: f.a}, as(f.a), utc(2025, 3, 20, 12, 0))
	occ := f.book.TermOccurrences(id, s.dateNight, utc(2025, 3, 14, 0, 0), utc(2025, 4, 5, 0, 0))
	require.Equal(t, []time.Time{fri(14), sat, utc(2025, 4, 4, 23, 0)}, starts(occ), "the skip is gone and the move is at its new time, the rule unchanged")
	require.NotNil(t, occ[1].MovedFrom)
	assert.Equal(t, fri(28), *occ[1].MovedFrom)

	err := f.try(&agreement.OccurrenceSkipped{Agreement: id, Term: s.dateNight, Occurrence: fri(14), Partner: f.a}, as(f.a), fri(14).Add(time.Minute))
	assert.ErrorIs(t, err, trust.ErrInvalidTransition, "a skip is planned before the occurrence starts")

	// Evidence: kept by both; disputed; system miss after grace.
	f.apply(&agreement.OccurrenceKept{Agreement: id, Term: s.dateNight, Occurrence: fri(14), Partner: f.a}, as(f.a), fri(14).Add(4*time.Hour))
	f.apply(&agreement.OccurrenceKept{Agreement: id, Term: s.dateNight, Occurrence: fri(14), Partner: f.b}, as(f.b), fri(14).Add(5*time.Hour))
	err = f.try(&agreement.OccurrenceKept{Agreement: id, Term: s.dateNight, Occurrence: fri(14), Partner: f.b}, as(f.b), fri(14).Add(6*time.Hour))
	assert.ErrorIs(t, err, trust.ErrConflict, "the same report twice")
	f.apply(&agreement.OccurrenceKept{Agreement: id, Term: s.dateNight, Occurrence: sat, Partner: f.a}, as(f.a), sat.Add(3*time.Hour))
	f.apply(&agreement.OccurrenceMissed{Agreement: id, Term: s.dateNight, Occurrence: sat, Partner: &f.b, Note: "We were on our phones all evening."}, as(f.b), sat.Add(4*time.Hour))
	apr4 := utc(2025, 4, 4, 23, 0)
	err = f.try(&agreement.OccurrenceMissed{Agreement: id, Term: s.dateNight, Occurrence: apr4}, trust.SystemActor, apr4.Add(4*time.Hour))
	assert.ErrorIs(t, err, trust.ErrInvalidTransition, "the system waits for the grace window to close")
	f.apply(&agreement.OccurrenceMissed{Agreement: id, Term: s.dateNight, Occurrence: apr4}, trust.SystemActor, apr4.Add(5*time.Hour))

	occ = f.book.TermOccurrences(id, s.dateNight, utc(2025, 3, 14, 0, 0), utc(2025, 4, 5, 0, 0))
	assert.Equal(t, []agreement.Outcome{agreement.OutcomeKept, agreement.OutcomeDisputed, agreement.OutcomeMissed},
		[]agreement.Outcome{occ[0].Outcome, occ[1].Outcome, occ[2].Outcome})

	// Rescheduled within grace counts as kept; outside grace is refused with the field named.
	sun := utc(2025, 3, 10, 0, 0) // check-in Sunday 9 March 20:00 EDT (clocks went forward that morning)
	err = f.try(&agreement.OccurrenceRescheduled{Agreement: id, Term: s.checkIn, Occurrence: sun, HeldAt: sun.Add(48 * time.Hour), Partner: f.a}, as(f.a), sun.Add(49*time.Hour))
	var ve *trust.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.Equal(t, "data.held_at", ve.Field)
	f.apply(&agreement.OccurrenceRescheduled{Agreement: id, Term: s.checkIn, Occurrence: sun, HeldAt: sun.Add(20 * time.Hour), Partner: f.a}, as(f.a), sun.Add(21*time.Hour))

	// A boundary broken, reported by the partner who committed to it.
	f.apply(&agreement.TermBroken{Agreement: id, Term: s.boundary, Partner: f.a, OccurredAt: utc(2025, 3, 18, 16, 0), Note: "A message came and I answered it. I am telling you myself."}, as(f.a), utc(2025, 3, 18, 20, 0))
	f.apply(&agreement.TermRenegotiated{Agreement: id, Term: s.dateNight, Partner: f.b, Note: "Saturdays suit us better in spring."}, as(f.b), utc(2025, 4, 5, 12, 0))

	c, err := f.book.Compliance(utc(2025, 3, 1, 0, 0), utc(2025, 4, 7, 0, 0))
	require.NoError(t, err)
	dn, ok := c.Term(id, s.dateNight)
	require.True(t, ok)
	assert.Equal(t, agreement.Counts{Due: 4, Kept: 1, Missed: 1, Disputed: 1, Unreported: 1, Skipped: 1, Moved: 1}, *dn.Occurrences, "7 March unreported, 14 kept, 21 skipped, 28 moved to the 29th and disputed, 4 April missed")
	assert.Contains(t, dn.Conversation, agreement.ReasonDisputed)
	assert.Contains(t, dn.Conversation, agreement.ReasonMostlyMissed)
	assert.Equal(t, 1, dn.Renegotiated)
	ci, _ := c.Term(id, s.checkIn)
	assert.Equal(t, 1, ci.Occurrences.Rescheduled)
	assert.Equal(t, 1, ci.Occurrences.Kept)
	bd, _ := c.Term(id, s.boundary)
	require.NotNil(t, bd.Breaks)
	assert.Equal(t, agreement.Breaks{Reported: 1, SelfReported: 1, DaysInForce: 36}, *bd.Breaks)
	assert.Equal(t, []agreement.Reason{agreement.ReasonBroken}, bd.Conversation)
	assert.Nil(t, bd.Strength, "a standing term has no strength: no news is not evidence of keeping")
	assert.Equal(t, 1, c.Agreements[0].BreaksReported)
}

func TestCloneIsIndependentAndCheckDoesNotMutate(t *testing.T) {
	f := newFixture(t, "Europe/London")
	t0 := utc(2025, 3, 1, 10, 0)
	s := f.draftStandard(t0)
	f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
	c := f.book.Clone()
	sig, _ := f.book.SignatureFor(s.agreement.ID, f.a)
	e := f.event(&sig, as(f.a), t0.Add(time.Hour))
	require.NoError(t, f.book.Check(e))
	rec, _ := f.book.Agreement(s.agreement.ID)
	assert.Empty(t, rec.Signatures, "Check changes nothing")
	require.NoError(t, f.book.Apply(e))
	rec, _ = c.Agreement(s.agreement.ID)
	assert.Empty(t, rec.Signatures, "the clone is independent")
	require.NoError(t, c.Apply(e))
	assert.Equal(t, snapshot(t, f.book), snapshot(t, c))
}

func TestOtherEventsAreIgnored(t *testing.T) {
	f := newFixture(t, "Europe/London")
	e, err := trust.NewEvent(&trust.PauseChange{Paused: true}, trust.Header{ID: trust.EventID{1}, Relationship: f.rel.ID, Sequence: 1,
		Recorded: utc(2025, 1, 1, 0, 0), Actor: as(f.a)})
	require.NoError(t, err)
	require.NoError(t, f.book.Apply(e))
	assert.Empty(t, f.book.Agreements())
}

func TestPrepareChangesNothingUntilCommitted(t *testing.T) {
	f := newFixture(t, "Europe/London")
	t0 := utc(2025, 3, 1, 10, 0)
	s := f.draftStandard(t0)
	f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
	sig, _ := f.book.SignatureFor(s.agreement.ID, f.a)
	e := f.event(&sig, as(f.a), t0.Add(time.Hour))

	commit, err := f.book.Prepare(e)
	require.NoError(t, err)
	rec, _ := f.book.Agreement(s.agreement.ID)
	assert.Empty(t, rec.Signatures, "Prepare changes nothing")
	commit()
	rec, _ = f.book.Agreement(s.agreement.ID)
	assert.Len(t, rec.Signatures, 1)

	// A refused event gives no commit; another package's event a no-op.
	bad := sig
	bad.Partner = partnerB
	commit, err = f.book.Prepare(f.event(&bad, as(f.a), t0.Add(2*time.Hour)))
	require.Error(t, err)
	assert.Nil(t, commit)
	before := snapshot(t, f.book)
	other := f.event(&trust.PauseChange{Paused: true}, as(f.a), t0.Add(3*time.Hour))
	commit, err = f.book.Prepare(other)
	require.NoError(t, err)
	commit()
	assert.Equal(t, before, snapshot(t, f.book))
}

func TestCommittingAStalePreparationPanics(t *testing.T) {
	f := newFixture(t, "Europe/London")
	t0 := utc(2025, 3, 1, 10, 0)
	s := f.draftStandard(t0)
	f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), t0)
	sig, _ := f.book.SignatureFor(s.agreement.ID, f.a)
	e := f.event(&sig, as(f.a), t0.Add(time.Hour))

	commit, err := f.book.Prepare(e)
	require.NoError(t, err)
	commit()
	assert.Panics(t, commit, "a commit runs once")

	other, _ := f.book.SignatureFor(s.agreement.ID, f.b)
	commit, err = f.book.Prepare(f.event(&other, as(f.b), t0.Add(2*time.Hour)))
	require.NoError(t, err)
	require.NoError(t, f.book.Apply(f.event(&trust.PauseChange{Paused: true}, as(f.a), t0.Add(3*time.Hour))))
	before := snapshot(t, f.book)
	assert.Panics(t, commit, "the Book moved on since it was prepared")
	assert.Equal(t, before, snapshot(t, f.book), "and changed nothing")
}

// What the Book holds is its own: changing the proposal it was given, or a
// record read back, changes nothing a later read sees.
func TestBookKeepsItsOwnCopies(t *testing.T) {
	f := newFixture(t, "Europe/London")
	now := utc(2025, 3, 1, 9, 0)
	std := f.draftStandard(now)
	p := &agreement.Proposed{Agreement: std.agreement, ProposedBy: f.a}
	f.apply(p, as(f.a), now)
	title := p.Agreement.Terms[0].Title
	p.Agreement.Terms[0].Title = "changed by the caller"
	p.Agreement.Terms[0].CommittedBy[0] = trust.PartnerID{}

	r, ok := f.book.Agreement(std.agreement.ID)
	require.True(t, ok)
	assert.Equal(t, title, r.Versions[0].Terms[0].Title)
	assert.False(t, r.Versions[0].Terms[0].CommittedBy[0].IsZero())
	r.Versions[0].Terms[0].Title = "changed after reading"
	r.Versions[0].Terms[0].CommittedBy[0] = trust.PartnerID{}

	again, _ := f.book.Agreement(std.agreement.ID)
	assert.Equal(t, title, again.Versions[0].Terms[0].Title)
	assert.False(t, again.Versions[0].Terms[0].CommittedBy[0].IsZero())
}
