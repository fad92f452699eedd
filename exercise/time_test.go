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

// year9999 is a time no client may date anything at.
var year9999 = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// requireInvalid checks that err is a *trust.ValidationError naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var ve *trust.ValidationError
	require.True(t, errors.As(err, &ve), "want a *trust.ValidationError naming %q, got %v", field, err)
	assert.Equal(t, field, ve.Field, "%v", err)
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func TestEventTimeIsBoundedByTheEnginesClock(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name string
		at   func(now, began time.Time) time.Time
		ok   bool
		age  time.Duration // how long ago the journey began; five days unless set
	}{
		{name: "now", at: func(now, _ time.Time) time.Time { return now }, ok: true},
		{name: "within the clock skew ahead", at: func(now, _ time.Time) time.Time { return now.Add(exercise.DefaultClockSkew) }, ok: true},
		{name: "just past the clock skew", at: func(now, _ time.Time) time.Time { return now.Add(exercise.DefaultClockSkew + time.Second) }},
		{name: "an hour ahead", at: func(now, _ time.Time) time.Time { return now.Add(time.Hour) }},
		{name: "year 9999", at: func(time.Time, time.Time) time.Time { return year9999 }},
		{name: "back-dated three days", at: func(now, _ time.Time) time.Time { return now.Add(-3 * day) }, ok: true},
		{name: "back-dated to the limit", at: func(now, _ time.Time) time.Time { return now.Add(-exercise.DefaultMaxBackdate) }, ok: true, age: 10 * day},
		{name: "back-dated past the limit", at: func(now, _ time.Time) time.Time { return now.Add(-exercise.DefaultMaxBackdate - time.Minute) }, age: 10 * day},
		{name: "the moment the journey began", at: func(_, began time.Time) time.Time { return began }, ok: true},
		{name: "before the journey began", at: func(_, began time.Time) time.Time { return began.Add(-time.Minute) }},
		{name: "long before the journey began", at: func(time.Time, time.Time) time.Time { return time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCouple(t, trust.DefaultProfile(), nil, 41)
			if tt.age == 0 {
				tt.age = 5 * day
			}
			c.clock.Advance(tt.age)
			now := c.clock.Now()
			at := tt.at(now, engineT0)
			before := len(c.events())
			// Through a typed method with At, through Do with Command.Time,
			// and through a check-in with its note.
			_, errTyped := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(c.a), progress.CheckIn{Trust: ptr(6)}, nil, exercise.At(at))
			_, errNote := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(c.a), progress.CheckIn{Trust: ptr(6)},
				&progress.CheckInNote{Note: "a quiet day"}, exercise.At(at))
			_, errDo := c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.b), exercise.Command{Data: &trust.Commitment{Answer: trust.CommitYes}, Time: at})
			if tt.ok {
				require.NoError(t, errTyped)
				require.NoError(t, errNote)
				require.NoError(t, errDo)
				evs := c.events()
				assert.True(t, evs[before].Time.Equal(at), "the event keeps its back-filled time")
				assert.True(t, evs[before].RecordedTime.Equal(now), "and is recorded at the engine's time")
				return
			}
			for _, err := range []error{errTyped, errNote, errDo} {
				requireInvalid(t, err, "time")
			}
			assert.Len(t, c.events(), before, "a refused command writes nothing")
		})
	}
}

func TestEventTimeLimitsAreOptions(t *testing.T) {
	clock := trust.NewManualClock(engineT0)
	eng, err := exercise.NewEngine(exercise.Options{Clock: clock, IDs: trust.SeededIDs(3), ClockSkew: time.Hour, MaxBackdate: 30 * 24 * time.Hour})
	require.NoError(t, err)
	started := engineT0.Add(-20 * 24 * time.Hour)
	res, err := eng.StartJourney(t.Context(), trust.Relationship{TimeZone: "Europe/London", Started: started,
		Partners: [2]trust.Partner{{DisplayName: "Alex"}, {DisplayName: "Sam"}}}, trust.Profile{})
	require.NoError(t, err, "a start back-dated within the configured limit")
	rel, err := eng.Relationship(t.Context(), res.ID)
	require.NoError(t, err)
	alex := trust.PartnerActor(rel.Partners[0].ID)
	_, err = eng.StateCommitment(t.Context(), res.ID, alex, trust.Commitment{Answer: trust.CommitYes}, exercise.At(engineT0.Add(50*time.Minute)))
	require.NoError(t, err, "within the configured skew")
	_, err = eng.StateCommitment(t.Context(), res.ID, alex, trust.Commitment{Answer: trust.CommitYes}, exercise.At(started.Add(time.Hour)))
	require.NoError(t, err, "back-dated within the configured limit")
	_, err = eng.StateCommitment(t.Context(), res.ID, alex, trust.Commitment{Answer: trust.CommitYes}, exercise.At(engineT0.Add(61*time.Minute)))
	requireInvalid(t, err, "time")
}

