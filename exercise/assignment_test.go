package exercise_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

func TestAssignmentLifeJointSealed(t *testing.T) {
	f := newFixture(t)
	id := f.propose("drafting-an-agreement", f.both(), t0, 48*time.Hour)
	a, _ := f.fold.Get(id)
	assert.Equal(t, exercise.StatusScheduled, a.Status)
	assert.Len(t, f.fold.Due(t0.Add(time.Hour)), 1)

	f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0.Add(time.Hour), trust.Shared, "")
	key := exercise.StepSealKey(id, "healthy-means")
	first := f.apply(&exercise.StepAnswered{Assignment: id, Step: "healthy-means", Partner: f.p1, Answer: "Weekly time together."},
		trust.PartnerActor(f.p1), t0.Add(time.Hour), trust.Sealed, key)

	// The other partner cannot read the first answer until they answer too.
	assert.False(t, canSee(f, f.p2, first), "sealed until both answered")
	assert.True(t, canSee(f, f.p1, first))
	f.apply(&exercise.StepAnswered{Assignment: id, Step: "healthy-means", Partner: f.p2, Answer: "Being told the hard things early."},
		trust.PartnerActor(f.p2), t0.Add(2*time.Hour), trust.Sealed, key)
	assert.True(t, canSee(f, f.p2, first), "revealed together")

	f.apply(&exercise.AssignmentCompleted{Assignment: id, Partner: f.p1, Helpful: 5, Reflection: "Good."}, trust.PartnerActor(f.p1), t0.Add(3*time.Hour), trust.Sealed, exercise.OutcomeSealKey(id))
	a, _ = f.fold.Get(id)
	assert.Equal(t, exercise.StatusStarted, a.Status, "complete only when every participant completed")
	f.apply(&exercise.AssignmentCompleted{Assignment: id, Partner: f.p2, Helpful: 4}, trust.PartnerActor(f.p2), t0.Add(4*time.Hour), trust.Shared, "")
	a, _ = f.fold.Get(id)
	assert.Equal(t, exercise.StatusCompleted, a.Status)
	assert.Equal(t, t0.Add(4*time.Hour), a.ClosedAt)
	assert.Len(t, a.Outcomes, 2)
	assert.Empty(t, f.fold.Open())

	h, ok := f.fold.HistoryOf("drafting-an-agreement")
	require.True(t, ok)
	assert.Equal(t, exercise.History{Exercise: "drafting-an-agreement", Proposed: 1, Completed: 1, LastProposed: t0,
		LastCompleted: t0.Add(4 * time.Hour), Ratings: 2, RatingSum: 9, Helpful: 1, HelpfulStreak: 1,
		CompletedBy: []trust.PartnerID{f.p1, f.p2}}, h)
	assert.Equal(t, 1, f.journey.Count("exercise.assignment_proposed"), "the journey counts exercise events by their exact types")
	assert.Equal(t, 2, f.journey.Count("exercise.step_answered"))
	assert.Equal(t, 2, f.journey.Count("exercise.assignment_completed"))
}

func canSee(f *fixture, p trust.PartnerID, e trust.Event) bool {
	for _, x := range trust.Filter(f.events, trust.PartnerViewer(p)) {
		if x.ID == e.ID {
			return true
		}
	}
	return false
}

func TestSoloAssignmentIsPrivate(t *testing.T) {
	f := newFixture(t)
	id := f.propose("professional-help-readiness", []trust.PartnerID{f.p1}, t0, 24*time.Hour)
	f.complete(id, t0.Add(time.Hour), 4)
	for _, e := range f.events[1:] {
		assert.True(t, canSee(f, f.p1, e), e.Type)
		assert.False(t, canSee(f, f.p2, e), "%s of a solo assignment is private to its participant", e.Type)
	}
	h, _ := f.fold.HistoryOf("professional-help-readiness")
	assert.Equal(t, []trust.PartnerID{f.p1}, h.CompletedBy)
}

