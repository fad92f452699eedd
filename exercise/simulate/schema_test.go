package simulate_test

import (
	"testing"

	"github.com/invopop/jsonschema"

	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/internal/schemagen"
)

// schemaEntries lists every schema the simulate package publishes.
var schemaEntries = []schemagen.Entry{
	{Name: "export-event", Version: "1.0", Value: &simulate.ExportEvent{}, Title: "mend research export event",
		Extend: func(s *jsonschema.Schema) {
			p, _ := s.Definitions["SimulateExportData"].Properties.Get("partners")
			p.Items.Pattern = "^p-[0-9a-f]{16}$"
		}},
	{Name: "couple-summary", Version: "1.0", Value: &simulate.CoupleSummary{}, Title: "mend research dataset: per-couple summary row"},
	{Name: "panel-row", Version: "1.0", Value: &simulate.PanelRow{}, Title: "mend research dataset: per-partner weekly panel row"},
	{Name: "params", Version: "1.0", Value: &simulate.Params{}, Title: "mend research dataset parameters",
		Extend: func(s *jsonschema.Schema) {
			// A parameter file may leave any field out: it takes the default.
			s.Required = nil
		}},
	{Name: "manifest", Version: "1.0", Value: &simulate.Manifest{}, Title: "mend research dataset manifest"},
}

func TestSchemasAreCurrent(t *testing.T) {
	schemagen.Check(t, "simulate", "schemas", schemaEntries)
}

func TestSchemaIDsMatchFiles(t *testing.T) {
	schemagen.CheckIDs(t, simulate.Schemas())
}

func TestSchemaSamples(t *testing.T) {
	v := schemagen.NewValidator(t, simulate.Schemas())
	schemagen.CheckSamples(t, v, "simulate", simulate.Schemas(), "testdata/schemas")
}