func TestStartJourneyTime(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name    string
		started time.Time
		ok      bool
	}{
		{name: "now by default", ok: true},
		{name: "within the clock skew", started: engineT0.Add(exercise.DefaultClockSkew), ok: true},
		{name: "back-dated within the limit", started: engineT0.Add(-3 * day), ok: true},
		{name: "year 9999", started: year9999},
		{name: "tomorrow", started: engineT0.Add(day)},
		{name: "back-dated past the limit", started: engineT0.Add(-exercise.DefaultMaxBackdate - time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng, err := exercise.NewEngine(exercise.Options{Clock: trust.NewManualClock(engineT0), IDs: trust.SeededIDs(5)})
			require.NoError(t, err)
			rel := trust.Relationship{TimeZone: "Europe/London", Started: tt.started,
				Partners: [2]trust.Partner{{DisplayName: "Alex"}, {DisplayName: "Sam"}}}
			res, err := eng.StartJourney(t.Context(), rel, trust.Profile{})
			if tt.ok {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, "relationship.started")
			assert.True(t, res.ID.IsZero())
			assert.Empty(t, res.Events)
		})
	}
}

func TestBreachTimesAreNotInTheFuture(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 43)
	later := engineT0.Add(time.Hour)
	tests := []struct {
		name  string
		edit  func(b *trust.Breach)
		field string
	}{
		{name: "happened", edit: func(b *trust.Breach) {
			b.Happened = trust.TimeRange{Start: year9999}
			b.CameToLight = trust.TimeRange{Start: year9999}
		},
			field: "data.happened.start"},
		{name: "happened until", edit: func(b *trust.Breach) { b.Happened.End = &later }, field: "data.happened.end"},
		{name: "came to light", edit: func(b *trust.Breach) { b.CameToLight = trust.TimeRange{Start: later} }, field: "data.came_to_light.start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := trust.Breach{Kind: trust.BreachDeception, Severity: trust.SeverityModerate,
				Happened: trust.TimeRange{Start: engineT0.AddDate(0, -1, 0)}, CameToLight: trust.TimeRange{Start: engineT0.AddDate(0, 0, -1)},
				Discovery: trust.Disclosed, RevealedBy: c.a, CausedBy: c.a}
			tt.edit(&b)
			before := len(c.events())
			_, err := c.eng.RecordBreach(c.ctx, c.rel.ID, trust.PartnerActor(c.a), b)
			requireInvalid(t, err, tt.field)
			assert.Len(t, c.events(), before)
		})
	}
}

func TestSnoozeIsBoundedFromTheEnginesClock(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 44)
	var item *exercise.PlanItem
	for _, it := range c.plan(c.a).Items {
		if it.Assignment.Status == exercise.StatusScheduled {
			item = &it
			break
		}
	}
	require.NotNil(t, item, "the first plan has a scheduled assignment")
	now := c.clock.Now()
	tests := []struct {
		name  string
		until time.Time
		at    time.Time
		ok    bool
		field string
	}{
		{name: "tomorrow", until: now.Add(24 * time.Hour), ok: true},
		{name: "to the limit", until: now.Add(exercise.MaxSnooze), ok: true},
		{name: "past the limit", until: now.Add(exercise.MaxSnooze + time.Minute), field: "data.until"},
		{name: "year 9999", until: year9999, field: "data.until"},
		{name: "from a future-dated snooze", until: year9999, at: year9999.Add(-time.Hour), field: "time"},
		{name: "past the limit from a snooze dated within the skew", until: now.Add(exercise.MaxSnooze + exercise.DefaultClockSkew),
			at: now.Add(exercise.DefaultClockSkew), field: "data.until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(c.events())
			_, err := c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Time: tt.at,
				Data: &exercise.AssignmentSnoozed{Assignment: item.Assignment.ID, Until: tt.until}})
			if tt.ok {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
			assert.Len(t, c.events(), before)
		})
	}
	t.Run("a partner's due window", func(t *testing.T) {
		before := len(c.events())
		_, err := c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Data: &exercise.AssignmentScheduled{
			Assignment: item.Assignment.ID, Participants: item.Assignment.Participants, DueStart: year9999, DueEnd: year9999.Add(time.Hour)}})
		requireInvalid(t, err, "data.due_start")
		assert.Len(t, c.events(), before)
	})
}

// twoGates is a profile whose first two phases each last at least ten days.
func twoGates() trust.Profile {
	days := []trust.Gate{{Kind: trust.GateDaysInPhase, Days: 10, Why: "Time."}}
	return trust.Profile{Key: "two-gates", Version: 1, Title: "Two gates", Summary: "Ten days, then ten days.", Phases: []trust.Phase{
		{Key: "first", Title: "First", Purpose: "Wait.", Exit: days},
		{Key: "second", Title: "Second", Purpose: "Wait again.", Exit: days},
		{Key: "last", Title: "Last", Purpose: "Rest."},
	}}
}

