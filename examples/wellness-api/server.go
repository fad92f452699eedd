package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// defaultMaxBody is the default limit of a request body: journey facts are
// short texts, so 64 KiB is generous.
const defaultMaxBody = 64 << 10

// maxIdempotencyKey is the longest Idempotency-Key header accepted.
const maxIdempotencyKey = 128

// config is what a server is built from.
type config struct {
	// Engine runs the journeys.
	Engine *exercise.Engine
	// Tokens binds bearer tokens to partners.
	Tokens *tokens
	// Clock tells the time; it should be the engine's clock.
	Clock trust.Clock
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// MaxBody limits request bodies, in bytes; 0 means defaultMaxBody.
	MaxBody int64
	// JourneyBurst and JourneyEvery limit POST /journeys, the one route
	// open without a token, for the whole server: at most JourneyBurst
	// journeys at once, then one every JourneyEvery (429 with Retry-After
	// beyond). Zero means defaultJourneyBurst and defaultJourneyEvery.
	JourneyBurst int
	JourneyEvery time.Duration
}

// server serves the engine's workflow as JSON over HTTP.
type server struct {
	eng      *exercise.Engine
	tok      *tokens
	sch      *schemas
	clock    trust.Clock
	log      *slog.Logger
	maxBody  int64
	ids      trust.IDSource
	shapes   map[string]shape
	journeys *bucket // limits starting journeys

	rels sync.Map // trust.RelationshipID -> trust.Relationship
}

// shape is the top level of an object schema: enough to fill server-owned fields.
type shape struct {
	Properties map[string]struct {
		Type   string `json:"type"`
		Format string `json:"format"`
	} `json:"properties"`
	Required []string `json:"required"`
}

func (sh shape) requires(name string) bool {
	for _, r := range sh.Required {
		if r == name {
			return true
		}
	}
	return false
}

func newServer(cfg config) (*server, error) {
	if cfg.Engine == nil || cfg.Tokens == nil {
		return nil, errors.New("wellness-api: an engine and a token store are required")
	}
	sch, err := newSchemas()
	if err != nil {
		return nil, err
	}
	s := &server{eng: cfg.Engine, tok: cfg.Tokens, sch: sch, clock: cfg.Clock, log: cfg.Logger, maxBody: cfg.MaxBody,
		ids: trust.RandomIDs(), shapes: map[string]shape{}}
	if s.clock == nil {
		s.clock = trust.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = defaultMaxBody
	}
	if cfg.JourneyBurst <= 0 {
		cfg.JourneyBurst = defaultJourneyBurst
	}
	if cfg.JourneyEvery <= 0 {
		cfg.JourneyEvery = defaultJourneyEvery
	}
	if int64(cfg.JourneyBurst) > math.MaxInt64/int64(cfg.JourneyEvery) {
		return nil, errors.New("wellness-api: the journey burst times its interval is longer than time.Duration holds")
	}
	s.journeys = newBucket(s.clock, cfg.JourneyEvery, cfg.JourneyBurst)
	for _, sc := range sch.list {
		var sh shape
		if err := json.Unmarshal(sc.JSON, &sh); err != nil {
			return nil, fmt.Errorf("schema %s: %w", sc.ID, err)
		}
		s.shapes[sc.ID] = sh
	}
	return s, nil
}

// handler returns the service's routes.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /schemas", s.listSchemas)
	mux.HandleFunc("GET /schemas/{package}/{file}", s.getSchema)

	mux.HandleFunc("POST /journeys", s.startJourney)
	mux.Handle("POST /journeys/{id}/events", s.authed(s.postEvent))
	mux.Handle("POST /journeys/{id}/checkins", s.authed(s.postCheckIn))
	mux.Handle("GET /journeys/{id}/agreements", s.authed(s.getAgreements))
	mux.Handle("POST /journeys/{id}/agreements/{aid}/sign", s.authed(s.signAgreement))
	for _, action := range []string{"start", "complete", "skip", "snooze"} {
		mux.Handle("POST /journeys/{id}/assignments/{aid}/"+action, s.authed(s.assignmentAction(action)))
	}
	mux.Handle("GET /journeys/{id}/view", s.authed(s.getView))
	mux.Handle("GET /journeys/{id}/plan", s.authed(s.getPlan))
	mux.Handle("GET /journeys/{id}/timeline", s.authed(s.getTimeline))
	mux.Handle("GET /journeys/{id}/report", s.authed(s.getReport))
	mux.Handle("GET /journeys/{id}/report.txt", s.authed(s.getReportText))
	mux.Handle("GET /journeys/{id}/chart.svg", s.authed(s.getChart))
	mux.Handle("GET /journeys/{id}/recommendations", s.authed(s.getRecommendations))
	mux.Handle("GET /journeys/{id}/reminders", s.authed(s.getReminders))
	mux.Handle("POST /journeys/{id}/reminders/sent", s.authed(s.markReminderSent))
	mux.Handle("POST /journeys/{id}/refresh", s.authed(s.postRefresh))
	return s.logged(mux)
}

// caller is the authenticated partner and the journey their token opens.
type caller struct {
	rel trust.RelationshipID
	me  trust.PartnerID
}

func (c caller) viewer() trust.Viewer { return trust.PartnerViewer(c.me) }

// authed checks the bearer token: none or an unknown one is 401; a journey
// other than the token's own is 404 whether it exists or not, so a token
// never reveals another couple's journey.
func (s *server) authed(h func(http.ResponseWriter, *http.Request, caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			writeProblem(w, problemUnauthorized)
			return
		}
		b, ok := s.tok.lookup(strings.TrimSpace(token))
		if !ok {
			writeProblem(w, problemUnauthorized)
			return
		}
		id, err := trust.ParseID[trust.Relationship](r.PathValue("id"))
		if err != nil || id != b.Relationship {
			writeProblem(w, problemJourneyNotFound)
			return
		}
		h(w, r, caller{rel: b.Relationship, me: b.Partner})
	})
}

