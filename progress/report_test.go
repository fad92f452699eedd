package progress_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

var crisis = progress.CrisisDirectory{
	"en-GB": {{Name: "Example crisis line (test data)", Phone: "0800 000 0000", Hours: "24/7"}},
	"":      {{Name: "Example international directory (test data)", URL: "https://example.org/help"}},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *schemagen.Update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file %s is missing: run go test ./progress -update", path)
	if string(want) != string(got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("golden file %s differs at line %d (run go test ./progress -update if intended):\nwant %q\ngot  %q", path, i+1, w, g)
				return
			}
		}
	}
}

func checkSVG(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
			assert.Equal(t, "http://www.w3.org/2000/svg", se.Name.Space)
		}
	}
	assert.Equal(t, "svg", root)
}

func TestReportsGolden(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), agreement.Schemas(), progress.Schemas())
	ts, sf, so := twoSetbacks(t), withSafetyFlag(t), solo(t)
	cases := []struct {
		name   string
		j      *journey
		viewer func(*journey) trust.Viewer
		now    time.Time
		reason string
	}{
		{name: "two-setbacks-sam", j: ts, viewer: func(j *journey) trust.Viewer { return trust.PartnerViewer(j.A) }, now: day(85), reason: "two setbacks, both recovered"},
		{name: "two-setbacks-alex", j: ts, viewer: func(j *journey) trust.Viewer { return trust.PartnerViewer(j.B) }, now: day(85), reason: "the same journey from the other side"},
		{name: "safety-flag-raiser", j: sf, viewer: func(j *journey) trust.Viewer { return trust.PartnerViewer(j.B) }, now: day(36), reason: "the raiser sees the flag and crisis support"},
		{name: "safety-flag-other", j: sf, viewer: func(j *journey) trust.Viewer { return trust.PartnerViewer(j.A) }, now: day(36), reason: "the other partner sees no trace of it"},
		{name: "solo", j: so, viewer: func(j *journey) trust.Viewer { return trust.PartnerViewer(j.A) }, now: day(57), reason: "one partner working alone, welcomed back"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, e := range tc.j.events {
				v.ValidateEvent(t, e)
			}
			opts := progress.ReportOptions{Locale: "en-GB", Crisis: crisis}
			r := analyzer(t, tc.j.events).Report(tc.viewer(tc.j), tc.now, opts)
			js, err := json.MarshalIndent(r, "", "  ")
			require.NoError(t, err)
			js = append(js, '\n')
			require.NoError(t, v.Validate(schemafile.ID("progress", "report", "1.0"), js), "the report validates against its schema")
			golden(t, tc.name+".json", js)
			golden(t, tc.name+".txt", []byte(r.Text()))
			svg := r.SVG()
			checkSVG(t, svg)
			golden(t, tc.name+".svg", svg)

			again := analyzer(t, tc.j.events).Report(tc.viewer(tc.j), tc.now, opts)
			js2, _ := json.MarshalIndent(again, "", "  ")
			assert.Equal(t, string(js[:len(js)-1]), string(js2), "same inputs, same bytes")
			assert.Equal(t, svg, again.SVG())
		})
	}
}
