package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// TestErrors checks each refusal's status, its problem document and that
// nothing was written.
func TestErrors(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	other := startCouple(t, s.srv.URL)
	r := s.call("POST", c.path("/events"), c.TokS, breachBody(c))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	breach := dataOf(events(t, r)[0])
	ev := func(typ string, data map[string]any) map[string]any { return map[string]any{"type": typ, "data": data} }
	dup := breachBody(c)
	dup["data"].(map[string]any)["id"] = breach["id"]
	badTime := breachBody(c)
	badTime["data"].(map[string]any)["came_to_light"] = map[string]any{"start": "2025-01-01T00:00:00Z"}
	mend, ok := trust.LookupProfile("mend")
	require.True(t, ok)

	tests := []struct {
		name    string
		reason  string
		method  string
		path    string
		token   string
		body    any
		headers []string
		status  int
		field   string // the first "errors" field, when a 400 names one
	}{
		{name: "no token", reason: "every journey route needs a bearer token",
			method: "GET", path: c.path("/view"), status: http.StatusUnauthorized},
		{name: "unknown token", reason: "a token the service never issued",
			method: "GET", path: c.path("/view"), token: tokenPrefix + "not-a-real-token", status: http.StatusUnauthorized},
		{name: "basic auth", reason: "only the Bearer scheme is accepted",
			method: "GET", path: c.path("/view"), headers: []string{"Authorization", "Basic YWxleDpzYW0="}, status: http.StatusUnauthorized},
		{name: "another couple's journey", reason: "a token opens its own journey only, and does not reveal that another exists",
			method: "GET", path: other.path("/timeline"), token: c.TokA, status: http.StatusNotFound},
		{name: "no such journey", reason: "an unknown journey looks exactly like another couple's",
			method: "GET", path: "/journeys/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81/timeline", token: c.TokA, status: http.StatusNotFound},
		{name: "journey id not a uuid", reason: "a malformed ID is not found either",
			method: "GET", path: "/journeys/nope/view", token: c.TokA, status: http.StatusNotFound},
		{name: "writing as the other partner", reason: "the library refuses a payload whose partner is not the writer, naming the field",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("trust.commitment_stated", map[string]any{"partner": c.Sam, "answer": "no"}),
			status: http.StatusBadRequest, field: "data.partner"},
		{name: "a phase change from a partner", reason: "only the engine writes phase changes: the type's writers are data the library enforces",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("trust.phase_changed", map[string]any{"from": mend.Phases[0].Key,
				"to": mend.Phases[1].Key, "direction": "advanced", "reason": "we feel ready"}),
			status: http.StatusForbidden},
		{name: "check-in for the other partner", reason: "a partner records only their own check-in",
			method: "POST", path: c.path("/checkins"), token: c.TokA, body: map[string]any{"checkin": map[string]any{"partner": c.Sam, "trust": 9}},
			status: http.StatusForbidden},
		{name: "acknowledging a breach one did not cause", reason: "only the partner who caused a breach acknowledges it",
			method: "POST", path: c.path("/events"), token: c.TokS, body: ev("trust.acknowledgement_given", map[string]any{"breach": breach["id"],
				"harm": "h", "responsibility": "r", "no_blame_shift": true, "feelings": "f", "remorse": "sorry", "will_change": "w", "observable": "o"}),
			status: http.StatusForbidden},
		{name: "missing field", reason: "the payload schema requires severity",
			method: "POST", path: c.path("/events"), token: c.TokS, body: ev("trust.breach_recorded", map[string]any{"kind": "deception"}),
			status: http.StatusBadRequest, field: "data"},
		{name: "bad enum", reason: "the payload schema lists the answers",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("trust.commitment_stated", map[string]any{"answer": "maybe"}),
			status: http.StatusBadRequest, field: "data.answer"},
		{name: "bad format", reason: "formats are asserted: a UUID must be one",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("trust.breach_ended", map[string]any{"breach": "not-a-uuid"}),
			status: http.StatusBadRequest, field: "data.breach"},
		{name: "library validation", reason: "the schema cannot say a breach came to light before it happened; the library does",
			method: "POST", path: c.path("/events"), token: c.TokS, body: badTime, status: http.StatusBadRequest, field: "data.came_to_light"},
		{name: "unknown event type", reason: "only registered types are accepted",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("app.hug_given", map[string]any{}), status: http.StatusBadRequest, field: "type"},
		{name: "actor in the body", reason: "the request envelope has no actor: the token's partner is the actor",
			method: "POST", path: c.path("/events"), token: c.TokA, body: map[string]any{"type": "trust.commitment_stated", "data": map[string]any{"answer": "yes"}, "actor": "partner:" + c.Sam},
			status: http.StatusBadRequest, field: ""},
		{name: "malformed JSON", reason: "the body must parse",
			method: "POST", path: c.path("/events"), token: c.TokA, body: `{"type": `, status: http.StatusBadRequest},
		{name: "not an object", reason: "bodies are JSON objects",
			method: "POST", path: c.path("/events"), token: c.TokA, body: `[1, 2]`, status: http.StatusBadRequest},
		{name: "assignment named in the body", reason: "the assignment comes from the path",
			method: "POST", path: c.path("/assignments/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81/skip"), token: c.TokA,
			body: map[string]any{"reason": "no_time", "assignment": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81"}, status: http.StatusBadRequest, field: "assignment"},
		{name: "bad idempotency key", reason: "keys are printable ASCII",
			method: "POST", path: c.path("/events"), token: c.TokA, body: ev("trust.commitment_stated", map[string]any{"answer": "yes"}),
			headers: []string{"Idempotency-Key", strings.Repeat("k", 200)}, status: http.StatusBadRequest, field: "Idempotency-Key"},
		{name: "too large", reason: "bodies over 64 KiB are refused before they are read",
			method: "POST", path: c.path("/events"), token: c.TokA,
			body: ev("trust.commitment_stated", map[string]any{"answer": "yes", "pad": strings.Repeat("x", 70<<10)}), status: http.StatusRequestEntityTooLarge},
		{name: "wrong media type", reason: "bodies are JSON",
			method: "POST", path: c.path("/events"), token: c.TokA, body: `{}`, headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType},
		{name: "duplicate breach", reason: "a breach is recorded once",
			method: "POST", path: c.path("/events"), token: c.TokS, body: dup, status: http.StatusConflict},
		{name: "unknown assignment", reason: "the library does not know it",
			method: "POST", path: c.path("/assignments/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81/start"), token: c.TokA, status: http.StatusNotFound},
		{name: "unknown agreement", reason: "nothing awaits a signature",
			method: "POST", path: c.path("/agreements/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81/sign"), token: c.TokA,
			body: map[string]any{"consent_to_transparency": false}, status: http.StatusNotFound},
		{name: "sign without saying", reason: "consent is explicit: the field is required",
			method: "POST", path: c.path("/agreements/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a81/sign"), token: c.TokA,
			body: map[string]any{}, status: http.StatusBadRequest, field: ""},
		{name: "unknown profile", reason: "profiles are the built-in ones",
			method: "POST", path: "/journeys", body: map[string]any{"profile": "nope", "relationship": map[string]any{
				"partners": []any{map[string]any{"display_name": "A"}, map[string]any{"display_name": "B"}}, "time_zone": "Europe/Paris"}},
			status: http.StatusBadRequest, field: "profile"},
		{name: "client-chosen relationship id", reason: "the server assigns it, so creating a journey never reveals another",
			method: "POST", path: "/journeys", body: map[string]any{"relationship": map[string]any{"id": other.ID,
				"partners": []any{map[string]any{"display_name": "A"}, map[string]any{"display_name": "B"}}, "time_zone": "Europe/Paris"}},
			status: http.StatusBadRequest, field: "relationship"},
		{name: "bad time zone", reason: "the library loads the zone",
			method: "POST", path: "/journeys", body: map[string]any{"relationship": map[string]any{
				"partners": []any{map[string]any{"display_name": "A"}, map[string]any{"display_name": "B"}}, "time_zone": "Mars/Olympus"}},
			status: http.StatusBadRequest, field: "relationship.time_zone"},
	}
	count := func() int {
		evs, err := s.st.Load(t.Context(), mustRel(t, c.ID), 1)
		require.NoError(t, err)
		return len(evs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			r := s.call(tt.method, tt.path, tt.token, tt.body, tt.headers...)
			require.Equal(t, tt.status, r.Status, "%s: %s", tt.reason, r.Body)
			assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
			var p problem
			require.NoError(t, json.Unmarshal(r.Body, &p), "%s", r.Body)
			assert.Equal(t, tt.status, p.Status)
			assert.NotEmpty(t, p.Type)
			assert.NotEmpty(t, p.Title)
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, `Bearer realm="mend"`, r.Header.Get("WWW-Authenticate"))
			}
			if tt.status == http.StatusBadRequest && tt.field != "-" {
				require.NotEmpty(t, p.Errors, "a 400 names the invalid field")
				if tt.field != "" {
					assert.Equal(t, tt.field, p.Errors[0].Field, "%+v", p.Errors)
				}
			}
			assert.Equal(t, before, count(), "a refused request writes nothing")
		})
	}
}
