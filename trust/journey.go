package trust

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/keys"
)

// JourneyStarted is the first event of every journey: the relationship and the
// protocol profile it follows. The profile travels in the stream so a journey
// replays the same way even after the built-in profiles change.
type JourneyStarted struct {
	// Relationship is the couple.
	Relationship Relationship `json:"relationship"`
	// Profile is the protocol the journey follows.
	Profile Profile `json:"profile"`
}

// EventType implements Payload.
func (JourneyStarted) EventType() string { return TypeJourneyStarted }

// Validate checks the relationship and the profile.
func (j JourneyStarted) Validate() error {
	if err := j.Relationship.Validate(); err != nil {
		return prefix("relationship", err)
	}
	return prefix("profile", j.Profile.Validate())
}

// Direction says which way a phase change went.
type Direction string

// Directions of a phase change.
const (
	// Advanced: to the next phase, with its gates met.
	Advanced Direction = "advanced"
	// Regressed: back to an earlier phase, e.g. after a new disclosure. Effort
	// already made is kept; only the phase moves.
	Regressed Direction = "regressed"
)

// Values lists the directions.
func (Direction) Values() []string { return []string{"advanced", "regressed"} }

// PhaseChange moves the journey to another phase.
type PhaseChange struct {
	// From is the phase left.
	From string `json:"from"`
	// To is the phase entered.
	To string `json:"to"`
	// Direction is advanced or regressed.
	Direction Direction `json:"direction"`
	// Reason says why, in words the couple reads.
	Reason string `json:"reason"`
	// Breach is the new disclosure that caused a regression, if any.
	Breach *BreachID `json:"breach,omitempty"`
}

// EventType implements Payload.
func (PhaseChange) EventType() string { return TypePhaseChanged }

// Validate checks the fields.
func (p PhaseChange) Validate() error {
	switch {
	case !keys.Is(p.From):
		return invalid("from", "%q is not a phase key", p.From)
	case !keys.Is(p.To):
		return invalid("to", "%q is not a phase key", p.To)
	case p.From == p.To:
		return invalid("to", "is the same phase as from")
	case !slices.Contains(p.Direction.Values(), string(p.Direction)):
		return invalid("direction", "%q is not advanced or regressed", p.Direction)
	}
	return text("reason", p.Reason, 1, 1000)
}

// GateResult is one gate evaluated against the journey.
type GateResult struct {
	Gate   Gate   `json:"gate"`
	Met    bool   `json:"met"`
	Reason string `json:"reason"`
}

type breachState struct {
	breach   Breach
	ongoing  bool
	accounts map[PartnerID]int
	accepted bool
	rounds   int
}

type ackState struct {
	ack      Acknowledgement
	answered bool
}

type needsState struct {
	req    NeedsRequest
	status NeedsStatus
}

type consent struct {
	granted, safety bool
}

// Journey is the state of one relationship's journey, folded from its events.
// Build one with [NewJourney] from the first event, or [ReplayJourney] a stream, then
// [Journey.Apply] each later event in sequence order. Apply refuses an event
// the state does not allow with a typed error and leaves the journey
// unchanged. Nothing in a Journey is ever reset: a regression moves the phase
// back but keeps every count of effort.
//
// A Journey holds private data (safety flags, private commitment answers).
// Its methods that answer for one viewer take a [Viewer]; the others are for
// the engine and must not be shown to a partner as they are.
//
// A Journey is not safe for concurrent use; [Journey.Clone] makes an
// independent copy.
type Journey struct {
	rel        Relationship
	profile    Profile
	seq        Sequence
	last       time.Time
	phase      int
	phaseSince time.Time
	phaseSeq   Sequence
	breaches   []*breachState
	breachIdx  map[BreachID]int
	acks       map[AcknowledgementID]*ackState
	needs      []*needsState
	needsIdx   map[NeedsRequestID]int
	commit     map[PartnerID]CommitmentAnswer
	flags      map[SafetyFlagID]PartnerID
	flagOrder  []SafetyFlagID
	paused     bool
	consents   map[PartnerID]map[ProfessionalID]consent
	research   map[PartnerID]bool
	counts     map[string]int
	phaseCount map[string]int
	effort     map[PartnerID]int
	accepted   int
}

