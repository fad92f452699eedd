package exercise

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"time"

	"github.com/mendkit/mend/trust"
)

// AdaptiveOptions configure [Adaptive]. Zero fields take the defaults.
type AdaptiveOptions struct {
	// RepairWithinDays is how long after a setback a repair exercise is
	// offered, if none was offered since. Default 14.
	RepairWithinDays int
	// LowAdherence is the adherence below which the plan lightens: one
	// proposal at most, short exercises first. Default 0.5.
	LowAdherence float64
	// BaseIntervalDays is how soon a helpful exercise first comes back. Each
	// further helpful completion in a row doubles the interval. Default 7.
	BaseIntervalDays int
	// MaxIntervalDays caps the interval. Default 84.
	MaxIntervalDays int
	// StuckAfterDays is how long in one phase, or SetbacksForHelp how many
	// setbacks, before readiness for professional help is offered.
	// Defaults 120 and 3.
	StuckAfterDays  int
	SetbacksForHelp int
	// WindowDays is the length of a due window. Default 3.
	WindowDays int
	// Max is the most proposals per plan. Default 3.
	Max int
}

func (o *AdaptiveOptions) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.RepairWithinDays, 14)
	def(&o.BaseIntervalDays, 7)
	def(&o.MaxIntervalDays, 84)
	def(&o.StuckAfterDays, 120)
	def(&o.SetbacksForHelp, 3)
	def(&o.WindowDays, 3)
	def(&o.Max, 3)
	if o.LowAdherence <= 0 {
		o.LowAdherence = 0.5
	}
	if o.MaxIntervalDays < o.BaseIntervalDays {
		o.MaxIntervalDays = o.BaseIntervalDays
	}
}

// Adaptive returns the scheduler that responds to how the journey is going.
// Its name is "adaptive". In order of priority it proposes:
//
//  1. after a setback, a repair exercise (tagged [TagRepair]), once, within
//     RepairWithinDays, preferring one made for setbacks ([TagSetback]), then
//     one that serves the current phase;
//  2. for a partner whose partner stepped back, the next exercise of the solo
//     track (tagged [TagSoloTrack]);
//  3. when the couple has been in one phase a long time or had several
//     setbacks, readiness for professional help (tagged "professional_help"),
//     to each partner alone: information with its reason, never a diagnosis;
//  4. exercises the couple rated helpful, coming back on a growing spaced
//     interval: BaseIntervalDays after the first helpful completion, doubling
//     with each further helpful completion in a row, up to MaxIntervalDays. An
//     unhelpful completion resets the interval; a skip or an expiry does not.
//     The most overdue come first; ties are broken by the snapshot's seed.
//
// Recently proposed exercises cool down ([Exercise.CooldownDays]) so content
// does not repeat. When adherence is low, the plan lightens to one proposal,
// short exercises first. Rituals belong to the agreement scheduler and are
// not brought back here.
func Adaptive(opts AdaptiveOptions) Scheduler {
	opts.defaults()
	return adaptive{opts}
}

type adaptive struct{ o AdaptiveOptions }

func (adaptive) Name() string { return "adaptive" }

func (adaptive) readOnly() bool { return true }

// TagProfessionalHelp marks the exercise the adaptive scheduler offers when
// the couple seems stuck.
const TagProfessionalHelp = "professional_help"

