package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartCannotConsentForTheOther: research consent is each partner's
// own, so the journey's start, sent by one of them, cannot carry it.
func TestStartCannotConsentForTheOther(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	a, b := "0b5f7c1e-3a52-4d0c-9a11-5d2f6c7e8a01", "7d3e9a20-1c44-4b8e-b6a2-0f9d8c7b6a02"
	r := s.call("POST", "/journeys", "", map[string]any{
		"relationship": map[string]any{
			"partners":         []any{map[string]any{"id": a, "display_name": "Alex"}, map[string]any{"id": b, "display_name": "Sam"}},
			"time_zone":        "Europe/London",
			"research_consent": []string{a, b},
		},
	})
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &p))
	require.NotEmpty(t, p.Errors)
	assert.Equal(t, "relationship.research_consent", p.Errors[0].Field)
	assert.Contains(t, string(r.Body), "their own trust.research_consent_changed event")
}
