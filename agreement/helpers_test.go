package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

// fixture is a couple, an ID source and a Book, with helpers that build and
// apply events in sequence.
type fixture struct {
	t      testing.TB
	rel    trust.Relationship
	ids    trust.IDSource
	book   *agreement.Book
	seq    trust.Sequence
	a, b   trust.PartnerID
	events []trust.Event
	v      *schemagen.Validator
}

var (
	partnerA = trust.PartnerID{0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0x41, 0xa1, 0x81, 1, 1, 1, 1, 1, 1, 1}
	partnerB = trust.PartnerID{0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0x42, 0xb2, 0x82, 2, 2, 2, 2, 2, 2, 2}
	relID    = trust.RelationshipID{0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0x43, 0xc3, 0x83, 3, 3, 3, 3, 3, 3, 3}
)

func relationship(tz string) trust.Relationship {
	return trust.Relationship{ID: relID, TimeZone: tz, Started: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC),
		Partners: [2]trust.Partner{{ID: partnerA, DisplayName: "Sam"}, {ID: partnerB, DisplayName: "Robin"}}}
}

func newFixture(t testing.TB, tz string) *fixture {
	t.Helper()
	rel := relationship(tz)
	require.NoError(t, rel.Validate())
	return &fixture{t: t, rel: rel, ids: trust.SeededIDs(7), book: agreement.NewBook(rel), a: partnerA, b: partnerB}
}

// validator returns a schema validator over trust's and agreement's schemas.
func (f *fixture) validator() *schemagen.Validator {
	if f.v == nil {
		f.v = schemagen.NewValidator(f.t, trust.Schemas(), agreement.Schemas())
	}
	return f.v
}

// event builds the next event of the stream without applying it.
func (f *fixture) event(p trust.Payload, actor trust.Actor, at time.Time) trust.Event {
	f.t.Helper()
	id, err := trust.NewID[trust.Event](f.ids)
	require.NoError(f.t, err)
	e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: f.rel.ID, Sequence: f.seq + 1, Time: at, Recorded: at, Actor: actor})
	require.NoError(f.t, err)
	return e
}

// try applies an event and returns the Book's answer; a refused event does
// not advance the sequence.
func (f *fixture) try(p trust.Payload, actor trust.Actor, at time.Time) error {
	f.t.Helper()
	e := f.event(p, actor, at)
	if err := f.book.Apply(e); err != nil {
		return err
	}
	f.seq++
	f.events = append(f.events, e)
	if _, ok := f.t.(*testing.T); ok { // every event the package emits validates against its schema
		f.validator().ValidateEvent(f.t, e)
	}
	return nil
}

// apply applies an event that must be accepted.
func (f *fixture) apply(p trust.Payload, actor trust.Actor, at time.Time) {
	f.t.Helper()
	require.NoError(f.t, f.try(p, actor, at))
}

func as(p trust.PartnerID) trust.Actor { return trust.PartnerActor(p) }

// standard drafts the usual agreement: a Sunday check-in, a Friday date
// night, a no-contact boundary and a transparency term in which A gives access.
type standard struct {
	agreement                                  agreement.Agreement
	checkIn, dateNight, boundary, transparency agreement.TermID
}

func (f *fixture) draftStandard(now time.Time) standard {
	f.t.Helper()
	d, err := agreement.NewDraft(f.rel, f.ids, now, "How we rebuild", "Time for each other every week, and no more secrets.")
	require.NoError(f.t, err)
	var s standard
	s.checkIn, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Weekly check-in", CommittedBy: agreement.Both(f.rel),
		Detail: "Appreciations, what went well, one issue, and what each of us needs this week.",
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2025-03-02", At: "20:00", Duration: 45 * time.Minute, Grace: 24 * time.Hour})})
	require.NoError(f.t, err)
	s.dateNight, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Friday date night", CommittedBy: agreement.Both(f.rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: "2025-03-07", At: "19:00", Duration: 3 * time.Hour, Grace: 2 * time.Hour})})
	require.NoError(f.t, err)
	s.boundary, err = d.Add(agreement.Term{Kind: agreement.Boundary, Title: "No contact with the third party", CommittedBy: []trust.PartnerID{f.a},
		Timing: agreement.StandingTiming()})
	require.NoError(f.t, err)
	s.transparency, err = d.Add(agreement.Term{Kind: agreement.Transparency, Title: "Shared calendar", CommittedBy: []trust.PartnerID{f.a},
		Detail: "Sam keeps evenings in the shared calendar.", Timing: agreement.StandingTiming()})
	require.NoError(f.t, err)
	s.agreement, err = d.Agreement()
	require.NoError(f.t, err)
	return s
}

// activate proposes, signs (both) and activates a version at the given times.
func (f *fixture) activateNew(a agreement.Agreement, at time.Time) {
	f.t.Helper()
	f.apply(&agreement.Proposed{Agreement: a, ProposedBy: f.a}, as(f.a), at)
	f.signBothAndActivate(a.ID, at.Add(time.Hour))
}

func (f *fixture) signBothAndActivate(id agreement.ID, at time.Time) {
	f.t.Helper()
	for i, p := range []trust.PartnerID{f.a, f.b} {
		s, err := f.book.SignatureFor(id, p)
		require.NoError(f.t, err)
		f.apply(&s, as(p), at.Add(time.Duration(i)*time.Minute))
	}
	act, ok := f.book.Activation(id)
	require.True(f.t, ok)
	f.apply(&act, trust.SystemActor, at.Add(2*time.Minute))
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// single proposes and activates, at `at`, an agreement with one term.
func (f *fixture) single(t agreement.Term, at time.Time) (agreement.ID, agreement.TermID) {
	f.t.Helper()
	d, err := agreement.NewDraft(f.rel, f.ids, at, "One thing", "A single commitment for the test.")
	require.NoError(f.t, err)
	if t.CommittedBy == nil {
		t.CommittedBy = agreement.Both(f.rel)
	}
	tid, err := d.Add(t)
	require.NoError(f.t, err)
	a, err := d.Agreement()
	require.NoError(f.t, err)
	f.activateNew(a, at)
	return a.ID, tid
}

func starts(occ []agreement.Occurrence) []time.Time {
	out := make([]time.Time, len(occ))
	for i, o := range occ {
		out[i] = o.Start
	}
	return out
}

func locals(occ []agreement.Occurrence) []string {
	out := make([]string, len(occ))
	for i, o := range occ {
		out[i] = o.LocalStart
	}
	return out
}
