package simulate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// ExportType is the type of an exported event: the journey event type it
// was made from. Only these types are exported; events of any other type
// (apps' own types, whose fields mend cannot vouch for) are dropped.
type ExportType string

// Values lists the exported types.
func (ExportType) Values() []string {
	return []string{
		trust.TypeJourneyStarted, trust.TypeBreachRecorded, trust.TypeBreachEnded, trust.TypeAccountGiven,
		trust.TypeAcknowledgementGiven, trust.TypeAcknowledgementAnswered, trust.TypeNeedsRequested,
		trust.TypeNeedsAnswered, trust.TypeNeedsClosed, trust.TypeCommitmentStated, trust.TypeSafetyFlagRaised,
		trust.TypeSafetyFlagCleared, trust.TypeProfessionalConsent, trust.TypeResearchConsent, trust.TypePauseChanged,
		trust.TypePhaseChanged,
		agreement.TypeProposed, agreement.TypeSigned, agreement.TypeActivated, agreement.TypeReviewStarted,
		agreement.TypeReviewClosed, agreement.TypeAmended, agreement.TypeRetired, agreement.TypeTransparencyRevoked,
		agreement.TypeLapsed, agreement.TypeOccurrenceKept, agreement.TypeOccurrenceMissed,
		agreement.TypeOccurrenceRescheduled, agreement.TypeOccurrenceSkipped, agreement.TypeOccurrenceMoved,
		agreement.TypeTermBroken, agreement.TypeTermRenegotiated,
		progress.TypeCheckInRecorded, progress.TypeCheckInNoteRecorded,
		exercise.TypeAssignmentProposed, exercise.TypeAssignmentScheduled, exercise.TypeAssignmentStarted,
		exercise.TypeAssignmentCompleted, exercise.TypeAssignmentSkipped, exercise.TypeAssignmentSnoozed,
		exercise.TypeAssignmentExpired, exercise.TypeStepAnswered,
	}
}

// Role is a partner's part in the couple's first breach, the way the
// dataset names partners without naming them.
type Role string

// Roles.
const (
	// RoleCaused is the partner who caused the first breach.
	RoleCaused Role = "caused"
	// RoleHurt is the partner hurt by it.
	RoleHurt Role = "hurt"
	// RoleBoth is either partner of a mutual breach.
	RoleBoth Role = "both"
	// RolePartner is a partner of a journey with no breach recorded.
	RolePartner Role = "partner"
	// RoleProfessional is a consented professional.
	RoleProfessional Role = "professional"
	// RoleSystem is the engine acting on its own.
	RoleSystem Role = "system"
)

// Values lists the roles.
func (Role) Values() []string {
	return []string{"caused", "hurt", "both", "partner", "professional", "system"}
}

// ExportEvent is one event of a de-identified research export: its own
// envelope rather than the journey event's CloudEvents one, because the
// journey payload schemas require the free text an export must drop and
// the envelope requires real times and IDs. It carries the couple's
// pseudonym, the event's position in the exported stream, its time as days
// and minutes since the journey began, who wrote it (pseudonym and role),
// its visibility in the app, and a data object holding only the payload's
// non-text fields, with every ID replaced by a pseudonym.
type ExportEvent struct {
	// Couple is the couple's pseudonym.
	Couple string `json:"couple" jsonschema:"pattern=^c-[0-9a-f]{16}$"`
	// Seq is the event's 1-based position in the couple's exported stream.
	// It is renumbered after dropping, so gaps never reveal a dropped event.
	Seq int `json:"seq" jsonschema:"minimum=1"`
	// Type is the journey event type.
	Type ExportType `json:"type"`
	// Day is the number of whole days between the journey's start and the event; negative only for back-dated facts.
	Day int `json:"day"`
	// Minute is the number of minutes into that day (elapsed since the start's time of day, not a clock time).
	Minute int `json:"minute" jsonschema:"minimum=0,maximum=1439"`
	// Actor is who wrote the event: a pseudonym, or "system".
	Actor string `json:"actor" jsonschema:"pattern=^(system|[pr]-[0-9a-f]{16})$"`
	// Role is the actor's role.
	Role Role `json:"role"`
	// Visibility is who could read the event in the app.
	Visibility trust.Visibility `json:"visibility"`
	// Data holds the payload's non-text fields.
	Data ExportData `json:"data"`
}

