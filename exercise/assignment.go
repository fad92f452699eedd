package exercise

import (
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/internal/keys"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

// Assignment is one exercise given to a couple (or to one partner) with a
// due window, and where it is in its life. It is the state the [Assignments]
// fold keeps; the events below are what change it.
type Assignment struct {
	// ID identifies the assignment.
	ID AssignmentID `json:"id"`
	// Exercise is the key of the exercise assigned.
	Exercise string `json:"exercise"`
	// Participants are the partners who do it: both for a joint exercise, one for a solo one.
	Participants []trust.PartnerID `json:"participants" jsonschema:"minItems=1,maxItems=2"`
	// Status is where the assignment is in its life.
	Status Status `json:"status"`
	// DueStart is the start of the due window, in UTC.
	DueStart time.Time `json:"due_start"`
	// DueEnd is the end of the due window, in UTC.
	DueEnd time.Time `json:"due_end"`
	// Reason says why it was proposed, in words the couple reads.
	Reason string `json:"reason"`
	// Scheduler names the scheduler that proposed it.
	Scheduler string `json:"scheduler"`
	// Agreement is the agreement whose ritual the assignment carries out, if any.
	Agreement *uuid.UUID `json:"agreement,omitempty"`
	// Term is the agreement term it carries out, if any.
	Term string `json:"term,omitempty"`
	// ProposedAt is when it was proposed.
	ProposedAt time.Time `json:"proposed_at"`
	// Started lists the participants who have started it.
	Started []trust.PartnerID `json:"started,omitempty"`
	// Outcomes are the participants' outcomes, in the order they completed.
	Outcomes []Outcome `json:"outcomes,omitempty"`
	// Skip says who skipped it and why, if it was skipped.
	Skip *AssignmentSkipped `json:"skip,omitempty"`
	// ClosedAt is when it completed, was skipped or expired.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// AssignmentID names an Assignment.
type AssignmentID = trust.ID[Assignment]

// Outcome is one participant's outcome of an assignment.
type Outcome struct {
	// Partner is whose outcome it is.
	Partner trust.PartnerID `json:"partner"`
	// Helpful is how helpful they found it, from 1 (not at all) to 5 (very).
	Helpful int `json:"helpful"`
	// At is when they completed it.
	At time.Time `json:"at"`
}

// Solo reports whether the assignment has one participant.
func (a Assignment) Solo() bool { return len(a.Participants) == 1 }

// Has reports whether p is a participant.
func (a Assignment) Has(p trust.PartnerID) bool { return slices.Contains(a.Participants, p) }

// Status is where an assignment is in its life:
//
//	proposed → scheduled → started → completed
//	              ↓ ↑         ↓
//	           snoozed     skipped / expired
//
// Skipped is possible from every open status; expired from every open status
// once the due window has ended. Completed, skipped and expired are final.
type Status string

// Statuses of an assignment.
const (
	StatusProposed  Status = "proposed"
	StatusScheduled Status = "scheduled"
	StatusStarted   Status = "started"
	StatusSnoozed   Status = "snoozed"
	StatusCompleted Status = "completed"
	StatusSkipped   Status = "skipped"
	StatusExpired   Status = "expired"
)

// Values lists the statuses.
func (Status) Values() []string {
	return []string{"proposed", "scheduled", "started", "snoozed", "completed", "skipped", "expired"}
}

// Closed reports whether the status is final.
func (s Status) Closed() bool {
	return s == StatusCompleted || s == StatusSkipped || s == StatusExpired
}

// Event types of the assignment life. Other packages count them by these
// exact strings.
const (
	TypeAssignmentProposed  = "exercise.assignment_proposed"
	TypeAssignmentScheduled = "exercise.assignment_scheduled"
	TypeAssignmentStarted   = "exercise.assignment_started"
	// TypeAssignmentCompleted is written once per participant; the assignment
	// is complete when every participant has completed it.
	TypeAssignmentCompleted = "exercise.assignment_completed"
	TypeAssignmentSkipped   = "exercise.assignment_skipped"
	TypeAssignmentSnoozed   = "exercise.assignment_snoozed"
	TypeAssignmentExpired   = "exercise.assignment_expired"
	// TypeStepAnswered carries one partner's written answer to one step.
	TypeStepAnswered = "exercise.step_answered"
	// TypeReminderSent records that a partner was sent a reminder of an
	// assignment; it is private to that partner.
	TypeReminderSent = "exercise.reminder_sent"
)

// StepSealKey is the seal key of the sealed answers to one step of one
// assignment: both partners' answers are revealed together once both have
// answered. It is [trust.SealKeyOf] an answer to that step.
func StepSealKey(a AssignmentID, step string) string {
	k, _ := trust.SealKeyOf(&StepAnswered{Assignment: a, Step: step})
	return k
}

// OutcomeSealKey is the seal key of sealed completion reflections of an
// assignment: [trust.SealKeyOf] a completion of it.
func OutcomeSealKey(a AssignmentID) string {
	k, _ := trust.SealKeyOf(&AssignmentCompleted{Assignment: a})
	return k
}

// AssignmentProposed proposes an exercise, with a due window and a reason.
// The engine writes it from a [Proposal]; a partner or professional may also
// propose an exercise. An assignment of a solo exercise is private to its
// participant; all other assignment events are shared.
type AssignmentProposed struct {
	// Assignment identifies the new assignment.
	Assignment AssignmentID `json:"assignment"`
	// Exercise is the key of the exercise in the catalogue.
	Exercise string `json:"exercise"`
	// Participants are both partners for a joint exercise, one for a solo one.
	Participants []trust.PartnerID `json:"participants" jsonschema:"minItems=1,maxItems=2"`
	// DueStart is the start of the due window, in UTC.
	DueStart time.Time `json:"due_start"`
	// DueEnd is the end of the due window, in UTC; after it the assignment may expire.
	DueEnd time.Time `json:"due_end"`
	// Reason says why, in words the couple reads.
	Reason string `json:"reason"`
	// Scheduler names the scheduler that proposed it, or "partner" / "professional".
	Scheduler string `json:"scheduler"`
	// Agreement is the agreement whose ritual the assignment carries out, if any.
	Agreement *uuid.UUID `json:"agreement,omitempty"`
	// Term is the agreement term, if any.
	Term string `json:"term,omitempty"`
}

// EventType implements trust.Payload.
func (AssignmentProposed) EventType() string { return TypeAssignmentProposed }

// EventSubject names the assignment.
func (p AssignmentProposed) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the first participant: the owner of a solo assignment's
// private events. A joint assignment's events are shared, so its owner
// never restricts who sees them.
func (p AssignmentProposed) OwnerPartner() trust.PartnerID { return first(p.Participants) }

// Validate checks the fields.
func (p AssignmentProposed) Validate() error {
	if p.Assignment.IsZero() {
		return invalid("assignment", "is required")
	}
	if !keys.Is(p.Exercise) || len(p.Exercise) > 64 {
		return invalid("exercise", "%q is not an exercise key", p.Exercise)
	}
	if err := validParticipants(p.Participants); err != nil {
		return err
	}
	if err := validWindow(p.DueStart, p.DueEnd); err != nil {
		return err
	}
	if p.Term != "" && p.Agreement == nil {
		return invalid("agreement", "is required with term")
	}
	if p.Agreement != nil && *p.Agreement == uuid.Nil {
		return invalid("agreement", "is the nil UUID")
	}
	return firstErr(text("reason", p.Reason, 1, 1000), name("scheduler", p.Scheduler), text("term", p.Term, 0, 64))
}

// AssignmentScheduled fixes (or moves) an assignment's due window. It follows
// a proposal, a snooze, or an earlier scheduling.
type AssignmentScheduled struct {
	// Assignment is the assignment scheduled.
	Assignment AssignmentID `json:"assignment"`
	// Participants repeats the assignment's participants, so the event names its owner.
	Participants []trust.PartnerID `json:"participants" jsonschema:"minItems=1,maxItems=2"`
	// DueStart is the start of the due window, in UTC.
	DueStart time.Time `json:"due_start"`
	// DueEnd is the end of the due window, in UTC.
	DueEnd time.Time `json:"due_end"`
}

// EventType implements trust.Payload.
func (AssignmentScheduled) EventType() string { return TypeAssignmentScheduled }

// EventSubject names the assignment.
func (p AssignmentScheduled) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the first participant (see [AssignmentProposed.OwnerPartner]).
func (p AssignmentScheduled) OwnerPartner() trust.PartnerID { return first(p.Participants) }

// Validate checks the fields.
func (p AssignmentScheduled) Validate() error {
	if p.Assignment.IsZero() {
		return invalid("assignment", "is required")
	}
	if err := validParticipants(p.Participants); err != nil {
		return err
	}
	return validWindow(p.DueStart, p.DueEnd)
}

// AssignmentStarted records a participant starting an assignment. In a
// joint exercise done together one start is enough; in a separate exercise
// each partner starts their own part.
type AssignmentStarted struct {
	// Assignment is the assignment started.
	Assignment AssignmentID `json:"assignment"`
	// Partner is the participant starting it; they write the event.
	Partner trust.PartnerID `json:"partner"`
}

// EventType implements trust.Payload.
func (AssignmentStarted) EventType() string { return TypeAssignmentStarted }

// EventSubject names the assignment.
func (p AssignmentStarted) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the partner starting it.
func (p AssignmentStarted) OwnerPartner() trust.PartnerID { return p.Partner }

// Validate checks the fields.
func (p AssignmentStarted) Validate() error { return participantRef(p.Assignment, p.Partner) }

// participantRef checks what every event a participant writes about an
// assignment names: the assignment and the participant.
func participantRef(a AssignmentID, p trust.PartnerID) error {
	if a.IsZero() {
		return invalid("assignment", "is required")
	}
	if p.IsZero() {
		return invalid("partner", "is required")
	}
	return nil
}

// AssignmentCompleted is one participant's outcome: how helpful the exercise
// was and, optionally, a reflection. The event's visibility is the
// reflection's: shared, private, for a consented professional, or sealed with
// [OutcomeSealKey] so both reflections are revealed together. The assignment
// is complete once every participant has completed it.
type AssignmentCompleted struct {
	// Assignment is the assignment completed.
	Assignment AssignmentID `json:"assignment"`
	// Partner is the participant; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Helpful is how helpful the exercise was, from 1 (not at all) to 5 (very).
	Helpful int `json:"helpful" jsonschema:"minimum=1,maximum=5"`
	// Reflection is the partner's own note on how it went.
	Reflection string `json:"reflection,omitempty"`
}

// EventType implements trust.Payload.
func (AssignmentCompleted) EventType() string { return TypeAssignmentCompleted }

// EventSubject names the assignment.
func (p AssignmentCompleted) EventSubject() string { return p.Assignment.String() }

// SealSubject implements [trust.Sealable]: a sealed reflection is sealed by
// its assignment, so it opens only on the other partner's completion of it.
func (p AssignmentCompleted) SealSubject() string { return p.Assignment.String() }

// OwnerPartner is the completing partner.
func (p AssignmentCompleted) OwnerPartner() trust.PartnerID { return p.Partner }

// Validate checks the fields.
func (p AssignmentCompleted) Validate() error {
	if err := participantRef(p.Assignment, p.Partner); err != nil {
		return err
	}
	if p.Helpful < 1 || p.Helpful > 5 {
		return invalid("helpful", "must be between 1 and 5")
	}
	return text("reflection", p.Reflection, 0, 8000)
}

// SkipReason says why an assignment was skipped. None is a failure: a skip
// tells the next refresh what fits.
type SkipReason string

// Reasons to skip.
const (
	SkipNotNow         SkipReason = "not_now"
	SkipTooMuch        SkipReason = "too_much"
	SkipNotAFit        SkipReason = "not_a_fit"
	SkipAlreadyCovered SkipReason = "already_covered"
	SkipOther          SkipReason = "other"
)

// Values lists the reasons.
func (SkipReason) Values() []string {
	return []string{"not_now", "too_much", "not_a_fit", "already_covered", "other"}
}

// AssignmentSkipped records a participant choosing to skip an open assignment.
type AssignmentSkipped struct {
	// Assignment is the assignment skipped.
	Assignment AssignmentID `json:"assignment"`
	// Partner is the participant who skipped it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Reason says why.
	Reason SkipReason `json:"reason"`
	// Note adds words, optionally.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (AssignmentSkipped) EventType() string { return TypeAssignmentSkipped }

// EventSubject names the assignment.
func (p AssignmentSkipped) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the skipping partner.
func (p AssignmentSkipped) OwnerPartner() trust.PartnerID { return p.Partner }

// Validate checks the fields.
func (p AssignmentSkipped) Validate() error {
	if err := participantRef(p.Assignment, p.Partner); err != nil {
		return err
	}
	if !slices.Contains(p.Reason.Values(), string(p.Reason)) {
		return invalid("reason", "%q is not a skip reason", p.Reason)
	}
	return text("note", p.Note, 0, 1000)
}

// AssignmentSnoozed moves a scheduled assignment later: its due window starts
// at Until and keeps its length.
type AssignmentSnoozed struct {
	// Assignment is the assignment snoozed.
	Assignment AssignmentID `json:"assignment"`
	// Partner is the participant snoozing it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Until is the new start of the due window, in UTC.
	Until time.Time `json:"until"`
}

// EventType implements trust.Payload.
func (AssignmentSnoozed) EventType() string { return TypeAssignmentSnoozed }

// EventSubject names the assignment.
func (p AssignmentSnoozed) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the snoozing partner.
func (p AssignmentSnoozed) OwnerPartner() trust.PartnerID { return p.Partner }

// Validate checks the fields.
func (p AssignmentSnoozed) Validate() error {
	if err := participantRef(p.Assignment, p.Partner); err != nil {
		return err
	}
	if p.Until.IsZero() {
		return invalid("until", "is required")
	}
	return nil
}

// AssignmentExpired closes an assignment whose due window passed without it
// being completed or skipped. It is written by the system, never counts
// against anyone, and the next refresh adapts.
type AssignmentExpired struct {
	// Assignment is the assignment expired.
	Assignment AssignmentID `json:"assignment"`
	// Participants repeats the assignment's participants, so the event names its owner.
	Participants []trust.PartnerID `json:"participants" jsonschema:"minItems=1,maxItems=2"`
}

// EventType implements trust.Payload.
func (AssignmentExpired) EventType() string { return TypeAssignmentExpired }

// EventSubject names the assignment.
func (p AssignmentExpired) EventSubject() string { return p.Assignment.String() }

// OwnerPartner is the first participant (see [AssignmentProposed.OwnerPartner]).
func (p AssignmentExpired) OwnerPartner() trust.PartnerID { return first(p.Participants) }

// Validate checks the fields.
func (p AssignmentExpired) Validate() error {
	if p.Assignment.IsZero() {
		return invalid("assignment", "is required")
	}
	return validParticipants(p.Participants)
}

// StepAnswered is one partner's written answer to one step of a started
// assignment. Its visibility follows the step: a sealed step's answers are
// sealed with [StepSealKey] and revealed to both once both have answered; a
// shared step's answers are shared; a private step's are private (or for a
// consented professional).
type StepAnswered struct {
	// Assignment is the assignment answered.
	Assignment AssignmentID `json:"assignment"`
	// Step is the key of the step in the exercise.
	Step string `json:"step"`
	// Partner is who answered; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Answer is the text.
	Answer string `json:"answer"`
}

// EventType implements trust.Payload.
func (StepAnswered) EventType() string { return TypeStepAnswered }

// EventSubject names the assignment.
func (p StepAnswered) EventSubject() string { return p.Assignment.String() }

// SealSubject implements [trust.Sealable]: a sealed answer is sealed by its
// assignment and step, so it opens only on the other partner's answer to
// that step.
func (p StepAnswered) SealSubject() string { return p.Assignment.String() + ":" + p.Step }

// OwnerPartner is the answering partner.
func (p StepAnswered) OwnerPartner() trust.PartnerID { return p.Partner }

// Validate checks the fields.
func (p StepAnswered) Validate() error {
	if p.Assignment.IsZero() {
		return invalid("assignment", "is required")
	}
	if !keys.Is(p.Step) || len(p.Step) > 64 {
		return invalid("step", "%q is not a step key", p.Step)
	}
	if p.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	return text("answer", p.Answer, 1, 8000)
}

// ReminderSent records that the app sent a partner a reminder of an
// assignment ([Engine.MarkRemindersSent] writes it, as the system, at the
// time it is recorded). It is private to the reminded partner: the other
// partner never learns when, or how often, anyone was reminded. The
// [ReminderPolicy]'s daily cap and least gap count these events, so the rate
// limit survives a restart.
type ReminderSent struct {
	// Partner is who was reminded.
	Partner trust.PartnerID `json:"partner"`
	// Assignment is the assignment the reminder invited to.
	Assignment AssignmentID `json:"assignment"`
}

// EventType implements trust.Payload.
func (ReminderSent) EventType() string { return TypeReminderSent }

// EventSubject names the assignment.
func (r ReminderSent) EventSubject() string { return r.Assignment.String() }

// OwnerPartner is the reminded partner: the event is theirs alone.
func (r ReminderSent) OwnerPartner() trust.PartnerID { return r.Partner }

// Validate checks the fields.
func (r ReminderSent) Validate() error { return participantRef(r.Assignment, r.Partner) }

func init() {
	lifecycle := []trust.Visibility{trust.Shared, trust.Private}
	// The engine's schedulers propose and schedule assignments; a partner may
	// too, for themselves or for both (the fold checks the participants).
	// Only the partner doing an exercise starts, answers, completes, skips
	// or snoozes it; only the engine expires one or records a reminder.
	planners := trust.BySystem | trust.ByEitherPartner
	for _, s := range []trust.EventSpec{
		{Type: TypeAssignmentProposed, New: func() trust.Payload { return new(AssignmentProposed) }, Schema: schemafile.ID("exercise", "assignment-proposed", "1.0"), Visibilities: lifecycle, Writers: planners},
		{Type: TypeAssignmentScheduled, New: func() trust.Payload { return new(AssignmentScheduled) }, Schema: schemafile.ID("exercise", "assignment-scheduled", "1.0"), Visibilities: lifecycle, Writers: planners},
		{Type: TypeAssignmentStarted, New: func() trust.Payload { return new(AssignmentStarted) }, Schema: schemafile.ID("exercise", "assignment-started", "1.0"), Visibilities: lifecycle, Writers: trust.ByOwner},
		{Type: TypeAssignmentCompleted, New: func() trust.Payload { return new(AssignmentCompleted) }, Schema: schemafile.ID("exercise", "assignment-completed", "1.0"),
			Visibilities: []trust.Visibility{trust.Shared, trust.Private, trust.Sealed, trust.WithProfessional}, Writers: trust.ByOwner},
		{Type: TypeAssignmentSkipped, New: func() trust.Payload { return new(AssignmentSkipped) }, Schema: schemafile.ID("exercise", "assignment-skipped", "1.0"), Visibilities: lifecycle, Writers: trust.ByOwner},
		{Type: TypeAssignmentSnoozed, New: func() trust.Payload { return new(AssignmentSnoozed) }, Schema: schemafile.ID("exercise", "assignment-snoozed", "1.0"), Visibilities: lifecycle, Writers: trust.ByOwner},
		{Type: TypeAssignmentExpired, New: func() trust.Payload { return new(AssignmentExpired) }, Schema: schemafile.ID("exercise", "assignment-expired", "1.0"), Visibilities: lifecycle, Writers: trust.BySystem},
		{Type: TypeStepAnswered, New: func() trust.Payload { return new(StepAnswered) }, Schema: schemafile.ID("exercise", "step-answered", "1.0"),
			Visibilities: []trust.Visibility{trust.Sealed, trust.Shared, trust.Private, trust.WithProfessional}, Writers: trust.ByOwner},
		{Type: TypeReminderSent, New: func() trust.Payload { return new(ReminderSent) }, Schema: schemafile.ID("exercise", "reminder-sent", "1.0"),
			Visibilities: []trust.Visibility{trust.Private}, Writers: trust.BySystem},
	} {
		trust.MustRegisterEventType(s)
	}
}

func first(ps []trust.PartnerID) trust.PartnerID {
	if len(ps) == 0 {
		return trust.PartnerID{}
	}
	return ps[0]
}

func validParticipants(ps []trust.PartnerID) error {
	if len(ps) < 1 || len(ps) > 2 {
		return invalid("participants", "needs one or two partners")
	}
	for i, p := range ps {
		if p.IsZero() {
			return invalid("participants."+strconv.Itoa(i), "is the nil UUID")
		}
	}
	if len(ps) == 2 && ps[0] == ps[1] {
		return invalid("participants.1", "is the same partner twice")
	}
	return nil
}

func validWindow(start, end time.Time) error {
	switch {
	case start.IsZero():
		return invalid("due_start", "is required")
	case end.IsZero():
		return invalid("due_end", "is required")
	case !end.After(start):
		return invalid("due_end", "must be after due_start")
	case end.Sub(start) > 92*24*time.Hour:
		return invalid("due_end", "the due window is longer than 92 days")
	}
	return nil
}

// name checks a scheduler name: a lower-case key.
func name(field, s string) error {
	if !keys.Is(s) || len(s) > 64 {
		return invalid(field, "%q is not a lower-case name such as \"adaptive\"", s)
	}
	return nil
}
