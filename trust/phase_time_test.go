package trust_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// TestDaysInPhaseCountFromWhenRecorded checks that a phase's days count from
// when the event that began it was recorded, whatever time it claims: a
// back-dated start or phase change cannot shorten a days-in-phase gate, and a
// future-dated phase change is judged at the time it was recorded.
func TestDaysInPhaseCountFromWhenRecorded(t *testing.T) {
	day := 24 * time.Hour
	days := []trust.Gate{{Kind: trust.GateDaysInPhase, Days: 10}}
	profile := trust.Profile{Key: "two-gates", Version: 1, Title: "Two gates", Summary: "Ten days, then ten days.", Phases: []trust.Phase{
		{Key: "first", Title: "First", Purpose: "Wait.", Exit: days},
		{Key: "second", Title: "Second", Purpose: "Wait again.", Exit: days},
		{Key: "last", Title: "Last", Purpose: "Rest."},
	}}
	ids := trust.SeededIDs(7)
	event := func(seq int, p trust.Payload, at, recorded time.Time) trust.Event {
		t.Helper()
		id, err := trust.NewID[trust.Event](ids)
		require.NoError(t, err)
		e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: trust.Sequence(seq), Time: at, Recorded: recorded, Actor: trust.SystemActor})
		require.NoError(t, err)
		return e
	}
	backDated := rel
	backDated.Started = t0.Add(-30 * day)
	j, err := trust.NewJourney(event(1, &trust.JourneyStarted{Relationship: backDated, Profile: profile}, backDated.Started, t0))
	require.NoError(t, err)
	assert.True(t, j.PhaseSince().Equal(t0), "the first phase began when the start was recorded")

	advance := &trust.PhaseChange{From: "first", To: "second", Direction: trust.Advanced, Reason: "Time."}
	err = j.Apply(event(2, advance, t0.Add(20*day), t0.Add(5*day)))
	require.ErrorIs(t, err, trust.ErrGateNotMet, "judged five days in, when recorded, not at the twenty it claims")
	require.NoError(t, j.Apply(event(2, advance, t0.Add(3*day), t0.Add(10*day))), "met when recorded, though dated earlier")
	assert.True(t, j.PhaseSince().Equal(t0.Add(10*day)), "the second phase began when its change was recorded")
	assert.False(t, j.Gates(t0.Add(15 * day))[0].Met, "five days into the second phase, not twelve")
	assert.True(t, j.Gates(t0.Add(20 * day))[0].Met)
}
