// Package schemagen generates mend's JSON Schemas from Go types and checks
// them, and the sample documents beside them, in tests. It is used only by
// tests (go test ./... -update rewrites the committed files), so the library
// itself never depends on the schema generator or the validator.
package schemagen

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

// Update is the -update flag: rewrite golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite generated schemas and golden files")

// Entry names one schema to generate: the file <Name>-<Version>.json from the
// Go type of Value.
type Entry struct {
	Name    string
	Version string // "1.0"
	Value   any
	// Title overrides the schema title.
	Title string
	// Extend edits the generated schema, for what tags cannot say.
	Extend func(*jsonschema.Schema)
}

const modulePath = "github.com/mendkit/mend"

var (
	commentsOnce sync.Once
	comments     map[string]string
	commentsErr  error
)

// ModuleRoot returns the module's root directory, found from the working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found")
		dir = parent
	}
}

func goComments(t testing.TB) map[string]string {
	t.Helper()
	commentsOnce.Do(func() {
		root := ModuleRoot(t)
		comments = map[string]string{}
		for _, pkg := range []string{"trust", "agreement", "progress", "exercise"} {
			dir := filepath.Join(root, pkg)
			if _, err := os.Stat(dir); err != nil {
				continue
			}
			err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err != nil || !d.IsDir() || strings.Contains(p, "testdata") {
					return err
				}
				rel, _ := filepath.Rel(root, p)
				r := &jsonschema.Reflector{}
				if err := addComments(r, modulePath+"/"+filepath.ToSlash(rel), p); err != nil {
					return err
				}
				for k, v := range r.CommentMap {
					comments[k] = v
				}
				return nil
			})
			if err != nil {
				commentsErr = err
				return
			}
		}
	})
	require.NoError(t, commentsErr)
	return comments
}

// addComments parses only the .go files directly in dir.
func addComments(r *jsonschema.Reflector, importPath, dir string) error {
	tmp := &jsonschema.Reflector{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	has := false
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			has = true
		}
	}
	if !has {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// AddGoComments keys comments by path.Join(base, directory of the file);
	// with an empty base and an absolute directory the key is the directory,
	// which is mapped back to the import path below.
	if err := tmp.AddGoComments("", abs); err != nil {
		return err
	}
	prefix := filepath.ToSlash(abs) + "."
	mapped := map[string]string{}
	for k, v := range tmp.CommentMap {
		if strings.HasPrefix(k, prefix) {
			mapped[importPath+"."+strings.TrimPrefix(k, prefix)] = v
		}
	}
	tmp.CommentMap = mapped
	r.CommentMap = map[string]string{}
	for k, v := range tmp.CommentMap {
		if strings.HasPrefix(k, importPath+".") && !strings.Contains(strings.TrimPrefix(k, importPath+"."), "/") {
			r.CommentMap[k] = v
		}
	}
	return nil
}

var (
	actorType    = reflect.TypeFor[trust.Actor]()
	sequenceType = reflect.TypeFor[trust.Sequence]()
	payloadType  = reflect.TypeFor[trust.Payload]()
	timeType     = reflect.TypeFor[time.Time]()
)

// Reflector returns the configured generator: UUIDs (typed or not) as
// strings with format uuid, enum types (string types with a Values() []string
// method) as enums, package-qualified $defs names, Go comments as descriptions.
func Reflector(t testing.TB) *jsonschema.Reflector {
	r := &jsonschema.Reflector{
		ExpandedStruct: true,
		CommentMap:     goComments(t),
		Namer: func(t reflect.Type) string {
			if t.Name() == "" {
				return ""
			}
			pkg := filepath.Base(t.PkgPath())
			return strings.ToUpper(pkg[:1]) + pkg[1:] + t.Name()
		},
		Mapper: mapType,
	}
	return r
}