// ExportData is the non-text part of an event's payload. Every field is
// optional: each event type fills the ones it has. IDs are pseudonyms
// (a letter naming the kind of thing, a hyphen and 16 hex digits); times
// are whole days since the journey's start. Free text (accounts,
// acknowledgements, needs, notes, reasons, reflections, answers, labels,
// titles, display names), real dates, time zones and instrument answers
// are never here.
type ExportData struct {
	// Partner is the partner the payload is about or by.
	Partner string `json:"partner,omitempty" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// Partners are the couple's two partners (journey_started) or an assignment's participants.
	Partners []string `json:"partners,omitempty" jsonschema:"maxItems=2"`
	// Profile is the protocol profile key (journey_started).
	Profile string `json:"profile,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// ProfileVersion is the profile's version (journey_started).
	ProfileVersion int `json:"profile_version,omitempty"`
	// Phase is the phase a journey starts in (journey_started).
	Phase string `json:"phase,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// Phases are the profile's phase keys, in order (journey_started).
	Phases []string `json:"phases,omitempty"`
	// Consented is how many partners had consented to research at the start (journey_started).
	Consented *int `json:"consented,omitempty" jsonschema:"minimum=0,maximum=2"`
	// Breach is a breach's pseudonym.
	Breach string `json:"breach,omitempty" jsonschema:"pattern=^b-[0-9a-f]{16}$"`
	// RelatedTo is the earlier breach a new disclosure adds to.
	RelatedTo string `json:"related_to,omitempty" jsonschema:"pattern=^b-[0-9a-f]{16}$"`
	// Kind is the breach kind.
	Kind trust.BreachKind `json:"kind,omitempty"`
	// Severity is the breach's severity.
	Severity trust.Severity `json:"severity,omitempty"`
	// Discovery says how the breach came to light.
	Discovery trust.Discovery `json:"discovery,omitempty"`
	// RevealedBy and CausedBy are partners' pseudonyms.
	RevealedBy string `json:"revealed_by,omitempty" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// RevealedBy and CausedBy are partners' pseudonyms.
	CausedBy string `json:"caused_by,omitempty" jsonschema:"pattern=^p-[0-9a-f]{16}$"`
	// Ongoing and Mutual are the breach's flags.
	Ongoing *bool `json:"ongoing,omitempty"`
	// Ongoing and Mutual are the breach's flags.
	Mutual *bool `json:"mutual,omitempty"`
	// HappenedDay and CameToLightDay are days since the journey's start (negative: before it).
	HappenedDay *int `json:"happened_day,omitempty"`
	// HappenedDay and CameToLightDay are days since the journey's start (negative: before it).
	CameToLightDay *int `json:"came_to_light_day,omitempty"`
	// Acknowledgement is an acknowledgement round's pseudonym.
	Acknowledgement string `json:"acknowledgement,omitempty" jsonschema:"pattern=^k-[0-9a-f]{16}$"`
	// Response is the hurt partner's answer to an acknowledgement.
	Response trust.AckResponse `json:"response,omitempty"`
	// Request is a needs request's pseudonym.
	Request string `json:"request,omitempty" jsonschema:"pattern=^n-[0-9a-f]{16}$"`
	// Category is the need's category.
	Category trust.NeedCategory `json:"category,omitempty"`
	// Reply is the answer to a needs request.
	Reply trust.NeedsReply `json:"reply,omitempty"`
	// Outcome is how a needs request ended.
	Outcome trust.NeedsOutcome `json:"outcome,omitempty"`
	// Answer is a commitment answer.
	Answer trust.CommitmentAnswer `json:"answer,omitempty"`
	// Flag is a safety flag's pseudonym (only in exports that include safety data).
	Flag string `json:"flag,omitempty" jsonschema:"pattern=^f-[0-9a-f]{16}$"`
	// SafetyKinds are a safety flag's kinds (only in exports that include safety data).
	SafetyKinds []trust.SafetyKind `json:"safety_kinds,omitempty"`
	// Granted is a consent's value; IncludeSafety a professional consent's safety scope.
	Granted *bool `json:"granted,omitempty"`
	// Granted is a consent's value; IncludeSafety a professional consent's safety scope.
	IncludeSafety *bool `json:"include_safety,omitempty"`
	// Paused is a pause change's value.
	Paused *bool `json:"paused,omitempty"`
	// From and To are phase keys; Direction is advanced or regressed.
	From string `json:"from,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// From and To are phase keys; Direction is advanced or regressed.
	To string `json:"to,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// From and To are phase keys; Direction is advanced or regressed.
	Direction trust.Direction `json:"direction,omitempty"`
	// Agreement is an agreement's pseudonym; Version the version concerned.
	Agreement string `json:"agreement,omitempty" jsonschema:"pattern=^a-[0-9a-f]{16}$"`
	// Agreement is an agreement's pseudonym; Version the version concerned.
	Version int `json:"version,omitempty" jsonschema:"minimum=1"`
	// Terms are a proposed or amended version's terms.
	Terms []ExportTerm `json:"terms,omitempty"`
	// Term is one term's pseudonym.
	Term string `json:"term,omitempty" jsonschema:"pattern=^t-[0-9a-f]{16}$"`
	// Consents is how many transparency terms a signature consents to.
	Consents *int `json:"consents,omitempty" jsonschema:"minimum=0"`
	// OccurrenceDay is the day of an agreement occurrence, since the journey's start.
	OccurrenceDay *int `json:"occurrence_day,omitempty"`
	// Trust, Safe and Close are a check-in's 0–10 ratings; absent when skipped.
	Trust *int `json:"trust,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Trust, Safe and Close are a check-in's 0–10 ratings; absent when skipped.
	Safe *int `json:"safe,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Trust, Safe and Close are a check-in's 0–10 ratings; absent when skipped.
	Close *int `json:"close,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Instruments is how many instrument answers a check-in carried (the answers are not exported).
	Instruments int `json:"instruments,omitempty" jsonschema:"minimum=0"`
	// Assignment is an assignment's pseudonym.
	Assignment string `json:"assignment,omitempty" jsonschema:"pattern=^s-[0-9a-f]{16}$"`
	// Exercise is the catalogue key of the assigned exercise.
	Exercise string `json:"exercise,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
	// Scheduler names the scheduler that proposed an assignment.
	Scheduler string `json:"scheduler,omitempty" jsonschema:"pattern=^[a-z][a-z0-9_-]*$,maxLength=64"`
	// DueDay is the day an assignment's due window opens; DueDays its length in whole days, rounded up.
	DueDay *int `json:"due_day,omitempty"`
	// DueDay is the day an assignment's due window opens; DueDays its length in whole days, rounded up.
	DueDays *int `json:"due_days,omitempty" jsonschema:"minimum=0"`
	// Helpful is a completion's rating, 1 to 5.
	Helpful int `json:"helpful,omitempty" jsonschema:"minimum=1,maximum=5"`
	// SkipReason is why an assignment was skipped.
	SkipReason exercise.SkipReason `json:"skip_reason,omitempty"`
	// Step is the key of an exercise step answered (the answer is not exported).
	Step string `json:"step,omitempty" jsonschema:"pattern=^[a-z][a-z0-9]*([_-][a-z0-9]+)*$"`
}

