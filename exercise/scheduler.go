package exercise

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/trust"
)

// Scheduler proposes assignments from a snapshot of a journey. It is a pure
// function: the same snapshot gives the same proposals, in the same order. A
// scheduler reads the time only from [Snapshot.Now], draws randomness only
// from [Snapshot.Seed] and keeps no state between calls that changes what
// it proposes.
//
// Values are the scheduler's own, both ways. The snapshot it is handed is
// its to keep and change (see [Snapshot]): nothing in it is shared with the
// engine. The proposals it returns are the caller's: the built-in
// schedulers give every proposal a Participants slice of its own, shared
// with nothing, so a wrapper may sort or rewrite them in place; and the
// engine copies what it keeps of them.
//
// Every scheduler must honour safety: while [Snapshot.JointWorkPaused] is
// true it proposes only solo exercises. The built-in schedulers do, and
// [Compose] and [Guard] enforce it (with every exercise's
// contraindications) over any scheduler they wrap.
//
// An error means the snapshot could not be planned from (for example an
// unknown time zone), never that there was nothing to do: no proposals is
// a nil slice.
type Scheduler interface {
	// Name identifies the scheduler in proposals and assignment events: a
	// lower-case key such as "adaptive".
	Name() string
	// Propose returns the scheduler's proposals for the snapshot.
	Propose(s Snapshot) ([]Proposal, error)
}

// SchedulerFunc adapts a function to a [Scheduler] named "custom". Use
// [Named] to give it another name.
type SchedulerFunc func(s Snapshot) ([]Proposal, error)

// Name returns "custom".
func (SchedulerFunc) Name() string { return "custom" }

// Propose calls f.
func (f SchedulerFunc) Propose(s Snapshot) ([]Proposal, error) { return f(s) }

// Named returns s under another name. Proposals that name no scheduler are
// given the new name.
func Named(name string, s Scheduler) Scheduler { return named{name: name, s: s} }

type named struct {
	name string
	s    Scheduler
}

func (n named) Name() string { return n.name }

func (n named) readOnly() bool { return isReadOnly(n.s) }

func (n named) Propose(s Snapshot) ([]Proposal, error) {
	ps, err := n.s.Propose(s)
	for i := range ps {
		if ps[i].Scheduler == "" || ps[i].Scheduler == n.s.Name() {
			ps[i].Scheduler = n.name
		}
	}
	return ps, err
}

// Proposal is a scheduler's suggestion: one exercise for both partners or
// for one, with a due window and a reason the couple can read. The engine
// turns each into an [AssignmentProposed] (see [Proposal.Payload]) and an
// [AssignmentScheduled] event.
type Proposal struct {
	// Exercise is the key of the exercise.
	Exercise string `json:"exercise"`
	// Participants are both partners (in relationship order) for a joint
	// exercise, one partner for a solo one.
	Participants []trust.PartnerID `json:"participants" jsonschema:"minItems=1,maxItems=2"`
	// DueStart is the start of the due window, in UTC.
	DueStart time.Time `json:"due_start"`
	// DueEnd is the end of the due window, in UTC.
	DueEnd time.Time `json:"due_end"`
	// Reason says why, in words the couple reads. It never mentions safety.
	Reason string `json:"reason"`
	// Scheduler names the scheduler that proposed it.
	Scheduler string `json:"scheduler"`
	// Agreement is the agreement whose ritual the proposal carries out, if any.
	Agreement *uuid.UUID `json:"agreement,omitempty"`
	// Term is the agreement term it carries out, if any.
	Term string `json:"term,omitempty"`
}

// Solo reports whether the proposal is for one partner.
func (p Proposal) Solo() bool { return len(p.Participants) == 1 }

// Payload returns the event payload that records the proposal as assignment id.
func (p Proposal) Payload(id AssignmentID) AssignmentProposed {
	out := AssignmentProposed{Assignment: id, Exercise: p.Exercise, Participants: slices.Clone(p.Participants),
		DueStart: p.DueStart.UTC(), DueEnd: p.DueEnd.UTC(), Reason: p.Reason, Scheduler: p.Scheduler, Term: p.Term}
	if p.Agreement != nil {
		a := *p.Agreement
		out.Agreement = &a
	}
	return out
}

