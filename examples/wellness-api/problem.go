package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// problemBase prefixes the type URI of every problem the service reports.
const problemBase = "https://mendkit.github.io/mend/problems/"

// problem is an RFC 9457 problem details document with one extension,
// "errors", naming each invalid field.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []fieldError `json:"errors,omitempty"`
}

// pausedDetail is what a refused joint action says while joint work is
// paused. It is the same whatever the reason for the pause, so it never
// hints at a safety concern.
const pausedDetail = "Joint work is on hold for now. Individual exercises are still open to each of you."

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mend"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func invalid(detail string, errs ...fieldError) problem {
	return problem{Type: problemBase + "invalid-request", Title: "The request is not valid", Status: http.StatusBadRequest, Detail: detail, Errors: errs}
}

var (
	problemUnauthorized = problem{Type: problemBase + "unauthorized", Title: "Authentication is required", Status: http.StatusUnauthorized,
		Detail: "Send the journey token you were given as \"Authorization: Bearer <token>\"."}
	problemJourneyNotFound = problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound,
		Detail: "There is no such journey."}
	problemTooLarge = problem{Type: problemBase + "too-large", Title: "The request body is too large", Status: http.StatusRequestEntityTooLarge}
)

// problemFor maps an error from the engine (or the service) to a problem
// document. Validation errors name their field; with dataPath set, a field
// the library reports under the event's "data" is renamed to where it was
// in the request body.
func problemFor(log *slog.Logger, err error, dataPath string) problem {
	var mbe *http.MaxBytesError
	var ve *trust.ValidationError
	var ice *exercise.IdempotencyConflictError
	switch {
	case errors.As(err, &mbe):
		p := problemTooLarge
		p.Detail = "The body is larger than the limit of " + itoa64(mbe.Limit) + " bytes."
		return p
	case errors.As(err, &ve):
		field := ve.Field
		if dataPath != "data" {
			if field == "data" {
				field = dataPath
			} else if rest, ok := strings.CutPrefix(field, "data."); ok {
				field = joinPath(dataPath, rest)
			}
		}
		return invalid(ve.Error(), fieldError{Field: field, Detail: ve.Problem})
	case errors.Is(err, trust.ErrInvalid):
		return invalid(err.Error())
	// The pause is checked before every other sentinel: a refusal because of
	// it reads the same whatever paused joint work.
	case errors.Is(err, trust.ErrPausedForSafety):
		return problem{Type: problemBase + "paused", Title: "Joint work is on hold", Status: http.StatusConflict, Detail: pausedDetail}
	case errors.Is(err, trust.ErrForbidden):
		return problem{Type: problemBase + "forbidden", Title: "Not allowed", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, trust.ErrNotFound):
		return problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, trust.ErrGateNotMet):
		return problem{Type: problemBase + "gate-not-met", Title: "Not every gate is met yet", Status: http.StatusConflict, Detail: err.Error()}
	case errors.As(err, &ice):
		// The engine's key is the partner's, scoped as idempotency makes it;
		// the problem names the header's value the client sent.
		_, key, _ := strings.Cut(ice.Key, "/")
		return problem{Type: problemBase + "idempotency-key-reused", Title: "Idempotency-Key reused for a different request", Status: http.StatusConflict,
			Detail: "The Idempotency-Key " + strconv.Quote(key) + " was already used for a different request; send a new key for a new request, or the first request again unchanged.",
			Errors: []fieldError{{Field: "Idempotency-Key", Detail: "was already used for a different request"}}}
	case errors.Is(err, trust.ErrConflict):
		return problem{Type: problemBase + "conflict", Title: "Conflict", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, trust.ErrInvalidTransition):
		return problem{Type: problemBase + "invalid-transition", Title: "Not possible in the journey's current state", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return problem{Type: problemBase + "unavailable", Title: "Service unavailable", Status: http.StatusServiceUnavailable,
			Detail: "The service is shutting down or the request was cancelled; try again."}
	}
	log.Error("request failed", "err", err)
	return problem{Type: problemBase + "internal", Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "Something went wrong on our side."}
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
