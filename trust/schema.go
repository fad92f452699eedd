package trust

import (
	"embed"
	"strings"

	"github.com/mendkit/mend/internal/schemafile"
)

// Schema is one published JSON Schema (draft 2020-12). Files are named
// "<name>-<major>.<minor>.json" and the $id is SchemaBase +
// "<package>/<file name>", so an app can fetch or embed them and validate
// mend's JSON in any language.
type Schema struct {
	// ID is the schema's $id.
	ID string `json:"id"`
	// Package is the mend package that publishes it ("trust", "agreement", …).
	Package string `json:"package"`
	// Name is the file's base name without the version.
	Name string `json:"name"`
	// Major and Minor are the version; a minor release only adds optional fields.
	Major int `json:"major"`
	Minor int `json:"minor"`
	// JSON is the schema document.
	JSON []byte `json:"-"`
}

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = schemafile.Embedded("trust", schemaFS, "schemas")

// Schemas lists the JSON Schemas the trust package publishes: one per event
// payload, the event envelope, the relationship and the protocol profile.
func Schemas() []Schema {
	files := schemas()
	out := make([]Schema, len(files))
	for i, f := range files {
		out[i] = Schema(f)
	}
	return out
}

// FindSchema returns the schema with the given $id from a list.
func FindSchema(list []Schema, id string) (Schema, bool) {
	for _, s := range list {
		if s.ID == id || strings.TrimSuffix(s.ID, ".json") == strings.TrimSuffix(id, ".json") {
			return s, true
		}
	}
	return Schema{}, false
}
