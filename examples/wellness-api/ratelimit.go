package main

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mendkit/mend/trust"
)

// Defaults of the limit on starting journeys: a burst of 10, then one a
// minute.
const (
	defaultJourneyBurst = 10
	defaultJourneyEvery = time.Minute
)

// bucket is a token bucket over an injected clock: it holds at most burst
// tokens, starts full and gains one every interval; each call that is let
// through takes one. The service keeps one for POST /journeys, the only
// route open without a token, so that nobody can grow the event log and the
// tokens file without limit.
type bucket struct {
	clock trust.Clock
	every time.Duration
	full  time.Duration // burst tokens, as time: burst × every

	mu     sync.Mutex
	credit time.Duration // the tokens held, as time: one token is every
	last   time.Time
}

func newBucket(clock trust.Clock, every time.Duration, burst int) *bucket {
	full := every * time.Duration(burst)
	return &bucket{clock: clock, every: every, full: full, credit: full, last: clock.Now()}
}

// take takes a token if there is one; otherwise it takes nothing and
// returns how long until there is one.
func (b *bucket) take() (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if d := now.Sub(b.last); d > 0 {
		// A clock that steps back adds nothing.
		b.credit = min(b.full, b.credit+d)
		b.last = now
	}
	if b.credit >= b.every {
		b.credit -= b.every
		return true, 0
	}
	return false, b.every - b.credit
}

// allowJourney lets a journey start through the limit, or answers 429 with
// Retry-After (whole seconds, rounded up) and returns false.
func (s *server) allowJourney(w http.ResponseWriter) bool {
	ok, wait := s.journeys.take()
	if ok {
		return true
	}
	secs := int64(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	writeProblem(w, problem{Type: problemBase + "too-many-requests", Title: "Too many journeys started", Status: http.StatusTooManyRequests,
		Detail: "This service starts a limited number of journeys at a time; try again in " + strconv.FormatInt(max(secs, 1), 10) + " seconds."})
	return false
}
