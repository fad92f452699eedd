package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientTimesAreBounded checks that the times a client sends are held to
// the engine's clock: a refusal is a 400 naming the field, and writes nothing.
func TestClientTimesAreBounded(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	commitment := func(at string) map[string]any {
		return map[string]any{"type": "trust.commitment_stated", "data": map[string]any{"answer": "yes"}, "time": at}
	}
	journey := func(started string) map[string]any {
		return map[string]any{"relationship": map[string]any{"started": started,
			"partners": []any{map[string]any{"display_name": "A"}, map[string]any{"display_name": "B"}}, "time_zone": "Europe/Paris"}}
	}
	tests := []struct {
		name, path string
		body       map[string]any
		status     int
		field      string
	}{
		{name: "an event dated in the future", path: c.path("/events"), body: commitment(t0.Add(time.Hour).Format(time.RFC3339)),
			status: http.StatusBadRequest, field: "time"},
		{name: "an event dated in year 9999", path: c.path("/events"), body: commitment("9999-12-31T00:00:00Z"),
			status: http.StatusBadRequest, field: "time"},
		{name: "an event dated before the journey began", path: c.path("/events"), body: commitment(t0.Add(-time.Hour).Format(time.RFC3339)),
			status: http.StatusBadRequest, field: "time"},
		{name: "an event dated within the clock skew", path: c.path("/events"), body: commitment(t0.Add(time.Minute).Format(time.RFC3339)),
			status: http.StatusCreated},
		{name: "a journey starting in year 9999", path: "/journeys", body: journey("9999-12-31T00:00:00Z"),
			status: http.StatusBadRequest, field: "relationship.started"},
		{name: "a journey started a month back", path: "/journeys", body: journey(t0.AddDate(0, -1, 0).Format(time.RFC3339)),
			status: http.StatusBadRequest, field: "relationship.started"},
	}
	count := func() int {
		evs, err := s.st.Load(t.Context(), mustRel(t, c.ID), 1)
		require.NoError(t, err)
		return len(evs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := ""
			if tt.path != "/journeys" {
				token = c.TokA
			}
			before := count()
			r := s.call("POST", tt.path, token, tt.body)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != http.StatusBadRequest {
				return
			}
			var p problem
			require.NoError(t, json.Unmarshal(r.Body, &p), "%s", r.Body)
			require.NotEmpty(t, p.Errors, "a 400 names the invalid field")
			assert.Equal(t, tt.field, p.Errors[0].Field, "%+v", p.Errors)
			assert.Equal(t, before, count(), "a refused request writes nothing")
		})
	}
}