func TestSnoozeDueAndExpire(t *testing.T) {
	f := newFixture(t)
	id := f.propose("weekly-checkin", f.both(), t0, 6*time.Hour)
	f.apply(&exercise.AssignmentSnoozed{Assignment: id, Partner: f.p2, Until: t0.Add(24 * time.Hour)}, trust.PartnerActor(f.p2), t0.Add(time.Hour), trust.Shared, "")
	a, _ := f.fold.Get(id)
	assert.Equal(t, exercise.StatusSnoozed, a.Status)
	assert.Equal(t, t0.Add(24*time.Hour), a.DueStart)
	assert.Equal(t, t0.Add(30*time.Hour), a.DueEnd, "the window keeps its length")
	assert.Empty(t, f.fold.Due(t0.Add(2*time.Hour)))
	assert.Len(t, f.fold.Due(t0.Add(25*time.Hour)), 1)
	assert.Empty(t, f.fold.Expirable(t0.Add(29*time.Hour)))
	require.Len(t, f.fold.Expirable(t0.Add(30*time.Hour)), 1)

	err := f.try(&exercise.AssignmentExpired{Assignment: id, Participants: f.both()}, trust.SystemActor, t0.Add(29*time.Hour), trust.Shared, "")
	assert.ErrorIs(t, err, trust.ErrInvalidTransition, "not before the window ends")
	f.apply(&exercise.AssignmentExpired{Assignment: id, Participants: f.both()}, trust.SystemActor, t0.Add(30*time.Hour), trust.Shared, "")
	a, _ = f.fold.Get(id)
	assert.Equal(t, exercise.StatusExpired, a.Status)
	h, _ := f.fold.HistoryOf("weekly-checkin")
	assert.Equal(t, 1, h.Expired)
}

func TestHelpfulStreak(t *testing.T) {
	f := newFixture(t)
	at := t0
	step := func(ratings ...int) exercise.History {
		id := f.propose("reflect-until-heard", f.both(), at, time.Hour)
		f.complete(id, at.Add(time.Minute), ratings...)
		at = at.Add(24 * time.Hour)
		h, _ := f.fold.HistoryOf("reflect-until-heard")
		return h
	}
	assert.Equal(t, 1, step(5, 4).HelpfulStreak)
	assert.Equal(t, 2, step(4, 4).HelpfulStreak)
	// A skip or an expiry never punishes.
	id := f.propose("reflect-until-heard", f.both(), at, time.Hour)
	f.apply(&exercise.AssignmentSkipped{Assignment: id, Partner: f.p1, Reason: exercise.SkipNotNow}, trust.PartnerActor(f.p1), at, trust.Shared, "")
	id = f.propose("reflect-until-heard", f.both(), at, time.Hour)
	f.apply(&exercise.AssignmentExpired{Assignment: id, Participants: f.both()}, trust.SystemActor, at.Add(time.Hour), trust.Shared, "")
	h, _ := f.fold.HistoryOf("reflect-until-heard")
	assert.Equal(t, 2, h.HelpfulStreak)
	assert.Equal(t, 1, h.Skipped)
	// A mean below four resets it.
	h = step(5, 2)
	assert.Equal(t, 0, h.HelpfulStreak)
	assert.Equal(t, 2, h.Helpful)
	assert.Equal(t, 3, h.Completed)
	assert.InDelta(t, 24.0/6, h.MeanRating(), 1e-9)
	assert.Len(t, f.fold.ForExercise("reflect-until-heard"), 5)
}