// TestClientTimeCannotShortenAPhaseGate tells the story of a couple trying
// to hurry a days-in-phase gate with the times they send.
func TestClientTimeCannotShortenAPhaseGate(t *testing.T) {
	day := 24 * time.Hour
	clock := trust.NewManualClock(engineT0)
	eng, err := exercise.NewEngine(exercise.Options{Clock: clock, IDs: trust.SeededIDs(9), ManualPhases: true})
	require.NoError(t, err)
	// The journey is started a week back: allowed, but the first phase's ten
	// days count from when the start was recorded.
	res, err := eng.StartJourney(t.Context(), trust.Relationship{TimeZone: "Europe/London", Started: engineT0.Add(-7 * day),
		Partners: [2]trust.Partner{{DisplayName: "Alex"}, {DisplayName: "Sam"}}}, twoGates())
	require.NoError(t, err)
	rel := res.ID
	couple, err := eng.Relationship(t.Context(), rel)
	require.NoError(t, err)
	alex := trust.PartnerActor(couple.Partners[0].ID)
	phase := func() string {
		v, err := eng.View(t.Context(), rel, trust.PartnerViewer(couple.Partners[0].ID))
		require.NoError(t, err)
		return v.Phase.Key
	}

	clock.Advance(5 * day)
	_, err = eng.AdvancePhase(t.Context(), rel, alex)
	require.ErrorIs(t, err, trust.ErrGateNotMet, "five days in, though the start says twelve")

	// A phase change the client writes itself, dated in the future, likewise.
	_, err = eng.Do(t.Context(), rel, alex, exercise.Command{Time: year9999,
		Data: &trust.PhaseChange{From: "first", To: "second", Direction: trust.Advanced, Reason: "Hurry."}})
	requireInvalid(t, err, "time")
	// A check-in dated in the future is refused too.
	_, err = eng.RecordCheckIn(t.Context(), rel, alex, progress.CheckIn{Trust: ptr(7)}, nil, exercise.At(clock.Now().Add(30*day)))
	requireInvalid(t, err, "time")
	assert.Equal(t, "first", phase())

	// At ten days the gate is met. An advance dated an hour ahead is refused;
	// one back-dated five days is recorded, but the second phase's ten days
	// start now, when it was.
	clock.Advance(5 * day)
	_, err = eng.AdvancePhase(t.Context(), rel, alex, exercise.At(clock.Now().Add(time.Hour)))
	requireInvalid(t, err, "time")
	_, err = eng.AdvancePhase(t.Context(), rel, alex, exercise.At(clock.Now().Add(-5*day)))
	require.NoError(t, err)
	assert.Equal(t, "second", phase())
	v, err := eng.View(t.Context(), rel, trust.PartnerViewer(couple.Partners[0].ID))
	require.NoError(t, err)
	assert.True(t, v.PhaseSince.Equal(clock.Now()), "the phase began when its change was recorded: %s", v.PhaseSince)

	clock.Advance(5 * day)
	_, err = eng.AdvancePhase(t.Context(), rel, alex)
	require.ErrorIs(t, err, trust.ErrGateNotMet, "five days into the second phase, though the back-dated change says ten")
	clock.Advance(5 * day)
	_, err = eng.AdvancePhase(t.Context(), rel, alex)
	require.NoError(t, err)
	assert.Equal(t, "last", phase())

	evs, err := eng.Store().Load(t.Context(), rel, 1)
	require.NoError(t, err)
	j, err := trust.ReplayJourney(evs)
	require.NoError(t, err, "the stream replays to the same phase")
	assert.Equal(t, "last", j.Phase().Key)
}

// TestFutureCheckInCannotPassTheMendGate runs the mend profile's 56-day
// rebuild gate: every other gate is met, and only the engine's clock opens
// the last one.
func TestFutureCheckInCannotPassTheMendGate(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 45)
	c.understand(false)
	c.agree()
	c.acknowledge()
	c.needs()
	require.Equal(t, "rebuild", c.view().Phase.Key)
	entered := c.view().PhaseSince
	for range 8 {
		for _, p := range []trust.PartnerID{c.a, c.b} {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: ptr(7)}, nil)
			require.NoError(t, err)
		}
		c.clock.Advance(24 * time.Hour)
	}
	// A check-in dated past the gate is refused, and the refresh after it
	// still finds the gate closed.
	_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(c.a), progress.CheckIn{Trust: ptr(7)}, nil, exercise.At(entered.Add(57*24*time.Hour)))
	requireInvalid(t, err, "time")
	_, err = c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Time: entered.Add(57 * 24 * time.Hour),
		Data: &trust.PhaseChange{From: "rebuild", To: "sustain", Direction: trust.Advanced, Reason: "Hurry."}})
	requireInvalid(t, err, "time")
	_, err = c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	assert.Equal(t, "rebuild", c.view().Phase.Key)
	var unmet []trust.GateKind
	for _, g := range c.view().Gates {
		if !g.Met {
			unmet = append(unmet, g.Gate.Kind)
		}
	}
	assert.Equal(t, []trust.GateKind{trust.GateDaysInPhase}, unmet, "only the days gate holds the couple back")

	c.clock.Set(entered.Add(56 * 24 * time.Hour))
	_, err = c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	assert.Equal(t, "sustain", c.view().Phase.Key, "the engine's clock opens the gate")
}
