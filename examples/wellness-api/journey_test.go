package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// events decodes the "events" list of a response.
func events(t testing.TB, r response) []map[string]any {
	t.Helper()
	var out struct {
		Events []map[string]any `json:"events"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &out), "%s", r.Body)
	return out.Events
}

func types(evs []map[string]any) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e["type"].(string)
	}
	return out
}

func dataOf(e map[string]any) map[string]any { return e["data"].(map[string]any) }

// TestJourneyEndToEnd walks a couple through the service: start, a breach,
// sealed accounts, commitments, an agreement with a transparency term, the
// plan and an assignment, a check-in with a private note, an idempotent
// retry, and a safety flag raised by Sam that Alex's timeline, plan, report
// and chart never mention while joint work pauses.
func TestJourneyEndToEnd(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	require.True(t, strings.HasPrefix(c.TokA, tokenPrefix))
	require.NotEqual(t, c.TokA, c.TokS)

	// Sam records the breach; Alex caused it.
	r := s.call("POST", c.path("/events"), c.TokS, breachBody(c))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	evs := events(t, r)
	require.Len(t, evs, 1)
	assert.Equal(t, "partner:"+c.Sam, evs[0]["actor"], "the actor is the token's partner")
	breach := dataOf(evs[0])["id"].(string)

	// Accounts are sealed until both are written.
	r = s.call("POST", c.path("/events"), c.TokA, map[string]any{"type": "trust.account_given", "data": map[string]any{
		"breach": breach, "what_happened": "I messaged a colleague every night for months and hid it.", "my_part": "I chose secrecy over telling Sam I felt lonely."}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, "sealed", events(t, r)[0]["visibility"])
	assert.NotContains(t, types(events(t, s.call("GET", c.path("/timeline"), c.TokS, nil))), "trust.account_given",
		"Sam does not read Alex's account before writing her own")
	r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "trust.account_given", "data": map[string]any{
		"breach": breach, "what_happened": "I saw the messages on the tablet.", "my_part": "I had stopped asking how Alex was."}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	tl := events(t, s.call("GET", c.path("/timeline?type=trust.account_given"), c.TokS, nil))
	assert.Len(t, tl, 2, "both accounts are revealed once both are written")

	// Commitments are private; once both say yes the journey advances.
	for _, tok := range []string{c.TokA, c.TokS} {
		r = s.call("POST", c.path("/events"), tok, map[string]any{"type": "trust.commitment_stated", "data": map[string]any{"answer": "yes"}})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	}
	assert.Contains(t, types(events(t, r)), "trust.phase_changed")
	for _, e := range events(t, s.call("GET", c.path("/timeline?type=trust.commitment_stated"), c.TokA, nil)) {
		assert.Equal(t, c.Alex, dataOf(e)["partner"], "Alex reads only his own commitment")
	}
	view := s.call("GET", c.path("/view"), c.TokS, nil).JSON(t)
	assert.Equal(t, "aligned", view["alignment"])

	// An agreement with a transparency term in which Alex gives access.
	agreementID, termID := "8485e61a-f0b9-4291-beaa-14370b0b83e6", "ee13ef14-4ae3-4d16-8c58-53a48995cae0"
	r = s.call("POST", c.path("/events"), c.TokA, map[string]any{"type": "agreement.proposed", "data": map[string]any{"agreement": map[string]any{
		"id": agreementID, "version": 1, "title": "How we rebuild", "purpose": "Time for each other, and no more secrets.",
		"terms": []any{map[string]any{"id": termID, "kind": "transparency", "title": "Shared calendar",
			"detail": "Alex keeps evenings in the shared calendar.", "committed_by": []any{c.Alex},
			"timing": map[string]any{"kind": "standing"}, "review_on": "2026-05-15"}},
	}}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	sign := c.path("/agreements/" + agreementID + "/sign")
	r = s.call("POST", sign, c.TokA, map[string]any{"consent_to_transparency": false})
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
	assert.Equal(t, "consent_to_transparency", r.JSON(t)["errors"].([]any)[0].(map[string]any)["field"])
	r = s.call("POST", sign, c.TokA, map[string]any{"consent_to_transparency": true})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	r = s.call("POST", sign, c.TokS, map[string]any{"consent_to_transparency": false})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Contains(t, types(events(t, r)), "agreement.activated", "the second signature activates the agreement")
	var ag struct {
		Agreements []map[string]any `json:"agreements"`
	}
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/agreements"), c.TokS, nil).Body, &ag))
	require.Len(t, ag.Agreements, 1)

	// The plan, and one assignment started and completed by Alex.
	var plan struct {
		Phase           string `json:"phase"`
		JointWorkPaused bool   `json:"joint_work_paused"`
		Items           []struct {
			Assignment struct {
				ID           string   `json:"id"`
				Participants []string `json:"participants"`
			} `json:"assignment"`
			Mode   string `json:"mode"`
			DueNow bool   `json:"due_now"`
		} `json:"items"`
	}
	r = s.call("GET", c.path("/plan"), c.TokA, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	require.NoError(t, json.Unmarshal(r.Body, &plan))
	require.NotEmpty(t, plan.Items)
	joint := plan.Items[0].Assignment.ID
	require.Len(t, plan.Items[0].Assignment.Participants, 2)
	r = s.call("POST", c.path("/assignments/"+joint+"/start"), c.TokA, nil)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	r = s.call("POST", c.path("/assignments/"+joint+"/complete"), c.TokA, map[string]any{"helpful": 4, "reflection": "Hard, but we stayed with it."})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, "sealed", events(t, r)[0]["visibility"], "a joint reflection is sealed until both completed")
	r = s.call("POST", c.path("/assignments/"+joint+"/complete"), c.TokA, map[string]any{"helpful": 9})
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
	assert.Equal(t, "helpful", r.JSON(t)["errors"].([]any)[0].(map[string]any)["field"])

	// A check-in with a private note; retried with the same Idempotency-Key it is recorded once.
	checkIn := map[string]any{"checkin": map[string]any{"trust": 4, "safe": 6, "close": 5, "feelings": []any{"tired", "hopeful"}},
		"note": map[string]any{"note": "I still check the tablet some nights."}}
	first := s.call("POST", c.path("/checkins"), c.TokS, checkIn, "Idempotency-Key", "checkin-2026-03-02")
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	require.Len(t, events(t, first), 2, "the check-in and its note")
	assert.Equal(t, "2026-03-02", dataOf(events(t, first)[0])["day"], "the day is today in the couple's time zone")
	again := s.call("POST", c.path("/checkins"), c.TokS, checkIn, "Idempotency-Key", "checkin-2026-03-02")
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
	assert.Equal(t, events(t, first)[0]["id"], events(t, again)[0]["id"], "the retry returns the first write")
	assert.Len(t, events(t, s.call("GET", c.path("/timeline?type=progress.checkin_recorded"), c.TokS, nil)), 1)
	assert.Empty(t, events(t, s.call("GET", c.path("/timeline?type=progress.checkin_note_recorded"), c.TokA, nil)),
		"Alex never reads Sam's private note")
	// The same key from the other partner is a different request.
	other := s.call("POST", c.path("/checkins"), c.TokA, map[string]any{"checkin": map[string]any{"trust": 6}}, "Idempotency-Key", "checkin-2026-03-02")
	require.Equal(t, http.StatusCreated, other.Status, "%s", other.Body)
	assert.Equal(t, "partner:"+c.Alex, events(t, other)[0]["actor"])

	// Sam raises a safety flag.
	const secret = "He shouted and blocked the door"
	r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "trust.safety_flag_raised", "data": map[string]any{"kinds": []any{"fear"}, "note": secret}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	flag := dataOf(events(t, r)[0])["id"].(string)
	samView := s.call("GET", c.path("/view"), c.TokS, nil).JSON(t)
	assert.Equal(t, []any{flag}, samView["my_active_flags"], "Sam sees her own flag")

	// Alex reads nothing of it: not in the timeline, view, plan, reminders, report, text or chart.
	// (The journey's first event holds the protocol profile, whose gates
	// name safety in general; it says nothing about this flag and is left
	// out of the word check.)
	for _, path := range []string{"/timeline", "/view", "/plan", "/reminders", "/recommendations", "/report", "/report.txt", "/chart.svg"} {
		r := s.call("GET", c.path(path), c.TokA, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", path, r.Body)
		body := r.Body
		if path == "/timeline" {
			var rest []map[string]any
			for _, e := range events(t, r) {
				if e["type"] != "trust.journey_started" {
					rest = append(rest, e)
				}
			}
			var err error
			body, err = json.Marshal(rest)
			require.NoError(t, err)
		}
		lower := strings.ToLower(string(body))
		for _, leak := range []string{flag, "safety", "safe_", strings.ToLower(secret), "fear", "my_active_flags"} {
			assert.False(t, strings.Contains(lower, leak), "%s mentions %q", path, leak)
		}
	}
	alexView := s.call("GET", c.path("/view"), c.TokA, nil).JSON(t)
	assert.Equal(t, true, alexView["joint_work_paused"])
	assert.Nil(t, alexView["my_active_flags"])
	r = s.call("GET", c.path("/plan"), c.TokA, nil)
	require.NoError(t, json.Unmarshal(r.Body, &plan))
	assert.True(t, plan.JointWorkPaused)
	for _, it := range plan.Items {
		assert.Equal(t, "solo", it.Mode, "only solo work while joint work is paused")
	}
	assert.Equal(t, "text/plain; charset=utf-8", s.call("GET", c.path("/report.txt"), c.TokA, nil).Header.Get("Content-Type"))
	assert.Equal(t, "image/svg+xml", s.call("GET", c.path("/chart.svg"), c.TokA, nil).Header.Get("Content-Type"))

	// Joint work is refused with a neutral 409.
	r = s.call("POST", c.path("/events"), c.TokA, map[string]any{"type": "trust.acknowledgement_given", "data": map[string]any{
		"breach": breach, "harm": "You found out from a screen, not from me.", "responsibility": "Hiding it was my choice.", "no_blame_shift": true,
		"feelings": "You feel shut out.", "remorse": "I am sorry.", "will_change": "I tell you when I feel lonely.", "observable": "Evenings in the calendar."}})
	require.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
	assert.NotContains(t, strings.ToLower(string(r.Body)), "safety")
	assert.Equal(t, pausedDetail, r.JSON(t)["detail"])
	before := len(events(t, s.call("GET", c.path("/timeline"), c.TokS, nil)))

	// Sam clears her flag; joint work resumes.
	r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "trust.safety_flag_cleared", "data": map[string]any{"flag": flag}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, before+1, len(events(t, s.call("GET", c.path("/timeline"), c.TokS, nil))), "the refused acknowledgement wrote nothing")
	assert.Equal(t, false, s.call("GET", c.path("/view"), c.TokA, nil).JSON(t)["joint_work_paused"])

	// A day later the report reflects the check-ins for each partner.
	s.clock.Advance(24 * time.Hour)
	rep := s.call("GET", c.path("/report"), c.TokS, nil)
	require.Equal(t, http.StatusOK, rep.Status, "%s", rep.Body)
	assert.Contains(t, rep.JSON(t), "analysis")
}
