package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCheckIn measures a check-in through the handler: token lookup,
// schema validation, decoding and the engine's append (file store, no fsync).
func BenchmarkCheckIn(b *testing.B) {
	s := newService(b, b.TempDir(), trustClock())
	c := startCouple(b, s.srv.URL)
	body := `{"checkin": {"trust": 6, "safe": 7, "feelings": ["steady"]}}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", c.path("/checkins"), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.TokA)
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("%d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkTimeline measures a viewer's timeline of a journey with 200 check-ins.
func BenchmarkTimeline(b *testing.B) {
	s := newService(b, b.TempDir(), trustClock())
	c := startCouple(b, s.srv.URL)
	for range 200 {
		req := httptest.NewRequest("POST", c.path("/checkins"), strings.NewReader(`{"checkin": {"trust": 5}}`))
		req.Header.Set("Authorization", "Bearer "+c.TokS)
		s.h.ServeHTTP(httptest.NewRecorder(), req)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", c.path("/timeline"), nil)
		req.Header.Set("Authorization", "Bearer "+c.TokA)
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d: %s", rec.Code, rec.Body)
		}
	}
}
