package trust

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
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

var schemaFileRE = regexp.MustCompile(`^([a-z][a-z0-9-]*)-([0-9]+)\.([0-9]+)\.json$`)

// LoadSchemas reads the schemas of package pkg from the *.json files of dir in
// fsys, sorted by name and version. Packages use it over their embedded files.
func LoadSchemas(pkg string, fsys fs.FS, dir string) ([]Schema, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Schema
	for _, e := range entries {
		m := schemaFileRE.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var major, minor int
		fmt.Sscan(m[2], &major)
		fmt.Sscan(m[3], &minor)
		out = append(out, Schema{ID: SchemaBase + pkg + "/" + e.Name(), Package: pkg, Name: m[1], Major: major, Minor: minor, JSON: b})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Major != b.Major {
			return a.Major < b.Major
		}
		return a.Minor < b.Minor
	})
	return out, nil
}

// EmbeddedSchemas returns the function a package's Schemas is: it lists the
// schemas of pkg embedded in fsys under dir, read once, and hands every
// caller its own copy. The files are part of the build, so failing to read
// them is a build defect: the function panics then, naming pkg.
func EmbeddedSchemas(pkg string, fsys fs.FS, dir string) func() []Schema {
	load := sync.OnceValues(func() ([]Schema, error) { return LoadSchemas(pkg, fsys, dir) })
	return func() []Schema {
		list, err := load()
		if err != nil {
			panic(pkg + ": embedded schemas: " + err.Error())
		}
		out := slices.Clone(list)
		for i := range out {
			out[i].JSON = slices.Clone(out[i].JSON)
		}
		return out
	}
}

//go:embed schemas/*.json
var schemaFS embed.FS

var schemas = EmbeddedSchemas("trust", schemaFS, "schemas")

// Schemas lists the JSON Schemas the trust package publishes: one per event
// payload, the event envelope, the relationship and the protocol profile.
func Schemas() []Schema { return schemas() }

// FindSchema returns the schema with the given $id from a list.
func FindSchema(list []Schema, id string) (Schema, bool) {
	for _, s := range list {
		if s.ID == id || strings.TrimSuffix(s.ID, ".json") == strings.TrimSuffix(id, ".json") {
			return s, true
		}
	}
	return Schema{}, false
}
