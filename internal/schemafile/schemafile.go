// Package schemafile names and reads the JSON Schema files every mend
// package publishes: "<name>-<major>.<minor>.json" under Base + "<package>/".
package schemafile

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"sync"
)

// Base is the URL prefix of every JSON Schema mend publishes.
const Base = "https://mendkit.github.io/mend/schemas/"

// ID returns the $id of a published schema: Base + "<pkg>/<name>-<version>.json".
func ID(pkg, name, version string) string {
	return Base + pkg + "/" + name + "-" + version + ".json"
}

// File is one schema file read from a package's schemas directory.
type File struct {
	ID           string
	Package      string
	Name         string
	Major, Minor int
	JSON         []byte
}

var fileRE = regexp.MustCompile(`^([a-z][a-z0-9-]*)-([0-9]+)\.([0-9]+)\.json$`)

// Load reads the schemas of package pkg from the *.json files of dir in
// fsys, sorted by name and version.
func Load(pkg string, fsys fs.FS, dir string) ([]File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range entries {
		m := fileRE.FindStringSubmatch(e.Name())
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
		out = append(out, File{ID: Base + pkg + "/" + e.Name(), Package: pkg, Name: m[1], Major: major, Minor: minor, JSON: b})
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

// Embedded returns a function that lists the schemas of pkg embedded in
// fsys under dir, read once, and hands every caller its own copy. The files
// are part of the build, so failing to read them is a build defect: the
// function panics then, naming pkg.
func Embedded(pkg string, fsys fs.FS, dir string) func() []File {
	load := sync.OnceValues(func() ([]File, error) { return Load(pkg, fsys, dir) })
	return func() []File {
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
