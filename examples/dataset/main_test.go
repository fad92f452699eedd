package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in     string
		i, n   int
		ok     bool
		reason string
	}{
		{"0/1", 0, 1, true, "the default: everything"},
		{"2/3", 2, 3, true, "the last of three"},
		{"3/3", 0, 0, false, "i must be below n"},
		{"1", 0, 0, false, "needs a slash"},
		{"a/b", 0, 0, false, "needs numbers"},
	}
	for _, tt := range tests {
		i, n, err := parseShard(tt.in)
		if !tt.ok {
			assert.Error(t, err, tt.reason)
			continue
		}
		require.NoError(t, err, tt.reason)
		assert.Equal(t, [2]int{tt.i, tt.n}, [2]int{i, n}, tt.reason)
	}
}

func TestShardsThenFinalizeMatchOneRun(t *testing.T) {
	params := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(params, []byte(`{"couples": 5, "weeks": 2, "couples_per_part": 2}`), 0o644))
	one, many := t.TempDir(), t.TempDir()
	var out, errs bytes.Buffer
	require.NoError(t, run([]string{"-out", one, "-params", params, "-seed", "4", "-workers", "1"}, &out, &errs))
	assert.Contains(t, errs.String(), "events/s", "a progress line on stderr")
	for _, s := range []string{"1/2", "0/2"} {
		require.NoError(t, run([]string{"-out", many, "-params", params, "-seed", "4", "-shard", s, "-quiet"}, &out, &errs))
	}
	require.NoError(t, run([]string{"-out", many, "-params", params, "-seed", "4", "-finalize"}, &out, &errs))
	a, err := os.ReadFile(filepath.Join(one, "manifest.json"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(many, "manifest.json"))
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b), "two shards and a finalize make the same dataset as one run")
}

func TestPrintDefaults(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"-print-defaults"}, &out, &out))
	assert.True(t, strings.HasPrefix(out.String(), "{"), "JSON on stdout")
	assert.Contains(t, out.String(), `"couples": 1000`)
}

func TestBarProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newBarProgress(&buf)
	p.Start(4)
	p.Add(2, 1000)
	p.Add(2, 500)
	p.Finish()
	assert.Contains(t, buf.String(), "4/4")
	assert.Contains(t, buf.String(), "1500 events")
}
