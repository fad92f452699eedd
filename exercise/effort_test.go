package exercise_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// TestCompletionsAndSkipsCountAsEffort: progress counts an assignment's
// completions and skips in the partner's activity through progress.Effort.
func TestCompletionsAndSkipsCountAsEffort(t *testing.T) {
	ids := trust.SeededIDs(3)
	newID := func() trust.ID[trust.Event] {
		id, err := trust.NewID[trust.Event](ids)
		require.NoError(t, err)
		return id
	}
	sam, err := trust.NewID[trust.Partner](ids)
	require.NoError(t, err)
	alex, err := trust.NewID[trust.Partner](ids)
	require.NoError(t, err)
	relID, err := trust.NewID[trust.Relationship](ids)
	require.NoError(t, err)
	asg, err := trust.NewID[exercise.Assignment](ids)
	require.NoError(t, err)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: start,
		Partners: [2]trust.Partner{{ID: sam, DisplayName: "Sam"}, {ID: alex, DisplayName: "Alex"}}}
	payloads := []trust.Payload{
		&trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()},
		&exercise.AssignmentCompleted{Assignment: asg, Partner: sam, Helpful: 4},
		&exercise.AssignmentSkipped{Assignment: asg, Partner: alex, Reason: exercise.SkipNotNow},
	}
	a, err := progress.NewAnalyzer(progress.Options{})
	require.NoError(t, err)
	for i, p := range payloads {
		actor := trust.SystemActor
		if o, ok := p.(interface{ OwnerPartner() trust.PartnerID }); ok {
			actor = trust.PartnerActor(o.OwnerPartner())
		}
		e, err := trust.NewEvent(p, trust.Header{ID: newID(), Relationship: relID, Sequence: trust.Sequence(i + 1),
			Recorded: start.Add(time.Duration(i) * time.Hour), Actor: actor})
		require.NoError(t, err)
		require.NoError(t, a.Observe(e))
	}
	an := a.Analysis(trust.PartnerViewer(sam), start.Add(24*time.Hour))
	require.Len(t, an.Partners, 2)
	assert.Equal(t, 1, an.Partners[0].Activity.AssignmentsCompleted, "Sam completed it")
	assert.Equal(t, 0, an.Partners[0].Activity.AssignmentsSkipped)
	assert.Equal(t, 1, an.Partners[1].Activity.AssignmentsSkipped, "Alex skipped it")
	assert.Equal(t, 0, an.Partners[1].Activity.AssignmentsCompleted)
}
