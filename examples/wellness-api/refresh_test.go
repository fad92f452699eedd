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

// storedEvents counts the events of a journey in the service's store.
func storedEvents(t *testing.T, s *service, c couple) int {
	t.Helper()
	evs, err := s.st.Load(t.Context(), mustRel(t, c.ID), 1)
	require.NoError(t, err)
	return len(evs)
}

// TestGetRoutesHaveNoSideEffects reads every GET route as both partners,
// days after the plan's work fell due: nothing is written. POST /refresh
// is what brings the journey up to date, and a second refresh at the same
// instant writes nothing.
func TestGetRoutesHaveNoSideEffects(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	r := s.call("POST", c.path("/events"), c.TokS, breachBody(c))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	var plan struct {
		Items []map[string]any `json:"items"`
	}
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/plan"), c.TokA, nil).Body, &plan))
	require.NotEmpty(t, plan.Items, "a write brings the journey up to date, so its plan has work")

	s.clock.Advance(20 * 24 * time.Hour) // every planned assignment is overdue
	before := storedEvents(t, s, c)
	for _, tok := range []string{c.TokA, c.TokS} {
		for _, path := range []string{"/view", "/plan", "/timeline", "/agreements", "/reminders", "/report", "/report.txt", "/chart.svg", "/recommendations"} {
			r := s.call("GET", c.path(path), tok, nil)
			require.Equal(t, http.StatusOK, r.Status, "%s: %s", path, r.Body)
		}
	}
	assert.Equal(t, before, storedEvents(t, s, c), "no GET route writes")
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/plan"), c.TokA, nil).Body, &plan))
	assert.Empty(t, plan.Items, "overdue work is not shown as due")

	r = s.call("POST", c.path("/refresh"), c.TokA, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Contains(t, types(events(t, r)), "exercise.assignment_expired", "the refresh expires overdue work")
	after := storedEvents(t, s, c)
	assert.Greater(t, after, before)
	r = s.call("POST", c.path("/refresh"), c.TokS, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Empty(t, events(t, r), "nothing more is due at the same instant")
	assert.Equal(t, after, storedEvents(t, s, c))
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/plan"), c.TokA, nil).Body, &plan))
	assert.NotEmpty(t, plan.Items, "new work is proposed")
	assert.Equal(t, http.StatusUnauthorized, s.call("POST", c.path("/refresh"), "", nil).Status)
}

// TestRemindersAreMarkedSent reads a reminder, marks it sent, and finds the
// rate limit holding, after a restart too; the other partner never learns
// of it, and nobody marks another's reminder.
func TestRemindersAreMarkedSent(t *testing.T) {
	dir := t.TempDir()
	clock := trustClock()
	s := newService(t, dir, clock)
	c := startCouple(t, s.srv.URL)
	var due struct {
		Reminders []map[string]any `json:"reminders"`
	}
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/reminders"), c.TokA, nil).Body, &due))
	require.Len(t, due.Reminders, 1)
	var again struct {
		Reminders []map[string]any `json:"reminders"`
	}
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/reminders"), c.TokA, nil).Body, &again))
	assert.Equal(t, due.Reminders, again.Reminders, "reading reminders changes nothing")

	// Sam cannot mark Alex's reminder.
	before := storedEvents(t, s, c)
	r := s.call("POST", c.path("/reminders/sent"), c.TokS, due.Reminders[0])
	assert.Equal(t, http.StatusForbidden, r.Status, "%s", r.Body)
	assert.Equal(t, before, storedEvents(t, s, c))

	r = s.call("POST", c.path("/reminders/sent"), c.TokA, due.Reminders[0])
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	sent := events(t, r)
	require.Len(t, sent, 1)
	assert.Equal(t, "exercise.reminder_sent", sent[0]["type"])
	assert.Equal(t, "private", sent[0]["visibility"])
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/reminders"), c.TokA, nil).Body, &due))
	assert.Empty(t, due.Reminders, "at least four hours between reminders")
	samSees := string(s.call("GET", c.path("/timeline"), c.TokS, nil).Body)
	assert.False(t, strings.Contains(samSees, "reminder_sent"), "Sam never learns Alex was reminded")

	// The limit is kept in the event log: a restarted service keeps it.
	s.close()
	s = newService(t, dir, clock)
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/reminders"), c.TokA, nil).Body, &due))
	assert.Empty(t, due.Reminders, "the rate limit survives a restart")
	clock.Advance(5 * time.Hour)
	require.NoError(t, json.Unmarshal(s.call("GET", c.path("/reminders"), c.TokA, nil).Body, &due))
	assert.Len(t, due.Reminders, 1)
}
