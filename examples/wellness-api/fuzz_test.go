package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzPostEvent sends arbitrary bodies to POST /journeys/{id}/events: the
// service never fails with a 5xx, answers every refusal with a problem
// document, and writes nothing unless it answers 201.
func FuzzPostEvent(f *testing.F) {
	for _, seed := range []string{
		`{"type":"trust.commitment_stated","data":{"answer":"yes"}}`,
		`{"type":"trust.breach_recorded","data":{"kind":"deception","severity":"minor"}}`,
		`{"type":"trust.safety_flag_raised","data":{"kinds":["fear"]},"visibility":"shared"}`,
		`{"type":"trust.account_given","data":{},"sealkey":"x"}`,
		`{"type":"app.x","data":[]}`,
		`{"type":"progress.checkin_recorded","data":{"day":"2026-02-30","trust":11}}`,
		`[]`, `null`, `{"type":1}`, ``,
	} {
		f.Add([]byte(seed))
	}
	s := newService(f, f.TempDir(), trustClock())
	f.Cleanup(s.close)
	c := startCouple(f, s.srv.URL)
	rel := mustRel(f, c.ID)
	f.Fuzz(func(t *testing.T, body []byte) {
		before, err := s.st.Last(t.Context(), rel)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", c.path("/events"), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.TokA)
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		after, err := s.st.Last(t.Context(), rel)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusCreated {
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("status %d with content type %q", rec.Code, ct)
			}
			if after != before {
				t.Fatalf("a refused request (%d) wrote %d events", rec.Code, after-before)
			}
		}
	})
}
