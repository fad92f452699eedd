package exercise_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

// schemaEntries lists every schema the exercise package publishes. The
// engine's own schemas, if any, are added here too: one test checks them all.
var schemaEntries = []schemagen.Entry{
	{Name: "catalogue", Version: "1.0", Value: &exercise.CatalogueData{}, Title: "mend exercise catalogue"},
	{Name: "exercise", Version: "1.0", Value: &exercise.Exercise{}, Title: "mend exercise"},
	{Name: "assignment-proposed", Version: "1.0", Value: &exercise.AssignmentProposed{}},
	{Name: "assignment-scheduled", Version: "1.0", Value: &exercise.AssignmentScheduled{}},
	{Name: "assignment-started", Version: "1.0", Value: &exercise.AssignmentStarted{}},
	{Name: "assignment-completed", Version: "1.0", Value: &exercise.AssignmentCompleted{}},
	{Name: "assignment-skipped", Version: "1.0", Value: &exercise.AssignmentSkipped{}},
	{Name: "assignment-snoozed", Version: "1.0", Value: &exercise.AssignmentSnoozed{}},
	{Name: "assignment-expired", Version: "1.0", Value: &exercise.AssignmentExpired{}},
	{Name: "step-answered", Version: "1.0", Value: &exercise.StepAnswered{}},
	{Name: "reminder-sent", Version: "1.0", Value: &exercise.ReminderSent{}},
	{Name: "proposal", Version: "1.0", Value: &exercise.Proposal{}, Title: "mend scheduler proposal"},
	{Name: "snapshot", Version: "1.0", Value: &exercise.Snapshot{}, Title: "mend scheduler snapshot"},
	{Name: "assignment", Version: "1.0", Value: &exercise.Assignment{}, Title: "mend assignment"},
	{Name: "plan", Version: "1.0", Value: &exercise.Plan{}, Title: "mend plan"},
	{Name: "reminder", Version: "1.0", Value: &exercise.Reminder{}, Title: "mend reminder"},
	{Name: "reminder-policy", Version: "1.0", Value: &exercise.ReminderPolicy{}, Title: "mend reminder policy"},
}

func TestSchemasAreCurrent(t *testing.T) {
	schemagen.Check(t, "exercise", "schemas", schemaEntries)
}

func TestSchemaIDsMatchFiles(t *testing.T) {
	schemagen.CheckIDs(t, exercise.Schemas())
}

func TestSchemaSamples(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), exercise.Schemas())
	schemagen.CheckSamples(t, v, "exercise", exercise.Schemas(), "testdata/schemas")
}

func TestDefaultCatalogueValidatesAgainstItsSchema(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), exercise.Schemas())
	require.NoError(t, v.Validate(schemafile.ID("exercise", "catalogue", "1.0"), exercise.DefaultJSON()))
}

func TestEveryRegisteredExerciseTypeHasItsSchema(t *testing.T) {
	assert.GreaterOrEqual(t, len(schemagen.CheckEventTypes(t, "exercise", exercise.Schemas())), 8)
}
