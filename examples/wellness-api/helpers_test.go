package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// t0 is a Monday morning in London, outside the default quiet hours.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// service is a wellness-api served by httptest over a file store in a
// temporary directory, with a manual clock.
type service struct {
	t     testing.TB
	dir   string
	clock *trust.ManualClock
	st    *store.File
	h     http.Handler
	srv   *httptest.Server
}

func newService(t testing.TB, dir string, clock *trust.ManualClock) *service {
	t.Helper()
	st, err := store.OpenFile(filepath.Join(dir, "events"), store.FileOptions{NoSync: true})
	require.NoError(t, err)
	tok, err := openTokens(filepath.Join(dir, "tokens.json"), nil)
	require.NoError(t, err)
	eng, err := exercise.NewEngine(exercise.Options{Store: st, Clock: clock})
	require.NoError(t, err)
	srv, err := newServer(config{Engine: eng, Tokens: tok, Clock: clock})
	require.NoError(t, err)
	h := srv.handler()
	s := &service{t: t, dir: dir, clock: clock, st: st, h: h, srv: httptest.NewServer(h)}
	t.Cleanup(s.close)
	return s
}

func (s *service) close() {
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
		require.NoError(s.t, s.st.Close())
	}
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "%s", r.Body)
	return m
}

// call sends a request; body may be nil, a string or bytes (sent as is), or a
// value (sent as JSON). Extra headers come in name, value pairs.
func call(t testing.TB, base, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (s *service) call(method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	return call(s.t, s.srv.URL, method, path, token, body, headers...)
}

// couple is a started journey and its two partners' tokens.
type couple struct {
	ID         string
	Alex, Sam  string // partner IDs
	TokA, TokS string
}

func startCouple(t testing.TB, base string) couple {
	t.Helper()
	res := call(t, base, "POST", "/journeys", "", map[string]any{
		"relationship": map[string]any{
			"partners":  []any{map[string]any{"display_name": "Alex", "pronouns": "they/them", "locale": "en-GB"}, map[string]any{"display_name": "Sam"}},
			"time_zone": "Europe/London",
		},
		"profile": "mend",
	})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		Journey struct {
			ID string `json:"id"`
		} `json:"journey"`
		Tokens []struct {
			Partner string `json:"partner"`
			Token   string `json:"token"`
		} `json:"tokens"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &out))
	require.Len(t, out.Tokens, 2)
	return couple{ID: out.Journey.ID, Alex: out.Tokens[0].Partner, Sam: out.Tokens[1].Partner, TokA: out.Tokens[0].Token, TokS: out.Tokens[1].Token}
}

func (c couple) path(rest string) string { return "/journeys/" + c.ID + rest }

func breachBody(c couple) map[string]any {
	return map[string]any{"type": "trust.breach_recorded", "data": map[string]any{
		"kind": "emotional_infidelity", "severity": "serious",
		"happened":      map[string]any{"start": "2025-09-01T00:00:00Z", "end": "2025-12-20T00:00:00Z"},
		"came_to_light": map[string]any{"start": "2026-02-20T19:00:00Z"},
		"discovery":     "discovered", "revealed_by": c.Sam, "caused_by": c.Alex, "ongoing": false, "mutual": false,
	}}
}

func trustClock() *trust.ManualClock { return trust.NewManualClock(t0) }

func mustRel(t testing.TB, id string) trust.RelationshipID {
	t.Helper()
	rel, err := trust.ParseID[trust.Relationship](id)
	require.NoError(t, err)
	return rel
}
