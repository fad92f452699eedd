package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// Example_startJourney embeds an engine in the service, starts a journey and
// reads its view with one partner's token.
func Example_startJourney() {
	clock := trust.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	dir, _ := os.MkdirTemp("", "wellness-api-example-")
	defer os.RemoveAll(dir)
	tok, _ := openTokens(dir+"/tokens.json", nil)
	eng, _ := exercise.NewEngine(exercise.Options{Store: store.NewMemory(), Clock: clock})
	srv, _ := newServer(config{Engine: eng, Tokens: tok, Clock: clock})
	h := srv.handler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/journeys", strings.NewReader(
		`{"relationship": {"partners": [{"display_name": "Alex"}, {"display_name": "Sam"}], "time_zone": "Europe/London"}}`)))
	var started struct {
		Journey struct {
			ID      string `json:"id"`
			Profile string `json:"profile"`
		} `json:"journey"`
		Tokens []struct {
			DisplayName string `json:"display_name"`
			Token       string `json:"token"`
		} `json:"tokens"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &started)
	fmt.Println(rec.Code, started.Journey.Profile, len(started.Tokens), "tokens")

	req := httptest.NewRequest("GET", "/journeys/"+started.Journey.ID+"/view", nil)
	req.Header.Set("Authorization", "Bearer "+started.Tokens[1].Token)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var view struct {
		Phase struct {
			Title string `json:"title"`
		} `json:"phase"`
		Alignment string `json:"alignment"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &view)
	fmt.Println(rec.Code, view.Phase.Title, "/", view.Alignment)

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/journeys/"+started.Journey.ID+"/view", nil))
	fmt.Println(rec.Code, http.StatusText(rec.Code))
	// Output:
	// 201 mend 2 tokens
	// 200 Understand what happened / unknown
	// 401 Unauthorized
}
