package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tell(t *testing.T) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	out = &buf
	t.Cleanup(func() { out = os.Stdout })
	chart := filepath.Join(t.TempDir(), "chart.svg")
	require.NoError(t, run(context.Background(), chart))
	svg, err := os.ReadFile(chart)
	require.NoError(t, err)
	return strings.ReplaceAll(buf.String(), chart, "CHART"), svg
}

func TestQuickstartIsDeterministicAndComplete(t *testing.T) {
	story, svg := tell(t)
	again, svg2 := tell(t)
	assert.Equal(t, story, again, "the same run tells the same story")
	assert.Equal(t, svg, svg2, "and draws the same chart")
	for _, want := range []string{
		"The card is closed; the second acknowledgement lands",
		"They sign \"How we rebuild\"",
		"A setback",
		"End of week 12",
		"Setbacks",
		"Trust came back within",
		"Recommendation (information, not a diagnosis)",
		"The chart of both partners' trust is at CHART",
	} {
		assert.Contains(t, story, want)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the chart is well-formed XML")
	}
	assert.Contains(t, string(svg), "<svg", "the chart is an SVG document")
	assert.Contains(t, string(svg), "Alex", "with both partners in its legend")
	assert.Contains(t, string(svg), "Sam")
}
