package exercise_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// sealField returns the field a validation error names.
func sealField(t *testing.T, err error) string {
	t.Helper()
	var ve *trust.ValidationError
	require.True(t, errors.As(err, &ve), "a *trust.ValidationError, got %T %v", err, err)
	return ve.Field
}

func TestSealKeysAreDerivedFromTheirSubject(t *testing.T) {
	a := exercise.AssignmentID(mustNew[exercise.Assignment](t, trust.SeededIDs(9)))
	k, ok := trust.SealKeyOf(&exercise.AssignmentCompleted{Assignment: a, Helpful: 4})
	require.True(t, ok)
	assert.Equal(t, "exercise.assignment_completed:"+a.String(), k)
	assert.Equal(t, k, exercise.OutcomeSealKey(a))
	k, ok = trust.SealKeyOf(&exercise.StepAnswered{Assignment: a, Step: "wishes", Answer: "x"})
	require.True(t, ok)
	assert.Equal(t, "exercise.step_answered:"+a.String()+":wishes", k)
	assert.Equal(t, k, exercise.StepSealKey(a, "wishes"))
	_, ok = trust.SealKeyOf(&exercise.AssignmentStarted{Assignment: a})
	assert.False(t, ok, "only entries that may be sealed name a seal subject")
	for _, spec := range trust.EventTypes() {
		for _, v := range spec.Visibilities {
			if v == trust.Sealed {
				_, ok := spec.New().(trust.Sealable)
				assert.True(t, ok, "%s may be sealed, so it names its seal subject", spec.Type)
			}
		}
	}
}

// TestOutcomeOpensOnlyOnTheOtherOutcomeOfTheSameAssignment: a sealed
// reflection opens only when the other participant completes the same
// assignment, sealed; another assignment's outcome, an answer or a forged key
// opens nothing.
func TestOutcomeOpensOnlyOnTheOtherOutcomeOfTheSameAssignment(t *testing.T) {
	f := newFixture(t)
	one := f.propose("drafting-an-agreement", f.both(), t0, 48*time.Hour)
	two := f.propose("drafting-an-agreement", f.both(), t0, 48*time.Hour)
	for _, id := range []exercise.AssignmentID{one, two} {
		f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0.Add(time.Hour), trust.Shared, "")
	}
	mine := f.apply(&exercise.AssignmentCompleted{Assignment: one, Partner: f.p1, Helpful: 5, Reflection: "It helped."},
		trust.PartnerActor(f.p1), t0.Add(2*time.Hour), trust.Sealed, "")
	assert.Equal(t, exercise.OutcomeSealKey(one), mine.SealKey, "the key is filled from the assignment")

	// Refused: another type under the outcome's key, and this outcome under another's.
	for _, p := range []trust.Payload{
		&exercise.StepAnswered{Assignment: one, Step: "healthy-means", Partner: f.p2, Answer: "x"},
		&progress.CheckIn{ID: mustNew[progress.CheckIn](t, f.ids), Partner: f.p2, Day: "2026-06-10"},
		&exercise.AssignmentCompleted{Assignment: two, Partner: f.p2, Helpful: 3},
	} {
		id := mustNew[trust.Event](t, f.ids)
		_, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: f.rel.ID, Sequence: f.seq + 1, Time: t0, Recorded: t0,
			Actor: trust.PartnerActor(f.p2), Visibility: trust.Sealed, SealKey: exercise.OutcomeSealKey(one)})
		require.ErrorIs(t, err, trust.ErrInvalid, p.EventType())
		assert.Equal(t, "sealkey", sealField(t, err), p.EventType())
	}
	// A forged envelope is refused by the folds, and opens nothing anyway.
	forged := f.build(&exercise.StepAnswered{Assignment: one, Step: "healthy-means", Partner: f.p2, Answer: "x"},
		trust.PartnerActor(f.p2), t0.Add(3*time.Hour), trust.Sealed, "")
	forged.SealKey = exercise.OutcomeSealKey(one)
	err := f.fold.Apply(forged)
	require.ErrorIs(t, err, trust.ErrInvalid)
	assert.Equal(t, "sealkey", sealField(t, err))
	require.ErrorIs(t, f.journey.Apply(forged), trust.ErrInvalid)
	assert.NotContains(t, trust.Filter(append(append([]trust.Event(nil), f.events...), forged), trust.PartnerViewer(f.p2)), mine)

	// The other partner's sealed answer and their sealed outcome of the other assignment open nothing.
	f.apply(&exercise.StepAnswered{Assignment: one, Step: "healthy-means", Partner: f.p2, Answer: "Time."},
		trust.PartnerActor(f.p2), t0.Add(3*time.Hour), trust.Sealed, "")
	f.apply(&exercise.AssignmentCompleted{Assignment: two, Partner: f.p2, Helpful: 3}, trust.PartnerActor(f.p2), t0.Add(4*time.Hour), trust.Sealed, "")
	assert.False(t, canSee(f, f.p2, mine), "still sealed")

	// Their outcome of the same assignment opens it.
	theirs := f.apply(&exercise.AssignmentCompleted{Assignment: one, Partner: f.p2, Helpful: 4}, trust.PartnerActor(f.p2), t0.Add(5*time.Hour), trust.Sealed, "")
	assert.True(t, canSee(f, f.p2, mine))
	assert.True(t, canSee(f, f.p1, theirs))
}

