package main

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// schemaEntry is one line of GET /schemas.
type schemaEntry struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	Name    string `json:"name"`
	Version string `json:"version"`
	URL     string `json:"url"`
}

func (s *server) listSchemas(w http.ResponseWriter, r *http.Request) {
	out := make([]schemaEntry, 0, len(s.sch.list))
	for _, sc := range s.sch.list {
		path := strings.TrimPrefix(sc.ID, trust.SchemaBase)
		out = append(out, schemaEntry{ID: sc.ID, Package: sc.Package, Name: sc.Name,
			Version: strconv.Itoa(sc.Major) + "." + strconv.Itoa(sc.Minor), URL: "/schemas/" + path})
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, map[string]any{"schemas": out})
}

func (s *server) getSchema(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.sch.byPath[r.PathValue("package")+"/"+r.PathValue("file")]
	if !ok {
		writeProblem(w, problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound,
			Detail: "There is no such schema; GET /schemas lists them."})
		return
	}
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(sc.JSON)
}

// partnerToken is one partner's token in the answer to POST /journeys.
type partnerToken struct {
	Partner     trust.PartnerID `json:"partner"`
	DisplayName string          `json:"display_name"`
	Token       string          `json:"token"`
}

// journeySummary describes a started journey.
type journeySummary struct {
	ID           trust.RelationshipID `json:"id"`
	Relationship trust.Relationship   `json:"relationship"`
	Profile      string               `json:"profile"`
	Phase        string               `json:"phase"`
	Started      trust.Event          `json:"started"`
}

// startJourney handles POST /journeys: it assigns the relationship's ID,
// fills the partners' IDs and the start time when left out, issues one
// token per partner and starts the journey. The tokens are written before
// the journey, so an acknowledged journey always has them. It is limited
// for the whole server (config.JourneyBurst, config.JourneyEvery): beyond
// the limit it answers 429 with Retry-After and reads nothing.
func (s *server) startJourney(w http.ResponseWriter, r *http.Request) {
	if !s.allowJourney(w) {
		return
	}
	doc, ok := s.body(w, r)
	if !ok || !s.check(w, startJourneySchema, doc, "") {
		return
	}
	relm := doc["relationship"].(map[string]any)
	relID, err := s.newID()
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	relm["id"] = relID
	for _, p := range relm["partners"].([]any) {
		if pm, ok := p.(map[string]any); ok {
			if _, set := pm["id"]; !set {
				if pm["id"], err = s.newID(); err != nil {
					writeProblem(w, problemFor(s.log, err, "data"))
					return
				}
			}
		}
	}
	if _, set := relm["started"]; !set {
		relm["started"] = s.clock.Now().UTC().Format(time.RFC3339Nano)
	}
	if !s.check(w, relationshipSchema, relm, "relationship") {
		return
	}
	var rel trust.Relationship
	if !s.decode(w, relm, &rel, "relationship") {
		return
	}
	if err := rel.Validate(); err != nil {
		writeProblem(w, problemFor(s.log, check.Prefix("data", err), "relationship"))
		return
	}
	// Research consent is each partner's own, given with their own
	// trust.research_consent_changed event: whoever starts the journey
	// does not consent for the other.
	if len(rel.ResearchConsent) > 0 {
		writeProblem(w, invalid("Each partner gives research consent themselves, after the journey starts.",
			fieldError{Field: "relationship.research_consent", Detail: "is given by each partner with their own trust.research_consent_changed event"}))
		return
	}
	profile := trust.DefaultProfile()
	if key, _ := doc["profile"].(string); key != "" {
		p, ok := trust.LookupProfile(key)
		if !ok {
			var keys []string
			for _, p := range trust.Profiles() {
				keys = append(keys, p.Key)
			}
			writeProblem(w, invalid("Unknown protocol profile.", fieldError{Field: "profile",
				Detail: strconv.Quote(key) + " is not one of " + strings.Join(keys, ", ")}))
			return
		}
		profile = p
	}
	toks, err := s.tok.issue(s.clock.Now(), rel.ID, rel.Partners[0].ID, rel.Partners[1].ID)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	started, err := s.eng.StartJourney(r.Context(), rel, profile)
	if err != nil {
		if rerr := s.tok.revoke(s.clock.Now(), rel.ID); rerr != nil {
			s.log.Error("revoking the tokens of a journey that did not start", "err", rerr)
		}
		writeProblem(w, problemFor(s.log, err, "relationship"))
		return
	}
	s.rels.Store(rel.ID, rel)
	// The new journey's first work is proposed at once, so its first plan
	// has something in it.
	s.refresh(r.Context(), rel.ID)
	out := struct {
		Journey journeySummary `json:"journey"`
		Tokens  []partnerToken `json:"tokens"`
	}{Journey: journeySummary{ID: rel.ID, Relationship: rel, Profile: profile.Key, Phase: profile.Phases[0].Key, Started: started.Events[0]}}
	for i, p := range rel.Partners {
		out.Tokens = append(out.Tokens, partnerToken{Partner: p.ID, DisplayName: p.DisplayName, Token: toks[i]})
	}
	w.Header().Set("Location", "/journeys/"+rel.ID.String())
	writeJSON(w, http.StatusCreated, out)
}

