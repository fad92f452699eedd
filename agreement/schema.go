package agreement

import (
	"embed"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = schemafile.Embedded(pkg, schemaFS, "schemas")

// Schemas lists the JSON Schemas the agreement package publishes: one per
// event payload, the agreement version, the occurrence and the compliance
// report.
func Schemas() []trust.Schema { return check.Schemas(schemas()) }
