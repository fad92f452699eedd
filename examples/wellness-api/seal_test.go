package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSealKeyCannotOpenAnotherEntry is the attack through the API: Sam posts
// a sealed check-in under the seal key of Alex's sealed account, to read the
// account without writing his own. The seal key is derived from what is
// sealed, so the request is refused naming sealkey and nothing opens.
func TestSealKeyCannotOpenAnotherEntry(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	r := s.call("POST", c.path("/events"), c.TokS, breachBody(c))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	breach := dataOf(events(t, r)[0])["id"].(string)
	r = s.call("POST", c.path("/events"), c.TokA, map[string]any{"type": "trust.account_given", "data": map[string]any{
		"breach": breach, "what_happened": "I hid the messages.", "my_part": "I chose secrecy."}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	accountKey := events(t, r)[0]["sealkey"].(string)
	assert.Equal(t, "trust.account_given:"+breach, accountKey, "derived from the breach")
	accounts := func() int {
		return len(events(t, s.call("GET", c.path("/timeline?type=trust.account_given"), c.TokS, nil)))
	}

	for _, key := range []string{accountKey, "account:" + breach} {
		r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "progress.checkin_recorded",
			"data": map[string]any{"day": "2026-03-02", "trust": 4}, "visibility": "sealed", "sealkey": key})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Equal(t, "sealkey", r.JSON(t)["errors"].([]any)[0].(map[string]any)["field"], "%s", r.Body)
	}
	assert.Empty(t, events(t, s.call("GET", c.path("/timeline?type=progress.checkin_recorded"), c.TokS, nil)), "nothing written")

	// Sealed under its own (derived) key, the check-in opens nothing.
	r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "progress.checkin_recorded",
		"data": map[string]any{"day": "2026-03-02", "trust": 4}, "visibility": "sealed"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Zero(t, accounts(), "Sam does not read Alex's account")

	r = s.call("POST", c.path("/events"), c.TokS, map[string]any{"type": "trust.account_given", "data": map[string]any{
		"breach": breach, "what_happened": "I saw the messages.", "my_part": "I stopped asking."}, "sealkey": accountKey})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, 2, accounts(), "his own account of the breach opens both")
}