func TestAssignmentRefusals(t *testing.T) {
	type setup func(f *fixture) exercise.AssignmentID
	scheduledJoint := func(f *fixture) exercise.AssignmentID {
		return f.propose("drafting-an-agreement", f.both(), t0, 24*time.Hour)
	}
	started := func(f *fixture) exercise.AssignmentID {
		id := scheduledJoint(f)
		f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0, trust.Shared, "")
		return id
	}
	soloP1 := func(f *fixture) exercise.AssignmentID {
		return f.propose("solo-steady", []trust.PartnerID{f.p1}, t0, 24*time.Hour)
	}
	proposedOnly := func(f *fixture) exercise.AssignmentID {
		id := f.newAssignmentID()
		f.apply(&exercise.AssignmentProposed{Assignment: id, Exercise: "weekly-checkin", Participants: f.both(), DueStart: t0, DueEnd: t0.Add(time.Hour),
			Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Shared, "")
		return id
	}
	none := func(f *fixture) exercise.AssignmentID { return f.newAssignmentID() }
	type ev struct {
		p     trust.Payload
		actor trust.Actor
		at    time.Time
		vis   trust.Visibility
		seal  string
	}
	tests := []struct {
		name, reason string
		setup        setup
		event        func(f *fixture, id exercise.AssignmentID) ev
		want         error
	}{
		{"duplicate proposal", "an ID is proposed once", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "weekly-checkin", Participants: f.both(), DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Shared, ""}
		}, trust.ErrConflict},
		{"unknown exercise", "the catalogue must hold it", none, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "juggling", Participants: f.both(), DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Shared, ""}
		}, trust.ErrNotFound},
		{"joint for one", "a joint exercise needs both", none, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "weekly-checkin", Participants: []trust.PartnerID{f.p1}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Private, ""}
		}, trust.ErrInvalid},
		{"solo shared", "a solo assignment is private", none, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "solo-steady", Participants: []trust.PartnerID{f.p1}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Shared, ""}
		}, trust.ErrInvalid},
		{"stranger", "participants are partners", none, func(f *fixture, id exercise.AssignmentID) ev {
			x, _ := trust.NewID[trust.Partner](f.ids)
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "solo-steady", Participants: []trust.PartnerID{x}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Private, ""}
		}, trust.ErrForbidden},
		{"solo for the other", "a partner proposes only for themselves", none, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "solo-steady", Participants: []trust.PartnerID{f.p2}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "partner"}, trust.PartnerActor(f.p1), t0, trust.Private, ""}
		}, trust.ErrForbidden},
		{"start unscheduled", "proposed, then scheduled, then started", proposedOnly, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"start by non-participant", "a solo assignment is its participant's", soloP1, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentStarted{Assignment: id, Partner: f.p2}, trust.PartnerActor(f.p2), t0, trust.Private, ""}
		}, trust.ErrForbidden},
		{"start for someone else", "the partner writes their own start", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p2), t0, trust.Shared, ""}
		}, trust.ErrForbidden},
		{"start twice", "each partner starts once", started, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrConflict},
		{"complete unstarted", "start comes first", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentCompleted{Assignment: id, Partner: f.p1, Helpful: 3}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"solo outcome shared", "a solo outcome stays private", func(f *fixture) exercise.AssignmentID {
			id := soloP1(f)
			f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0, trust.Private, "")
			return id
		}, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentCompleted{Assignment: id, Partner: f.p1, Helpful: 3}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalid},
		{"answer shared when sealed", "a sealed step cannot be answered in the open", started, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.StepAnswered{Assignment: id, Step: "healthy-means", Partner: f.p1, Answer: "x"}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalid},
		{"answer spoken step", "spoken steps keep nothing", started, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.StepAnswered{Assignment: id, Step: "compare", Partner: f.p1, Answer: "x"}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"answer unknown step", "the step must exist", started, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.StepAnswered{Assignment: id, Step: "nowhere", Partner: f.p1, Answer: "x"}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrNotFound},
		{"answer before start", "answers come after the start", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.StepAnswered{Assignment: id, Step: "rituals", Partner: f.p1, Answer: "x"}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"snooze into the past", "a snooze moves later", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentSnoozed{Assignment: id, Partner: f.p1, Until: t0.Add(-time.Hour)}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalid},
		{"snooze started", "started work is completed or skipped", started, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentSnoozed{Assignment: id, Partner: f.p1, Until: t0.Add(time.Hour)}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"expire by a partner", "only the system expires", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentExpired{Assignment: id, Participants: f.both()}, trust.PartnerActor(f.p1), t0.Add(48 * time.Hour), trust.Shared, ""}
		}, trust.ErrForbidden},
		{"expire other participants", "the participants must match", scheduledJoint, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentExpired{Assignment: id, Participants: []trust.PartnerID{f.p1}}, trust.SystemActor, t0.Add(48 * time.Hour), trust.Private, ""}
		}, trust.ErrInvalid},
		{"skip after completion", "completed is final", func(f *fixture) exercise.AssignmentID {
			id := scheduledJoint(f)
			f.complete(id, t0, 3, 3)
			return id
		}, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentSkipped{Assignment: id, Partner: f.p1, Reason: exercise.SkipNotNow}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrInvalidTransition},
		{"unknown assignment", "events name a proposed assignment", none, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentSkipped{Assignment: id, Partner: f.p1, Reason: exercise.SkipNotNow}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrNotFound},
		{"propose joint while paused", "joint work waits", func(f *fixture) exercise.AssignmentID {
			f.flag()
			return f.newAssignmentID()
		}, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentProposed{Assignment: id, Exercise: "weekly-checkin", Participants: f.both(), DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r", Scheduler: "test"}, trust.SystemActor, t0, trust.Shared, ""}
		}, trust.ErrPausedForSafety},
		{"start joint while paused", "an open joint assignment waits too", func(f *fixture) exercise.AssignmentID {
			id := scheduledJoint(f)
			f.apply(&trust.PauseChange{Paused: true}, trust.PartnerActor(f.p1), t0, trust.Shared, "")
			return id
		}, func(f *fixture, id exercise.AssignmentID) ev {
			return ev{&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0, trust.Shared, ""}
		}, trust.ErrPausedForSafety},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := tc.setup(f)
			before := f.fold.Clone()
			x := tc.event(f, id)
			e := f.build(x.p, x.actor, x.at, x.vis, x.seal)
			require.ErrorIs(t, f.fold.Check(e), tc.want, tc.reason)
			err := f.fold.Apply(e)
			require.Error(t, err, tc.reason)
			assert.ErrorIs(t, err, tc.want, tc.reason)
			var te *trust.TransitionError
			var ve *trust.ValidationError
			assert.True(t, errors.As(err, &te) || errors.As(err, &ve), "typed error: %T", err)
			if errors.As(err, &te) {
				assert.Equal(t, "exercise", te.Pkg)
			}
			assert.Equal(t, before.Open(), f.fold.Open(), "a refused event changes nothing")
			assert.Equal(t, before.History(), f.fold.History(), "a refused event changes nothing")
			assert.Equal(t, before.Len(), f.fold.Len())
		})
	}
}