// NewJourney starts a journey from its first event, which must be a valid
// trust.journey_started event with sequence 1.
func NewJourney(first Event) (*Journey, error) {
	if err := first.Validate(); err != nil {
		return nil, err
	}
	start, ok := first.Data.(*JourneyStarted)
	if !ok {
		return nil, refuse(first.Type, nil, "a journey must begin with %s", TypeJourneyStarted)
	}
	if first.Sequence != 1 {
		return nil, invalid("sequence", "the first event must have sequence 1")
	}
	if start.Relationship.ID != first.Relationship {
		return nil, invalid("data.relationship.id", "does not match the event's relationship")
	}
	j := &Journey{
		rel: start.Relationship, profile: start.Profile, seq: 1, last: first.Time,
		phaseSince: first.RecordedTime, phaseSeq: 1,
		breachIdx: map[BreachID]int{}, acks: map[AcknowledgementID]*ackState{},
		needsIdx: map[NeedsRequestID]int{}, commit: map[PartnerID]CommitmentAnswer{},
		flags: map[SafetyFlagID]PartnerID{}, consents: map[PartnerID]map[ProfessionalID]consent{},
		research: map[PartnerID]bool{}, counts: map[string]int{TypeJourneyStarted: 1},
		phaseCount: map[string]int{}, effort: map[PartnerID]int{},
	}
	if err := j.mayWrite(first); err != nil {
		return nil, err
	}
	for _, id := range start.Relationship.ResearchConsent {
		j.research[id] = true
	}
	return j, nil
}

