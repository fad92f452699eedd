package exercise

import (
	"fmt"
	"slices"
	"sync"

	"github.com/mendkit/mend/trust"
)

// PhaseOptions configure [PhaseSequence].
type PhaseOptions struct {
	// Max is how many of the phase's exercises may be open at once, counting
	// those already open. Default 2.
	Max int
	// WindowDays is the length of a proposal's due window, ending at the end of
	// a local day. Default 3.
	WindowDays int
}

// PhaseSequence returns the scheduler that walks the exercises of the
// journey's current phase in catalogue order. Its name is "phase".
//
// An exercise is next when it serves the profile's current phase, everything
// it [Exercise.Requires] has been completed, it has not been completed since
// the phase began, it is not cooling down, not already open, and [Eligible].
// At most Max are open at once, so the couple is never handed the whole phase.
// Exercises of the solo track, of individual support and of setback repair
// are left to the adaptive scheduler, except while joint work is paused: then the phase
// sequence offers each partner the solo exercises of the phase and the
// individual-support exercises, and nothing joint.
func PhaseSequence(opts PhaseOptions) Scheduler {
	if opts.Max <= 0 {
		opts.Max = 2
	}
	if opts.WindowDays <= 0 {
		opts.WindowDays = 3
	}
	return phaseSequence{opts}
}

type phaseSequence struct{ o PhaseOptions }

func (phaseSequence) Name() string { return "phase" }

func (phaseSequence) readOnly() bool { return true }

func (p phaseSequence) Propose(s Snapshot) ([]Proposal, error) {
	loc, err := s.location()
	if err != nil {
		return nil, err
	}
	cat := s.catalogue()
	// The phase's exercises, by index in the catalogue (read in place).
	idx := cat.byPhase[s.Profile+"/"+s.Phase]
	if s.JointWorkPaused {
		idx = slices.Clone(idx)
		for i := range cat.data.Exercises {
			if cat.data.Exercises[i].has(TagIndividualSupport) && !slices.Contains(idx, i) {
				idx = append(idx, i)
			}
		}
	}
	start, end := window(s.Now, loc, p.o.WindowDays)
	var out []Proposal
	open := 0
	for _, i := range idx {
		if open >= p.o.Max {
			break
		}
		ex := &cat.data.Exercises[i]
		key := ex.Key
		if s.JointWorkPaused {
			if ex.Mode.Joint() {
				continue
			}
		} else if ex.has(TagSoloTrack) || ex.has(TagIndividualSupport) || ex.has(TagSetback) {
			continue
		}
		h := s.History[key]
		if !requirementsMet(ex, &s) || (!h.LastCompleted.IsZero() && !h.LastCompleted.Before(s.PhaseSince)) {
			continue
		}
		ok, _ := eligible(ex, &s)
		for _, ps := range participantsFor(ex, &s) {
			switch {
			case s.openFor(key, ps):
				open++
			case ok && !coolingDown(ex, h, s.Now) && open < p.o.Max:
				out = append(out, Proposal{Exercise: key, Participants: ps, DueStart: start, DueEnd: end,
					Reason: phaseReason(ex, &s), Scheduler: "phase"})
				open++
			}
		}
	}
	return out, nil
}

func phaseReason(ex *Exercise, s *Snapshot) string {
	if s.JointWorkPaused {
		return fmt.Sprintf("While joint exercises are on hold, %q is something just for you.", ex.Title)
	}
	return fmt.Sprintf("%q is the next exercise for the phase \"%s\".%s", ex.Title, phaseTitle(s.Profile, s.Phase), unmetGates(ex, s))
}

var phaseTitles = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, p := range trust.Profiles() {
		for _, ph := range p.Phases {
			out[p.Key+"/"+ph.Key] = ph.Title
		}
	}
	return out
})

// phaseTitle returns a built-in phase's title, or its key.
func phaseTitle(profile, phase string) string {
	if t, ok := phaseTitles()[profile+"/"+phase]; ok {
		return t
	}
	return phase
}
