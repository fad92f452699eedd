package agreement

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Status is where an agreement is in its life.
type Status string

// Statuses. A draft is an [Agreement] value not yet proposed; the Book holds
// agreements from their proposal on.
const (
	// StatusProposed: version 1 (or a counter-proposal) awaits both signatures; nothing is in force.
	StatusProposed Status = "proposed"
	// StatusActive: a version is in force and nothing awaits signatures.
	StatusActive Status = "active"
	// StatusUnderReview: the couple is reviewing the version in force, which stays in force.
	StatusUnderReview Status = "under_review"
	// StatusAmended: a new version awaits both signatures; the previous one stays in force until then.
	StatusAmended Status = "amended"
	// StatusRetired: the agreement has ended. Its history stays.
	StatusRetired Status = "retired"
)

// Values lists the statuses.
func (Status) Values() []string {
	return []string{"proposed", "active", "under_review", "amended", "retired"}
}

// EndReason says why a term stopped being in force before its version did.
type EndReason string

// Reasons a term ends early.
const (
	// EndRevoked: a partner revoked a transparency term.
	EndRevoked EndReason = "revoked"
	// EndLapsed: a transparency term passed its sunset.
	EndLapsed EndReason = "lapsed"
)

// Values lists the reasons.
func (EndReason) Values() []string { return []string{"revoked", "lapsed"} }

// Period is a span of time during which one version was in force.
type Period struct {
	// Version is the version in force.
	Version int `json:"version"`
	// From is when it came into force (its activation).
	From time.Time `json:"from"`
	// To is when it stopped (the next activation or the retirement); nil while in force.
	To *time.Time `json:"to,omitempty"`
	// Ended lists the terms that stopped being in force during the period.
	Ended []TermEnd `json:"ended,omitempty"`
}

// TermEnd records a term leaving force inside a period.
type TermEnd struct {
	// Term is the term.
	Term TermID `json:"term"`
	// At is when it stopped being in force.
	At time.Time `json:"at"`
	// Why is revoked or lapsed.
	Why EndReason `json:"why"`
}