func (a adaptive) Propose(s Snapshot) ([]Proposal, error) {
	loc, err := s.location()
	if err != nil {
		return nil, err
	}
	cat := s.catalogue()
	start, end := window(s.Now, loc, a.o.WindowDays)
	adh, known := s.adherence()
	light := known && adh < a.o.LowAdherence
	limit := a.o.Max
	if light {
		limit = 1
	}
	var out []Proposal
	add := func(ex *Exercise, ps []trust.PartnerID, reason string) bool {
		if len(out) >= limit || s.openFor(ex.Key, ps) || proposedFor(out, ex.Key, ps) {
			return false
		}
		if ok, _ := eligible(ex, &s); !ok {
			return false
		}
		if light {
			reason += " The plan is lighter for now: do what fits."
		}
		out = append(out, Proposal{Exercise: ex.Key, Participants: ps, DueStart: start, DueEnd: end, Reason: reason, Scheduler: "adaptive"})
		return true
	}

	// 1. Repair after a setback.
	if sb := s.Signals.LastSetback; !sb.IsZero() && !sb.After(s.Now) && s.Now.Sub(sb) < time.Duration(a.o.RepairWithinDays)*day {
		offered := false
		var setback, phaseFirst, rest []*Exercise
		inPhase := cat.byPhase[s.Profile+"/"+s.Phase]
		for i := range cat.data.Exercises {
			ex := &cat.data.Exercises[i]
			if !ex.has(TagRepair) {
				continue
			}
			if h := s.History[ex.Key]; !h.LastProposed.Before(sb) && !h.LastProposed.IsZero() {
				offered = true
			}
			switch {
			case ex.has(TagSetback):
				setback = append(setback, ex)
			case slices.Contains(inPhase, i):
				phaseFirst = append(phaseFirst, ex)
			default:
				rest = append(rest, ex)
			}
		}
		if !offered {
			for _, ex := range slices.Concat(setback, phaseFirst, rest) {
				if ok, _ := eligible(ex, &s); !ok || !requirementsMet(ex, &s) {
					continue
				}
				if add(ex, participantsFor(ex, &s)[0], fmt.Sprintf("After the recent setback, %q can help you find your footing again. Setbacks are part of the work, not the end of it.", ex.Title)) {
					break
				}
			}
		}
	}

	// 2. The solo track for a partner whose partner stepped back.
	for i, p := range s.Partners {
		if s.steppedBack(p) || !s.steppedBack(s.Partners[1-i]) {
			continue
		}
		for j := range cat.data.Exercises {
			ex := &cat.data.Exercises[j]
			if !ex.has(TagSoloTrack) || coolingDown(ex, s.History[ex.Key], s.Now) {
				continue
			}
			if add(ex, []trust.PartnerID{p}, fmt.Sprintf("While your partner is taking a step back, %q is something you can do for yourself.", ex.Title)) {
				break
			}
		}
	}

	// 3. Readiness for professional help when stuck.
	inPhase := s.Now.Sub(s.PhaseSince)
	if (!s.PhaseSince.IsZero() && inPhase >= time.Duration(a.o.StuckAfterDays)*day) || s.Signals.Setbacks >= a.o.SetbacksForHelp {
		why := fmt.Sprintf("You have been in this phase for %d days.", int(inPhase/day))
		if s.Signals.Setbacks >= a.o.SetbacksForHelp {
			why = fmt.Sprintf("There have been %d setbacks so far.", s.Signals.Setbacks)
		}
		for j := range cat.data.Exercises {
			ex := &cat.data.Exercises[j]
			if !ex.has(TagProfessionalHelp) || coolingDown(ex, s.History[ex.Key], s.Now) {
				continue
			}
			for _, ps := range participantsFor(ex, &s) {
				add(ex, ps, why+fmt.Sprintf(" Many couples find a professional helps at this point; %q helps you think it through. This is information, not a diagnosis.", ex.Title))
			}
			break
		}
	}

	// 4. Helpful exercises come back on a growing interval.
	type due struct {
		ex      *Exercise
		overdue time.Duration
		tie     uint64
		iv      int
	}
	var returns []due
	for key, h := range s.History {
		ex := cat.get(key)
		if ex == nil || h.HelpfulStreak < 1 || h.LastCompleted.IsZero() || len(ex.Rituals) > 0 {
			continue
		}
		days := a.o.BaseIntervalDays
		for n := 1; n < h.HelpfulStreak && days < a.o.MaxIntervalDays; n++ {
			days *= 2
		}
		days = min(max(days, ex.CooldownDays), a.o.MaxIntervalDays)
		iv := time.Duration(days) * day
		if s.Now.Sub(h.LastCompleted) < iv || (h.LastProposed.After(h.LastCompleted) && s.Now.Sub(h.LastProposed) < iv) {
			continue
		}
		returns = append(returns, due{ex: ex, overdue: s.Now.Sub(h.LastCompleted) - iv, tie: tiebreak(s.Seed, key), iv: days})
	}
	sort.Slice(returns, func(i, j int) bool {
		if light {
			li, lj := isLight(returns[i].ex), isLight(returns[j].ex)
			if li != lj {
				return li
			}
		}
		if returns[i].overdue != returns[j].overdue {
			return returns[i].overdue > returns[j].overdue
		}
		if returns[i].tie != returns[j].tie {
			return returns[i].tie < returns[j].tie
		}
		return returns[i].ex.Key < returns[j].ex.Key
	})
	for _, r := range returns {
		h := s.History[r.ex.Key]
		if r.ex.Mode.Joint() {
			add(r.ex, []trust.PartnerID{s.Partners[0], s.Partners[1]}, fmt.Sprintf("You found %q helpful, so it comes back: %d days on, and the gap grows each time it helps.", r.ex.Title, r.iv))
			continue
		}
		for _, p := range h.CompletedBy {
			if !s.steppedBack(p) {
				add(r.ex, []trust.PartnerID{p}, fmt.Sprintf("You found %q helpful, so it comes back: %d days on, and the gap grows each time it helps.", r.ex.Title, r.iv))
			}
		}
	}
	return out, nil
}

func isLight(ex *Exercise) bool { return ex.has(TagLight) || ex.Minutes <= 20 }

// tiebreak derives a stable pseudo-random order from the seed and a key.
func tiebreak(seed uint64, key string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(key))
	return h.Sum64()
}

func proposedFor(out []Proposal, key string, ps []trust.PartnerID) bool {
	for _, p := range out {
		if p.Exercise == key && slices.Equal(p.Participants, ps) {
			return true
		}
	}
	return false
}