// eventsResponse is the answer to a write: the events it recorded that the
// writer may read (their own and shared follow-ups).
type eventsResponse struct {
	Events []trust.Event `json:"events"`
}

// postEvent handles POST /journeys/{id}/events: any registered event type,
// written by the authenticated partner.
func (s *server) postEvent(w http.ResponseWriter, r *http.Request, c caller) {
	doc, ok := s.body(w, r)
	if !ok || !s.check(w, eventRequestSchema, doc, "") {
		return
	}
	key, ok := s.idempotency(w, r, c)
	if !ok {
		return
	}
	typ := doc["type"].(string)
	spec, known := trust.LookupEventType(typ)
	if !known {
		writeProblem(w, invalid("Unknown event type.", fieldError{Field: "type", Detail: strconv.Quote(typ) + " is not a registered event type"}))
		return
	}
	data := doc["data"].(map[string]any)
	if err := s.fill(spec.Schema, data, c.me); err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if !s.check(w, spec.Schema, data, "data") {
		return
	}
	payload := spec.New()
	if !s.decode(w, data, payload, "data") {
		return
	}
	cmd := exercise.Command{Data: payload, IdempotencyKey: key}
	if v, ok := doc["visibility"].(string); ok {
		cmd.Visibility = trust.Visibility(v)
	}
	if k, ok := doc["sealkey"].(string); ok {
		cmd.SealKey = k
	}
	if t, ok := doc["time"].(string); ok {
		at, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			writeProblem(w, invalid("Bad time.", fieldError{Field: "time", Detail: "is not an RFC 3339 time"}))
			return
		}
		cmd.Time = at
	}
	// An account stays sealed until both partners wrote theirs, as the
	// engine's RecordAccount does, unless the writer chose otherwise.
	if a, ok := payload.(*trust.Account); ok && cmd.Visibility == "" {
		cmd.Visibility, cmd.SealKey = trust.Sealed, trust.AccountSealKey(a.Breach)
	}
	res, err := s.eng.Do(r.Context(), c.rel, trust.PartnerActor(c.me), cmd)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	s.refresh(r.Context(), c.rel)
	writeJSON(w, http.StatusCreated, eventsResponse{Events: visibleTo(c.me, res.Events)})
}

