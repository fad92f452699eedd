package agreement

import (
	"embed"

	"github.com/mendkit/mend/trust"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// Schemas lists the JSON Schemas the agreement package publishes: one per
// event payload, the agreement version, the occurrence and the compliance
// report.
func Schemas() []trust.Schema {
	s, err := trust.LoadSchemas(pkg, schemaFS, "schemas")
	if err != nil {
		panic("agreement: embedded schemas: " + err.Error())
	}
	return s
}