// Visibility returns the visibility of the proposal's lifecycle events.
func (p Proposal) Visibility() trust.Visibility { return LifecycleVisibility(p.Solo()) }

// Validate checks the proposal's fields on their own.
func (p Proposal) Validate() error {
	// The payload's checks, on a payload that shares the proposal's slices:
	// validating changes nothing, so nothing needs copying.
	return AssignmentProposed{Assignment: AssignmentID(uuid.Max), Exercise: p.Exercise, Participants: p.Participants,
		DueStart: p.DueStart, DueEnd: p.DueEnd, Reason: p.Reason, Scheduler: p.Scheduler, Term: p.Term, Agreement: p.Agreement}.Validate()
}

// check validates a proposal against the snapshot and the catalogue.
func (p Proposal) check(s Snapshot, cat *Catalogue) (*Exercise, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ex := cat.get(p.Exercise)
	if ex == nil {
		return nil, &ReferenceError{Field: "exercise", Kind: RefExercise, Ref: p.Exercise}
	}
	for i, q := range p.Participants {
		if q != s.Partners[0] && q != s.Partners[1] {
			return nil, invalid(fmt.Sprintf("participants.%d", i), "%s is not a partner in this relationship", q)
		}
	}
	if ex.Mode.Joint() && (len(p.Participants) != 2 || p.Participants[0] != s.Partners[0]) {
		return nil, invalid("participants", "exercise %q is %s: both partners, in relationship order", ex.Key, ex.Mode)
	}
	if !ex.Mode.Joint() && len(p.Participants) != 1 {
		return nil, invalid("participants", "exercise %q is solo: one partner", ex.Key)
	}
	return ex, nil
}

// Eligible reports whether an exercise may be proposed to the given
// participants in the snapshot's state, and if not, why (in words for the
// engine's logs, never for the other partner). It applies the safety rule
// (while joint work is paused only solo exercises) and every
// contraindication of the exercise.
func Eligible(ex Exercise, s Snapshot) (bool, string) { return eligible(&ex, &s) }

func eligible(ex *Exercise, s *Snapshot) (bool, string) {
	if ex.Mode.Joint() && s.JointWorkPaused {
		return false, "joint work is paused"
	}
	for _, c := range ex.Contraindications {
		switch c {
		case WhileJointWorkPaused:
			if s.JointWorkPaused {
				return false, "joint work is paused"
			}
		case WhileBreachOngoing:
			if s.BreachOngoing {
				return false, "a breach is still ongoing"
			}
		case WhilePartnerSteppedBack:
			if len(s.SteppedBack) > 0 {
				return false, "a partner has stepped back"
			}
		case WhileCommitmentNotAligned:
			if s.Alignment != trust.AlignedYes {
				return false, "the partners' commitment is not aligned"
			}
		case WhileRecentSetback:
			if !s.Signals.LastSetback.IsZero() && s.Now.Sub(s.Signals.LastSetback) < 7*24*time.Hour {
				return false, "a setback happened in the last week"
			}
		}
	}
	return true, ""
}

// Guard wraps a scheduler so that its proposals are checked against the
// snapshot: a proposal that is malformed, names an unknown exercise or a
// non-partner is an error; one that is not [Eligible] (joint work while
// paused, a contraindication) is dropped. Due windows are returned in UTC,
// and proposals that name no scheduler get the wrapped scheduler's name. [Compose] guards every scheduler it
// runs; wrap a custom scheduler you run on its own.
//
// Guarding is idempotent: a scheduler that already guards its proposals (a
// Guard, [Compose], [DefaultScheduler]) is returned as it is, so they are
// not checked twice.
func Guard(s Scheduler) Scheduler {
	if g, ok := s.(guarded); ok && g.guarded() {
		return s
	}
	return guard{s}
}