// TestStepAnswerOpensOnlyOnTheOtherAnswerToTheSameStep: a sealed answer
// opens on the other partner's answer to the same step of the same
// assignment, not to another step or another assignment.
func TestStepAnswerOpensOnlyOnTheOtherAnswerToTheSameStep(t *testing.T) {
	f := newFixture(t)
	one := f.propose("forgiveness-reflection", f.both(), t0, 48*time.Hour)
	two := f.propose("forgiveness-reflection", f.both(), t0, 48*time.Hour)
	for _, id := range []exercise.AssignmentID{one, two} {
		f.apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), t0.Add(time.Hour), trust.Shared, "")
	}
	answer := func(id exercise.AssignmentID, p trust.PartnerID, step string) trust.Event {
		return f.apply(&exercise.StepAnswered{Assignment: id, Step: step, Partner: p, Answer: "mine"}, trust.PartnerActor(p), t0.Add(2*time.Hour), trust.Sealed, "")
	}
	mine := answer(one, f.p1, "what-i-lost")
	assert.Equal(t, exercise.StepSealKey(one, "what-i-lost"), mine.SealKey)
	err := f.try(&exercise.StepAnswered{Assignment: one, Step: "where-i-am", Partner: f.p2, Answer: "x"}, trust.PartnerActor(f.p2), t0, trust.Sealed, "")
	require.NoError(t, err)
	answer(two, f.p2, "what-i-lost")
	assert.False(t, canSee(f, f.p2, mine), "another step, another assignment: still sealed")
	theirs := answer(one, f.p2, "what-i-lost")
	assert.True(t, canSee(f, f.p2, mine), "the same step opens it")
	assert.True(t, canSee(f, f.p1, theirs))
}

