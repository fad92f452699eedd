package exercise

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"time"

	"github.com/mendkit/mend/trust"
)

// PlanItem is one assignment in a viewer's plan, with the exercise it
// assigns and why.
type PlanItem struct {
	// Assignment is the assignment, with its due window and status.
	Assignment Assignment `json:"assignment"`
	// Title and Minutes come from the exercise.
	Title   string `json:"title"`
	Minutes int    `json:"minutes"`
	// Mode is together, separate_then_reveal or solo.
	Mode Mode `json:"mode"`
	// Reason says why it was proposed.
	Reason string `json:"reason"`
	// DueNow is true while now is inside the due window.
	DueNow bool `json:"due_now"`
}

// Plan is what a partner has to do: open assignments visible to them, in due
// order. While joint work is paused it holds only their own solo work, and
// says so without saying why.
type Plan struct {
	// Now is the instant the plan was made for.
	Now time.Time `json:"now"`
	// Phase is the journey's current phase key.
	Phase string `json:"phase"`
	// JointWorkPaused is true while joint work is paused.
	JointWorkPaused bool `json:"joint_work_paused"`
	// Items are the assignments, soonest first.
	Items []PlanItem `json:"items"`
}

// Plan returns what partner has to do now: the open assignments visible to
// them, as the journey's folded state holds them. It is a query and writes
// nothing, so it costs the same however long the journey's history is. An
// assignment whose due window has ended is left out (the next
// [Engine.Refresh] expires it), and new work appears only once a command
// has written it: a background job calls Refresh on a schedule, and an app
// may call it before Plan to bring the journey up to date at this instant.
func (e *Engine) Plan(ctx context.Context, rel trust.RelationshipID, partner trust.PartnerID) (Plan, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return Plan{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.journey.Relationship().Has(partner) {
		return Plan{}, &trust.TransitionError{Pkg: "exercise", Event: "plan", Reason: "the viewer is not a partner in this relationship", Cause: trust.ErrForbidden}
	}
	now := e.clock.Now().UTC()
	out := Plan{Now: now, Phase: st.journey.Phase().Key, JointWorkPaused: st.journey.JointWorkPaused()}
	open := st.assign.OpenFor(partner)
	out.Items = make([]PlanItem, 0, len(open))
	for _, a := range open {
		if !now.Before(a.DueEnd) {
			continue // overdue: the next refresh expires it
		}
		ex := e.catalogue.get(a.Exercise) // read-only: no copy
		if ex == nil {
			continue
		}
		if out.JointWorkPaused && ex.Mode.Joint() {
			continue
		}
		out.Items = append(out.Items, PlanItem{Assignment: a, Title: ex.Title, Minutes: ex.Minutes, Mode: ex.Mode,
			Reason: a.Reason, DueNow: !now.Before(a.DueStart)})
	}
	return out, nil
}

// Refresh is the command that brings a journey up to date at the engine's
// current time: assignments whose due window has passed expire (never
// counting against anyone), transparency terms past their sunset lapse, the
// phase advances if every gate is met, and the scheduler's new proposals
// become assignments. All of it is written by the system as events in one
// atomic append, and the Result holds them (none when nothing was due; a
// second refresh at the same instant writes nothing). It is what a
// background job runs for each journey, say every night, so that overdue
// work expires and new work is proposed even when nobody opens the app; an
// app may also run it before reading a plan.
func (e *Engine) Refresh(ctx context.Context, rel trust.RelationshipID) (Result[trust.EventID], error) {
	events, err := e.commit(ctx, rel, trust.SystemActor, "", e.planDrafts)
	if err != nil {
		return Result[trust.EventID]{}, err
	}
	return eventResult(events), nil
}

// planDrafts expires what is overdue and turns the scheduler's proposals into
// assignment events. The scheduler sees the journey after the expiries, so
// work that just expired leaves room for new work in the same refresh.
func (e *Engine) planDrafts(st *journeyState, now time.Time) ([]draft, error) {
	overdue := st.assign.Expirable(now)
	drafts := make([]draft, 0, len(overdue)+1)
	for _, a := range overdue {
		drafts = append(drafts, draft{by: trust.SystemActor, cmd: Command{Visibility: LifecycleVisibility(a.Solo()),
			Data: &AssignmentExpired{Assignment: a.ID, Participants: a.Participants}}})
	}
	return append(drafts, draft{later: e.proposalDrafts}), nil
}

// proposalDrafts turns the scheduler's proposals into assignment events.
func (e *Engine) proposalDrafts(st *journeyState, now time.Time) ([]draft, error) {
	proposals, err := e.scheduler.Propose(e.snapshot(st, now))
	if err != nil {
		return nil, err
	}
	if support := e.supportFor(st, now); len(support) > 0 {
		proposals = append(support, proposals...)
	}
	if len(proposals) == 0 {
		return nil, nil
	}
	drafts := make([]draft, 0, 2*len(proposals))
	// A journey has a handful of open assignments: a slice beats a map.
	open := make([]workKey, 0, 16)
	st.assign.eachOpen(func(a *Assignment) {
		if a.DueEnd.IsZero() || now.Before(a.DueEnd) {
			open = append(open, workKeyOf(a.Exercise, a.Participants))
		}
	})
	for _, p := range proposals {
		k := workKeyOf(p.Exercise, p.Participants)
		if slices.Contains(open, k) {
			continue
		}
		open = append(open, k)
		id, err := trust.NewID[Assignment](e.ids)
		if err != nil {
			return nil, err
		}
		if p.Scheduler == "" {
			p.Scheduler = e.scheduler.Name()
		}
		proposed := p.Payload(id)
		vis := p.Visibility()
		drafts = append(drafts,
			draft{by: trust.SystemActor, cmd: Command{Visibility: vis, Data: &proposed}},
			draft{by: trust.SystemActor, cmd: Command{Visibility: vis, Data: &AssignmentScheduled{Assignment: id,
				Participants: slices.Clone(proposed.Participants), DueStart: proposed.DueStart, DueEnd: proposed.DueEnd}}})
	}
	return drafts, nil
}

// supportFor proposes the individual-support exercise, privately, to each
// partner with an active safety flag. The scheduler cannot do this: its
// snapshot never says who raised a flag. The proposal is private to the
// partner who raised it, and its reason never mentions the flag.
func (e *Engine) supportFor(st *journeyState, now time.Time) []Proposal {
	ex := e.catalogue.get(e.support)
	if ex == nil || ex.Mode != Solo {
		return nil
	}
	var out []Proposal
	for _, p := range st.journey.Relationship().Partners {
		if len(st.journey.ActiveFlags(p.ID)) == 0 {
			continue
		}
		out = append(out, Proposal{Exercise: ex.Key, Participants: []trust.PartnerID{p.ID}, DueStart: now, DueEnd: now.Add(7 * 24 * time.Hour),
			Reason: "Support that is yours alone, whenever you want it.", Scheduler: SupportScheduler})
	}
	return out
}

// SupportScheduler is the scheduler name of the engine's own proposals of
// individual support to a partner who raised a safety flag. Those
// assignments are safety data: never notified, and left out of research
// exports with the flags themselves.
const SupportScheduler = "support"

// workKey names an exercise for a set of participants, whatever their
// order: a plan never opens the same work twice. Participants are one or two
// partners (the guard and the fold check it).
type workKey struct {
	exercise string
	a, b     trust.PartnerID
}

func workKeyOf(exercise string, ps []trust.PartnerID) workKey {
	k := workKey{exercise: exercise}
	switch len(ps) {
	case 1:
		k.a = ps[0]
	case 2:
		k.a, k.b = ps[0], ps[1]
		if bytes.Compare(k.a[:], k.b[:]) > 0 {
			k.a, k.b = k.b, k.a
		}
	}
	return k
}

// snapshot builds the scheduler's view of the journey from the folded
// state (nothing here walks the history). Every slice and map in it is
// new: the snapshot is the scheduler's to keep.
func (e *Engine) snapshot(st *journeyState, now time.Time) Snapshot {
	j := st.journey
	rel := j.Relationship()
	loc, _ := rel.Location()
	var stepped []trust.PartnerID
	for _, p := range rel.Partners {
		if a, ok := j.Commitment(p.ID); ok && a == trust.CommitNo {
			stepped = append(stepped, p.ID)
		}
	}
	var seed [8]byte
	copy(seed[:], rel.ID[:8])
	return Snapshot{
		Now: now, TimeZone: rel.TimeZone, Location: loc,
		Seed:         binary.LittleEndian.Uint64(seed[:]) ^ uint64(now.Unix()/86400),
		Relationship: rel.ID, Partners: [2]trust.PartnerID{rel.Partners[0].ID, rel.Partners[1].ID},
		Profile: j.Profile().Key, Phase: j.Phase().Key, PhaseSince: j.PhaseSince(),
		Gates:           GatesFrom(j.Gates(now), j.JointWorkPaused()),
		JointWorkPaused: j.JointWorkPaused(), Alignment: j.Alignment(), SteppedBack: stepped,
		BreachOngoing: j.BreachOngoing(), Occurrences: st.occurrences(now, e.horizon),
		History: st.assign.History(), Recent: st.assign.Recent(now),
		Signals:   Signals{LastSetback: st.signals.lastSetback, Setbacks: st.signals.setbacks},
		Catalogue: e.catalogue,
	}
}

// StartAssignment records a participant (by) starting an assignment. A
// joint assignment cannot start while joint work is paused.
func (e *Engine) StartAssignment(ctx context.Context, rel trust.RelationshipID, by trust.Actor, s AssignmentStarted, opts ...Opt) (Result[AssignmentID], error) {
	return record(ctx, e, rel, by, &s, opts, func(s *AssignmentStarted) AssignmentID { return s.Assignment })
}

// AnswerStep records a participant's (by's) written answer to one step. Its
// visibility follows the step: sealed steps stay hidden until both answered.
func (e *Engine) AnswerStep(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a StepAnswered, opts ...Opt) (Result[AssignmentID], error) {
	return record(ctx, e, rel, by, &a, opts, func(a *StepAnswered) AssignmentID { return a.Assignment })
}

// CompleteAssignment records one participant's (by's) outcome. A joint
// assignment's reflections are sealed until both completed; a solo one's
// are private.
func (e *Engine) CompleteAssignment(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c AssignmentCompleted, opts ...Opt) (Result[AssignmentID], error) {
	return record(ctx, e, rel, by, &c, opts, func(c *AssignmentCompleted) AssignmentID { return c.Assignment })
}

// SkipAssignment records a participant (by) skipping an assignment, with a
// reason. A skip never counts against anyone; the next refresh adapts.
func (e *Engine) SkipAssignment(ctx context.Context, rel trust.RelationshipID, by trust.Actor, s AssignmentSkipped, opts ...Opt) (Result[AssignmentID], error) {
	return record(ctx, e, rel, by, &s, opts, func(s *AssignmentSkipped) AssignmentID { return s.Assignment })
}

// SnoozeAssignment records a participant (by) moving an assignment's due
// window later.
func (e *Engine) SnoozeAssignment(ctx context.Context, rel trust.RelationshipID, by trust.Actor, s AssignmentSnoozed, opts ...Opt) (Result[AssignmentID], error) {
	return record(ctx, e, rel, by, &s, opts, func(s *AssignmentSnoozed) AssignmentID { return s.Assignment })
}

// defaultVisibility fills the visibility (and seal key) of exercise events the
// caller left unset, from the assignment and its exercise: lifecycle events
// are private for a solo assignment and shared for a joint one; step answers
// follow the step's answer mode; reflections on a joint assignment are sealed
// until both completed.
func (e *Engine) defaultVisibility(st *journeyState, cmd *Command) {
	if a, ok := cmd.Data.(*trust.Account); ok && cmd.Visibility == trust.Sealed && cmd.SealKey == "" {
		cmd.SealKey = trust.AccountSealKey(a.Breach)
	}
	if cmd.Visibility != "" {
		return
	}
	var id AssignmentID
	switch d := cmd.Data.(type) {
	case *trust.Account:
		// Accounts are sealed unless the author chooses otherwise, so neither
		// partner reads the other's before writing their own.
		cmd.Visibility, cmd.SealKey = trust.Sealed, trust.AccountSealKey(d.Breach)
		return
	case *AssignmentStarted:
		id = d.Assignment
	case *AssignmentSkipped:
		id = d.Assignment
	case *AssignmentSnoozed:
		id = d.Assignment
	case *AssignmentScheduled:
		id = d.Assignment
	case *AssignmentExpired:
		id = d.Assignment
	case *AssignmentCompleted:
		if a, ok := st.assign.Get(d.Assignment); ok {
			if a.Solo() {
				cmd.Visibility = trust.Private
			} else {
				cmd.Visibility, cmd.SealKey = trust.Sealed, OutcomeSealKey(a.ID)
			}
		}
		return
	case *StepAnswered:
		a, ok := st.assign.Get(d.Assignment)
		if !ok {
			return
		}
		ex := e.catalogue.get(a.Exercise)
		if ex == nil {
			return
		}
		if step, ok := ex.Step(d.Step); ok {
			switch step.Answer {
			case AnswerSealed:
				cmd.Visibility, cmd.SealKey = trust.Sealed, StepSealKey(a.ID, d.Step)
			case AnswerPrivate:
				cmd.Visibility = trust.Private
			default:
				cmd.Visibility = trust.Shared
			}
		}
		return
	default:
		return
	}
	if a, ok := st.assign.Get(id); ok {
		cmd.Visibility = LifecycleVisibility(a.Solo())
	}
}