// postCheckIn handles POST /journeys/{id}/checkins: a check-in and an
// optional private note.
func (s *server) postCheckIn(w http.ResponseWriter, r *http.Request, c caller) {
	doc, ok := s.body(w, r)
	if !ok || !s.check(w, checkInRequestSchema, doc, "") {
		return
	}
	key, ok := s.idempotency(w, r, c)
	if !ok {
		return
	}
	cm := doc["checkin"].(map[string]any)
	if err := s.fill(checkInSchema, cm, c.me); err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if _, set := cm["day"]; !set {
		rel, err := s.relationship(r.Context(), c.rel)
		if err != nil {
			writeProblem(w, problemFor(s.log, err, "data"))
			return
		}
		loc, err := rel.Location()
		if err != nil {
			writeProblem(w, problemFor(s.log, err, "data"))
			return
		}
		cm["day"] = s.clock.Now().In(loc).Format(time.DateOnly)
	}
	if !s.check(w, checkInSchema, cm, "checkin") {
		return
	}
	var ci progress.CheckIn
	if !s.decode(w, cm, &ci, "checkin") {
		return
	}
	// RecordCheckIn writes as the check-in's partner: it must be the caller.
	if ci.Partner != c.me {
		writeProblem(w, problemFor(s.log, &trust.TransitionError{Pkg: "wellness-api", Event: progress.TypeCheckInRecorded,
			Reason: "a partner records only their own check-in", Cause: trust.ErrForbidden}, "checkin"))
		return
	}
	var note *progress.CheckInNote
	if nm, ok := doc["note"].(map[string]any); ok {
		if _, set := nm["checkin"]; !set {
			nm["checkin"] = ci.ID.String()
		}
		if _, set := nm["partner"]; !set {
			nm["partner"] = c.me.String()
		}
		if !s.check(w, checkInNoteSchema, nm, "note") {
			return
		}
		note = new(progress.CheckInNote)
		if !s.decode(w, nm, note, "note") {
			return
		}
		if note.CheckIn != ci.ID || note.Partner != c.me {
			writeProblem(w, invalid("The note belongs to this check-in and its partner.",
				fieldError{Field: "note", Detail: "checkin and partner must match the check-in"}))
			return
		}
	}
	res, err := s.eng.RecordCheckIn(r.Context(), c.rel, trust.PartnerActor(c.me), ci, note, exercise.WithIdempotencyKey(key))
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "checkin"))
		return
	}
	s.refresh(r.Context(), c.rel)
	writeJSON(w, http.StatusCreated, eventsResponse{Events: visibleTo(c.me, res.Events)})
}

func (s *server) getAgreements(w http.ResponseWriter, r *http.Request, c caller) {
	recs, err := s.eng.Agreements(r.Context(), c.rel)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if recs == nil {
		recs = []agreement.Record{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": recs})
}

// signAgreement handles POST /journeys/{id}/agreements/{aid}/sign.
func (s *server) signAgreement(w http.ResponseWriter, r *http.Request, c caller) {
	aid, err := trust.ParseID[agreement.Agreement](r.PathValue("aid"))
	if err != nil {
		writeProblem(w, problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: "There is no such agreement."})
		return
	}
	doc, ok := s.body(w, r)
	if !ok || !s.check(w, signRequestSchema, doc, "") {
		return
	}
	key, ok := s.idempotency(w, r, c)
	if !ok {
		return
	}
	sig, err := s.signature(r.Context(), c, aid, doc["consent_to_transparency"].(bool))
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	res, err := s.eng.SignAgreement(r.Context(), c.rel, trust.PartnerActor(c.me), sig, exercise.WithIdempotencyKey(key))
	if err != nil {
		p := problemFor(s.log, err, "data")
		for i, fe := range p.Errors {
			if fe.Field == "consents_to" || strings.HasPrefix(fe.Field, "data.consents_to") {
				p.Errors[i].Field = "consent_to_transparency"
			}
		}
		writeProblem(w, p)
		return
	}
	s.refresh(r.Context(), c.rel)
	writeJSON(w, http.StatusCreated, eventsResponse{Events: visibleTo(c.me, res.Events)})
}

// signature is the caller's signature on the version of an agreement
// awaiting signatures. With consent, it lists every transparency term of
// that version in which the caller gives access: the body's
// consent_to_transparency is their consent to each, as the page showed
// them. The version is pinned, so a newer version landing in between is
// refused rather than signed unread.
func (s *server) signature(ctx context.Context, c caller, aid agreement.ID, consent bool) (agreement.Signed, error) {
	sig := agreement.Signed{Agreement: aid}
	recs, err := s.eng.Agreements(ctx, c.rel)
	if err != nil {
		return sig, err
	}
	for _, rec := range recs {
		v, ok := rec.Version(rec.Pending)
		if rec.ID != aid || !ok {
			continue
		}
		sig.Version, sig.Digest = v.Version, v.Digest()
		for _, t := range v.Terms {
			if consent && t.Kind == agreement.Transparency && t.Commits(c.me) {
				sig.ConsentsTo = append(sig.ConsentsTo, t.ID)
			}
		}
	}
	return sig, nil
}

// assignmentEventTypes maps each assignment action to its event type.
var assignmentEventTypes = map[string]string{
	"start":    exercise.TypeAssignmentStarted,
	"complete": exercise.TypeAssignmentCompleted,
	"skip":     exercise.TypeAssignmentSkipped,
	"snooze":   exercise.TypeAssignmentSnoozed,
}

// assignmentAction handles POST /journeys/{id}/assignments/{aid}/{action}.
// The body holds the event's own fields; the assignment comes from the path
// and the partner from the token.
func (s *server) assignmentAction(action string) func(http.ResponseWriter, *http.Request, caller) {
	typ := assignmentEventTypes[action]
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		aid, err := trust.ParseID[exercise.Assignment](r.PathValue("aid"))
		if err != nil {
			writeProblem(w, problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: "There is no such assignment."})
			return
		}
		doc, ok := s.body(w, r)
		if !ok || !s.check(w, assignmentActionSchema, doc, "") {
			return
		}
		key, ok := s.idempotency(w, r, c)
		if !ok {
			return
		}
		var errs []fieldError
		for _, f := range []string{"assignment", "partner"} {
			if _, set := doc[f]; set {
				errs = append(errs, fieldError{Field: f, Detail: "is set by the server from the path and the token"})
			}
		}
		if len(errs) > 0 {
			writeProblem(w, invalid("The body names the assignment or the partner.", errs...))
			return
		}
		opts := []exercise.Opt{exercise.WithIdempotencyKey(key)}
		if v, ok := doc["visibility"].(string); ok {
			if action != "complete" {
				writeProblem(w, invalid("Only a completion takes a visibility.", fieldError{Field: "visibility", Detail: "is only for complete"}))
				return
			}
			opts = append(opts, exercise.WithVisibility(trust.Visibility(v)))
			delete(doc, "visibility")
		}
		spec, _ := trust.LookupEventType(typ)
		doc["assignment"], doc["partner"] = aid.String(), c.me.String()
		if !s.check(w, spec.Schema, doc, "") {
			return
		}
		payload := spec.New()
		if !s.decode(w, doc, payload, "") {
			return
		}
		var res exercise.Result[exercise.AssignmentID]
		by := trust.PartnerActor(c.me)
		switch p := payload.(type) {
		case *exercise.AssignmentStarted:
			res, err = s.eng.StartAssignment(r.Context(), c.rel, by, *p, opts...)
		case *exercise.AssignmentCompleted:
			res, err = s.eng.CompleteAssignment(r.Context(), c.rel, by, *p, opts...)
		case *exercise.AssignmentSkipped:
			res, err = s.eng.SkipAssignment(r.Context(), c.rel, by, *p, opts...)
		case *exercise.AssignmentSnoozed:
			res, err = s.eng.SnoozeAssignment(r.Context(), c.rel, by, *p, opts...)
		}
		if err != nil {
			writeProblem(w, problemFor(s.log, err, ""))
			return
		}
		s.refresh(r.Context(), c.rel)
		writeJSON(w, http.StatusCreated, eventsResponse{Events: visibleTo(c.me, res.Events)})
	}
}

