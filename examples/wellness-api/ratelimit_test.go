package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

func TestBucketRefillsWithTheClock(t *testing.T) {
	clock := trust.NewManualClock(t0)
	b := newBucket(clock, time.Minute, 2)
	for i := range 2 {
		ok, _ := b.take()
		require.True(t, ok, "take %d is within the burst", i)
	}
	ok, wait := b.take()
	assert.False(t, ok)
	assert.Equal(t, time.Minute, wait)
	clock.Advance(40 * time.Second)
	ok, wait = b.take()
	assert.False(t, ok)
	assert.Equal(t, 20*time.Second, wait)
	clock.Advance(20 * time.Second)
	ok, _ = b.take()
	assert.True(t, ok, "a token a minute")
	clock.Advance(time.Hour)
	for range 2 {
		ok, _ = b.take()
		assert.True(t, ok)
	}
	ok, _ = b.take()
	assert.False(t, ok, "it never holds more than the burst")
	clock.Set(t0) // a clock stepping back adds nothing
	ok, _ = b.take()
	assert.False(t, ok)
}

// POST /journeys answers 429 with Retry-After once the burst is spent, and
// starts nothing; it lets one more journey through as the clock moves on.
func TestStartingJourneysIsRateLimited(t *testing.T) {
	clock := trust.NewManualClock(t0)
	dir := t.TempDir()
	tok, err := openTokens(filepath.Join(dir, "tokens.json"), nil)
	require.NoError(t, err)
	eng, err := exercise.NewEngine(exercise.Options{Store: store.NewMemory(), Clock: clock})
	require.NoError(t, err)
	srv, err := newServer(config{Engine: eng, Tokens: tok, Clock: clock, JourneyBurst: 2, JourneyEvery: 30 * time.Second})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.handler())
	defer hs.Close()

	startCouple(t, hs.URL)
	startCouple(t, hs.URL)
	tokensBefore, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	body := `{"relationship": {"partners": [{"display_name": "Alex"}, {"display_name": "Sam"}], "time_zone": "Europe/London"}}`
	r := call(t, hs.URL, "POST", "/journeys", "", body)
	require.Equal(t, http.StatusTooManyRequests, r.Status, "%s", r.Body)
	assert.Equal(t, "30", r.Header.Get("Retry-After"))
	assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	assert.Equal(t, problemBase+"too-many-requests", r.JSON(t)["type"])
	tokensAfter, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	assert.Equal(t, tokensBefore, tokensAfter, "a refused start writes no tokens")

	clock.Advance(10 * time.Second)
	r = call(t, hs.URL, "POST", "/journeys", "", strings.NewReader(body))
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.Equal(t, "20", r.Header.Get("Retry-After"))
	clock.Advance(20 * time.Second)
	startCouple(t, hs.URL)
	// Bad bodies count too: the limit is checked before anything is read.
	r = call(t, hs.URL, "POST", "/journeys", "", "{")
	assert.Equal(t, http.StatusTooManyRequests, r.Status)
}
