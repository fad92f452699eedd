package exercise

import (
	"embed"

	"github.com/mendkit/mend/trust"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// Schemas lists the JSON Schemas the exercise package publishes: the
// catalogue and one exercise, every assignment event payload, the proposal a
// scheduler returns and the snapshot it reads.
func Schemas() []trust.Schema {
	s, err := trust.LoadSchemas("exercise", schemaFS, "schemas")
	if err != nil {
		panic("exercise: embedded schemas: " + err.Error())
	}
	return s
}