// ExportTerm is the non-text part of an agreement term.
type ExportTerm struct {
	// Term is the term's pseudonym.
	Term string `json:"term" jsonschema:"pattern=^t-[0-9a-f]{16}$"`
	// Kind is ritual, daily_connection, boundary, transparency, support or custom.
	Kind agreement.TermKind `json:"kind"`
	// Ritual is the catalogue ritual that carries the term out, if any.
	Ritual string `json:"ritual,omitempty" jsonschema:"pattern=^[a-z][a-z0-9_]*$,maxLength=64"`
	// Timing is recurring, once or standing.
	Timing agreement.TimingKind `json:"timing"`
	// DurationMinutes and GraceMinutes are the occurrence's length and grace.
	DurationMinutes int `json:"duration_minutes,omitempty" jsonschema:"minimum=0"`
	// DurationMinutes and GraceMinutes are the occurrence's length and grace.
	GraceMinutes int `json:"grace_minutes,omitempty" jsonschema:"minimum=0"`
	// Committed is how many partners commit to the term.
	Committed int `json:"committed" jsonschema:"minimum=1,maximum=2"`
}

// ExportOptions configure [Export].
type ExportOptions struct {
	// Key is the HMAC-SHA-256 key that turns IDs into pseudonyms. A real
	// export uses a secret key the data owner keeps and never publishes;
	// a simulated one may use [PseudonymKey].
	Key []byte
	// IncludeSafety exports safety flags (raised and cleared). Off by
	// default: safety data is never exported unless explicitly asked for.
	IncludeSafety bool
}