// TestEngineRefusesASealOfAnotherType is the attack through the engine: Sam
// posts a sealed check-in under the seal of Alex's sealed account to read it
// without writing his own.
func TestEngineRefusesASealOfAnotherType(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 11)
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)
	res, err := c.eng.RecordBreach(c.ctx, c.rel.ID, sam, trust.Breach{Kind: trust.BreachDeception, Severity: trust.SeveritySerious,
		Happened: trust.TimeRange{Start: engineT0.AddDate(0, -4, 0)}, CameToLight: trust.TimeRange{Start: engineT0.AddDate(0, 0, -10)},
		Discovery: trust.Discovered, RevealedBy: c.b, CausedBy: c.a})
	require.NoError(t, err)
	breach := res.ID
	_, err = c.eng.RecordAccount(c.ctx, c.rel.ID, alex, trust.Account{Breach: breach, WhatHappened: "what I saw", MyPart: "what I did"})
	require.NoError(t, err)
	accounts := func(p trust.PartnerID) []trust.PartnerID {
		evs, err := c.eng.Timeline(c.ctx, c.rel.ID, trust.PartnerViewer(p), trust.TypeAccountGiven)
		require.NoError(t, err)
		var out []trust.PartnerID
		for _, e := range evs {
			out = append(out, e.Data.(*trust.Account).Partner)
		}
		return out
	}
	require.Empty(t, accounts(c.b))

	before := len(c.events())
	for _, cmd := range []exercise.Command{
		{Data: &progress.CheckIn{}, Visibility: trust.Sealed, SealKey: trust.AccountSealKey(breach)},
		{Data: &progress.CheckIn{}, Visibility: trust.Sealed, SealKey: "account:" + breach.String()},
		{Data: &trust.Account{Breach: mustNew[trust.Breach](t, c.ids), WhatHappened: "w", MyPart: "m"}, Visibility: trust.Sealed, SealKey: trust.AccountSealKey(breach)},
		{Data: &trust.Commitment{Answer: trust.CommitYes}, Visibility: trust.Sealed, SealKey: trust.AccountSealKey(breach)},
	} {
		_, err := c.eng.Do(c.ctx, c.rel.ID, sam, cmd)
		require.ErrorIs(t, err, trust.ErrInvalid, "%T", cmd.Data)
		assert.Contains(t, []string{"sealkey", "visibility"}, sealField(t, err), "%T", cmd.Data)
	}
	assert.Len(t, c.events(), before, "nothing written")

	// A sealed check-in under its own (derived) seal opens nothing.
	_, err = c.eng.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(4)}, nil, exercise.WithVisibility(trust.Sealed))
	require.NoError(t, err)
	assert.Empty(t, accounts(c.b))

	// His own account of the breach opens both.
	_, err = c.eng.RecordAccount(c.ctx, c.rel.ID, sam, trust.Account{Breach: breach, WhatHappened: "what I found", MyPart: "my part"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []trust.PartnerID{c.a, c.b}, accounts(c.b))
	assert.ElementsMatch(t, []trust.PartnerID{c.a, c.b}, accounts(c.a))
}

// TestAnalysisOpensASealedCheckInOnlyOnTheSameDay: the analysis counts the
// other partner's sealed check-in only once the viewer checked in sealed on
// the same day, as the timeline shows it.
func TestAnalysisOpensASealedCheckInOnlyOnTheSameDay(t *testing.T) {
	f := newFixture(t)
	add := func(p trust.PartnerID, at time.Time, v int) {
		c := &progress.CheckIn{ID: mustNew[progress.CheckIn](t, f.ids), Partner: p, Day: progress.LocalDay(at, time.UTC), Trust: &v}
		e := f.build(c, trust.PartnerActor(p), at, trust.Sealed, "")
		require.NoError(t, f.journey.Apply(e))
		f.seq++
		f.events = append(f.events, e)
	}
	ratingsOfP1 := func() int {
		an, err := progress.NewAnalyzer(progress.Options{})
		require.NoError(t, err)
		require.NoError(t, an.ObserveAll(f.events))
		for _, pa := range an.Analysis(trust.PartnerViewer(f.p2), t0.Add(72*time.Hour)).Partners {
			if pa.Partner == f.p1 {
				return pa.Outcome.Ratings
			}
		}
		return -1
	}
	add(f.p1, t0, 6)
	add(f.p2, t0.Add(24*time.Hour), 5)
	assert.Zero(t, ratingsOfP1(), "another day opens nothing")
	add(f.p2, t0.Add(time.Hour), 5)
	assert.Equal(t, 1, ratingsOfP1(), "the same day opens it")
}
