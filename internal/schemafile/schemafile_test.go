package schemafile_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/schemafile"
)

// Files are listed by name and version, other files are ignored, every call
// hands out its own copy, and an unreadable directory is a build defect that
// panics naming the package.
func TestEmbedded(t *testing.T) {
	fsys := fstest.MapFS{
		"schemas/thing-1.1.json": {Data: []byte(`{"b":1}`)},
		"schemas/thing-1.0.json": {Data: []byte(`{"a":1}`)},
		"schemas/README.md":      {Data: []byte("not a schema")},
	}
	list := schemafile.Embedded("demo", fsys, "schemas")
	a := list()
	require.Len(t, a, 2)
	assert.Equal(t, schemafile.ID("demo", "thing", "1.0"), a[0].ID)
	assert.Equal(t, 1, a[1].Minor)
	a[0].JSON[0] = 'x'
	assert.Equal(t, byte('{'), list()[0].JSON[0], "a caller's change never reaches the next caller")

	broken := schemafile.Embedded("nowhere", fstest.MapFS{}, "schemas")
	assert.PanicsWithValue(t, "nowhere: embedded schemas: open schemas: file does not exist", func() { broken() })
}