// Exported is one couple's de-identified stream.
type Exported struct {
	// Couple is the couple's pseudonym.
	Couple string
	// Partners are the partners' pseudonyms, in the relationship's order.
	Partners [2]string
	// Roles are the partners' roles, in the same order.
	Roles [2]Role
	// Events are the exported events, in stream order.
	Events []ExportEvent
}

// Export de-identifies one couple's journey stream, given in sequence order
// from its trust.journey_started event. It is a pure function of its input:
//
//   - a couple is exported only if both partners consent to research use at
//     the end of the stream (false and no error otherwise);
//   - every ID becomes a keyed pseudonym (HMAC-SHA-256 with opts.Key);
//   - every free-text field is dropped, and so are time zones, display
//     names, real dates and instrument answers;
//   - times become whole days and minutes since the journey's start;
//   - safety events ([trust.Event.Sensitive]), and the assignments of the
//     individual support offered after a safety flag, are dropped unless
//     opts.IncludeSafety, and so is every event of a type not in
//     [ExportType.Values];
//   - the exported events are renumbered 1, 2, … so no gap shows a drop.
func Export(events []trust.Event, opts ExportOptions) (Exported, bool, error) {
	if len(opts.Key) == 0 {
		return Exported{}, false, check.Invalid(pkg, "key", "a pseudonymisation key is required")
	}
	if len(events) == 0 {
		return Exported{}, false, check.Invalid(pkg, "events", "the stream is empty")
	}
	start, ok := events[0].Data.(*trust.JourneyStarted)
	if !ok {
		return Exported{}, false, check.Invalid(pkg, "events.0", "a stream begins with %s", trust.TypeJourneyStarted)
	}
	rel := start.Relationship
	consent := map[trust.PartnerID]bool{}
	for _, id := range rel.ResearchConsent {
		consent[id] = true
	}
	var first *trust.Breach
	for _, e := range events {
		switch d := e.Data.(type) {
		case *trust.ResearchConsent:
			consent[d.Partner] = d.Granted
		case *trust.Breach:
			if first == nil {
				first = d
			}
		}
	}
	if !consent[rel.Partners[0].ID] || !consent[rel.Partners[1].ID] {
		return Exported{}, false, nil
	}
	x := exporter{ps: newPseudonyms(opts.Key), t0: events[0].Time, rel: rel}
	out := Exported{Couple: pseud(x.ps, 'c', rel.ID)}
	for i, p := range rel.Partners {
		out.Partners[i] = pseud(x.ps, 'p', p.ID)
		out.Roles[i] = RolePartner
		if first != nil {
			switch {
			case first.Mutual:
				out.Roles[i] = RoleBoth
			case first.CausedBy == p.ID:
				out.Roles[i] = RoleCaused
			default:
				out.Roles[i] = RoleHurt
			}
		}
	}
	x.roles = out.Roles
	// The individual support the engine offers after a safety flag is safety
	// data too: its assignments go with the flags.
	support := map[exercise.AssignmentID]bool{}
	if !opts.IncludeSafety {
		for _, e := range events {
			if p, ok := e.Data.(*exercise.AssignmentProposed); ok && p.Scheduler == exercise.SupportScheduler {
				support[p.Assignment] = true
			}
		}
	}
	out.Events = make([]ExportEvent, 0, len(events))
	for _, e := range events {
		if e.Sensitive() && !opts.IncludeSafety {
			continue
		}
		if id, ok := assignmentOf(e); ok && support[id] {
			continue
		}
		data, ok := x.data(e)
		if !ok {
			continue
		}
		ev := ExportEvent{Couple: out.Couple, Seq: len(out.Events) + 1, Type: ExportType(e.Type), Visibility: e.Visibility, Data: data}
		ev.Day, ev.Minute = x.when(e.Time)
		ev.Actor, ev.Role = x.actor(e.Actor)
		out.Events = append(out.Events, ev)
	}
	return out, true, nil
}

