package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/jsonvalue"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// apiPackage is the package name the service's own request schemas are
// published under, next to mend's.
const apiPackage = "wellness-api"

//go:embed schemas/*.json
var apiSchemaFS embed.FS

// IDs of the service's own request schemas.
var (
	startJourneySchema     = schemafile.ID(apiPackage, "start-journey", "1.0")
	eventRequestSchema     = schemafile.ID(apiPackage, "event-request", "1.0")
	checkInRequestSchema   = schemafile.ID(apiPackage, "checkin-request", "1.0")
	signRequestSchema      = schemafile.ID(apiPackage, "sign-request", "1.0")
	assignmentActionSchema = schemafile.ID(apiPackage, "assignment-action", "1.0")
	relationshipSchema     = schemafile.ID("trust", "relationship", "1.0")
	checkInSchema          = schemafile.ID("progress", "checkin", "1.0")
	checkInNoteSchema      = schemafile.ID("progress", "checkin-note", "1.0")
	reminderSchema         = schemafile.ID("exercise", "reminder", "1.0")
)

// fieldError names one invalid field of a request body by its dotted JSON
// path, in the problem document's "errors" extension.
type fieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// schemas holds every published schema (mend's packages and the service's
// own request schemas) and validates documents against them with format
// assertions on.
type schemas struct {
	list   []trust.Schema
	byPath map[string]trust.Schema // "<package>/<file>"
	c      *jsonschema.Compiler

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// publishedSchemas lists the schemas the service serves and validates with.
func publishedSchemas() ([]trust.Schema, error) {
	files, err := schemafile.Load(apiPackage, apiSchemaFS, "schemas")
	if err != nil {
		return nil, err
	}
	own := check.Schemas(files)
	var all []trust.Schema
	for _, l := range [][]trust.Schema{trust.Schemas(), agreement.Schemas(), progress.Schemas(), exercise.Schemas(), own} {
		all = append(all, l...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

func newSchemas() (*schemas, error) {
	list, err := publishedSchemas()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	s := &schemas{list: list, byPath: map[string]trust.Schema{}, c: c, compiled: map[string]*jsonschema.Schema{}}
	for _, sc := range list {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sc.JSON))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", sc.ID, err)
		}
		if err := c.AddResource(sc.ID, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", sc.ID, err)
		}
		s.byPath[strings.TrimPrefix(sc.ID, trust.SchemaBase)] = sc
	}
	return s, nil
}

// validate checks doc (as decoded by decodeJSON) against the schema with
// the given $id. Field paths are prefixed with at. A nil result means valid.
func (s *schemas) validate(id string, doc any, at string) ([]fieldError, error) {
	s.mu.Lock()
	sch, ok := s.compiled[id]
	if !ok {
		var err error
		if sch, err = s.c.Compile(id); err != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("compile %s: %w", id, err)
		}
		s.compiled[id] = sch
	}
	s.mu.Unlock()
	err := sch.Validate(doc)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []fieldError
	seen := map[fieldError]bool{}
	var walk func(u jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		if len(u.Errors) == 0 && u.Error != nil {
			fe := fieldError{Field: joinPath(at, pointerPath(u.InstanceLocation)), Detail: u.Error.String()}
			if !seen[fe] {
				seen[fe] = true
				out = append(out, fe)
			}
		}
		for _, c := range u.Errors {
			walk(c)
		}
	}
	walk(*ve.DetailedOutput())
	if len(out) == 0 {
		out = []fieldError{{Field: at, Detail: ve.Error()}}
	}
	return out, nil
}

// pointerPath turns a JSON pointer ("/data/kinds/0") into a dotted path ("data.kinds.0").
func pointerPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return strings.Join(parts, ".")
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// decodeJSON decodes one JSON value the way the validator wants it (numbers
// as json.Number). It refuses a body that is not UTF-8, as JSON must be
// (encoding/json would quietly turn each bad byte into U+FFFD), and anything
// but white space after the value.
func decodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return nil, fmt.Errorf("the body is not valid UTF-8 (byte 0x%02x at byte %d)", b[i], i)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if jsonvalue.Trailing(dec, b) {
		return nil, fmt.Errorf("unexpected data after the JSON value at byte %d", dec.InputOffset())
	}
	return v, nil
}

// decodeStrict decodes a validated JSON value into dst, refusing unknown fields.
func decodeStrict(v any, dst any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}