func (s *server) getView(w http.ResponseWriter, r *http.Request, c caller) {
	v, err := s.eng.View(r.Context(), c.rel, c.viewer())
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *server) getPlan(w http.ResponseWriter, r *http.Request, c caller) {
	p, err := s.eng.Plan(r.Context(), c.rel, c.me)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if p.Items == nil {
		p.Items = []exercise.PlanItem{}
	}
	writeJSON(w, http.StatusOK, p)
}

// getTimeline handles GET /journeys/{id}/timeline[?type=…&type=…]: the
// events the caller may read.
func (s *server) getTimeline(w http.ResponseWriter, r *http.Request, c caller) {
	types := r.URL.Query()["type"]
	sort.Strings(types)
	events, err := s.eng.Timeline(r.Context(), c.rel, c.viewer(), types...)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if events == nil {
		events = []trust.Event{}
	}
	writeJSON(w, http.StatusOK, eventsResponse{Events: events})
}

// report builds the caller's report in the locale of ?locale=, else the
// partner's own, else English.
func (s *server) report(w http.ResponseWriter, r *http.Request, c caller) (progress.Report, bool) {
	locale := r.URL.Query().Get("locale")
	if locale == "" {
		if rel, err := s.relationship(r.Context(), c.rel); err == nil {
			if p, ok := rel.Partner(c.me); ok {
				locale = p.Locale
			}
		}
	}
	if locale == "" {
		locale = "en"
	}
	rep, err := s.eng.Report(r.Context(), c.rel, c.viewer(), locale)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return progress.Report{}, false
	}
	return rep, true
}

