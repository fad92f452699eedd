package exercise

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Assignments is the state of a journey's exercise assignments, folded from
// its events: every assignment with its status and outcomes, and a summary
// of the history per exercise key that a [Snapshot] carries to the
// schedulers without replaying anything.
//
// Start one with [NewAssignments] and feed it every event of the journey in
// sequence order with [Assignments.Apply], or fold a whole stream with
// [ReplayAssignments]. It folds the exercise.* events, mirrors the
// trust.safety_flag_raised / trust.safety_flag_cleared / trust.pause_changed
// events to know whether joint work is paused, and ignores everything else.
// Apply refuses an event the state does not allow with a typed error
// (*trust.TransitionError matching trust.ErrInvalidTransition and a cause
// such as trust.ErrNotFound, trust.ErrConflict, trust.ErrForbidden or
// trust.ErrPausedForSafety; *trust.ValidationError for bad input) and
// leaves the state unchanged. [Assignments.Check] asks the same question
// without applying, and [Assignments.Prepare] returns the change to commit
// once every fold of the journey has accepted the event, as
// trust.Journey.Prepare and agreement.Book.Prepare do.
//
// The rules it enforces:
//   - a joint exercise has both partners as participants, a solo exercise one;
//   - a solo assignment's events are private to its participant, a joint
//     assignment's lifecycle events are shared;
//   - while joint work is paused, no joint assignment is proposed, scheduled,
//     started, answered or completed (skipping, snoozing and expiring stay possible);
//   - only a participant starts, answers, completes, skips or snoozes, and
//     writes the event themselves; only the system expires, and only once the
//     due window has ended;
//   - a sealed step's answers use [StepSealKey], so both are revealed together.
//
// An Assignments is not safe for concurrent use; [Assignments.Clone] makes
// an independent copy.
type Assignments struct {
	rel        trust.Relationship
	cat        *Catalogue
	byID       map[AssignmentID]*assignmentState
	all        []*assignmentState // in the order they were proposed
	open       map[AssignmentID]bool
	byExercise map[string][]AssignmentID
	history    map[string]*History
	flags      map[trust.SafetyFlagID]bool
	paused     bool
}

type assignmentState struct {
	a        Assignment
	answered map[string][]trust.PartnerID
}

func (s *assignmentState) clone() *assignmentState {
	c := &assignmentState{a: cloneAssignment(s.a), answered: make(map[string][]trust.PartnerID, len(s.answered))}
	for k, v := range s.answered {
		c.answered[k] = slices.Clone(v)
	}
	return c
}

func cloneAssignment(a Assignment) Assignment {
	a.Participants = slices.Clone(a.Participants)
	a.Started = slices.Clone(a.Started)
	a.Outcomes = slices.Clone(a.Outcomes)
	if a.Agreement != nil {
		id := *a.Agreement
		a.Agreement = &id
	}
	if a.Skip != nil {
		s := *a.Skip
		a.Skip = &s
	}
	return a
}

// NewAssignments returns an empty fold for a relationship, checking
// exercises against cat ([DefaultCatalogue] when nil).
func NewAssignments(rel trust.Relationship, cat *Catalogue) (*Assignments, error) {
	if err := rel.Validate(); err != nil {
		return nil, check.Prefix("relationship", err)
	}
	if cat == nil {
		cat = DefaultCatalogue()
	}
	return &Assignments{rel: rel, cat: cat, byID: map[AssignmentID]*assignmentState{}, open: map[AssignmentID]bool{},
		byExercise: map[string][]AssignmentID{}, history: map[string]*History{}, flags: map[trust.SafetyFlagID]bool{}}, nil
}

