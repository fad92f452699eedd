package simulate

import (
	"embed"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = schemafile.Embedded(pkg, schemaFS, "schemas")

// Schemas lists the JSON Schemas the simulate package publishes: the
// exported event (export-event), the rows of the two CSV files
// (couple-summary, panel-row), the parameter file (params) and the
// dataset manifest (manifest). Their $ids are
// trust.SchemaBase + "simulate/<name>-<version>.json".
func Schemas() []trust.Schema { return check.Schemas(schemas()) }

// Schema IDs of the published schemas.
var (
	ExportEventSchema   = schemafile.ID(pkg, "export-event", "1.0")
	CoupleSummarySchema = schemafile.ID(pkg, "couple-summary", "1.0")
	PanelRowSchema      = schemafile.ID(pkg, "panel-row", "1.0")
	ParamsSchema        = schemafile.ID(pkg, "params", "1.0")
	ManifestSchema      = schemafile.ID(pkg, "manifest", "1.0")
)

func schemaJSON(id string) []byte {
	s, ok := trust.FindSchema(Schemas(), id)
	if !ok {
		panic("simulate: schema " + id + " is not embedded")
	}
	return s.JSON
}