// assignmentOf returns the assignment an exercise event is about.
func assignmentOf(e trust.Event) (exercise.AssignmentID, bool) {
	switch d := e.Data.(type) {
	case *exercise.AssignmentProposed:
		return d.Assignment, true
	case *exercise.AssignmentScheduled:
		return d.Assignment, true
	case *exercise.AssignmentStarted:
		return d.Assignment, true
	case *exercise.AssignmentCompleted:
		return d.Assignment, true
	case *exercise.AssignmentSkipped:
		return d.Assignment, true
	case *exercise.AssignmentSnoozed:
		return d.Assignment, true
	case *exercise.AssignmentExpired:
		return d.Assignment, true
	case *exercise.StepAnswered:
		return d.Assignment, true
	}
	return exercise.AssignmentID{}, false
}

// pseudonyms turns IDs into keyed pseudonyms. They are remembered for the
// stream: the same few IDs recur on nearly every event, and hashing every
// mention took a sixth of the generator's CPU time (BenchmarkGenerate).
type pseudonyms struct {
	mac  hash.Hash
	seen map[[17]byte]string
}

func newPseudonyms(key []byte) *pseudonyms {
	return &pseudonyms{mac: hmac.New(sha256.New, key), seen: map[[17]byte]string{}}
}

// pseud returns the pseudonym of a typed ID.
func pseud[T any](p *pseudonyms, kind byte, id trust.ID[T]) string { return p.id(kind, [16]byte(id)) }

// id returns kind + "-" + the first 16 hex digits of HMAC(key, kind || id).
func (p *pseudonyms) id(kind byte, id [16]byte) string {
	var k [17]byte
	k[0] = kind
	copy(k[1:], id[:])
	if s, ok := p.seen[k]; ok {
		return s
	}
	p.mac.Reset()
	p.mac.Write(k[:])
	s := string(kind) + "-" + hex.EncodeToString(p.mac.Sum(nil)[:8])
	p.seen[k] = s
	return s
}

type exporter struct {
	ps    *pseudonyms
	t0    time.Time
	rel   trust.Relationship
	roles [2]Role
}

// when splits the time since the start into whole days and minutes, flooring.
func (x *exporter) when(t time.Time) (day, minute int) {
	m := int(t.Sub(x.t0).Minutes())
	if t.Before(x.t0) && t.Sub(x.t0)%time.Minute != 0 {
		m--
	}
	day = m / 1440
	if m < 0 && m%1440 != 0 {
		day--
	}
	return day, m - day*1440
}

func (x *exporter) dayOf(t time.Time) *int {
	d, _ := x.when(t)
	return &d
}

func (x *exporter) actor(a trust.Actor) (string, Role) {
	switch a.Kind {
	case trust.ActorPartner:
		for i, p := range x.rel.Partners {
			if [16]byte(p.ID) == a.ID {
				return x.ps.id('p', a.ID), x.roles[i]
			}
		}
		return x.ps.id('p', a.ID), RolePartner
	case trust.ActorProfessional:
		return x.ps.id('r', a.ID), RoleProfessional
	}
	return "system", RoleSystem
}

func (x *exporter) partner(id trust.PartnerID) string { return pseud(x.ps, 'p', id) }