// Record is the life of one agreement as the Book knows it: every version,
// every signature, and when each version was in force. Values returned by
// the Book are copies.
type Record struct {
	// ID identifies the agreement.
	ID ID `json:"id"`
	// Status is where the agreement is in its life.
	Status Status `json:"status"`
	// InForce is the version in force, or 0.
	InForce int `json:"in_force,omitempty"`
	// Pending is the version awaiting signatures, or 0.
	Pending int `json:"pending,omitempty"`
	// ProposedBy is the partner who proposed version 1.
	ProposedBy trust.PartnerID `json:"proposed_by"`
	// ProposedAt is when.
	ProposedAt time.Time `json:"proposed_at"`
	// Versions holds every version, version n at index n-1. None is ever dropped.
	Versions []Agreement `json:"versions"`
	// Withdrawn lists versions replaced or abandoned before they came into force.
	Withdrawn []int `json:"withdrawn,omitempty"`
	// Signatures lists every signature still standing, in signing order.
	Signatures []Signature `json:"signatures,omitempty"`
	// Periods lists when each version was in force, oldest first.
	Periods []Period `json:"periods,omitempty"`
	// ReviewSince is when the current review began, if one is open.
	ReviewSince *time.Time `json:"review_since,omitempty"`
	// RetiredAt is when the agreement was retired.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Version returns version n.
func (r Record) Version(n int) (Agreement, bool) {
	if n < 1 || n > len(r.Versions) {
		return Agreement{}, false
	}
	return r.Versions[n-1], true
}

// Current returns the version in force or, if none is, the latest version.
func (r Record) Current() Agreement {
	if a, ok := r.Version(r.InForce); ok {
		return a
	}
	return r.Versions[len(r.Versions)-1]
}

// Diff returns the changes from version a to version b.
func (r Record) Diff(a, b int) ([]Change, error) {
	va, ok := r.Version(a)
	if !ok {
		return nil, check.Invalid(pkg, "from", "agreement %s has no version %d", r.ID, a)
	}
	vb, ok := r.Version(b)
	if !ok {
		return nil, check.Invalid(pkg, "to", "agreement %s has no version %d", r.ID, b)
	}
	return Diff(va, vb), nil
}

// Book is every agreement of one relationship's journey, folded from its
// events. It is a fold like [trust.Journey] and the exercise package's
// Assignments, with the same verbs: build one with [NewBook] (or
// [ReplayBook] a stream), then [Book.Apply] each event of the stream in
// order; events of other packages are ignored. [Book.Check] asks whether an
// event may be applied without applying it, [Book.Prepare] returns the
// commit that applies it (to keep several folds in step), and [Book.Clone]
// makes an independent copy. An event the Book refuses gets a typed error
// (a *trust.ValidationError or a *trust.TransitionError) and changes
// nothing.
//
// The Book decides everything about agreements so an engine never
// reimplements a rule: which version awaits activation ([Book.Activation]),
// which transparency terms have lapsed ([Book.Lapses]), what is scheduled
// ([Book.Occurrences], [Book.Due], [Book.Next]) and how commitments are kept
// ([Book.Compliance]).
//
// The Book knows nothing of safety flags or pauses: the engine refuses joint
// work (proposals, signatures, reviews) while [trust.Journey.JointWorkPaused],
// but should never hold back a revocation or a retirement.
//
// A Book is not safe for concurrent use.
type Book struct {
	rel     trust.Relationship
	loc     *time.Location
	order   []ID
	recs    map[ID]*record
	applied int // events applied, so a stale commit is caught
}

type period struct {
	version  int
	from, to time.Time // to is zero while in force
	cut      map[TermID]TermEnd
}

// end returns when term tid stops being in force within p (farFuture if open).
func (p *period) end(tid TermID) time.Time {
	e := p.to
	if e.IsZero() {
		e = farFuture
	}
	if c, ok := p.cut[tid]; ok && c.At.Before(e) {
		e = c.At
	}
	return e
}

// outcome of one report of an occurrence.
type outcome struct {
	kind   Outcome
	heldAt time.Time
}

type occState struct {
	partner map[trust.PartnerID]outcome
	system  bool
}

type breakReport struct {
	at   time.Time
	by   trust.PartnerID
	self bool
}

type termState struct {
	skips        map[int64]bool
	moves        map[int64]int64 // original start -> new start (Unix seconds)
	movedFrom    map[int64]int64 // new start -> original start
	occ          map[int64]*occState
	breaks       []breakReport
	renegotiated []time.Time
}

func newTermState() *termState {
	return &termState{skips: map[int64]bool{}, moves: map[int64]int64{}, movedFrom: map[int64]int64{}, occ: map[int64]*occState{}}
}

type record struct {
	id          ID
	versions    []Agreement
	status      Status
	inForce     int
	pending     int
	withdrawn   []int
	sigs        []Signature
	periods     []*period
	terms       map[TermID]*termState
	reviewSince time.Time
	retiredAt   time.Time
	proposedBy  trust.PartnerID
	proposedAt  time.Time
}

// NewBook returns an empty Book for the relationship. A relationship whose
// time zone does not load yields a Book that refuses every agreement event.
func NewBook(rel trust.Relationship) *Book {
	loc, err := rel.Location()
	if err != nil {
		loc = nil
	}
	return &Book{rel: rel, loc: loc, recs: map[ID]*record{}}
}

// ReplayBook folds a stream into a new Book with [Book.Apply], ignoring
// non-agreement events, and returns the first error.
func ReplayBook(rel trust.Relationship, events []trust.Event) (*Book, error) {
	b := NewBook(rel)
	for _, e := range events {
		if err := b.Apply(e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Relationship returns the couple.
func (b *Book) Relationship() trust.Relationship { return b.rel }

// Location returns the relationship's time zone.
func (b *Book) Location() *time.Location {
	if b.loc == nil {
		return time.UTC
	}
	return b.loc
}

// Clone returns an independent copy of the Book: applying events to one
// leaves the other as it was.
func (b *Book) Clone() *Book {
	c := &Book{rel: b.rel, loc: b.loc, order: slices.Clone(b.order), recs: make(map[ID]*record, len(b.recs)), applied: b.applied}
	for id, r := range b.recs {
		nr := *r
		nr.versions = slices.Clone(r.versions)
		nr.withdrawn = slices.Clone(r.withdrawn)
		nr.sigs = slices.Clone(r.sigs)
		nr.periods = make([]*period, len(r.periods))
		for i, p := range r.periods {
			np := *p
			np.cut = maps.Clone(p.cut)
			nr.periods[i] = &np
		}
		nr.terms = make(map[TermID]*termState, len(r.terms))
		for tid, ts := range r.terms {
			nt := &termState{skips: maps.Clone(ts.skips), moves: maps.Clone(ts.moves), movedFrom: maps.Clone(ts.movedFrom),
				occ: make(map[int64]*occState, len(ts.occ)), breaks: slices.Clone(ts.breaks), renegotiated: slices.Clone(ts.renegotiated)}
			for k, o := range ts.occ {
				nt.occ[k] = &occState{partner: maps.Clone(o.partner), system: o.system}
			}
			nr.terms[tid] = nt
		}
		c.recs[id] = &nr
	}
	return c
}

// Agreement returns the record of one agreement.
func (b *Book) Agreement(id ID) (Record, bool) {
	r, ok := b.recs[id]
	if !ok {
		return Record{}, false
	}
	return r.export(), true
}

// Agreements returns every agreement's record, in the order they were proposed.
func (b *Book) Agreements() []Record {
	out := make([]Record, len(b.order))
	for i, id := range b.order {
		out[i] = b.recs[id].export()
	}
	return out
}

// Active returns, for each agreement in force at t, the version in force
// then, holding only the terms in force then (a revoked or lapsed
// transparency term is left out), in the order the agreements were proposed.
func (b *Book) Active(t time.Time) []Agreement {
	var out []Agreement
	for _, id := range b.order {
		r := b.recs[id]
		p := r.periodAt(t)
		if p == nil {
			continue
		}
		v := r.versions[p.version-1]
		terms := make([]Term, 0, len(v.Terms))
		for _, term := range v.Terms {
			if t.Before(p.end(term.ID)) {
				terms = append(terms, term)
			}
		}
		v.Terms = terms
		out = append(out, v.Clone())
	}
	return out
}

// InForce reports whether a term of an agreement was in force at t.
func (b *Book) InForce(id ID, term TermID, t time.Time) bool {
	r, ok := b.recs[id]
	if !ok {
		return false
	}
	p := r.periodAt(t)
	if p == nil {
		return false
	}
	_, has := r.versions[p.version-1].Term(term)
	return has && t.Before(p.end(term))
}

func (r *record) periodAt(t time.Time) *period {
	for i := len(r.periods) - 1; i >= 0; i-- {
		p := r.periods[i]
		if !t.Before(p.from) && (p.to.IsZero() || t.Before(p.to)) {
			return p
		}
	}
	return nil
}

func (r *record) export() Record {
	out := Record{ID: r.id, Status: r.status, InForce: r.inForce, Pending: r.pending,
		ProposedBy: r.proposedBy, ProposedAt: r.proposedAt,
		Versions: cloneAgreements(r.versions), Withdrawn: slices.Clone(r.withdrawn), Signatures: slices.Clone(r.sigs)}
	for i := range out.Signatures {
		out.Signatures[i].ConsentsTo = slices.Clone(out.Signatures[i].ConsentsTo)
	}
	for _, p := range r.periods {
		ep := Period{Version: p.version, From: p.from}
		if !p.to.IsZero() {
			to := p.to
			ep.To = &to
		}
		for _, t := range r.versions[p.version-1].Terms {
			if c, ok := p.cut[t.ID]; ok {
				ep.Ended = append(ep.Ended, c)
			}
		}
		out.Periods = append(out.Periods, ep)
	}
	if !r.reviewSince.IsZero() {
		t := r.reviewSince
		out.ReviewSince = &t
	}
	if !r.retiredAt.IsZero() {
		t := r.retiredAt
		out.RetiredAt = &t
	}
	return out
}

func (r *record) version(n int) (Agreement, bool) {
	if n < 1 || n > len(r.versions) {
		return Agreement{}, false
	}
	return r.versions[n-1], true
}

func (r *record) signaturesOf(v int) []Signature {
	var out []Signature
	for _, s := range r.sigs {
		if s.Version == v {
			out = append(out, s)
		}
	}
	return out
}

func (r *record) lastPeriod() *period {
	if len(r.periods) == 0 {
		return nil
	}
	return r.periods[len(r.periods)-1]
}

// term returns the state of a term, created on first use.
func (r *record) term(tid TermID) *termState {
	ts, ok := r.terms[tid]
	if !ok {
		ts = newTermState()
		r.terms[tid] = ts
	}
	return ts
}

// hasTerm reports whether any version of the agreement holds the term.
func (r *record) hasTerm(tid TermID) (Term, bool) {
	for i := len(r.versions) - 1; i >= 0; i-- {
		if t, ok := r.versions[i].Term(tid); ok {
			return t, true
		}
	}
	return Term{}, false
}

// schedule returns the schedule of a term.
func (b *Book) schedule(t Term) *schedule {
	s, err := newSchedule(t.Timing, b.Location())
	if err != nil {
		return &schedule{kind: Standing} // unreachable: versions are validated before they are stored
	}
	return s
}

// Activation returns the activation event payload for an agreement whose
// pending version has both partners' signatures, and false otherwise. The
// engine appends it (as trust.SystemActor) right after the
// second signature.
func (b *Book) Activation(id ID) (Activated, bool) {
	r, ok := b.recs[id]
	if !ok || r.pending == 0 {
		return Activated{}, false
	}
	sigs := r.signaturesOf(r.pending)
	if len(sigs) != 2 {
		return Activated{}, false
	}
	v, _ := r.version(r.pending)
	return Activated{Agreement: id, Version: r.pending, Digest: v.Digest(), Signatures: sigs}, true
}

// SignatureFor returns the signature payload for partner p on the version of
// an agreement awaiting signatures, with the digest and the list of
// transparency terms in which p gives access filled in. Show p each of those
// terms and get their explicit consent before appending it.
func (b *Book) SignatureFor(id ID, p trust.PartnerID) (Signed, error) {
	r, ok := b.recs[id]
	if !ok {
		return Signed{}, refuse(TypeSigned, trust.ErrNotFound, "agreement %s is not in the book", id)
	}
	if r.pending == 0 {
		return Signed{}, refuse(TypeSigned, nil, "agreement %s is %s: no version awaits signatures", id, r.status)
	}
	if !b.rel.Has(p) {
		return Signed{}, refuse(TypeSigned, trust.ErrForbidden, "%s is not a partner in this relationship", p)
	}
	v, _ := r.version(r.pending)
	return Signed{Agreement: id, Version: r.pending, Digest: v.Digest(), Partner: p, ConsentsTo: consentsNeeded(v, p)}, nil
}

// consentsNeeded lists the transparency terms of v in which p gives access.
func consentsNeeded(v Agreement, p trust.PartnerID) []TermID {
	var out []TermID
	for _, t := range v.Terms {
		if t.Kind == Transparency && t.Commits(p) {
			out = append(out, t.ID)
		}
	}
	return out
}

// Lapses returns the transparency terms in force whose sunset has passed at
// now, as events to append (by trust.SystemActor), in book and term order.
func (b *Book) Lapses(now time.Time) []Lapsed {
	var out []Lapsed
	for _, id := range b.order {
		r := b.recs[id]
		p := r.lastPeriod()
		if p == nil || !p.to.IsZero() {
			continue
		}
		v := r.versions[p.version-1]
		for _, t := range v.Terms {
			if _, cut := p.cut[t.ID]; cut {
				continue
			}
			if s, ok := t.sunset(b.Location()); ok && !now.Before(s) {
				out = append(out, Lapsed{Agreement: id, Term: t.ID, Version: p.version, ReviewOn: t.ReviewOn})
			}
		}
	}
	return out
}

// Check reports whether e may be applied next, without changing the Book.
func (b *Book) Check(e trust.Event) error {
	_, err := b.prepare(e)
	return err
}

// Apply folds e into the Book. Events whose type is not an agreement type are
// ignored. It checks, in order: the envelope and payload are valid; e
// belongs to this relationship; the actor may write it; the agreement's
// state allows it. On any error the Book is unchanged.
func (b *Book) Apply(e trust.Event) error {
	mutate, err := b.prepare(e)
	if err != nil {
		return err
	}
	b.applied++
	mutate()
	return nil
}

// Prepare checks e exactly as Apply does and, if the Book accepts it,
// returns the commit that folds it in, without changing the Book. It lets
// a caller keep several folds in step with one check each: prepare e against
// every fold ([trust.Journey.Prepare] and the exercise package's
// Assignments.Prepare have the same contract), then commit to all of them
// only when all accept it. commit must run once, before anything else
// changes the Book; committing an event the Book has moved past panics.
func (b *Book) Prepare(e trust.Event) (commit func(), err error) {
	mutate, err := b.prepare(e)
	if err != nil {
		return nil, err
	}
	at := b.applied
	return func() {
		if b.applied != at {
			// Folding it now could corrupt the Book: a bug in the caller.
			panic(fmt.Sprintf("agreement: a prepared %s event committed after the Book moved on", e.Type))
		}
		b.applied++
		mutate()
	}, nil
}

// ignore is the change of an event the Book has no part in.
func ignore() {}

func (b *Book) prepare(e trust.Event) (func(), error) {
	if !strings.HasPrefix(e.Type, pkg+".") {
		return ignore, nil
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if b.loc == nil {
		return nil, check.Invalid(pkg, "relationship.time_zone", "%q is not an IANA time zone", b.rel.TimeZone)
	}
	if e.Relationship != b.rel.ID {
		return nil, refuse(e.Type, trust.ErrConflict, "event belongs to relationship %s, not %s", e.Relationship, b.rel.ID)
	}
	switch e.Actor.Kind {
	case trust.ActorPartner:
		if p, _ := e.Actor.Partner(); !b.rel.Has(p) {
			return nil, refuse(e.Type, trust.ErrForbidden, "actor %s is not a partner in this relationship", p)
		}
	case trust.ActorProfessional:
		return nil, refuse(e.Type, trust.ErrForbidden, "agreements are the couple's own: a professional does not write them")
	}
	return b.decide(e)
}

func refuse(typ string, cause error, format string, args ...any) *trust.TransitionError {
	return &trust.TransitionError{Pkg: pkg, Event: typ, Reason: fmt.Sprintf(format, args...), Cause: cause}
}

// actorIs checks that the event's actor is the partner p.
func actorIs(e trust.Event, p trust.PartnerID, field string) error {
	if a, ok := e.Actor.Partner(); !ok || a != p {
		return refuse(e.Type, trust.ErrForbidden, "only %s (the %s) may write this", p, field)
	}
	return nil
}

// systemOrPartner checks an event that the system or a partner may write,
// whose payload optionally names the partner.
func systemOrPartner(e trust.Event, p *trust.PartnerID) error {
	switch e.Actor.Kind {
	case trust.ActorSystem:
		if p != nil {
			return refuse(e.Type, trust.ErrForbidden, "the system cannot write on behalf of partner %s", *p)
		}
	case trust.ActorPartner:
		if p == nil {
			return check.Invalid(pkg, "data.partner", "is required when a partner writes the event")
		}
		return actorIs(e, *p, "partner named")
	}
	return nil
}

func (b *Book) record(e trust.Event, id ID) (*record, error) {
	r, ok := b.recs[id]
	if !ok {
		return nil, refuse(e.Type, trust.ErrNotFound, "agreement %s is not in the book", id)
	}
	return r, nil
}

// checkTransparencyDates checks that every transparency term of v has a
// review date after at and no more than MaxTransparencyReviewDays after it.
func (b *Book) checkTransparencyDates(e trust.Event, v Agreement, at time.Time, field string) error {
	loc := b.Location()
	today, _ := parseDate(localDate(at, loc))
	limit := today.AddDate(0, 0, MaxTransparencyReviewDays).Format(DateLayout)
	for i, t := range v.Terms {
		s, ok := t.sunset(loc)
		if !ok {
			continue
		}
		if !at.Before(s) {
			return refuse(e.Type, nil, "transparency term %q has review date %s, which has passed: amend it with a new review date", t.Title, t.ReviewOn)
		}
		if field != "" && t.ReviewOn > limit {
			return check.Invalid(pkg, fmt.Sprintf("%s.terms.%d.review_on", field, i),
				"is %s; a transparency term is reviewed within %d days (by %s)", t.ReviewOn, MaxTransparencyReviewDays, limit)
		}
	}
	return nil
}

// checkKinds checks that terms keeping their ID across versions keep their kind.
func checkKinds(r *record, v Agreement) error {
	for i, t := range v.Terms {
		if old, ok := r.hasTerm(t.ID); ok && old.Kind != t.Kind {
			return check.Invalid(pkg, fmt.Sprintf("data.agreement.terms.%d.kind", i),
				"term %s was a %s term; a different kind of commitment needs a new term ID", t.ID, old.Kind)
		}
	}
	return nil
}

func (b *Book) decide(e trust.Event) (func(), error) {
	switch d := e.Data.(type) {
	case *Proposed:
		return b.decideProposed(e, d)
	case *Signed:
		return b.decideSigned(e, d)
	case *Activated:
		return b.decideActivated(e, d)
	case *ReviewStarted:
		return b.decideReviewStarted(e, d)
	case *ReviewClosed:
		return b.decideReviewClosed(e, d)
	case *Amended:
		return b.decideAmended(e, d)
	case *Retired:
		return b.decideRetired(e, d)
	case *TransparencyRevoked:
		return b.decideRevoked(e, d)
	case *Lapsed:
		return b.decideLapsed(e, d)
	case *OccurrenceKept:
		return b.decideReport(e, d.Agreement, d.Term, d.Occurrence, &d.Partner, outcome{kind: OutcomeKept})
	case *OccurrenceMissed:
		return b.decideReport(e, d.Agreement, d.Term, d.Occurrence, d.Partner, outcome{kind: OutcomeMissed})
	case *OccurrenceRescheduled:
		return b.decideReport(e, d.Agreement, d.Term, d.Occurrence, &d.Partner, outcome{kind: OutcomeRescheduled, heldAt: d.HeldAt})
	case *OccurrenceSkipped:
		return b.decideSkipped(e, d)
	case *OccurrenceMoved:
		return b.decideMoved(e, d)
	case *TermBroken:
		return b.decideBroken(e, d)
	case *TermRenegotiated:
		return b.decideRenegotiated(e, d)
	}
	// An agreement.* type this version does not know: leave it alone.
	return func() {}, nil
}

func (b *Book) decideProposed(e trust.Event, d *Proposed) (func(), error) {
	if err := actorIs(e, d.ProposedBy, "proposing partner"); err != nil {
		return nil, err
	}
	if err := d.Agreement.ValidateIn(b.rel); err != nil {
		return nil, check.Prefix("data.agreement", err)
	}
	if _, dup := b.recs[d.Agreement.ID]; dup {
		return nil, refuse(e.Type, trust.ErrConflict, "agreement %s is already in the book", d.Agreement.ID)
	}
	if err := b.checkTransparencyDates(e, d.Agreement, e.Time, "data.agreement"); err != nil {
		return nil, err
	}
	return func() {
		id := d.Agreement.ID
		b.order = append(b.order, id)
		b.recs[id] = &record{id: id, versions: []Agreement{d.Agreement.Clone()}, status: StatusProposed, pending: 1,
			terms: map[TermID]*termState{}, proposedBy: d.ProposedBy, proposedAt: e.Time}
	}, nil
}

func (b *Book) decideSigned(e trust.Event, d *Signed) (func(), error) {
	r, err := b.partnerRecord(e, d.Partner, "signing partner", d.Agreement)
	if err != nil {
		return nil, err
	}
	if r.pending == 0 {
		return nil, refuse(e.Type, nil, "agreement %s is %s: no version awaits signatures", d.Agreement, r.status)
	}
	if d.Version != r.pending {
		return nil, refuse(e.Type, trust.ErrConflict, "version %d awaits signatures, not version %d", r.pending, d.Version)
	}
	v, _ := r.version(r.pending)
	if d.Digest != v.Digest() {
		return nil, refuse(e.Type, trust.ErrConflict, "the digest does not match version %d: the partner signed other text than the book holds", d.Version)
	}
	for _, s := range r.signaturesOf(r.pending) {
		if s.Partner == d.Partner {
			return nil, refuse(e.Type, trust.ErrConflict, "%s has already signed version %d", d.Partner, d.Version)
		}
	}
	need := consentsNeeded(v, d.Partner)
	for i, id := range d.ConsentsTo {
		if !slices.Contains(need, id) {
			return nil, check.Invalid(pkg, fmt.Sprintf("data.consents_to.%d", i),
				"%s is not a transparency term of version %d in which %s gives access", id, d.Version, d.Partner)
		}
	}
	for _, id := range need {
		if !slices.Contains(d.ConsentsTo, id) {
			t, _ := v.Term(id)
			return nil, refuse(e.Type, trust.ErrForbidden,
				"transparency term %q opens %s's life to the other partner: signing needs their explicit consent to it in consents_to", t.Title, d.Partner)
		}
	}
	if err := b.checkTransparencyDates(e, v, e.Time, ""); err != nil {
		return nil, err
	}
	return func() {
		r.sigs = append(r.sigs, Signature{Partner: d.Partner, Version: d.Version, SignedAt: e.Time, ConsentsTo: slices.Clone(d.ConsentsTo)})
	}, nil
}

func (b *Book) decideActivated(e trust.Event, d *Activated) (func(), error) {
	if err := systemOrPartner(e, partnerOf(e)); err != nil {
		return nil, err
	}
	r, err := b.record(e, d.Agreement)
	if err != nil {
		return nil, err
	}
	want, ready := b.Activation(d.Agreement)
	switch {
	case r.pending == 0:
		return nil, refuse(e.Type, nil, "agreement %s is %s: no version awaits activation", d.Agreement, r.status)
	case d.Version != r.pending:
		return nil, refuse(e.Type, trust.ErrConflict, "version %d awaits activation, not version %d", r.pending, d.Version)
	case !ready:
		return nil, refuse(e.Type, nil, "version %d has %d of 2 signatures: one signature does not activate an agreement", r.pending, len(r.signaturesOf(r.pending)))
	case d.Digest != want.Digest:
		return nil, refuse(e.Type, trust.ErrConflict, "the digest does not match version %d", d.Version)
	}
	for i, s := range d.Signatures {
		w := want.Signatures[i]
		if s.Partner != w.Partner || !s.SignedAt.Equal(w.SignedAt) || !slices.Equal(s.ConsentsTo, w.ConsentsTo) {
			return nil, refuse(e.Type, trust.ErrConflict, "signature %d does not match the signature the book holds", i)
		}
		if e.Time.Before(s.SignedAt) {
			return nil, refuse(e.Type, nil, "an agreement cannot come into force before it is signed (%s)", s.SignedAt.Format(time.RFC3339))
		}
	}
	if p := r.lastPeriod(); p != nil && e.Time.Before(p.from) {
		return nil, refuse(e.Type, nil, "activation at %s is before version %d came into force", e.Time.Format(time.RFC3339), p.version)
	}
	v, _ := r.version(r.pending)
	if err := b.checkTransparencyDates(e, v, e.Time, ""); err != nil {
		return nil, err
	}
	return func() {
		if p := r.lastPeriod(); p != nil && p.to.IsZero() {
			p.to = e.Time
		}
		r.periods = append(r.periods, &period{version: r.pending, from: e.Time, cut: map[TermID]TermEnd{}})
		r.inForce, r.pending = r.pending, 0
		r.status = StatusActive
		r.reviewSince = time.Time{}
	}, nil
}

func partnerOf(e trust.Event) *trust.PartnerID {
	if p, ok := e.Actor.Partner(); ok {
		return &p
	}
	return nil
}

func (b *Book) decideReviewStarted(e trust.Event, d *ReviewStarted) (func(), error) {
	if err := systemOrPartner(e, d.Partner); err != nil {
		return nil, err
	}
	r, err := b.record(e, d.Agreement)
	if err != nil {
		return nil, err
	}
	if r.status != StatusActive {
		return nil, refuse(e.Type, nil, "agreement %s is %s; only an agreement in force with nothing pending can be put under review", d.Agreement, r.status)
	}
	v, _ := r.version(r.inForce)
	for i, id := range d.Terms {
		if _, ok := v.Term(id); !ok {
			return nil, refuse(e.Type, trust.ErrNotFound, "terms.%d: %s is not a term of version %d", i, id, r.inForce)
		}
	}
	return func() {
		r.status = StatusUnderReview
		r.reviewSince = e.Time
	}, nil
}

func (b *Book) decideReviewClosed(e trust.Event, d *ReviewClosed) (func(), error) {
	r, err := b.partnerRecord(e, d.Partner, "partner closing the review", d.Agreement)
	if err != nil {
		return nil, err
	}
	if r.status != StatusUnderReview && !(r.status == StatusAmended && r.inForce != 0) {
		return nil, refuse(e.Type, nil, "agreement %s is %s, not under review", d.Agreement, r.status)
	}
	return func() {
		if r.pending != 0 {
			r.withdraw(r.pending)
		}
		r.status = StatusActive
		r.reviewSince = time.Time{}
	}, nil
}

// withdraw abandons pending version v and drops its signatures.
func (r *record) withdraw(v int) {
	r.withdrawn = append(r.withdrawn, v)
	r.dropSignatures(v)
	r.pending = 0
}

func (r *record) dropSignatures(v int) {
	r.sigs = slices.DeleteFunc(r.sigs, func(s Signature) bool { return s.Version == v })
}

func (b *Book) decideAmended(e trust.Event, d *Amended) (func(), error) {
	if err := actorIs(e, d.AmendedBy, "amending partner"); err != nil {
		return nil, err
	}
	r, err := b.record(e, d.Agreement.ID)
	if err != nil {
		return nil, err
	}
	switch r.status {
	case StatusActive:
		return nil, refuse(e.Type, nil, "agreement %s is in force: start a review before amending it", r.id)
	case StatusRetired:
		return nil, refuse(e.Type, nil, "agreement %s is retired; propose a new agreement instead", r.id)
	}
	if want := len(r.versions) + 1; d.Agreement.Version != want {
		return nil, refuse(e.Type, trust.ErrConflict, "the next version of agreement %s is %d, not %d", r.id, want, d.Agreement.Version)
	}
	if err := d.Agreement.ValidateIn(b.rel); err != nil {
		return nil, check.Prefix("data.agreement", err)
	}
	if err := checkKinds(r, d.Agreement); err != nil {
		return nil, err
	}
	if err := b.checkTransparencyDates(e, d.Agreement, e.Time, "data.agreement"); err != nil {
		return nil, err
	}
	if len(Diff(r.versions[len(r.versions)-1], d.Agreement)) == 0 {
		return nil, check.Invalid(pkg, "data.agreement", "is the same as version %d apart from its change note", len(r.versions))
	}
	return func() {
		if r.pending != 0 {
			r.withdraw(r.pending)
		}
		r.versions = append(r.versions, d.Agreement.Clone())
		r.pending = d.Agreement.Version
		if r.inForce == 0 {
			r.status = StatusProposed
		} else {
			r.status = StatusAmended
		}
	}, nil
}

func (b *Book) decideRetired(e trust.Event, d *Retired) (func(), error) {
	r, err := b.partnerRecord(e, d.Partner, "retiring partner", d.Agreement)
	if err != nil {
		return nil, err
	}
	if r.status == StatusRetired {
		return nil, refuse(e.Type, trust.ErrConflict, "agreement %s is already retired", d.Agreement)
	}
	if p := r.lastPeriod(); p != nil && e.Time.Before(p.from) {
		return nil, refuse(e.Type, nil, "retirement at %s is before version %d came into force", e.Time.Format(time.RFC3339), p.version)
	}
	return func() {
		if p := r.lastPeriod(); p != nil && p.to.IsZero() {
			p.to = e.Time
		}
		if r.pending != 0 {
			r.withdraw(r.pending)
		}
		r.status = StatusRetired
		r.retiredAt = e.Time
		r.reviewSince = time.Time{}
	}, nil
}

// partnerRecord checks that the event is written by partner p (in the given
// role) and finds the agreement.
func (b *Book) partnerRecord(e trust.Event, p trust.PartnerID, role string, id ID) (*record, error) {
	if err := actorIs(e, p, role); err != nil {
		return nil, err
	}
	return b.record(e, id)
}

// partnerTerm checks that the event is written by partner p (in the given
// role) and finds the agreement and one of its terms.
func (b *Book) partnerTerm(e trust.Event, p trust.PartnerID, role string, id ID, tid TermID) (*record, Term, error) {
	r, err := b.partnerRecord(e, p, role, id)
	if err != nil {
		return nil, Term{}, err
	}
	t, ok := r.hasTerm(tid)
	if !ok {
		return nil, Term{}, refuse(e.Type, trust.ErrNotFound, "agreement %s has no term %s", id, tid)
	}
	return r, t, nil
}

func (b *Book) decideRevoked(e trust.Event, d *TransparencyRevoked) (func(), error) {
	r, t, err := b.partnerTerm(e, d.Partner, "revoking partner", d.Agreement, d.Term)
	if err != nil {
		return nil, err
	}
	if t.Kind != Transparency {
		return nil, refuse(e.Type, nil, "term %q is a %s term; only a transparency term is revoked this way (review or retire the agreement to change others)", t.Title, t.Kind)
	}
	var cutIn *period
	if p := r.lastPeriod(); p != nil && p.to.IsZero() && !e.Time.Before(p.from) {
		if _, has := r.versions[p.version-1].Term(d.Term); has && e.Time.Before(p.end(d.Term)) {
			cutIn = p
		}
	}
	pending := false
	if v, ok := r.version(r.pending); ok {
		_, pending = v.Term(d.Term)
	}
	if cutIn == nil && !pending {
		return nil, refuse(e.Type, trust.ErrConflict, "transparency term %q is not in force and no version awaiting signatures holds it", t.Title)
	}
	return func() {
		if cutIn != nil {
			cutIn.cut[d.Term] = TermEnd{Term: d.Term, At: e.Time, Why: EndRevoked}
		}
		if pending {
			r.dropSignatures(r.pending)
		}
	}, nil
}

func (b *Book) decideLapsed(e trust.Event, d *Lapsed) (func(), error) {
	if err := systemOrPartner(e, partnerOf(e)); err != nil {
		return nil, err
	}
	r, err := b.record(e, d.Agreement)
	if err != nil {
		return nil, err
	}
	p := r.lastPeriod()
	if p == nil || !p.to.IsZero() || p.version != d.Version {
		return nil, refuse(e.Type, trust.ErrConflict, "version %d of agreement %s is not in force", d.Version, d.Agreement)
	}
	t, ok := r.versions[p.version-1].Term(d.Term)
	if !ok || t.Kind != Transparency {
		return nil, refuse(e.Type, trust.ErrNotFound, "version %d has no transparency term %s", d.Version, d.Term)
	}
	if _, cut := p.cut[d.Term]; cut {
		return nil, refuse(e.Type, trust.ErrConflict, "transparency term %q is no longer in force", t.Title)
	}
	if t.ReviewOn != d.ReviewOn {
		return nil, check.Invalid(pkg, "data.review_on", "is %s; the term's review date is %s", d.ReviewOn, t.ReviewOn)
	}
	sunset, _ := t.sunset(b.Location())
	if e.Time.Before(sunset) {
		return nil, refuse(e.Type, nil, "transparency term %q is in force until the end of %s", t.Title, t.ReviewOn)
	}
	at := sunset
	if at.Before(p.from) {
		at = p.from
	}
	return func() { p.cut[d.Term] = TermEnd{Term: d.Term, At: at, Why: EndLapsed} }, nil
}

// occurrenceAt finds the occurrence of a term that starts exactly at t.
func (b *Book) occurrenceAt(r *record, tid TermID, t time.Time) (Occurrence, bool) {
	for _, o := range b.occurrencesOf(r, tid, t, t.Add(time.Second)) {
		if o.Start.Equal(t) {
			return o, true
		}
	}
	return Occurrence{}, false
}

func (b *Book) scheduledTerm(e trust.Event, id ID, tid TermID) (*record, Term, error) {
	r, err := b.record(e, id)
	if err != nil {
		return nil, Term{}, err
	}
	t, ok := r.hasTerm(tid)
	if !ok {
		return nil, Term{}, refuse(e.Type, trust.ErrNotFound, "agreement %s has no term %s", id, tid)
	}
	if t.Timing.Kind == Standing {
		return nil, Term{}, refuse(e.Type, nil, "term %q is standing and has no occurrences; report a break with %s", t.Title, TypeTermBroken)
	}
	return r, t, nil
}

func (b *Book) decideReport(e trust.Event, id ID, tid TermID, at time.Time, p *trust.PartnerID, o outcome) (func(), error) {
	if o.kind == OutcomeMissed {
		if err := systemOrPartner(e, p); err != nil {
			return nil, err
		}
	} else if err := actorIs(e, *p, "reporting partner"); err != nil {
		return nil, err
	}
	r, _, err := b.scheduledTerm(e, id, tid)
	if err != nil {
		return nil, err
	}
	occ, ok := b.occurrenceAt(r, tid, at)
	if !ok {
		return nil, refuse(e.Type, trust.ErrNotFound, "term %s has no occurrence in force at %s", tid, at.UTC().Format(time.RFC3339))
	}
	if e.Time.Before(occ.Start) {
		return nil, refuse(e.Type, nil, "the occurrence at %s has not started yet", occ.Start.Format(time.RFC3339))
	}
	key := at.Unix()
	st := r.terms[tid]
	var cur *occState
	if st != nil {
		cur = st.occ[key]
	}
	switch {
	case o.kind == OutcomeRescheduled:
		grace := occ.GraceEnd.Sub(occ.End)
		if grace <= 0 {
			return nil, refuse(e.Type, nil, "term %q has no grace window; plan a move with %s instead", occ.Title, TypeOccurrenceMoved)
		}
		if o.heldAt.Before(occ.Start.Add(-grace)) || o.heldAt.After(occ.Start.Add(grace)) {
			return nil, check.Invalid(pkg, "data.held_at", "is outside the grace window of %s either side of %s", grace, occ.Start.Format(time.RFC3339))
		}
		if e.Time.Before(o.heldAt) {
			return nil, refuse(e.Type, nil, "an occurrence held at %s cannot be reported before then", o.heldAt.Format(time.RFC3339))
		}
	case p == nil: // the system's missed
		if e.Time.Before(occ.GraceEnd) {
			return nil, refuse(e.Type, nil, "the grace window of the occurrence at %s runs until %s", occ.Start.Format(time.RFC3339), occ.GraceEnd.Format(time.RFC3339))
		}
		if cur != nil && (cur.system || len(cur.partner) > 0) {
			return nil, refuse(e.Type, trust.ErrConflict, "the occurrence at %s is already reported", occ.Start.Format(time.RFC3339))
		}
	}
	if p != nil && cur != nil {
		if prev, ok := cur.partner[*p]; ok && prev.kind == o.kind && prev.heldAt.Equal(o.heldAt) {
			return nil, refuse(e.Type, trust.ErrConflict, "%s already reported the occurrence at %s as %s", *p, occ.Start.Format(time.RFC3339), o.kind)
		}
	}
	return func() {
		ts := r.term(tid)
		c := ts.occ[key]
		if c == nil {
			c = &occState{partner: map[trust.PartnerID]outcome{}}
			ts.occ[key] = c
		}
		if p == nil {
			c.system = true
		} else {
			c.partner[*p] = o
		}
	}, nil
}

// planned checks what skips and moves share: a partner plans an exception to
// an occurrence in force that has not started and has no report.
func (b *Book) planned(e trust.Event, id ID, tid TermID, at time.Time, p trust.PartnerID) (*record, Occurrence, error) {
	if err := actorIs(e, p, "planning partner"); err != nil {
		return nil, Occurrence{}, err
	}
	r, _, err := b.scheduledTerm(e, id, tid)
	if err != nil {
		return nil, Occurrence{}, err
	}
	occ, ok := b.occurrenceAt(r, tid, at)
	if !ok {
		return nil, Occurrence{}, refuse(e.Type, trust.ErrNotFound, "term %s has no occurrence in force at %s", tid, at.UTC().Format(time.RFC3339))
	}
	if !e.Time.Before(occ.Start) {
		return nil, Occurrence{}, refuse(e.Type, nil, "the occurrence at %s has already started: a planned exception is made beforehand (report it as missed or rescheduled instead)", occ.Start.Format(time.RFC3339))
	}
	if st := r.terms[tid]; st != nil && st.occ[at.Unix()] != nil {
		return nil, Occurrence{}, refuse(e.Type, trust.ErrConflict, "the occurrence at %s already has a report", occ.Start.Format(time.RFC3339))
	}
	return r, occ, nil
}

func (b *Book) decideSkipped(e trust.Event, d *OccurrenceSkipped) (func(), error) {
	r, _, err := b.planned(e, d.Agreement, d.Term, d.Occurrence, d.Partner)
	if err != nil {
		return nil, err
	}
	return func() { r.term(d.Term).skips[d.Occurrence.Unix()] = true }, nil
}

func (b *Book) decideMoved(e trust.Event, d *OccurrenceMoved) (func(), error) {
	r, occ, err := b.planned(e, d.Agreement, d.Term, d.Occurrence, d.Partner)
	if err != nil {
		return nil, err
	}
	if d.To.Before(e.Time) {
		return nil, check.Invalid(pkg, "data.to", "is in the past; a move plans ahead")
	}
	if !b.InForce(d.Agreement, d.Term, d.To) {
		return nil, check.Invalid(pkg, "data.to", "is a time when the term is not in force")
	}
	if _, clash := b.occurrenceAt(r, d.Term, d.To); clash {
		return nil, refuse(e.Type, trust.ErrConflict, "the term already has an occurrence at %s", d.To.UTC().Format(time.RFC3339))
	}
	if st := r.terms[d.Term]; st != nil && st.skips[d.To.Unix()] {
		return nil, refuse(e.Type, trust.ErrConflict, "the occurrence at %s was skipped; pick another time", d.To.UTC().Format(time.RFC3339))
	}
	return func() {
		ts := r.term(d.Term)
		from, to := d.Occurrence.Unix(), d.To.Unix()
		orig := from
		if occ.MovedFrom != nil {
			orig = occ.MovedFrom.Unix()
			delete(ts.movedFrom, from)
		}
		ts.moves[orig] = to
		ts.movedFrom[to] = orig
	}, nil
}

func (b *Book) decideBroken(e trust.Event, d *TermBroken) (func(), error) {
	r, t, err := b.partnerTerm(e, d.Partner, "reporting partner", d.Agreement, d.Term)
	if err != nil {
		return nil, err
	}
	if t.Timing.Kind != Standing {
		return nil, refuse(e.Type, nil, "term %q is scheduled; report its occurrences as missed instead", t.Title)
	}
	if d.OccurredAt.After(e.Time) {
		return nil, check.Invalid(pkg, "data.occurred_at", "is after the report")
	}
	if !b.InForce(d.Agreement, d.Term, d.OccurredAt) {
		return nil, refuse(e.Type, nil, "term %q was not in force at %s", t.Title, d.OccurredAt.UTC().Format(time.RFC3339))
	}
	p := r.periodAt(d.OccurredAt)
	inForce, _ := r.versions[p.version-1].Term(d.Term)
	self := inForce.Commits(d.Partner)
	return func() {
		r.term(d.Term).breaks = append(r.term(d.Term).breaks, breakReport{at: d.OccurredAt, by: d.Partner, self: self})
	}, nil
}

func (b *Book) decideRenegotiated(e trust.Event, d *TermRenegotiated) (func(), error) {
	r, err := b.partnerRecord(e, d.Partner, "recording partner", d.Agreement)
	if err != nil {
		return nil, err
	}
	if _, ok := r.hasTerm(d.Term); !ok {
		return nil, refuse(e.Type, trust.ErrNotFound, "agreement %s has no term %s", d.Agreement, d.Term)
	}
	if r.status == StatusRetired {
		return nil, refuse(e.Type, nil, "agreement %s is retired", d.Agreement)
	}
	return func() { r.term(d.Term).renegotiated = append(r.term(d.Term).renegotiated, e.Time) }, nil
}
