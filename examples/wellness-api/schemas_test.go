package main

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// TestSchemasAreServed fetches every listed schema from its stable URL.
func TestSchemasAreServed(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	r := s.call("GET", "/schemas", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var list struct {
		Schemas []schemaEntry `json:"schemas"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &list))
	want, err := publishedSchemas()
	require.NoError(t, err)
	require.Len(t, list.Schemas, len(want))
	packages := map[string]bool{}
	for _, e := range list.Schemas {
		packages[e.Package] = true
		r := s.call("GET", e.URL, "", nil)
		require.Equal(t, http.StatusOK, r.Status, e.URL)
		assert.Equal(t, "application/schema+json", r.Header.Get("Content-Type"))
		var doc struct {
			ID string `json:"$id"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &doc), e.URL)
		assert.Equal(t, e.ID, doc.ID, "the document at %s is the one listed", e.URL)
		assert.Equal(t, trust.SchemaBase+e.URL[len("/schemas/"):], e.ID, "the URL path mirrors the $id")
	}
	for _, pkg := range []string{"trust", "agreement", "progress", "exercise", apiPackage} {
		assert.True(t, packages[pkg], "%s schemas are published", pkg)
	}
	assert.Equal(t, http.StatusNotFound, s.call("GET", "/schemas/trust/nope-1.0.json", "", nil).Status)
}

// TestIdempotentEvent retries one write, also concurrently: it is applied once.
func TestIdempotentEvent(t *testing.T) {
	s := newService(t, t.TempDir(), trustClock())
	c := startCouple(t, s.srv.URL)
	body := breachBody(c)
	var wg sync.WaitGroup
	ids := make([]any, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, s.srv.URL, "POST", c.path("/events"), c.TokS, body, "Idempotency-Key", `"breach-1"`)
			if assert.Equal(t, http.StatusCreated, r.Status, "%s", r.Body) {
				ids[i] = events(t, r)[0]["id"]
			}
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		assert.Equal(t, ids[0], id, "every retry returns the first write")
	}
	assert.Len(t, events(t, s.call("GET", c.path("/timeline?type=trust.breach_recorded"), c.TokA, nil)), 1)

	// Without a key, the same body is a new fact (and a new breach ID).
	r := s.call("POST", c.path("/events"), c.TokS, body)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Len(t, events(t, s.call("GET", c.path("/timeline?type=trust.breach_recorded"), c.TokA, nil)), 2)
}
