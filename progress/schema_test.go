package progress_test

import (
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

// schemaEntries lists every schema the progress package publishes.
var schemaEntries = []schemagen.Entry{
	{Name: "checkin", Version: "1.0", Value: &progress.CheckIn{}, Title: "mend check-in"},
	{Name: "checkin-note", Version: "1.0", Value: &progress.CheckInNote{}, Title: "mend private check-in note"},
	{Name: "instrument-definition", Version: "1.0", Value: &instrument.Definition{}, Title: "mend instrument definition"},
	{Name: "instrument-response", Version: "1.0", Value: &instrument.Response{}, Title: "mend instrument response"},
	{Name: "instrument-score", Version: "1.0", Value: &instrument.Score{}, Title: "mend instrument score"},
	{Name: "analysis-options", Version: "1.0", Value: &progress.Options{}, Title: "mend analysis options"},
	{Name: "analysis", Version: "1.0", Value: &progress.Analysis{}, Title: "mend progress analysis"},
	{Name: "signals", Version: "1.0", Value: &progress.Signals{}, Title: "mend scheduler signals"},
	{Name: "recommendation", Version: "1.0", Value: &progress.Recommendation{}, Title: "mend professional-help recommendation"},
	{Name: "professional", Version: "1.0", Value: &progress.Professional{}, Title: "mend directory listing"},
	{Name: "match-request", Version: "1.0", Value: &progress.MatchRequest{}, Title: "mend directory match request"},
	{Name: "report", Version: "1.0", Value: &progress.Report{}, Title: "mend progress report", Extend: func(s *jsonschema.Schema) {
		p, _ := s.Properties.Get("version")
		p.Const = progress.ReportVersion
	}},
}

func TestSchemasAreCurrent(t *testing.T) {
	schemagen.Check(t, "progress", "schemas", schemaEntries)
}

func TestSchemaIDsMatchFiles(t *testing.T) {
	schemagen.CheckIDs(t, progress.Schemas())
}

func TestSchemaSamples(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), progress.Schemas())
	schemagen.CheckSamples(t, v, "progress", progress.Schemas(), "testdata/schemas")
}

func TestEveryRegisteredProgressTypeHasItsSchema(t *testing.T) {
	require.Len(t, schemagen.CheckEventTypes(t, "progress", progress.Schemas()), 2)
}

func TestBuiltinInstrumentsValidateAgainstTheirSchema(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), progress.Schemas())
	rhz, err := instrument.RempelHolmesZanna("predictability_2", "faith_4")
	require.NoError(t, err)
	for _, d := range append(instrument.Builtins(), rhz) {
		require.NoError(t, d.Validate(), d.ID)
		b := mustJSON(t, d)
		assert.NoError(t, v.Validate(schemafile.ID("progress", "instrument-definition", "1.0"), b), d.ID)
	}
}