func (s *server) getReport(w http.ResponseWriter, r *http.Request, c caller) {
	if rep, ok := s.report(w, r, c); ok {
		writeJSON(w, http.StatusOK, rep)
	}
}

func (s *server) getReportText(w http.ResponseWriter, r *http.Request, c caller) {
	if rep, ok := s.report(w, r, c); ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(rep.Text()))
	}
}

func (s *server) getChart(w http.ResponseWriter, r *http.Request, c caller) {
	if rep, ok := s.report(w, r, c); ok {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_, _ = w.Write(rep.SVG())
	}
}

// getRecommendations serves the professional-help suggestions of the
// caller's report, with their reasons and the report's disclaimer.
func (s *server) getRecommendations(w http.ResponseWriter, r *http.Request, c caller) {
	if rep, ok := s.report(w, r, c); ok {
		recs := rep.Recommendations
		if recs == nil {
			recs = []progress.Recommendation{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"recommendations": recs, "disclaimer": rep.Disclaimer})
	}
}

// getReminders handles GET /journeys/{id}/reminders: the reminders due to
// the caller now. Like every GET it writes nothing; once the app has sent
// one, it says so with POST /journeys/{id}/reminders/sent.
func (s *server) getReminders(w http.ResponseWriter, r *http.Request, c caller) {
	rs, err := s.eng.RemindersDue(r.Context(), c.rel, c.me)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	if rs == nil {
		rs = []exercise.Reminder{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reminders": rs})
}

// markReminderSent handles POST /journeys/{id}/reminders/sent: the body is
// one reminder as GET /reminders returned it (its partner, if left out, is
// the caller's). Only the caller's own reminders can be marked; the engine
// records each as an event private to the caller, and the reminder policy's
// daily cap and least gap count them.
func (s *server) markReminderSent(w http.ResponseWriter, r *http.Request, c caller) {
	doc, ok := s.body(w, r)
	if !ok {
		return
	}
	key, ok := s.idempotency(w, r, c)
	if !ok {
		return
	}
	if _, set := doc["partner"]; !set {
		doc["partner"] = c.me.String()
	}
	if !s.check(w, reminderSchema, doc, "") {
		return
	}
	var rem exercise.Reminder
	if !s.decode(w, doc, &rem, "") {
		return
	}
	if rem.Partner != c.me {
		writeProblem(w, problemFor(s.log, &trust.TransitionError{Pkg: "wellness-api", Event: exercise.TypeReminderSent,
			Reason: "a partner marks only their own reminders as sent", Cause: trust.ErrForbidden}, ""))
		return
	}
	res, err := s.eng.MarkRemindersSent(r.Context(), c.rel, []exercise.Reminder{rem}, exercise.WithIdempotencyKey(key))
	if err != nil {
		writeProblem(w, problemFor(s.log, err, ""))
		return
	}
	writeJSON(w, http.StatusCreated, eventsResponse{Events: visibleTo(c.me, res.Events)})
}

// postRefresh handles POST /journeys/{id}/refresh: it brings the journey up
// to date now (overdue work expires, the scheduler's proposals are written)
// and returns what it wrote that the caller may read. A background job
// calls it for each journey, say nightly, so that work moves on even when
// nobody opens the app; a second call at the same instant writes nothing.
func (s *server) postRefresh(w http.ResponseWriter, r *http.Request, c caller) {
	res, err := s.eng.Refresh(r.Context(), c.rel)
	if err != nil {
		writeProblem(w, problemFor(s.log, err, "data"))
		return
	}
	writeJSON(w, http.StatusOK, eventsResponse{Events: visibleTo(c.me, res.Events)})
}

// refresh brings a journey up to date after a write, so the next GET /plan
// shows the work the write made due (a phase reached, an agreement in
// force, room freed by a completion). The write is already acknowledged, so
// it runs to the end even if the client goes away, and a failure is logged,
// not returned: the next write or POST /refresh catches up.
func (s *server) refresh(ctx context.Context, rel trust.RelationshipID) {
	if _, err := s.eng.Refresh(context.WithoutCancel(ctx), rel); err != nil {
		s.log.Error("refreshing a journey after a write", "journey", rel, "err", err)
	}
}