// body reads and decodes a JSON request body under the size limit. An empty
// body is an empty object. It writes the problem and returns false on failure.
func (s *server) body(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			writeProblem(w, problem{Type: problemBase + "unsupported-media-type", Title: "Unsupported media type",
				Status: http.StatusUnsupportedMediaType, Detail: "Send the body as application/json."})
			return nil, false
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, problemFor(s.log, err, "data"))
			return nil, false
		}
		writeProblem(w, invalid("The body could not be read.", fieldError{Field: "", Detail: err.Error()}))
		return nil, false
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return map[string]any{}, true
	}
	v, err := decodeJSON(b)
	if err != nil {
		writeProblem(w, invalid("The body is not valid JSON.", fieldError{Field: "", Detail: err.Error()}))
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		writeProblem(w, invalid("The body must be a JSON object.", fieldError{Field: "", Detail: "must be an object"}))
		return nil, false
	}
	return m, true
}

// check validates doc against a schema; it writes the 400 and returns false
// when doc is not valid.
func (s *server) check(w http.ResponseWriter, id string, doc any, at string) bool {
	errs, err := s.sch.validate(id, doc, at)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return false
	}
	if len(errs) > 0 {
		writeProblem(w, invalid("The body does not match the schema "+id+".", errs...))
		return false
	}
	return true
}

// decode decodes a validated value into a payload; it writes the 400 and
// returns false when it does not fit.
func (s *server) decode(w http.ResponseWriter, v any, dst any, at string) bool {
	if err := decodeStrict(v, dst); err != nil {
		fe := fieldError{Field: at, Detail: err.Error()}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			fe.Field = joinPath(at, te.Field)
		} else if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			fe.Field = joinPath(at, strings.Trim(name, `"`))
		}
		writeProblem(w, invalid("The body could not be read into the payload.", fe))
		return false
	}
	return true
}

// idempotency returns the engine options for the request's Idempotency-Key.
// The key is scoped to the calling partner, so one partner's key can never
// replay (and so reveal) the other's write. ok is false after a 400.
func (s *server) idempotency(w http.ResponseWriter, r *http.Request, c caller) (string, bool) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if k == "" {
		return "", true
	}
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1] // the header's structured-field string form
	}
	if k == "" || len(k) > maxIdempotencyKey || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		writeProblem(w, invalid("The Idempotency-Key header must be 1 to 128 printable ASCII characters.",
			fieldError{Field: "Idempotency-Key", Detail: "must be 1 to 128 printable ASCII characters"}))
		return "", false
	}
	return c.me.String() + "/" + k, true // problemFor reads the header's key back after the "/"
}

// relationship returns a journey's relationship from its first event, cached.
func (s *server) relationship(ctx context.Context, id trust.RelationshipID) (trust.Relationship, error) {
	if r, ok := s.rels.Load(id); ok {
		return r.(trust.Relationship), nil
	}
	for ev, err := range store.Scan(ctx, s.eng.Store(), id, 1) {
		if err != nil {
			return trust.Relationship{}, err
		}
		js, ok := ev.Data.(*trust.JourneyStarted)
		if !ok {
			break
		}
		s.rels.Store(id, js.Relationship)
		return js.Relationship, nil
	}
	return trust.Relationship{}, fmt.Errorf("journey %s: %w", id, trust.ErrNotFound)
}

// newID returns a fresh random UUID string for the IDs of a journey the
// server starts: it needs the relationship's and the partners' IDs before
// the journey exists, to write their tokens first.
func (s *server) newID() (string, error) {
	id, err := trust.NewID[trust.Event](s.ids)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// selfFields name the partner who writes an event in mend's payloads; an
// absent one is the authenticated partner.
var selfFields = []string{"partner", "from", "proposed_by", "amended_by"}

// nilUUID stands for an ID the engine fills in: a payload's zero ID.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// fill sets the server-owned fields a payload left out, so the body passes
// the payload's schema: a required top-level "id" is the nil UUID, which the
// engine replaces with a fresh ID from its own source, and a required
// partner field naming the writer is the authenticated partner. A field the
// client sent is kept; the engine refuses a partner field that is not the
// writer (400, naming the field).
func (s *server) fill(schemaID string, data map[string]any, me trust.PartnerID) error {
	sh := s.shapes[schemaID]
	if p, ok := sh.Properties["id"]; ok && p.Format == "uuid" && sh.requires("id") {
		if _, set := data["id"]; !set {
			data["id"] = nilUUID
		}
	}
	for _, f := range selfFields {
		if p, ok := sh.Properties[f]; ok && p.Format == "uuid" && sh.requires(f) {
			if _, set := data[f]; !set {
				data[f] = me.String()
			}
		}
	}
	return nil
}

// visibleTo keeps the events a partner may read right after writing them:
// shared ones, and their own. It is a guard on write responses; reads go
// through the engine's viewer-scoped methods.
func visibleTo(me trust.PartnerID, events []trust.Event) []trust.Event {
	out := []trust.Event{}
	for _, e := range events {
		if e.Sensitive() || e.Visibility != trust.Shared {
			if owner, ok := e.Owner(); !ok || owner != me {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusWriter remembers the status a handler wrote, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (sw *statusWriter) WriteHeader(code int) {
	if sw.status == 0 {
		sw.status = code
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(b []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// logged logs one line per request: method, path pattern, status and
// duration. It never logs bodies, tokens or query strings.
func (s *server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		s.log.Info("request", "method", r.Method, "pattern", r.Pattern, "status", sw.status, "duration", time.Since(start))
	})
}