func (x *exporter) partners(ids []trust.PartnerID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = x.partner(id)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// data maps a payload to its non-text fields; false drops the event.
func (x *exporter) data(e trust.Event) (ExportData, bool) {
	switch d := e.Data.(type) {
	case *trust.JourneyStarted:
		out := ExportData{Partners: []string{x.partner(d.Relationship.Partners[0].ID), x.partner(d.Relationship.Partners[1].ID)},
			Profile: d.Profile.Key, ProfileVersion: d.Profile.Version, Consented: ptr(len(d.Relationship.ResearchConsent))}
		for _, ph := range d.Profile.Phases {
			out.Phases = append(out.Phases, ph.Key)
		}
		if len(out.Phases) > 0 {
			out.Phase = out.Phases[0]
		}
		return out, true
	case *trust.Breach:
		out := ExportData{Breach: pseud(x.ps, 'b', d.ID), Kind: d.Kind, Severity: d.Severity, Discovery: d.Discovery,
			RevealedBy: x.partner(d.RevealedBy), CausedBy: x.partner(d.CausedBy), Ongoing: ptr(d.Ongoing), Mutual: ptr(d.Mutual),
			HappenedDay: x.dayOf(d.Happened.Start), CameToLightDay: x.dayOf(d.CameToLight.Latest())}
		if d.RelatedTo != nil {
			out.RelatedTo = pseud(x.ps, 'b', *d.RelatedTo)
		}
		return out, true
	case *trust.BreachEnded:
		return ExportData{Breach: pseud(x.ps, 'b', d.Breach)}, true
	case *trust.Account:
		return ExportData{Breach: pseud(x.ps, 'b', d.Breach), Partner: x.partner(d.Partner)}, true
	case *trust.Acknowledgement:
		return ExportData{Acknowledgement: pseud(x.ps, 'k', d.ID), Breach: pseud(x.ps, 'b', d.Breach), Partner: x.partner(d.Partner)}, true
	case *trust.AcknowledgementAnswer:
		return ExportData{Acknowledgement: pseud(x.ps, 'k', d.Acknowledgement), Partner: x.partner(d.Partner), Response: d.Response}, true
	case *trust.NeedsRequest:
		return ExportData{Request: pseud(x.ps, 'n', d.ID), Partner: x.partner(d.From), Category: d.Category}, true
	case *trust.NeedsAnswer:
		return ExportData{Request: pseud(x.ps, 'n', d.Request), Partner: x.partner(d.Partner), Reply: d.Reply}, true
	case *trust.NeedsClosed:
		return ExportData{Request: pseud(x.ps, 'n', d.Request), Outcome: d.Outcome}, true
	case *trust.Commitment:
		return ExportData{Partner: x.partner(d.Partner), Answer: d.Answer}, true
	case *trust.SafetyFlag:
		return ExportData{Flag: pseud(x.ps, 'f', d.ID), Partner: x.partner(d.Partner), SafetyKinds: d.Kinds}, true
	case *trust.SafetyFlagCleared:
		return ExportData{Flag: pseud(x.ps, 'f', d.Flag), Partner: x.partner(d.Partner)}, true
	case *trust.ProfessionalConsent:
		return ExportData{Partner: x.partner(d.Partner), Granted: ptr(d.Granted), IncludeSafety: ptr(d.IncludeSafety)}, true
	case *trust.ResearchConsent:
		return ExportData{Partner: x.partner(d.Partner), Granted: ptr(d.Granted)}, true
	case *trust.PauseChange:
		return ExportData{Paused: ptr(d.Paused)}, true
	case *trust.PhaseChange:
		out := ExportData{From: d.From, To: d.To, Direction: d.Direction}
		if d.Breach != nil {
			out.Breach = pseud(x.ps, 'b', *d.Breach)
		}
		return out, true
	case *agreement.Proposed:
		return x.agreementVersion(d.Agreement, d.ProposedBy), true
	case *agreement.Amended:
		return x.agreementVersion(d.Agreement, d.AmendedBy), true
	case *agreement.Signed:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Version: d.Version, Partner: x.partner(d.Partner),
			Consents: ptr(len(d.ConsentsTo))}, true
	case *agreement.Activated:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Version: d.Version}, true
	case *agreement.ReviewStarted:
		out := ExportData{Agreement: pseud(x.ps, 'a', d.Agreement)}
		if d.Partner != nil {
			out.Partner = x.partner(*d.Partner)
		}
		return out, true
	case *agreement.ReviewClosed:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Partner: x.partner(d.Partner)}, true
	case *agreement.Retired:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Partner: x.partner(d.Partner)}, true
	case *agreement.TransparencyRevoked:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Term: pseud(x.ps, 't', d.Term), Partner: x.partner(d.Partner)}, true
	case *agreement.Lapsed:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Term: pseud(x.ps, 't', d.Term), Version: d.Version}, true
	case *agreement.OccurrenceKept:
		return x.occurrence(d.Agreement, d.Term, d.Occurrence, &d.Partner), true
	case *agreement.OccurrenceMissed:
		return x.occurrence(d.Agreement, d.Term, d.Occurrence, d.Partner), true
	case *agreement.OccurrenceRescheduled:
		return x.occurrence(d.Agreement, d.Term, d.Occurrence, &d.Partner), true
	case *agreement.OccurrenceSkipped:
		return x.occurrence(d.Agreement, d.Term, d.Occurrence, &d.Partner), true
	case *agreement.OccurrenceMoved:
		return x.occurrence(d.Agreement, d.Term, d.Occurrence, &d.Partner), true
	case *agreement.TermBroken:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Term: pseud(x.ps, 't', d.Term), Partner: x.partner(d.Partner)}, true
	case *agreement.TermRenegotiated:
		return ExportData{Agreement: pseud(x.ps, 'a', d.Agreement), Term: pseud(x.ps, 't', d.Term), Partner: x.partner(d.Partner)}, true
	case *progress.CheckIn:
		return ExportData{Partner: x.partner(d.Partner), Trust: d.Trust, Safe: d.Safe, Close: d.Close, Instruments: len(d.Answers)}, true
	case *progress.CheckInNote:
		return ExportData{Partner: x.partner(d.Partner)}, true
	case *exercise.AssignmentProposed:
		days := int((d.DueEnd.Sub(d.DueStart) + 24*time.Hour - 1) / (24 * time.Hour))
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Exercise: d.Exercise, Partners: x.partners(d.Participants),
			Scheduler: d.Scheduler, DueDay: x.dayOf(d.DueStart), DueDays: ptr(max(0, days))}, true
	case *exercise.AssignmentScheduled:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), DueDay: x.dayOf(d.DueStart)}, true
	case *exercise.AssignmentStarted:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Partner: x.partner(d.Partner)}, true
	case *exercise.AssignmentCompleted:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Partner: x.partner(d.Partner), Helpful: d.Helpful}, true
	case *exercise.AssignmentSkipped:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Partner: x.partner(d.Partner), SkipReason: d.Reason}, true
	case *exercise.AssignmentSnoozed:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Partner: x.partner(d.Partner), DueDay: x.dayOf(d.Until)}, true
	case *exercise.AssignmentExpired:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment)}, true
	case *exercise.StepAnswered:
		return ExportData{Assignment: pseud(x.ps, 's', d.Assignment), Partner: x.partner(d.Partner), Step: d.Step}, true
	}
	return ExportData{}, false
}

func (x *exporter) agreementVersion(a agreement.Agreement, by trust.PartnerID) ExportData {
	out := ExportData{Agreement: pseud(x.ps, 'a', a.ID), Version: a.Version, Partner: x.partner(by)}
	for _, t := range a.Terms {
		out.Terms = append(out.Terms, ExportTerm{Term: pseud(x.ps, 't', t.ID), Kind: t.Kind, Ritual: t.Ritual, Timing: t.Timing.Kind,
			DurationMinutes: t.Timing.DurationMinutes, GraceMinutes: t.Timing.GraceMinutes, Committed: len(t.CommittedBy)})
	}
	return out
}

func (x *exporter) occurrence(a agreement.ID, t agreement.TermID, at time.Time, by *trust.PartnerID) ExportData {
	out := ExportData{Agreement: pseud(x.ps, 'a', a), Term: pseud(x.ps, 't', t), OccurrenceDay: x.dayOf(at)}
	if by != nil {
		out.Partner = x.partner(*by)
	}
	return out
}

// String returns a short description, for errors and logs.
func (e ExportEvent) String() string { return fmt.Sprintf("%s#%d %s", e.Couple, e.Seq, e.Type) }
