package exercise

import (
	"embed"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = schemafile.Embedded("exercise", schemaFS, "schemas")

// Schemas lists the JSON Schemas the exercise package publishes: the
// catalogue and one exercise, every assignment event payload, the proposal a
// scheduler returns and the snapshot it reads.
func Schemas() []trust.Schema { return check.Schemas(schemas()) }