func TestPausedStillAllowsSoloAndSkipping(t *testing.T) {
	f := newFixture(t)
	joint := f.propose("weekly-checkin", f.both(), t0, 24*time.Hour)
	flag := f.flag()
	assert.True(t, f.fold.JointWorkPaused())
	solo := f.propose("self-soothing-break", []trust.PartnerID{f.p1}, t0, 24*time.Hour)
	f.complete(solo, t0.Add(time.Hour), 5)
	f.apply(&exercise.AssignmentSkipped{Assignment: joint, Partner: f.p2, Reason: exercise.SkipNotNow}, trust.PartnerActor(f.p2), t0.Add(time.Hour), trust.Shared, "")
	f.apply(&trust.SafetyFlagCleared{Flag: flag, Partner: f.p2}, trust.PartnerActor(f.p2), t0.Add(2*time.Hour), trust.Private, "")
	assert.False(t, f.fold.JointWorkPaused())
	f.propose("weekly-checkin", f.both(), t0.Add(3*time.Hour), time.Hour)
}

func TestRecentAndClone(t *testing.T) {
	f := newFixture(t)
	old := f.propose("appreciation", f.both(), t0.Add(-40*24*time.Hour), time.Hour)
	f.complete(old, t0.Add(-40*24*time.Hour), 4, 4)
	recent := f.propose("appreciation", f.both(), t0.Add(-2*24*time.Hour), time.Hour)
	f.complete(recent, t0.Add(-2*24*time.Hour), 4, 4)
	open := f.propose("weekly-checkin", f.both(), t0.Add(-50*24*time.Hour), 60*24*time.Hour)
	got := f.fold.Recent(t0)
	require.Len(t, got, 2, "open ones and those of the last four weeks")
	assert.Equal(t, open, got[0].ID)
	assert.Equal(t, recent, got[1].ID)

	c := f.fold.Clone()
	f.apply(&exercise.AssignmentSkipped{Assignment: open, Partner: f.p1, Reason: exercise.SkipAlreadyCovered}, trust.PartnerActor(f.p1), t0, trust.Shared, "")
	ca, _ := c.Get(open)
	assert.Equal(t, exercise.StatusScheduled, ca.Status, "the clone is independent")
	fa, _ := f.fold.Get(open)
	assert.Equal(t, exercise.StatusSkipped, fa.Status)
	assert.Equal(t, exercise.SkipAlreadyCovered, fa.Skip.Reason)
}