// ReplayAssignments folds a journey's events, in sequence order, into a new
// Assignments, as agreement.ReplayBook does for agreements: it is
// [NewAssignments] followed by [Assignments.Apply] of each event, and stops
// at the first event the fold refuses, returning its error.
func ReplayAssignments(rel trust.Relationship, cat *Catalogue, events []trust.Event) (*Assignments, error) {
	f, err := NewAssignments(rel, cat)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := f.Apply(e); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Catalogue returns the catalogue the fold checks against.
func (f *Assignments) Catalogue() *Catalogue { return f.cat }

// Check reports whether e may be applied next, without changing anything.
func (f *Assignments) Check(e trust.Event) error {
	_, err := f.decide(e)
	return err
}

// Apply folds e. On error nothing changes.
func (f *Assignments) Apply(e trust.Event) error {
	mutate, err := f.decide(e)
	if err != nil {
		return err
	}
	if mutate != nil {
		mutate()
	}
	return nil
}

// Prepare checks e exactly as Apply does and, if the fold accepts it,
// returns the function that folds it in, without changing anything. It lets
// a caller keep several folds in step with one check each: prepare e against
// every fold, then commit to all of them only when all accept it. The
// returned function must run at most once, before anything else changes the
// fold.
func (f *Assignments) Prepare(e trust.Event) (commit func(), err error) {
	mutate, err := f.decide(e)
	if err != nil {
		return nil, err
	}
	if mutate == nil {
		return unchanged, nil
	}
	return mutate, nil
}

// unchanged is the change of an event the fold has no part in.
func unchanged() {}

func refuse(event string, cause error, format string, args ...any) *trust.TransitionError {
	return &trust.TransitionError{Pkg: "exercise", Event: event, Reason: fmt.Sprintf(format, args...), Cause: cause}
}

// JointWorkPaused reports whether joint work is paused, as far as the events
// applied so far tell. It never says why.
func (f *Assignments) JointWorkPaused() bool { return f.paused || len(f.flags) > 0 }

func (f *Assignments) decide(e trust.Event) (func(), error) {
	if e.Relationship != f.rel.ID {
		return nil, refuse(e.Type, trust.ErrConflict, "event belongs to relationship %s, not %s", e.Relationship, f.rel.ID)
	}
	if !foldsType[e.Type] {
		return nil, nil // not this fold's to check: the journey and the other folds do
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	switch d := e.Data.(type) {
	case *trust.SafetyFlag:
		return func() { f.flags[d.ID] = true }, nil
	case *trust.SafetyFlagCleared:
		return func() { delete(f.flags, d.Flag) }, nil
	case *trust.PauseChange:
		return func() { f.paused = d.Paused }, nil
	case *AssignmentProposed:
		return f.propose(e, d)
	case *AssignmentScheduled:
		return f.schedule(e, d)
	case *AssignmentStarted:
		return f.start(e, d)
	case *StepAnswered:
		return f.answer(e, d)
	case *AssignmentCompleted:
		return f.complete(e, d)
	case *AssignmentSkipped:
		return f.skip(e, d)
	case *AssignmentSnoozed:
		return f.snooze(e, d)
	case *AssignmentExpired:
		return f.expire(e, d)
	}
	return nil, nil
}

// foldsType lists the event types the fold reads; it ignores the rest.
var foldsType = map[string]bool{
	trust.TypeSafetyFlagRaised: true, trust.TypeSafetyFlagCleared: true, trust.TypePauseChanged: true,
	TypeAssignmentProposed: true, TypeAssignmentScheduled: true, TypeAssignmentStarted: true, TypeStepAnswered: true,
	TypeAssignmentCompleted: true, TypeAssignmentSkipped: true, TypeAssignmentSnoozed: true, TypeAssignmentExpired: true,
}

// lookup finds an open assignment.
func (f *Assignments) lookup(e trust.Event, id AssignmentID) (*assignmentState, *Exercise, error) {
	s, ok := f.byID[id]
	if !ok {
		return nil, nil, refuse(e.Type, trust.ErrNotFound, "assignment %s is not proposed", id)
	}
	if s.a.Status.Closed() {
		return nil, nil, refuse(e.Type, nil, "assignment %s is already %s", id, s.a.Status)
	}
	ex := f.cat.get(s.a.Exercise)
	if ex == nil {
		return nil, nil, refuse(e.Type, trust.ErrNotFound, "exercise %q is not in the catalogue", s.a.Exercise)
	}
	return s, ex, nil
}

// byParticipant checks that the event is written by partner p, a participant.
func byParticipant(e trust.Event, a Assignment, p trust.PartnerID) error {
	if !a.Has(p) {
		return refuse(e.Type, trust.ErrForbidden, "%s is not a participant of assignment %s", p, a.ID)
	}
	if actor, ok := e.Actor.Partner(); !ok || actor != p {
		return refuse(e.Type, trust.ErrForbidden, "only %s may write this", p)
	}
	return nil
}

// lifecycleVisibility checks a lifecycle event's visibility.
func lifecycleVisibility(e trust.Event, solo bool) error {
	want := LifecycleVisibility(solo)
	if e.Visibility != want {
		return check.Invalid("exercise", "visibility", "a %s assignment's %s event must be %s", map[bool]string{true: "solo", false: "joint"}[solo], e.Type, want)
	}
	return nil
}

// LifecycleVisibility is the visibility of an assignment's lifecycle events
// (proposed, scheduled, started, skipped, snoozed, expired): private to the
// participant of a solo assignment, shared for a joint one.
func LifecycleVisibility(solo bool) trust.Visibility {
	if solo {
		return trust.Private
	}
	return trust.Shared
}

func sameParticipants(e trust.Event, a Assignment, ps []trust.PartnerID) error {
	if !slices.Equal(a.Participants, ps) {
		return check.Invalid("exercise", "data.participants", "do not match the participants of assignment %s", a.ID)
	}
	return nil
}

// MaxSnooze is how far ahead of when it is recorded a partner may move
// work: a snooze's Until, and the start of a due window a partner or a
// professional proposes or schedules. It is measured from the event's
// RecordedTime, the writer's clock (the engine's), not from the time the
// event claims, so no one parks an assignment out of the plan for good;
// beyond it, skip the assignment and let the plan adapt.
const MaxSnooze = 60 * 24 * time.Hour

// notTooFar refuses a time t more than [MaxSnooze] after e was recorded.
func notTooFar(e trust.Event, field string, t time.Time) error {
	if t.Sub(e.RecordedTime) > MaxSnooze {
		return check.Invalid("exercise", field, "%s is more than %d days after %s, when this is recorded; skip it instead and let the plan adapt",
			t.UTC().Format(time.RFC3339), int(MaxSnooze/(24*time.Hour)), e.RecordedTime.Format(time.RFC3339))
	}
	return nil
}

func (f *Assignments) pausedFor(e trust.Event, ex *Exercise) error {
	if ex.Mode.Joint() && f.JointWorkPaused() {
		return refuse(e.Type, trust.ErrPausedForSafety, "joint work is paused")
	}
	return nil
}

func (f *Assignments) propose(e trust.Event, d *AssignmentProposed) (func(), error) {
	if _, dup := f.byID[d.Assignment]; dup {
		return nil, refuse(e.Type, trust.ErrConflict, "assignment %s is already proposed", d.Assignment)
	}
	ex := f.cat.get(d.Exercise)
	if ex == nil {
		return nil, refuse(e.Type, trust.ErrNotFound, "exercise %q is not in the catalogue", d.Exercise)
	}
	for i, p := range d.Participants {
		if !f.rel.Has(p) {
			return nil, refuse(e.Type, trust.ErrForbidden, "participant %d (%s) is not a partner in this relationship", i, p)
		}
	}
	if ex.Mode.Joint() != (len(d.Participants) == 2) {
		return nil, check.Invalid("exercise", "data.participants", "exercise %q is %s and needs %d participant(s)", ex.Key, ex.Mode, map[bool]int{true: 2, false: 1}[ex.Mode.Joint()])
	}
	if p, ok := e.Actor.Partner(); ok && !slices.Contains(d.Participants, p) {
		return nil, refuse(e.Type, trust.ErrForbidden, "a partner proposes exercises only for themselves or for both")
	}
	if e.Actor.Kind != trust.ActorSystem {
		if err := notTooFar(e, "data.due_start", d.DueStart); err != nil {
			return nil, err
		}
	}
	if err := lifecycleVisibility(e, !ex.Mode.Joint()); err != nil {
		return nil, err
	}
	if err := f.pausedFor(e, ex); err != nil {
		return nil, err
	}
	return func() {
		a := Assignment{ID: d.Assignment, Exercise: d.Exercise, Participants: slices.Clone(d.Participants), Status: StatusProposed,
			DueStart: d.DueStart.UTC(), DueEnd: d.DueEnd.UTC(), Reason: d.Reason, Scheduler: d.Scheduler, Term: d.Term, ProposedAt: e.Time}
		if d.Agreement != nil {
			id := *d.Agreement
			a.Agreement = &id
		}
		s := &assignmentState{a: a, answered: map[string][]trust.PartnerID{}}
		f.byID[a.ID] = s
		f.all = append(f.all, s)
		f.open[a.ID] = true
		f.byExercise[a.Exercise] = append(f.byExercise[a.Exercise], a.ID)
		h := f.hist(a.Exercise)
		h.Proposed++
		if e.Time.After(h.LastProposed) {
			h.LastProposed = e.Time
		}
	}, nil
}

func (f *Assignments) schedule(e trust.Event, d *AssignmentScheduled) (func(), error) {
	s, ex, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if s.a.Status == StatusStarted {
		return nil, refuse(e.Type, nil, "assignment %s has started; it can no longer be rescheduled", s.a.ID)
	}
	if err := sameParticipants(e, s.a, d.Participants); err != nil {
		return nil, err
	}
	if p, ok := e.Actor.Partner(); ok && !s.a.Has(p) {
		return nil, refuse(e.Type, trust.ErrForbidden, "%s is not a participant of assignment %s", p, s.a.ID)
	}
	if e.Actor.Kind == trust.ActorProfessional {
		return nil, refuse(e.Type, trust.ErrForbidden, "the system or a participant schedules an assignment")
	}
	if e.Actor.Kind != trust.ActorSystem {
		if err := notTooFar(e, "data.due_start", d.DueStart); err != nil {
			return nil, err
		}
	}
	if err := lifecycleVisibility(e, s.a.Solo()); err != nil {
		return nil, err
	}
	if err := f.pausedFor(e, ex); err != nil {
		return nil, err
	}
	return func() {
		s.a.Status = StatusScheduled
		s.a.DueStart, s.a.DueEnd = d.DueStart.UTC(), d.DueEnd.UTC()
	}, nil
}

func (f *Assignments) start(e trust.Event, d *AssignmentStarted) (func(), error) {
	s, ex, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if s.a.Status == StatusProposed {
		return nil, refuse(e.Type, nil, "assignment %s is proposed but not scheduled yet", s.a.ID)
	}
	if err := byParticipant(e, s.a, d.Partner); err != nil {
		return nil, err
	}
	if slices.Contains(s.a.Started, d.Partner) {
		return nil, refuse(e.Type, trust.ErrConflict, "%s has already started assignment %s", d.Partner, s.a.ID)
	}
	if err := lifecycleVisibility(e, s.a.Solo()); err != nil {
		return nil, err
	}
	if err := f.pausedFor(e, ex); err != nil {
		return nil, err
	}
	return func() {
		s.a.Status = StatusStarted
		s.a.Started = append(s.a.Started, d.Partner)
	}, nil
}

func (f *Assignments) answer(e trust.Event, d *StepAnswered) (func(), error) {
	s, ex, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if s.a.Status != StatusStarted {
		return nil, refuse(e.Type, nil, "assignment %s is %s; answers come after it has started", s.a.ID, s.a.Status)
	}
	if err := byParticipant(e, s.a, d.Partner); err != nil {
		return nil, err
	}
	step, ok := ex.Step(d.Step)
	if !ok {
		return nil, refuse(e.Type, trust.ErrNotFound, "exercise %q has no step %q", ex.Key, d.Step)
	}
	if completedBy(s.a, d.Partner) {
		return nil, refuse(e.Type, nil, "%s has already completed assignment %s", d.Partner, s.a.ID)
	}
	switch step.Answer {
	case AnswerNone:
		return nil, refuse(e.Type, nil, "step %q of %q is spoken, not written", d.Step, ex.Key)
	case AnswerSealed:
		if e.Visibility != trust.Sealed || e.SealKey != StepSealKey(s.a.ID, d.Step) {
			return nil, check.Invalid("exercise", "sealkey", "a sealed step's answer is sealed with the key %q", StepSealKey(s.a.ID, d.Step))
		}
	case AnswerShared:
		if e.Visibility != trust.Shared && !s.a.Solo() {
			return nil, check.Invalid("exercise", "visibility", "step %q is answered in the open: the answer must be shared", d.Step)
		}
		if s.a.Solo() && e.Visibility != trust.Private && e.Visibility != trust.WithProfessional {
			return nil, check.Invalid("exercise", "visibility", "a solo answer is private or for a consented professional")
		}
	case AnswerPrivate:
		if e.Visibility != trust.Private && e.Visibility != trust.WithProfessional {
			return nil, check.Invalid("exercise", "visibility", "step %q keeps answers private (or for a consented professional)", d.Step)
		}
	}
	if slices.Contains(s.answered[d.Step], d.Partner) {
		return nil, refuse(e.Type, trust.ErrConflict, "%s has already answered step %q of assignment %s", d.Partner, d.Step, s.a.ID)
	}
	if err := f.pausedFor(e, ex); err != nil {
		return nil, err
	}
	return func() { s.answered[d.Step] = append(s.answered[d.Step], d.Partner) }, nil
}

func completedBy(a Assignment, p trust.PartnerID) bool {
	for _, o := range a.Outcomes {
		if o.Partner == p {
			return true
		}
	}
	return false
}

func (f *Assignments) complete(e trust.Event, d *AssignmentCompleted) (func(), error) {
	s, ex, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if s.a.Status != StatusStarted {
		return nil, refuse(e.Type, nil, "assignment %s is %s; it is completed after it has started", s.a.ID, s.a.Status)
	}
	if err := byParticipant(e, s.a, d.Partner); err != nil {
		return nil, err
	}
	if completedBy(s.a, d.Partner) {
		return nil, refuse(e.Type, trust.ErrConflict, "%s has already completed assignment %s", d.Partner, s.a.ID)
	}
	switch {
	case s.a.Solo() && e.Visibility != trust.Private && e.Visibility != trust.WithProfessional:
		return nil, check.Invalid("exercise", "visibility", "a solo outcome is private or for a consented professional")
	case e.Visibility == trust.Sealed && e.SealKey != OutcomeSealKey(s.a.ID):
		return nil, check.Invalid("exercise", "sealkey", "a sealed outcome is sealed with the key %q", OutcomeSealKey(s.a.ID))
	}
	if err := f.pausedFor(e, ex); err != nil {
		return nil, err
	}
	return func() {
		s.a.Outcomes = append(s.a.Outcomes, Outcome{Partner: d.Partner, Helpful: d.Helpful, At: e.Time})
		if len(s.a.Outcomes) < len(s.a.Participants) {
			return
		}
		f.close(s, StatusCompleted, e.Time)
		h := f.hist(s.a.Exercise)
		h.Completed++
		if e.Time.After(h.LastCompleted) {
			h.LastCompleted = e.Time
		}
		sum := 0
		for _, o := range s.a.Outcomes {
			sum += o.Helpful
			h.RatingSum += o.Helpful
			h.Ratings++
		}
		if sum >= HelpfulRating*len(s.a.Outcomes) {
			h.Helpful++
			h.HelpfulStreak++
		} else {
			h.HelpfulStreak = 0
		}
		for _, p := range s.a.Participants {
			if !slices.Contains(h.CompletedBy, p) {
				h.CompletedBy = append(h.CompletedBy, p)
			}
		}
		f.sortPartners(h.CompletedBy)
	}, nil
}

// HelpfulRating is the mean rating (out of 5) at or above which an
// assignment counts as helpful.
const HelpfulRating = 4

// sortPartners orders partners as the relationship does.
func (f *Assignments) sortPartners(ps []trust.PartnerID) {
	if len(ps) == 2 && ps[1] == f.rel.Partners[0].ID {
		ps[0], ps[1] = ps[1], ps[0]
	}
}

func (f *Assignments) skip(e trust.Event, d *AssignmentSkipped) (func(), error) {
	s, _, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if err := byParticipant(e, s.a, d.Partner); err != nil {
		return nil, err
	}
	if err := lifecycleVisibility(e, s.a.Solo()); err != nil {
		return nil, err
	}
	return func() {
		skip := *d
		s.a.Skip = &skip
		f.close(s, StatusSkipped, e.Time)
		f.hist(s.a.Exercise).Skipped++
	}, nil
}

func (f *Assignments) snooze(e trust.Event, d *AssignmentSnoozed) (func(), error) {
	s, _, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if s.a.Status != StatusScheduled && s.a.Status != StatusSnoozed {
		return nil, refuse(e.Type, nil, "assignment %s is %s; only a scheduled assignment is snoozed", s.a.ID, s.a.Status)
	}
	if err := byParticipant(e, s.a, d.Partner); err != nil {
		return nil, err
	}
	if !d.Until.After(e.Time) {
		return nil, check.Invalid("exercise", "data.until", "must be after the time of the snooze")
	}
	if err := notTooFar(e, "data.until", d.Until); err != nil {
		return nil, err
	}
	if err := lifecycleVisibility(e, s.a.Solo()); err != nil {
		return nil, err
	}
	return func() {
		length := s.a.DueEnd.Sub(s.a.DueStart)
		s.a.Status = StatusSnoozed
		s.a.DueStart = d.Until.UTC()
		s.a.DueEnd = s.a.DueStart.Add(length)
	}, nil
}

func (f *Assignments) expire(e trust.Event, d *AssignmentExpired) (func(), error) {
	s, _, err := f.lookup(e, d.Assignment)
	if err != nil {
		return nil, err
	}
	if e.Actor.Kind != trust.ActorSystem {
		return nil, refuse(e.Type, trust.ErrForbidden, "only the system expires an assignment")
	}
	if err := sameParticipants(e, s.a, d.Participants); err != nil {
		return nil, err
	}
	if e.Time.Before(s.a.DueEnd) {
		return nil, refuse(e.Type, nil, "assignment %s is due until %s", s.a.ID, s.a.DueEnd.Format(time.RFC3339))
	}
	if err := lifecycleVisibility(e, s.a.Solo()); err != nil {
		return nil, err
	}
	return func() {
		f.close(s, StatusExpired, e.Time)
		f.hist(s.a.Exercise).Expired++
	}, nil
}

func (f *Assignments) close(s *assignmentState, st Status, at time.Time) {
	s.a.Status = st
	s.a.ClosedAt = at
	delete(f.open, s.a.ID)
}

func (f *Assignments) hist(key string) *History {
	h, ok := f.history[key]
	if !ok {
		h = &History{Exercise: key}
		f.history[key] = h
	}
	return h
}

// Len returns the number of assignments ever proposed.
func (f *Assignments) Len() int { return len(f.all) }

// Get returns a copy of an assignment.
func (f *Assignments) Get(id AssignmentID) (Assignment, bool) {
	s, ok := f.byID[id]
	if !ok {
		return Assignment{}, false
	}
	return cloneAssignment(s.a), true
}

// Open returns the assignments that are not completed, skipped or expired,
// ordered by the start of their due window.
func (f *Assignments) Open() []Assignment {
	out := make([]Assignment, 0, len(f.open))
	for id := range f.open {
		out = append(out, cloneAssignment(f.byID[id].a))
	}
	sortAssignments(out)
	return out
}

// Due returns the open assignments whose due window contains now, ordered by
// the start of their window: what the couple has to do now.
func (f *Assignments) Due(now time.Time) []Assignment {
	var out []Assignment
	for id := range f.open {
		a := f.byID[id].a
		if !now.Before(a.DueStart) && now.Before(a.DueEnd) {
			out = append(out, cloneAssignment(a))
		}
	}
	sortAssignments(out)
	return out
}

// Expirable returns the open assignments whose due window ended at or before
// now, ordered by the start of their due window: the engine writes an
// [AssignmentExpired] for each.
func (f *Assignments) Expirable(now time.Time) []Assignment {
	var out []Assignment
	for id := range f.open {
		if a := f.byID[id].a; !now.Before(a.DueEnd) {
			out = append(out, cloneAssignment(a))
		}
	}
	sortAssignments(out)
	return out
}

// ForExercise returns every assignment of an exercise, in the order they
// were proposed, with their outcomes.
func (f *Assignments) ForExercise(key string) []Assignment {
	ids := f.byExercise[key]
	out := make([]Assignment, len(ids))
	for i, id := range ids {
		out[i] = cloneAssignment(f.byID[id].a)
	}
	return out
}

// History returns the summary of every exercise ever proposed, by exercise
// key. It is what [Snapshot.History] carries.
func (f *Assignments) History() map[string]History {
	out := make(map[string]History, len(f.history))
	// One array holds every entry's CompletedBy; each entry's list is its
	// own part of it, capped, so no two lists share an element.
	by := make([]trust.PartnerID, 0, 2*len(f.history))
	for k, h := range f.history {
		c := *h
		if len(h.CompletedBy) > 0 {
			by = append(by, h.CompletedBy...)
			c.CompletedBy = by[len(by)-len(h.CompletedBy) : len(by) : len(by)]
		}
		out[k] = c
	}
	return out
}

// HistoryOf returns the summary of one exercise.
func (f *Assignments) HistoryOf(key string) (History, bool) {
	h, ok := f.history[key]
	if !ok {
		return History{}, false
	}
	c := *h
	c.CompletedBy = slices.Clone(h.CompletedBy)
	return c, true
}

// recentWindow is how far back [Assignments.Recent] looks for closed assignments.
const recentWindow = 28 * 24 * time.Hour

// Recent returns summaries of every open assignment and of the closed ones
// whose due window started within the 28 days before now, ordered by due
// start. It is what [Snapshot.Recent] carries.
func (f *Assignments) Recent(now time.Time) []AssignmentSummary {
	since := now.Add(-recentWindow)
	var recent []*Assignment
	for _, s := range f.all {
		if a := &s.a; !a.DueStart.Before(since) || !a.Status.Closed() {
			recent = append(recent, a)
		}
	}
	if len(recent) == 0 {
		return nil
	}
	slices.SortFunc(recent, func(a, b *Assignment) int { return compareDue(a.DueStart, b.DueStart, a.ID, b.ID) })
	out := make([]AssignmentSummary, len(recent))
	// One array holds every summary's participants; each summary's list is
	// its own part of it, capped, so no two lists share an element.
	ps := make([]trust.PartnerID, 0, 2*len(recent))
	for i, a := range recent {
		ps = append(ps, a.Participants...)
		out[i] = AssignmentSummary{ID: a.ID, Exercise: a.Exercise, Participants: ps[len(ps)-len(a.Participants) : len(ps) : len(ps)],
			Status: a.Status, DueStart: a.DueStart, DueEnd: a.DueEnd, Scheduler: a.Scheduler, Term: a.Term, ClosedAt: a.ClosedAt}
	}
	return out
}

// compareDue is the order of every list of assignments: by the start of the
// due window, then by ID, so that it never depends on map order.
func compareDue(aStart, bStart time.Time, a, b AssignmentID) int {
	if c := aStart.Compare(bStart); c != 0 {
		return c
	}
	return bytes.Compare(a[:], b[:])
}

func sortAssignments(as []Assignment) {
	slices.SortFunc(as, func(a, b Assignment) int { return compareDue(a.DueStart, b.DueStart, a.ID, b.ID) })
}

// OpenFor returns the open assignments partner p takes part in, ordered by
// the start of their due window: [Assignments.Open] for one partner.
func (f *Assignments) OpenFor(p trust.PartnerID) []Assignment {
	var out []Assignment
	for id := range f.open {
		if a := &f.byID[id].a; a.Has(p) {
			out = append(out, cloneAssignment(*a))
		}
	}
	sortAssignments(out)
	return out
}

// eachOpen calls fn with every open assignment, in no order, without
// copying: fn must not change or keep it.
func (f *Assignments) eachOpen(fn func(a *Assignment)) {
	for id := range f.open {
		fn(&f.byID[id].a)
	}
}

// Clone returns an independent copy.
func (f *Assignments) Clone() *Assignments {
	c := *f
	c.byID = make(map[AssignmentID]*assignmentState, len(f.byID))
	c.all = make([]*assignmentState, len(f.all))
	for i, v := range f.all {
		c.all[i] = v.clone()
		c.byID[v.a.ID] = c.all[i]
	}
	c.open = maps.Clone(f.open)
	c.byExercise = make(map[string][]AssignmentID, len(f.byExercise))
	for k, v := range f.byExercise {
		c.byExercise[k] = slices.Clone(v)
	}
	c.history = make(map[string]*History, len(f.history))
	for k, v := range f.history {
		h := *v
		h.CompletedBy = slices.Clone(v.CompletedBy)
		c.history[k] = &h
	}
	c.flags = maps.Clone(f.flags)
	return &c
}
