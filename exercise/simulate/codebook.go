package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// CodebookEntry documents one column of a CSV file or one field of the
// exported events.
type CodebookEntry struct {
	// File is the file (or file pattern) the column or field is in.
	File string `json:"file"`
	// Field is the column name, or the field's JSON path ("data.trust",
	// "data.terms[].kind").
	Field string `json:"field"`
	// Type is the JSON Schema type: string, integer, number, boolean, array or object.
	Type string `json:"type"`
	// Unit is the unit of a number, or the scale of a rating.
	Unit string `json:"unit,omitempty"`
	// Required is true when every row or event has a value.
	Required bool `json:"required"`
	// Values lists the allowed values, pattern or range.
	Values string `json:"values,omitempty"`
	// Description says what it means.
	Description string `json:"description"`
	// Schema is the $id of the schema it comes from.
	Schema string `json:"schema"`
}

// Codebook documents every column of couples.csv and panel.csv and every
// field of the exported events. It is generated from the published schemas
// (types, constraints and descriptions, which come from the Go comments)
// and the `unit` tags of the row types, in column order.
func Codebook() []CodebookEntry {
	var out []CodebookEntry
	for _, f := range []struct {
		file, schema string
		t            reflect.Type
	}{
		{"couples.csv", CoupleSummarySchema, reflect.TypeFor[CoupleSummary]()},
		{"panel.csv", PanelRowSchema, reflect.TypeFor[PanelRow]()},
		{"events/part-*.jsonl", ExportEventSchema, reflect.TypeFor[ExportEvent]()},
	} {
		var doc map[string]any
		if err := json.Unmarshal(schemaJSON(f.schema), &doc); err != nil {
			panic("simulate: schema " + f.schema + ": " + err.Error())
		}
		out = append(out, walk(f.file, f.schema, "", f.t, doc, doc)...)
	}
	return out
}

// columns returns the CSV columns of a row type: its fields' JSON names, in order.
func columns(row any) []string {
	t := reflect.TypeOf(row)
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

func walk(file, schema, prefix string, t reflect.Type, node, root map[string]any) []CodebookEntry {
	node = resolve(node, root)
	props, _ := node["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			required[r.(string)] = true
		}
	}
	var out []CodebookEntry
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p, _ := props[name].(map[string]any)
		if p == nil {
			panic(fmt.Sprintf("simulate: schema %s has no property %s%s", schema, prefix, name))
		}
		p = resolve(p, root)
		e := CodebookEntry{File: file, Field: prefix + name, Unit: f.Tag.Get("unit"), Required: required[name],
			Description: oneLine(str(p["description"])), Schema: schema, Type: str(p["type"]), Values: values(p)}
		if e.Type == "" {
			e.Type = "string"
		}
		out = append(out, e)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct && e.Type == "object":
			out = append(out, walk(file, schema, prefix+name+".", ft, p, root)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			items, _ := p["items"].(map[string]any)
			out = append(out, walk(file, schema, prefix+name+"[].", ft.Elem(), items, root)...)
		}
	}
	return out
}

func resolve(node, root map[string]any) map[string]any {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node
	}
	defs, _ := root["$defs"].(map[string]any)
	def, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	return def
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// values describes a property's allowed values from its schema.
func values(p map[string]any) string {
	var parts []string
	collect := func(n map[string]any) {
		if enum, ok := n["enum"].([]any); ok {
			var vs []string
			for _, v := range enum {
				vs = append(vs, fmt.Sprint(v))
			}
			parts = append(parts, "one of "+strings.Join(vs, ", "))
		}
		if pat, ok := n["pattern"].(string); ok {
			parts = append(parts, "matches "+pat)
		}
	}
	collect(p)
	if alts, ok := p["anyOf"].([]any); ok {
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok {
				collect(m)
			}
		}
	}
	if items, ok := p["items"].(map[string]any); ok {
		collect(items)
	}
	lo, hasLo := p["minimum"]
	hi, hasHi := p["maximum"]
	switch {
	case hasLo && hasHi:
		parts = append(parts, fmt.Sprintf("%v to %v", lo, hi))
	case hasLo:
		parts = append(parts, fmt.Sprintf("at least %v", lo))
	case hasHi:
		parts = append(parts, fmt.Sprintf("at most %v", hi))
	}
	return strings.Join(parts, "; ")
}

// CodebookMarkdown renders the codebook as a Markdown document: one table per file.
func CodebookMarkdown(entries []CodebookEntry) []byte {
	var b bytes.Buffer
	b.WriteString("# Codebook\n\nGenerated from the published JSON Schemas of github.com/mendkit/mend/exercise/simulate.\n")
	b.WriteString("An empty CSV cell is a missing value (NA). Days and weeks count from the journey's start (day 0).\n")
	files := []string{}
	by := map[string][]CodebookEntry{}
	for _, e := range entries {
		if _, ok := by[e.File]; !ok {
			files = append(files, e.File)
		}
		by[e.File] = append(by[e.File], e)
	}
	for _, f := range files {
		fmt.Fprintf(&b, "\n## %s\n\nSchema: %s\n\n| field | type | unit | required | values | meaning |\n|---|---|---|---|---|---|\n", f, by[f][0].Schema)
		for _, e := range by[f] {
			req := "no"
			if e.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", e.Field, e.Type, e.Unit, req,
				strings.ReplaceAll(e.Values, "|", `\|`), strings.ReplaceAll(e.Description, "|", `\|`))
		}
	}
	return b.Bytes()
}