func mapType(t reflect.Type) *jsonschema.Schema {
	switch {
	case t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8:
		return &jsonschema.Schema{Type: "string", Format: "uuid"}
	case t == actorType:
		return &jsonschema.Schema{Type: "string", Pattern: `^(system|(partner|professional):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`}
	case t == sequenceType:
		return &jsonschema.Schema{Type: "string", Pattern: `^[0-9]{20}$`}
	case t == payloadType:
		return &jsonschema.Schema{Type: "object"}
	case t == timeType:
		return &jsonschema.Schema{Type: "string", Format: "date-time"}
	case t.Kind() == reflect.String:
		m, ok := t.MethodByName("Values")
		if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != reflect.TypeFor[[]string]() {
			return nil
		}
		vals := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0].Interface().([]string)
		enum := make([]any, len(vals))
		for i, v := range vals {
			enum[i] = v
		}
		s := &jsonschema.Schema{Type: "string", Enum: enum}
		if p, ok := t.MethodByName("ExtensionPattern"); ok && p.Type.NumIn() == 1 {
			pattern := p.Func.Call([]reflect.Value{reflect.Zero(t)})[0].String()
			return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{s, {Type: "string", Pattern: pattern}}}
		}
		return s
	}
	return nil
}

// Generate reflects an entry into its schema document, with the $id of
// package pkg.
func Generate(t testing.TB, pkg string, e Entry) []byte {
	t.Helper()
	r := Reflector(t)
	s := r.Reflect(e.Value)
	s.ID = jsonschema.ID(schemafile.ID(pkg, e.Name, e.Version))
	if e.Title != "" {
		s.Title = e.Title
	}
	if e.Extend != nil {
		e.Extend(s)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(b, '\n')
}

// Check regenerates every entry and compares it with the committed file in
// dir (with -update it rewrites the file instead), and fails on committed
// schema files that no entry generates.
func Check(t *testing.T, pkg, dir string, entries []Entry) {
	t.Helper()
	want := map[string]bool{}
	for _, e := range entries {
		file := e.Name + "-" + e.Version + ".json"
		want[file] = true
		got := Generate(t, pkg, e)
		path := filepath.Join(dir, file)
		if *Update {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		committed, err := os.ReadFile(path)
		require.NoError(t, err, "schema %s is missing: run go test ./%s -update", file, pkg)
		require.Equal(t, string(committed), string(got), "schema %s is stale: run go test ./%s -update", file, pkg)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		if !want[filepath.Base(f)] {
			if *Update {
				require.NoError(t, os.Remove(f))
				continue
			}
			t.Errorf("schema file %s is generated by no entry", f)
		}
	}
}

// Validator validates JSON documents against published schemas with a real
// draft 2020-12 validator, formats asserted.
type Validator struct {
	c       *sjs.Compiler
	mu      sync.Mutex
	schemas map[string]*sjs.Schema
	ids     []string
}

// NewValidator registers every schema of every list and returns a validator.
func NewValidator(t testing.TB, lists ...[]trust.Schema) *Validator {
	t.Helper()
	c := sjs.NewCompiler()
	c.DefaultDraft(sjs.Draft2020)
	c.AssertFormat()
	v := &Validator{c: c, schemas: map[string]*sjs.Schema{}}
	for _, list := range lists {
		for _, s := range list {
			doc, err := sjs.UnmarshalJSON(bytes.NewReader(s.JSON))
			require.NoError(t, err, s.ID)
			require.NoError(t, c.AddResource(s.ID, doc), s.ID)
			v.ids = append(v.ids, s.ID)
		}
	}
	return v
}

// Validate checks doc against the schema with the given $id.
func (v *Validator) Validate(id string, doc []byte) error {
	v.mu.Lock()
	sch, ok := v.schemas[id]
	if !ok {
		var err error
		sch, err = v.c.Compile(id)
		if err != nil {
			v.mu.Unlock()
			return fmt.Errorf("compile %s: %w", id, err)
		}
		v.schemas[id] = sch
	}
	v.mu.Unlock()
	inst, err := sjs.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// EventSchemaID is the $id of the event envelope schema.
var EventSchemaID = schemafile.ID("trust", "event", "1.0")

// ValidateEvent marshals an event and checks the envelope against the event
// schema and the data against the schema its dataschema names.
func (v *Validator) ValidateEvent(t testing.TB, e trust.Event) {
	t.Helper()
	b, err := json.Marshal(e)
	require.NoError(t, err)
	require.NoError(t, v.Validate(EventSchemaID, b), "envelope of %s: %s", e.Type, b)
	if e.DataSchema != "" {
		data, err := json.Marshal(e.Data)
		require.NoError(t, err)
		require.NoError(t, v.Validate(e.DataSchema, data), "data of %s: %s", e.Type, data)
	}
}

var versionRE = regexp.MustCompile(`^([0-9]+)\.([0-9]+)$`)

// CheckSamples validates the sample documents under dir, laid out as
// <dir>/<schema name>/<major>.<minor>/{pass,fail}/*.json. Each pass sample must
// validate, and each fail sample must not, against its own version and every
// later minor version of the same major that pkg publishes. Every published
// schema must have at least one pass and one fail sample.
func CheckSamples(t *testing.T, v *Validator, pkg string, published []trust.Schema, dir string) {
	t.Helper()
	covered := map[string][2]int{}
	names, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, name := range names {
		if !name.IsDir() {
			continue
		}
		versions, err := os.ReadDir(filepath.Join(dir, name.Name()))
		require.NoError(t, err)
		for _, ver := range versions {
			m := versionRE.FindStringSubmatch(ver.Name())
			require.NotNil(t, m, "sample version directory %s", ver.Name())
			var major, minor int
			fmt.Sscan(m[1], &major)
			fmt.Sscan(m[2], &minor)
			var targets []trust.Schema
			for _, s := range published {
				if s.Name == name.Name() && s.Major == major && s.Minor >= minor {
					targets = append(targets, s)
				}
			}
			require.NotEmpty(t, targets, "samples %s/%s match no published schema", name.Name(), ver.Name())
			for _, kind := range []string{"pass", "fail"} {
				files, _ := filepath.Glob(filepath.Join(dir, name.Name(), ver.Name(), kind, "*.json"))
				sort.Strings(files)
				for _, f := range files {
					doc, err := os.ReadFile(f)
					require.NoError(t, err)
					for _, s := range targets {
						err := v.Validate(s.ID, doc)
						if kind == "pass" {
							assert(t, err == nil, "%s should pass %s: %v", f, s.ID, err)
						} else {
							assert(t, err != nil, "%s should fail %s", f, s.ID)
						}
					}
					c := covered[name.Name()+"-"+ver.Name()]
					if kind == "pass" {
						c[0]++
					} else {
						c[1]++
					}
					covered[name.Name()+"-"+ver.Name()] = c
				}
			}
		}
	}
	for _, s := range published {
		key := fmt.Sprintf("%s-%d.%d", s.Name, s.Major, s.Minor)
		c := covered[key]
		assert(t, c[0] > 0 && c[1] > 0, "schema %s has %d pass and %d fail samples; it needs at least one of each", s.ID, c[0], c[1])
	}
}

// CheckIDs asserts that each schema's $id matches its file name and package.
func CheckIDs(t *testing.T, published []trust.Schema) {
	t.Helper()
	for _, s := range published {
		var doc struct {
			ID     string `json:"$id"`
			Schema string `json:"$schema"`
		}
		require.NoError(t, json.Unmarshal(s.JSON, &doc), s.ID)
		assert(t, doc.ID == s.ID, "schema file for %s declares $id %q", s.ID, doc.ID)
		assert(t, doc.Schema == "https://json-schema.org/draft/2020-12/schema", "%s is not draft 2020-12", s.ID)
	}
}

func assert(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

// CheckEventTypes asserts that every registered event type in namespace pkg
// ("trust" for "trust.*") names a schema that pkg publishes, and returns the
// registered specs of that namespace, in type order.
func CheckEventTypes(t *testing.T, pkg string, published []trust.Schema) []trust.EventSpec {
	t.Helper()
	var out []trust.EventSpec
	for _, spec := range trust.EventTypes() {
		if !strings.HasPrefix(spec.Type, pkg+".") {
			continue
		}
		out = append(out, spec)
		_, ok := trust.FindSchema(published, spec.Schema)
		assert(t, ok, "%s names schema %s, which is not published", spec.Type, spec.Schema)
	}
	return out
}