// ReplayJourney folds a whole stream into a journey.
func ReplayJourney(events []Event) (*Journey, error) {
	if len(events) == 0 {
		return nil, invalid("events", "a journey needs at least its first event")
	}
	j, err := NewJourney(events[0])
	if err != nil {
		return nil, err
	}
	for _, e := range events[1:] {
		if err := j.Apply(e); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// Relationship returns the couple.
func (j *Journey) Relationship() Relationship { return j.rel }

// Profile returns the protocol profile the journey follows.
func (j *Journey) Profile() Profile { return j.profile }

// Sequence returns the sequence number of the last applied event.
func (j *Journey) Sequence() Sequence { return j.seq }

// Phase returns the current phase.
func (j *Journey) Phase() Phase { return j.profile.Phases[j.phase] }

// PhaseSince returns when the current phase began: when the event that
// began it (the journey's start or a phase change) was recorded, not the time
// it claims, so back-dating a start or a phase change never shortens a
// days-in-phase gate.
func (j *Journey) PhaseSince() time.Time { return j.phaseSince }

// Count returns how many events of a type the journey has seen, of any
// package. Counts are never reset.
func (j *Journey) Count(eventType string) int { return j.counts[eventType] }

// Effort returns how many events a partner has written. It is never reset.
func (j *Journey) Effort(p PartnerID) int { return j.effort[p] }

// SafetyActive reports whether any safety flag is active. It is for the
// engine's decisions; never show it to a partner as it is (use [Journey.View]).
func (j *Journey) SafetyActive() bool { return len(j.flags) > 0 }

// ActiveFlags returns the IDs of active safety flags raised by p, oldest first.
func (j *Journey) ActiveFlags(p PartnerID) []SafetyFlagID {
	var out []SafetyFlagID
	for _, id := range j.flagOrder {
		if owner, ok := j.flags[id]; ok && owner == p {
			out = append(out, id)
		}
	}
	return out
}

// JointWorkPaused reports whether joint work is paused, by a safety flag or by
// a partner's pause. It does not say which.
func (j *Journey) JointWorkPaused() bool { return j.paused || len(j.flags) > 0 }

// Alignment summarises both partners' latest commitment answers.
func (j *Journey) Alignment() Alignment {
	a, aok := j.commit[j.rel.Partners[0].ID]
	b, bok := j.commit[j.rel.Partners[1].ID]
	switch {
	case !aok || !bok:
		return AlignmentUnknown
	case a == CommitYes && b == CommitYes:
		return AlignedYes
	case a == CommitNo && b == CommitNo:
		return AlignedNo
	}
	return AlignmentMixed
}

// Commitment returns p's latest commitment answer, for the engine's routing.
func (j *Journey) Commitment(p PartnerID) (CommitmentAnswer, bool) {
	a, ok := j.commit[p]
	return a, ok
}

// Breaches returns the recorded breaches in the order they were recorded, with
// Ongoing reflecting any later trust.breach_ended event.
func (j *Journey) Breaches() []Breach {
	out := make([]Breach, len(j.breaches))
	for i, b := range j.breaches {
		out[i] = b.breach
		out[i].Ongoing = b.ongoing
	}
	return out
}

// BreachOngoing reports whether any recorded breach is still going on.
func (j *Journey) BreachOngoing() bool {
	for _, b := range j.breaches {
		if b.ongoing {
			return true
		}
	}
	return false
}

// Breach returns a breach by ID.
func (j *Journey) Breach(id BreachID) (Breach, bool) {
	i, ok := j.breachIdx[id]
	if !ok {
		return Breach{}, false
	}
	b := j.breaches[i].breach
	b.Ongoing = j.breaches[i].ongoing
	return b, true
}

// AcknowledgementRounds returns how many acknowledgements of a breach were
// given, and whether one was accepted.
func (j *Journey) AcknowledgementRounds(id BreachID) (rounds int, accepted bool) {
	i, ok := j.breachIdx[id]
	if !ok {
		return 0, false
	}
	return j.breaches[i].rounds, j.breaches[i].accepted
}

// NeedsStatus returns the status of a needs request.
func (j *Journey) NeedsStatus(id NeedsRequestID) (NeedsStatus, bool) {
	i, ok := j.needsIdx[id]
	if !ok {
		return "", false
	}
	return j.needs[i].status, true
}

// OpenNeeds returns the needs requests that are not closed, oldest first.
func (j *Journey) OpenNeeds() []NeedsRequest {
	var out []NeedsRequest
	for _, n := range j.needs {
		if !n.status.Closed() {
			out = append(out, n.req)
		}
	}
	return out
}

// ResearchConsent reports whether both partners currently consent to research use.
func (j *Journey) ResearchConsent() bool {
	return j.research[j.rel.Partners[0].ID] && j.research[j.rel.Partners[1].ID]
}

// ProfessionalMay reports what a professional may see of a partner's data:
// whether the partner currently consents, and whether that includes safety data.
func (j *Journey) ProfessionalMay(p PartnerID, pro ProfessionalID) (granted, safety bool) {
	c := j.consents[p][pro]
	return c.granted, c.safety
}

// Clone returns an independent copy of the journey.
func (j *Journey) Clone() *Journey {
	c := *j
	c.breaches = nil
	for _, b := range j.breaches {
		nb := *b
		nb.accounts = maps.Clone(b.accounts)
		c.breaches = append(c.breaches, &nb)
	}
	c.breachIdx = maps.Clone(j.breachIdx)
	c.acks = make(map[AcknowledgementID]*ackState, len(j.acks))
	for k, v := range j.acks {
		nv := *v
		c.acks[k] = &nv
	}
	c.needs = nil
	for _, n := range j.needs {
		nn := *n
		c.needs = append(c.needs, &nn)
	}
	c.needsIdx = maps.Clone(j.needsIdx)
	c.commit = maps.Clone(j.commit)
	c.flags = maps.Clone(j.flags)
	c.flagOrder = append([]SafetyFlagID(nil), j.flagOrder...)
	c.consents = make(map[PartnerID]map[ProfessionalID]consent, len(j.consents))
	for k, v := range j.consents {
		c.consents[k] = maps.Clone(v)
	}
	c.research = maps.Clone(j.research)
	c.counts = maps.Clone(j.counts)
	c.phaseCount = maps.Clone(j.phaseCount)
	c.effort = maps.Clone(j.effort)
	return &c
}

// jointWork lists the trust events that need both partners' engagement and
// are refused while joint work is paused.
var jointWork = map[string]bool{
	TypeAcknowledgementGiven: true, TypeAcknowledgementAnswered: true,
	TypeNeedsRequested: true, TypeNeedsAnswered: true,
}

// Check reports whether e may be applied next, without changing the journey.
func (j *Journey) Check(e Event) error {
	_, err := j.prepare(e)
	return err
}

// Apply folds e into the journey. It checks, in order: the envelope and
// payload are valid; e belongs to this relationship and has the next sequence
// number; the actor may write it; the state allows it. On any error the
// journey is unchanged. Events of other packages' types (and apps' own types)
// are counted and otherwise left to their own folds.
func (j *Journey) Apply(e Event) error {
	mutate, err := j.prepare(e)
	if err != nil {
		return err
	}
	j.fold(e.Sequence, e.Time, e.Type, e.Actor, mutate)
	return nil
}

// Prepare checks e exactly as Apply does and, if the journey accepts it,
// returns the commit that folds it in, without changing the journey. It lets
// a caller keep several folds in step with one check each: prepare e against
// every fold ([agreement.Book.Prepare] and the exercise package's
// Assignments.Prepare have the same contract), then commit to all of them
// only when all accept it. commit must run once, before anything else
// changes the journey; committing an event the journey has moved past panics.
func (j *Journey) Prepare(e Event) (commit func(), err error) {
	mutate, err := j.prepare(e)
	if err != nil {
		return nil, err
	}
	return func() {
		if e.Sequence != j.seq+1 {
			// Folding it now would corrupt the journey: a bug in the caller.
			panic(fmt.Sprintf("trust: a prepared event %d committed after the journey moved to %d", e.Sequence, j.seq))
		}
		j.fold(e.Sequence, e.Time, e.Type, e.Actor, mutate)
	}, nil
}

// prepare checks e and returns the state change it makes (nil for none).
func (j *Journey) prepare(e Event) (func(), error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if e.Relationship != j.rel.ID {
		return nil, refuse(e.Type, ErrConflict, "event belongs to relationship %s, not %s", e.Relationship, j.rel.ID)
	}
	if e.Sequence != j.seq+1 {
		return nil, refuse(e.Type, ErrConflict, "sequence %d does not follow %d", e.Sequence, j.seq)
	}
	if p, ok := e.Actor.Partner(); ok && !j.rel.Has(p) {
		return nil, refuse(e.Type, ErrForbidden, "actor %s is not a partner in this relationship", p)
	}
	if owner, ok := e.Owner(); ok && !j.rel.Has(owner) {
		return nil, refuse(e.Type, ErrForbidden, "owner %s is not a partner in this relationship", owner)
	}
	if err := j.mayWrite(e); err != nil {
		return nil, err
	}
	if jointWork[e.Type] && j.JointWorkPaused() {
		return nil, refuse(e.Type, ErrPausedForSafety, "joint work is paused")
	}
	return j.decide(e)
}

// writersOf returns who may write events of type typ: the registered
// type's Writers, or UnregisteredWriters.
func writersOf(typ string) Writers {
	if s, ok := lookup(typ); ok {
		return s.Writers
	}
	return UnregisteredWriters
}

// mayWrite checks e's actor against its type's Writers: the one place every
// write of every type passes. A partner writes a ByOwner type only about
// themselves; a professional writes a ByProfessional type only while the
// partner it is about (any partner, for a payload about no one) consents to
// share with them.
func (j *Journey) mayWrite(e Event) error {
	w := writersOf(e.Type)
	notWriter := func(field, format string, args ...any) error {
		return &TransitionError{Pkg: "trust", Event: e.Type, Cause: ErrNotWriter,
			Reason: field + ": " + fmt.Sprintf(format, args...) + "; it is written by " + w.String()}
	}
	switch e.Actor.Kind {
	case ActorSystem:
		if w&BySystem == 0 {
			return notWriter("actor", "the engine may not write this")
		}
	case ActorPartner:
		p, _ := e.Actor.Partner()
		switch {
		case w&ByEitherPartner != 0:
		case w&ByOwner != 0:
			if owner, _ := e.Owner(); owner != p {
				return notWriter("data", "partner %s may not write about partner %s", p, owner)
			}
		default:
			return notWriter("actor", "a partner may not write this")
		}
	case ActorProfessional:
		if w&ByProfessional == 0 {
			return notWriter("actor", "a professional may not write this")
		}
		pro, _ := e.Actor.Professional()
		if owner, ok := e.Owner(); ok {
			if !j.consents[owner][pro].granted {
				return notWriter("actor", "professional %s may not write about partner %s, who does not consent to share with them", pro, owner)
			}
			return nil
		}
		for _, p := range j.rel.Partners {
			if j.consents[p.ID][pro].granted {
				return nil
			}
		}
		return notWriter("actor", "professional %s has no partner's consent", pro)
	}
	return nil
}

// fold folds in an event prepare accepted, with its state change.
func (j *Journey) fold(seq Sequence, at time.Time, typ string, actor Actor, mutate func()) {
	if mutate != nil {
		mutate()
	}
	j.seq = seq
	if at.After(j.last) {
		j.last = at
	}
	j.counts[typ]++
	j.phaseCount[typ]++
	if p, ok := actor.Partner(); ok {
		j.effort[p]++
	}
}

// actorIs checks that the event's actor is the given partner, for payloads
// whose partner field is not their owner (mayWrite checks owners).
func actorIs(e Event, p PartnerID, field string) error {
	if a, ok := e.Actor.Partner(); !ok || a != p {
		return refuse(e.Type, ErrForbidden, "only %s (the %s) may write this", p, field)
	}
	return nil
}

// decide checks e against the state and returns the mutation to commit.
func (j *Journey) decide(e Event) (func(), error) {
	switch d := e.Data.(type) {
	case *JourneyStarted:
		return nil, refuse(e.Type, ErrConflict, "the journey has already started")
	case *Breach:
		if err := d.ValidateIn(j.rel); err != nil {
			return nil, prefix("data", err)
		}
		if _, dup := j.breachIdx[d.ID]; dup {
			return nil, refuse(e.Type, ErrConflict, "breach %s is already recorded", d.ID)
		}
		if d.RelatedTo != nil {
			if _, ok := j.breachIdx[*d.RelatedTo]; !ok {
				return nil, refuse(e.Type, ErrNotFound, "related breach %s is not recorded", *d.RelatedTo)
			}
		}
		return func() {
			j.breachIdx[d.ID] = len(j.breaches)
			j.breaches = append(j.breaches, &breachState{breach: *d, ongoing: d.Ongoing, accounts: map[PartnerID]int{}})
		}, nil
	case *BreachEnded:
		b, err := j.breach(e, d.Breach)
		if err != nil {
			return nil, err
		}
		if !b.ongoing {
			return nil, refuse(e.Type, nil, "breach %s is not ongoing", d.Breach)
		}
		return func() { b.ongoing = false }, nil
	case *Account:
		b, err := j.breach(e, d.Breach)
		if err != nil {
			return nil, err
		}
		return func() { b.accounts[d.Partner]++ }, nil
	case *Acknowledgement:
		b, err := j.breach(e, d.Breach)
		if err != nil {
			return nil, err
		}
		if err := actorIs(e, d.Partner, "acknowledging partner"); err != nil {
			return nil, err
		}
		if !b.breach.Caused(d.Partner) {
			return nil, refuse(e.Type, ErrForbidden, "%s did not cause breach %s", d.Partner, d.Breach)
		}
		if _, dup := j.acks[d.ID]; dup {
			return nil, refuse(e.Type, ErrConflict, "acknowledgement %s already given", d.ID)
		}
		return func() {
			j.acks[d.ID] = &ackState{ack: *d}
			b.rounds++
		}, nil
	case *AcknowledgementAnswer:
		a, ok := j.acks[d.Acknowledgement]
		if !ok {
			return nil, refuse(e.Type, ErrNotFound, "acknowledgement %s is not recorded", d.Acknowledgement)
		}
		if err := actorIs(e, d.Partner, "answering partner"); err != nil {
			return nil, err
		}
		b := j.breaches[j.breachIdx[a.ack.Breach]]
		if d.Partner == a.ack.Partner || !b.breach.IsHurt(j.rel, d.Partner) {
			return nil, refuse(e.Type, ErrForbidden, "only the hurt partner answers an acknowledgement")
		}
		if a.answered {
			return nil, refuse(e.Type, ErrConflict, "acknowledgement %s is already answered; a new round is a new acknowledgement", d.Acknowledgement)
		}
		return func() {
			a.answered = true
			if d.Response == AckAccepted {
				if !b.accepted {
					j.accepted++
				}
				b.accepted = true
			}
		}, nil
	case *NeedsRequest:
		if err := actorIs(e, d.From, "asking partner"); err != nil {
			return nil, err
		}
		if _, dup := j.needsIdx[d.ID]; dup {
			return nil, refuse(e.Type, ErrConflict, "needs request %s already made", d.ID)
		}
		return func() {
			j.needsIdx[d.ID] = len(j.needs)
			j.needs = append(j.needs, &needsState{req: *d, status: NeedsStatusOpen})
		}, nil
	case *NeedsAnswer:
		n, err := j.need(e, d.Request)
		if err != nil {
			return nil, err
		}
		if err := actorIs(e, d.Partner, "answering partner"); err != nil {
			return nil, err
		}
		if d.Partner == n.req.From {
			return nil, refuse(e.Type, ErrForbidden, "a partner does not answer their own request")
		}
		if n.status != NeedsStatusOpen && n.status != NeedsStatusNeedsTime {
			return nil, refuse(e.Type, nil, "request %s is %s and cannot be answered again", d.Request, n.status)
		}
		next := map[NeedsReply]NeedsStatus{NeedsAccepted: NeedsStatusAccepted, NeedsCounterOffer: NeedsStatusCounterOffered,
			NeedsDeclined: NeedsStatusDeclined, NeedsNeedsTime: NeedsStatusNeedsTime}[d.Reply]
		return func() { n.status = next }, nil
	case *NeedsClosed:
		n, err := j.need(e, d.Request)
		if err != nil {
			return nil, err
		}
		if n.status.Closed() {
			return nil, refuse(e.Type, nil, "request %s is already %s", d.Request, n.status)
		}
		p, ok := e.Actor.Partner()
		if !ok {
			if d.Outcome != NeedsLapsed {
				return nil, refuse(e.Type, ErrForbidden, "only a partner may close a request as %s", d.Outcome)
			}
		} else if d.Outcome != NeedsLapsed && p != n.req.From {
			return nil, refuse(e.Type, ErrForbidden, "only the partner who asked may close a request as %s", d.Outcome)
		}
		if d.Outcome == NeedsFulfilled && n.status != NeedsStatusAccepted && n.status != NeedsStatusCounterOffered {
			return nil, refuse(e.Type, nil, "request %s is %s; only an accepted request or counter-offer can be fulfilled", d.Request, n.status)
		}
		status := NeedsStatus(d.Outcome)
		return func() { n.status = status }, nil
	case *Commitment:
		return func() { j.commit[d.Partner] = d.Answer }, nil
	case *SafetyFlag:
		if _, dup := j.flags[d.ID]; dup {
			return nil, refuse(e.Type, ErrConflict, "safety flag %s is already active", d.ID)
		}
		return func() {
			j.flags[d.ID] = d.Partner
			j.flagOrder = append(j.flagOrder, d.ID)
		}, nil
	case *SafetyFlagCleared:
		owner, ok := j.flags[d.Flag]
		if !ok || owner != d.Partner {
			return nil, refuse(e.Type, ErrNotFound, "no active safety flag %s raised by %s", d.Flag, d.Partner)
		}
		if err := j.mayClear(e, owner); err != nil {
			return nil, err
		}
		return func() {
			delete(j.flags, d.Flag)
			for i, id := range j.flagOrder {
				if id == d.Flag {
					j.flagOrder = append(j.flagOrder[:i:i], j.flagOrder[i+1:]...)
					break
				}
			}
		}, nil
	case *ProfessionalConsent:
		return func() {
			if j.consents[d.Partner] == nil {
				j.consents[d.Partner] = map[ProfessionalID]consent{}
			}
			j.consents[d.Partner][d.Professional] = consent{granted: d.Granted, safety: d.IncludeSafety}
		}, nil
	case *ResearchConsent:
		if err := actorIs(e, d.Partner, "consenting partner"); err != nil {
			return nil, err
		}
		return func() { j.research[d.Partner] = d.Granted }, nil
	case *PauseChange:
		if d.Paused == j.paused {
			return nil, refuse(e.Type, nil, "joint work is already %s", map[bool]string{true: "paused by request", false: "not paused by request"}[j.paused])
		}
		return func() { j.paused = d.Paused }, nil
	case *PhaseChange:
		return j.decidePhase(e, d)
	}
	return nil, nil
}

func (j *Journey) breach(e Event, id BreachID) (*breachState, error) {
	i, ok := j.breachIdx[id]
	if !ok {
		return nil, refuse(e.Type, ErrNotFound, "breach %s is not recorded", id)
	}
	return j.breaches[i], nil
}

func (j *Journey) need(e Event, id NeedsRequestID) (*needsState, error) {
	i, ok := j.needsIdx[id]
	if !ok {
		return nil, refuse(e.Type, ErrNotFound, "needs request %s is not recorded", id)
	}
	return j.needs[i], nil
}

func (j *Journey) mayClear(e Event, owner PartnerID) error {
	if p, ok := e.Actor.Partner(); ok && p == owner {
		return nil
	}
	if pro, ok := e.Actor.Professional(); ok {
		if c := j.consents[owner][pro]; c.granted && c.safety {
			return nil
		}
	}
	return refuse(e.Type, ErrForbidden, "only the partner who raised a safety flag, or a professional they consented to, may clear it")
}

func (j *Journey) decidePhase(e Event, d *PhaseChange) (func(), error) {
	cur := j.profile.Phases[j.phase]
	if d.From != cur.Key {
		return nil, refuse(e.Type, ErrConflict, "the journey is in phase %q, not %q", cur.Key, d.From)
	}
	to := j.profile.PhaseIndex(d.To)
	if to < 0 {
		return nil, refuse(e.Type, ErrNotFound, "phase %q is not in profile %s", d.To, j.profile.Key)
	}
	switch d.Direction {
	case Advanced:
		if to != j.phase+1 {
			return nil, refuse(e.Type, nil, "a journey advances one phase at a time: from %q the next phase is not %q", cur.Key, d.To)
		}
		// Gates are met when the change is recorded, by the writer's
		// clock, whatever time the event claims.
		if err := j.gatesAt(e.RecordedTime, to); err != nil {
			return nil, err
		}
	case Regressed:
		if to >= j.phase {
			return nil, refuse(e.Type, nil, "phase %q is not earlier than %q", d.To, cur.Key)
		}
		if d.Breach != nil {
			if _, ok := j.breachIdx[*d.Breach]; !ok {
				return nil, refuse(e.Type, ErrNotFound, "breach %s is not recorded", *d.Breach)
			}
		}
	}
	return func() {
		j.phase = to
		j.phaseSince = e.RecordedTime
		j.phaseSeq = e.Sequence
		j.phaseCount = map[string]int{}
	}, nil
}

// gatesAt returns a *GateError listing the gates that stop a move to phase
// to at t: the current phase's exit gates and phase to's entry gates.
func (j *Journey) gatesAt(t time.Time, to int) error {
	var unmet []GateResult
	for _, r := range j.gatesTo(to, t) {
		if !r.Met {
			unmet = append(unmet, r)
		}
	}
	if len(unmet) > 0 {
		return &GateError{Phase: j.profile.Phases[to].Key, Unmet: unmet}
	}
	return nil
}

// Gates evaluates the current phase's exit gates and the next phase's entry
// gates at now. The results name safety gates; for a partner's view use
// [Journey.View], which never tells one partner about the other's safety flag.
func (j *Journey) Gates(now time.Time) []GateResult { return j.gatesTo(j.phase+1, now) }

// gatesTo evaluates the current phase's exit gates and, when phase to
// exists, its entry gates.
func (j *Journey) gatesTo(to int, now time.Time) []GateResult {
	out := make([]GateResult, 0, len(j.profile.Phases[j.phase].Exit)+len(j.profile.Phases[min(to, len(j.profile.Phases)-1)].Entry))
	for _, g := range j.profile.Phases[j.phase].Exit {
		out = append(out, j.eval(g, now))
	}
	if to < len(j.profile.Phases) {
		for _, g := range j.profile.Phases[to].Entry {
			out = append(out, j.eval(g, now))
		}
	}
	return out
}

// Advance returns the phase change that moves the journey to its next phase at
// now, or a *GateError listing what is not yet met. It changes nothing: append
// the returned change as an event to take effect.
func (j *Journey) Advance(now time.Time) (PhaseChange, error) {
	if j.phase+1 >= len(j.profile.Phases) {
		return PhaseChange{}, refuse(TypePhaseChanged, nil, "phase %q is the last phase", j.Phase().Key)
	}
	if err := j.gatesAt(now, j.phase+1); err != nil {
		return PhaseChange{}, err
	}
	next := j.profile.Phases[j.phase+1]
	return PhaseChange{From: j.Phase().Key, To: next.Key, Direction: Advanced,
		Reason: "Every gate of " + j.Phase().Title + " is met."}, nil
}

// RegressionFor returns the phase change a newly recorded breach calls for:
// back to the profile's RegressTo phase when the journey is past it. The
// second result is false when no regression is needed.
func (j *Journey) RegressionFor(b BreachID) (PhaseChange, bool) {
	target := 0
	if j.profile.RegressTo != "" {
		target = j.profile.PhaseIndex(j.profile.RegressTo)
	}
	if _, ok := j.breachIdx[b]; !ok || j.phase <= target {
		return PhaseChange{}, false
	}
	id := b
	return PhaseChange{From: j.Phase().Key, To: j.profile.Phases[target].Key, Direction: Regressed,
		Reason: "A new disclosure brings the couple back to " + j.profile.Phases[target].Title +
			"; everything already done still counts.", Breach: &id}, true
}

// eval evaluates a gate at now.
func (j *Journey) eval(g Gate, now time.Time) GateResult {
	r := GateResult{Gate: g, Met: true}
	fail := func(parts ...string) {
		r.Met = false
		r.Reason = strings.Join(parts, "")
	}
	itoa := strconv.Itoa
	min := g.Min
	if min == 0 {
		min = 1
	}
	switch g.Kind {
	case GateNoSafetyFlag:
		if len(j.flags) > 0 {
			fail("a safety flag is active")
		}
	case GateNotPaused:
		if j.JointWorkPaused() {
			fail("joint work is paused")
		}
	case GateBreachRecorded:
		if len(j.breaches) == 0 {
			fail("no breach is recorded yet")
		}
	case GateBreachNotOngoing:
		for _, b := range j.breaches {
			if b.ongoing {
				fail("breach ", b.breach.ID.String(), " is still ongoing")
				break
			}
		}
	case GateAccountsGiven:
		for _, b := range j.breaches {
			for _, p := range j.rel.Partners {
				if b.accounts[p.ID] == 0 {
					fail(p.DisplayName, " has not given an account of breach ", b.breach.ID.String())
					return r
				}
			}
		}
		if len(j.breaches) == 0 {
			fail("no breach is recorded yet")
		}
	case GateAcknowledgementAccepted:
		for _, b := range j.breaches {
			if !b.accepted {
				fail("no acknowledgement of breach ", b.breach.ID.String(), " has been accepted yet")
				return r
			}
		}
		if len(j.breaches) == 0 {
			fail("no breach is recorded yet")
		}
	case GateBothCommitted:
		if j.Alignment() != AlignedYes {
			fail("both partners have not both said yes to keep working")
		}
	case GateNeedsAnswered:
		n := 0
		for _, s := range j.needs {
			switch s.status {
			case NeedsStatusAccepted, NeedsStatusCounterOffered, NeedsStatusFulfilled:
				n++
			}
		}
		if n < min {
			fail(itoa(n), " of ", itoa(min), " needs requests answered")
		}
	case GateEventCount:
		n := j.counts[g.EventType]
		if g.InPhase {
			n = j.phaseCount[g.EventType]
		}
		if n < min {
			fail(itoa(n), " of ", itoa(min), " ", g.EventType, " events")
		}
	case GateDaysInPhase:
		days := int(now.Sub(j.phaseSince) / (24 * time.Hour))
		if days < g.Days {
			fail(itoa(days), " of ", itoa(g.Days), " days in this phase")
		}
	}
	return r
}

// View is what one viewer may know of the journey's state.
type View struct {
	// Phase is the current phase.
	Phase Phase `json:"phase"`
	// PhaseSince is when it began.
	PhaseSince time.Time `json:"phase_since"`
	// Gates are the gates to the next phase, with safety gates merged into one
	// "joint work is paused" result for anyone but the flag's owner.
	Gates []GateResult `json:"gates"`
	// JointWorkPaused is true while joint work is paused, for whatever reason.
	JointWorkPaused bool `json:"joint_work_paused"`
	// Alignment is whether the couple's commitment answers agree, never the answers themselves.
	Alignment Alignment `json:"alignment"`
	// MyActiveFlags lists the viewer's own active safety flags (empty for anyone else).
	MyActiveFlags []SafetyFlagID `json:"my_active_flags,omitempty"`
	// OpenNeeds are the needs requests still open.
	OpenNeeds []NeedsRequest `json:"open_needs,omitempty"`
}

// View returns the journey as a viewer may see it at now. A partner sees their
// own safety flags; the other partner, and any professional without safety
// consent, sees only that joint work is paused, exactly as they would for a
// pause either partner asked for.
func (j *Journey) View(v Viewer, now time.Time) View {
	out := View{Phase: j.Phase(), PhaseSince: j.phaseSince, JointWorkPaused: j.JointWorkPaused(), Alignment: j.Alignment(),
		OpenNeeds: j.OpenNeeds()}
	var mine []SafetyFlagID
	switch v.Kind {
	case ActorPartner:
		mine = j.ActiveFlags(PartnerID(v.ID))
	case ActorProfessional:
		for _, p := range j.rel.Partners {
			if c := j.consents[p.ID][ProfessionalID(v.ID)]; c.granted && c.safety {
				mine = append(mine, j.ActiveFlags(p.ID)...)
			}
		}
	}
	out.MyActiveFlags = mine
	seesAll := len(mine) == len(j.flags)
	for _, r := range j.Gates(now) {
		if r.Gate.Kind == GateNoSafetyFlag && !seesAll {
			r.Gate.Kind = GateNotPaused
			r.Met = !j.JointWorkPaused()
			r.Reason = ""
			if !r.Met {
				r.Reason = "joint work is paused"
			}
		}
		out.Gates = append(out.Gates, r)
	}
	return out
}