func TestAssignmentsIgnoresOtherRelationship(t *testing.T) {
	f := newFixture(t)
	other := newFixture(t)
	other.rel.ID, _ = trust.NewID[trust.Relationship](trust.SeededIDs(9))
	e := other.build(&exercise.AssignmentExpired{Assignment: other.newAssignmentID(), Participants: other.both()}, trust.SystemActor, t0, trust.Shared, "")
	assert.ErrorIs(t, f.fold.Apply(e), trust.ErrConflict)
}

func TestPrepareChangesNothingUntilCommitted(t *testing.T) {
	f := newFixture(t)
	id := f.newAssignmentID()
	e := f.build(&exercise.AssignmentProposed{Assignment: id, Exercise: "professional-help-readiness", Participants: []trust.PartnerID{f.p1},
		DueStart: t0, DueEnd: t0.Add(24 * time.Hour), Reason: "A test proposal.", Scheduler: "test"},
		trust.SystemActor, t0, exercise.LifecycleVisibility(true), "")
	commit, err := f.fold.Prepare(e)
	require.NoError(t, err)
	_, ok := f.fold.Get(id)
	assert.False(t, ok, "Prepare changes nothing")
	commit()
	_, ok = f.fold.Get(id)
	assert.True(t, ok)

	// A refused event gives no commit.
	bad := f.build(&exercise.AssignmentStarted{Assignment: f.newAssignmentID(), Partner: f.p1}, trust.PartnerActor(f.p1), t0, "", "")
	commit, err = f.fold.Prepare(bad)
	require.ErrorIs(t, err, trust.ErrNotFound)
	assert.Nil(t, commit)
}

func TestReplayAssignments(t *testing.T) {
	f := newFixture(t)
	done := f.propose("appreciation", f.both(), t0.Add(-2*24*time.Hour), time.Hour)
	f.complete(done, t0.Add(-2*24*time.Hour), 4, 5)
	f.propose("weekly-checkin", f.both(), t0, 3*time.Hour)
	f.flag()

	replayed, err := exercise.ReplayAssignments(f.rel, nil, f.events)
	require.NoError(t, err)
	assert.Equal(t, f.fold.Len(), replayed.Len())
	assert.Equal(t, f.fold.Open(), replayed.Open())
	assert.Equal(t, f.fold.History(), replayed.History())
	assert.Equal(t, f.fold.Recent(t0), replayed.Recent(t0))
	assert.True(t, replayed.JointWorkPaused(), "the flag is folded in too")

	// The first event the fold refuses stops the replay with its error.
	require.Equal(t, exercise.TypeAssignmentProposed, f.events[1].Type)
	twice := append(slices.Clone(f.events), f.events[1])
	_, err = exercise.ReplayAssignments(f.rel, nil, twice)
	assert.ErrorIs(t, err, trust.ErrConflict, "an assignment is proposed once")
	_, err = exercise.ReplayAssignments(trust.Relationship{}, nil, f.events)
	var ve *trust.ValidationError
	assert.ErrorAs(t, err, &ve, "the relationship is checked first")
}