// guarded is implemented by schedulers whose proposals are already checked
// as Guard checks them.
type guarded interface{ guarded() bool }

type guard struct{ s Scheduler }

func (guard) guarded() bool { return true }

func (g guard) Name() string { return g.s.Name() }

func (g guard) readOnly() bool { return isReadOnly(g.s) }

func (g guard) Propose(s Snapshot) ([]Proposal, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	ps, err := g.s.Propose(s)
	if err != nil {
		return nil, fmt.Errorf("exercise: scheduler %s: %w", g.s.Name(), err)
	}
	return guardAll(g.s.Name(), ps, &s)
}

func guardAll(name string, ps []Proposal, s *Snapshot) ([]Proposal, error) {
	cat := s.catalogue()
	out := ps[:0:0]
	for i, p := range ps {
		if p.Scheduler == "" {
			p.Scheduler = name
		}
		p.DueStart, p.DueEnd = p.DueStart.UTC(), p.DueEnd.UTC()
		ex, err := p.check(*s, cat)
		if err != nil {
			return nil, fmt.Errorf("exercise: scheduler %s: proposal %d: %w", name, i, err)
		}
		if ok, _ := eligible(ex, s); !ok {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// readOnly is implemented by the built-in schedulers, which neither keep nor
// change the snapshot they are handed: [Compose] hands them its own instead
// of a copy.
type readOnly interface{ readOnly() bool }

func isReadOnly(s Scheduler) bool {
	r, ok := s.(readOnly)
	return ok && r.readOnly()
}

// Helpers shared by the built-in schedulers.

const day = 24 * time.Hour

// endOfLocalDay returns the next local midnight after t, in UTC: correct
// across daylight-saving changes.
func endOfLocalDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).UTC()
}

// window returns a due window from now lasting until the end of the local
// day `days` days later (days ≥ 1 means "by the end of the day after …").
func window(now time.Time, loc *time.Location, days int) (time.Time, time.Time) {
	end := now
	if days > 0 {
		l := now.In(loc)
		end = time.Date(l.Year(), l.Month(), l.Day()+days-1, 12, 0, 0, 0, loc)
	}
	return now.UTC(), endOfLocalDay(end, loc)
}

// coolingDown reports whether the exercise was proposed or completed within
// its cooldown.
func coolingDown(ex *Exercise, h History, now time.Time) bool {
	if ex.CooldownDays == 0 {
		return false
	}
	last := h.LastProposed
	if h.LastCompleted.After(last) {
		last = h.LastCompleted
	}
	return !last.IsZero() && now.Sub(last) < time.Duration(ex.CooldownDays)*day
}

// requirementsMet reports whether every required exercise was completed.
func requirementsMet(ex *Exercise, s *Snapshot) bool {
	for _, r := range ex.Requires {
		if s.History[r].Completed == 0 {
			return false
		}
	}
	return true
}

// participantsFor returns the participant lists an exercise is proposed to:
// both partners for a joint exercise, each partner alone for a solo one.
// Every list is new, so each proposal owns its own.
func participantsFor(ex *Exercise, s *Snapshot) [][]trust.PartnerID {
	if ex.Mode.Joint() {
		return [][]trust.PartnerID{{s.Partners[0], s.Partners[1]}}
	}
	return [][]trust.PartnerID{{s.Partners[0]}, {s.Partners[1]}}
}

// unmetGates returns the profile's words for the gates the exercise helps with
// that are not met yet, leaving out safety gates.
func unmetGates(ex *Exercise, s *Snapshot) string {
	var why []string
	for _, g := range s.Gates {
		if g.Met || g.Kind == trust.GateNotPaused || g.Kind == trust.GateNoSafetyFlag || !slices.Contains(ex.Advances, g.Kind) {
			continue
		}
		if g.Why != "" && !slices.Contains(why, g.Why) {
			why = append(why, strings.TrimSuffix(g.Why, "."))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return " It helps with the next step: " + strings.Join(why, "; ") + "."
}
