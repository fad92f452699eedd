package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// A retried write with the same Idempotency-Key applies once; the key reused
// for a different request is a 409 naming the header, and writes nothing.
func TestIdempotencyKeyReusedForADifferentRequest(t *testing.T) {
	s := newService(t, t.TempDir(), trust.NewManualClock(t0))
	c := startCouple(t, s.srv.URL)
	checkIn := map[string]any{"checkin": map[string]any{"trust": 4}}
	first := s.call("POST", c.path("/checkins"), c.TokA, checkIn, "Idempotency-Key", "k-1")
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	s.clock.Advance(time.Hour)
	again := s.call("POST", c.path("/checkins"), c.TokA, checkIn, "Idempotency-Key", "k-1")
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
	assert.Equal(t, events(t, first)[0]["id"], events(t, again)[0]["id"], "the retry returns the first write")
	count := func() int {
		return len(events(t, s.call("GET", c.path("/timeline?type=progress.checkin_recorded"), c.TokA, nil)))
	}
	require.Equal(t, 1, count())

	for _, tt := range []struct {
		name, path string
		body       any
	}{
		{"another payload", "/checkins", map[string]any{"checkin": map[string]any{"trust": 5}}},
		{"a note added", "/checkins", map[string]any{"checkin": map[string]any{"trust": 4}, "note": map[string]any{"note": "just for me"}}},
		{"another route", "/events", map[string]any{"type": "trust.commitment_stated", "data": map[string]any{"answer": "yes"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.call("POST", c.path(tt.path), c.TokA, tt.body, "Idempotency-Key", "k-1")
			require.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
			assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
			p := r.JSON(t)
			assert.Equal(t, problemBase+"idempotency-key-reused", p["type"])
			assert.Contains(t, p["detail"], `"k-1"`, "the problem names the client's key")
			assert.NotContains(t, p["detail"], c.Alex, "and not the engine's scoped form of it")
			assert.Equal(t, "Idempotency-Key", p["errors"].([]any)[0].(map[string]any)["field"])
			assert.Equal(t, 1, count(), "nothing is written")
		})
	}
}
