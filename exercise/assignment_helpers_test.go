package exercise_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

// t0 is a fixed instant: Wednesday 10 June 2026, 09:00 UTC (10:00 in London).
var t0 = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)

// fixture is a journey with a relationship, its event stream, the trust
// journey fold and the assignments fold, fed in lock step.
type fixture struct {
	t       *testing.T
	rel     trust.Relationship
	p1, p2  trust.PartnerID
	ids     trust.IDSource
	seq     trust.Sequence
	events  []trust.Event
	journey *trust.Journey
	fold    *exercise.Assignments
	v       *schemagen.Validator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ids := trust.SeededIDs(42)
	f := &fixture{t: t, ids: ids}
	rid, _ := trust.NewID[trust.Relationship](ids)
	f.p1, _ = trust.NewID[trust.Partner](ids)
	f.p2, _ = trust.NewID[trust.Partner](ids)
	f.rel = trust.Relationship{ID: rid, TimeZone: "Europe/London", Started: t0.Add(-60 * 24 * time.Hour),
		Partners: [2]trust.Partner{{ID: f.p1, DisplayName: "Sam"}, {ID: f.p2, DisplayName: "Alex"}}}
	first := f.build(&trust.JourneyStarted{Relationship: f.rel, Profile: trust.DefaultProfile()}, trust.SystemActor, f.rel.Started, "", "")
	var err error
	f.journey, err = trust.NewJourney(first)
	require.NoError(t, err)
	f.fold, err = exercise.NewAssignments(f.rel, nil)
	require.NoError(t, err)
	f.events = append(f.events, first)
	f.seq = 1
	f.v = schemagen.NewValidator(t, trust.Schemas(), exercise.Schemas())
	return f
}

func (f *fixture) newAssignmentID() exercise.AssignmentID {
	id, err := trust.NewID[exercise.Assignment](f.ids)
	require.NoError(f.t, err)
	return id
}

// build makes the next event without applying it.
func (f *fixture) build(p trust.Payload, actor trust.Actor, at time.Time, vis trust.Visibility, seal string) trust.Event {
	f.t.Helper()
	id, err := trust.NewID[trust.Event](f.ids)
	require.NoError(f.t, err)
	e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: f.rel.ID, Sequence: f.seq + 1, Time: at, Recorded: at,
		Actor: actor, Visibility: vis, SealKey: seal})
	require.NoError(f.t, err)
	return e
}

// apply builds the next event and applies it to both folds; it fails the
// test on any refusal and checks the event against the published schemas.
func (f *fixture) apply(p trust.Payload, actor trust.Actor, at time.Time, vis trust.Visibility, seal string) trust.Event {
	f.t.Helper()
	e := f.build(p, actor, at, vis, seal)
	require.NoError(f.t, f.journey.Apply(e), "journey: %s", e.Type)
	require.NoError(f.t, f.fold.Apply(e), "assignments: %s", e.Type)
	f.v.ValidateEvent(f.t, e)
	f.seq++
	f.events = append(f.events, e)
	return e
}

// try builds the next event and applies it to the assignments fold only,
// returning its error; on success the event is kept in the stream.
func (f *fixture) try(p trust.Payload, actor trust.Actor, at time.Time, vis trust.Visibility, seal string) error {
	f.t.Helper()
	e := f.build(p, actor, at, vis, seal)
	if err := f.fold.Apply(e); err != nil {
		return err
	}
	require.NoError(f.t, f.journey.Apply(e))
	f.seq++
	f.events = append(f.events, e)
	return nil
}

func (f *fixture) both() []trust.PartnerID { return []trust.PartnerID{f.p1, f.p2} }

// propose proposes and schedules an exercise for the given participants with
// a window from start lasting d.
func (f *fixture) propose(key string, ps []trust.PartnerID, start time.Time, d time.Duration) exercise.AssignmentID {
	f.t.Helper()
	id := f.newAssignmentID()
	vis := exercise.LifecycleVisibility(len(ps) == 1)
	f.apply(&exercise.AssignmentProposed{Assignment: id, Exercise: key, Participants: ps, DueStart: start, DueEnd: start.Add(d),
		Reason: "A test proposal.", Scheduler: "test"}, trust.SystemActor, start, vis, "")
	f.apply(&exercise.AssignmentScheduled{Assignment: id, Participants: ps, DueStart: start, DueEnd: start.Add(d)},
		trust.SystemActor, start, vis, "")
	return id
}

// complete starts and completes a joint or solo assignment with the ratings
// given in participant order.
func (f *fixture) complete(id exercise.AssignmentID, at time.Time, ratings ...int) {
	f.t.Helper()
	a, ok := f.fold.Get(id)
	require.True(f.t, ok)
	vis := exercise.LifecycleVisibility(a.Solo())
	f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: a.Participants[0]}, trust.PartnerActor(a.Participants[0]), at, vis, "")
	for i, p := range a.Participants {
		ov := trust.Shared
		if a.Solo() {
			ov = trust.Private
		}
		f.apply(&exercise.AssignmentCompleted{Assignment: id, Partner: p, Helpful: ratings[i]}, trust.PartnerActor(p), at.Add(time.Minute), ov, "")
	}
}

func (f *fixture) flag() trust.SafetyFlagID {
	id, _ := trust.NewID[trust.SafetyFlag](f.ids)
	f.apply(&trust.SafetyFlag{ID: id, Partner: f.p2, Kinds: []trust.SafetyKind{trust.SafetyFear}}, trust.PartnerActor(f.p2), t0, trust.Private, "")
	return id
}
