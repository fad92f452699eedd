package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBodyIsOneJSONValue: a body is one JSON value, with nothing but white
// space after it, in UTF-8; anything else is a 400 naming the body (the
// empty field) and writes nothing.
func TestBodyIsOneJSONValue(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	rel := mustRel(t, c.ID)
	const commit = `{"type":"trust.commitment_stated","data":{"answer":"yes"}}`
	for _, tc := range []struct {
		name, body, detail string
	}{
		{"closing brace", commit + `}`, "after the JSON value"},
		{"closing bracket", commit + `]`, "after the JSON value"},
		{"comma", commit + `,`, "after the JSON value"},
		{"a second object", commit + commit, "after the JSON value"},
		{"a second value", commit + ` 1`, "after the JSON value"},
		{"garbage", commit + ` garbage`, "after the JSON value"},
		{"NUL", commit + "\x00", "after the JSON value"},
		{"not UTF-8", `{"type":"trust.commitment_stated","data":{"answer":"yes"},"x":"` + "\xff" + `"}`, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := s.st.Last(t.Context(), rel)
			require.NoError(t, err)
			r := s.call("POST", c.path("/events"), c.TokA, tc.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
			var p problem
			require.NoError(t, json.Unmarshal(r.Body, &p), "%s", r.Body)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, "", p.Errors[0].Field, "the whole body is at fault")
			assert.Contains(t, p.Errors[0].Detail, tc.detail)
			after, err := s.st.Last(t.Context(), rel)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused body writes nothing")
		})
	}
	r := s.call("POST", c.path("/events"), c.TokA, commit+" \r\n\t")
	assert.Equal(t, http.StatusCreated, r.Status, "trailing white space is fine: %s", r.Body)
}

// TestDirtyTextIsRefused: the schemas let any string through; the library's
// text rule refuses control and bidirectional control characters, naming
// the field, and nothing is written.
func TestDirtyTextIsRefused(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	rel := mustRel(t, c.ID)
	withLabel := func(label string) map[string]any {
		b := breachBody(c)
		b["data"].(map[string]any)["kind"] = "other"
		b["data"].(map[string]any)["label"] = label
		return b
	}
	needs := func(feeling string) map[string]any {
		return map[string]any{"type": "trust.needs_requested", "data": map[string]any{
			"category": "reassurance", "feeling": feeling, "situation": "late nights", "need": "a text when you are late"}}
	}
	for _, tc := range []struct {
		name, path, token string
		body              any
		field             string
	}{
		{"NUL in a breach label", "/events", c.TokS, withLabel("a\x00b"), "data.label"},
		{"bell in a breach label", "/events", c.TokS, withLabel("ring\a"), "data.label"},
		{"right-to-left override in a breach label", "/events", c.TokS, withLabel("txt.\u202eexe"), "data.label"},
		{"escape in a need", "/events", c.TokA, needs("\x1b[2J"), "data.feeling"},
		{"isolate in a need", "/events", c.TokA, needs("\u2066fine\u2069"), "data.feeling"},
		{"next line in a need", "/events", c.TokA, needs("a\u0085b"), "data.feeling"},
		{"DEL in a check-in feeling", "/checkins", c.TokA, map[string]any{"checkin": map[string]any{"trust": 5, "feelings": []string{"ok\x7f"}}}, "checkin.feelings.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := s.st.Last(t.Context(), rel)
			require.NoError(t, err)
			r := s.call("POST", c.path(tc.path), tc.token, tc.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			var p problem
			require.NoError(t, json.Unmarshal(r.Body, &p), "%s", r.Body)
			require.NotEmpty(t, p.Errors, "%s", r.Body)
			assert.Equal(t, tc.field, p.Errors[0].Field, "%s", r.Body)
			after, err := s.st.Last(t.Context(), rel)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused request writes nothing")
		})
	}
	r := s.call("POST", c.path("/events"), c.TokA, needs("uneasy\tand 日本 🙂\nmañana"))
	assert.Equal(t, http.StatusCreated, r.Status, "newline, tab and any language are fine: %s", r.Body)

	t.Run("display name", func(t *testing.T) {
		r := s.call("POST", "/journeys", "", map[string]any{"relationship": map[string]any{
			"partners":  []any{map[string]any{"display_name": "Al\u202eex"}, map[string]any{"display_name": "Sam"}},
			"time_zone": "Europe/London"}})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		var p problem
		require.NoError(t, json.Unmarshal(r.Body, &p))
		require.NotEmpty(t, p.Errors)
		assert.Equal(t, "relationship.partners.0.display_name", p.Errors[0].Field)
	})
}

// FuzzDecodeJSON: decodeJSON accepts exactly what json.Valid accepts (one
// JSON value, white space around it) in UTF-8.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{}}`, `{} x`, `[1]`, `{"a":"\u0000"}`, "{\"a\":\"\xff\"}", ` {} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeJSON(b)
		want := json.Valid(b) && utf8.Valid(b)
		if (err == nil) != want {
			t.Fatalf("%q: decodeJSON error %v, json.Valid %v", b, err, json.Valid(b))
		}
	})
}
