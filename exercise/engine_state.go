package exercise

import (
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// journeyState is the engine's folded copy of one journey. Every fold is
// kept up to date event by event, so no command replays history.
type journeyState struct {
	mu       sync.Mutex
	rel      trust.RelationshipID
	seq      trust.Sequence
	journey  *trust.Journey
	book     *agreement.Book
	assign   *Assignments
	signals  signalState
	eventIDs map[trust.EventID]trust.Sequence
	reminded map[trust.PartnerID][]time.Time
	stale    bool
}

// occurrences returns the agreements' ritual occurrences due at now within
// horizon, for the scheduler's snapshot: those agreement.Book.Due returns,
// in its order, less the occurrences of terms without a ritual. Terms of
// earlier versions keep their rituals, so an occurrence of a term since
// amended still finds its exercise.
func (st *journeyState) occurrences(now time.Time, horizon time.Duration) []Occurrence {
	due := st.book.Due(now, horizon)
	if len(due) == 0 {
		return nil
	}
	type rituals struct {
		title  string
		ritual map[agreement.TermID]string
	}
	byAgreement := map[agreement.ID]rituals{}
	out := make([]Occurrence, 0, len(due))
	for _, o := range due {
		rs, ok := byAgreement[o.Agreement]
		if !ok {
			rs = rituals{ritual: map[agreement.TermID]string{}}
			if r, ok := st.book.Agreement(o.Agreement); ok {
				rs.title = r.Current().Title
				for _, v := range r.Versions {
					for _, t := range v.Terms {
						if t.Ritual != "" {
							rs.ritual[t.ID] = t.Ritual
						}
					}
				}
			}
			byAgreement[o.Agreement] = rs
		}
		if ritual, ok := rs.ritual[o.Term]; ok {
			out = append(out, Occurrence{Agreement: uuid.UUID(o.Agreement), AgreementTitle: rs.title, Term: o.Term.String(),
				Ritual: ritual, Start: o.Start, End: o.GraceEnd})
		}
	}
	return out
}

// signalState keeps the progress signals the schedulers read, updated in O(1)
// per event: setbacks from new disclosures, broken agreement terms,
// regressions and sharp drops in a partner's check-in trust. Safety flags are
// never signals: nothing a scheduler reads may hint at one.
type signalState struct {
	setbacks    int
	lastSetback time.Time
	breaches    int
	level       map[trust.PartnerID]float64
}

// dropThreshold is how far below a partner's smoothed trust a check-in must
// fall to count as a setback; smoothing gives the newest check-in a quarter
// of the weight, about a one-week half-life for daily check-ins.
const (
	dropThreshold = 2.0
	levelWeight   = 0.25
)

func (s *signalState) observe(e trust.Event) {
	switch d := e.Data.(type) {
	case *trust.Breach:
		s.breaches++
		if s.breaches > 1 {
			s.setback(e.Time)
		}
	case *agreement.TermBroken:
		s.setback(e.Time)
	case *trust.PhaseChange:
		if d.Direction == trust.Regressed {
			s.setback(e.Time)
		}
	case *progress.CheckIn:
		if d.Trust == nil {
			return
		}
		v := float64(*d.Trust)
		if s.level == nil {
			s.level = map[trust.PartnerID]float64{}
		}
		lvl, ok := s.level[d.Partner]
		if ok && v <= lvl-dropThreshold {
			s.setback(e.Time)
		}
		if !ok {
			lvl = v
		}
		s.level[d.Partner] = lvl + levelWeight*(v-lvl)
	}
}

func (s *signalState) setback(t time.Time) {
	s.setbacks++
	if t.After(s.lastSetback) {
		s.lastSetback = t
	}
}

// start folds the first event of a journey.
func (st *journeyState) start(first trust.Event, cat *Catalogue) error {
	j, err := trust.NewJourney(first)
	if err != nil {
		return err
	}
	assign, err := NewAssignments(j.Relationship(), cat)
	if err != nil {
		return err
	}
	st.journey = j
	st.book = agreement.NewBook(j.Relationship())
	st.assign = assign
	st.seq = first.Sequence
	st.eventIDs = map[trust.EventID]trust.Sequence{first.ID: first.Sequence}
	st.reminded = map[trust.PartnerID][]time.Time{}
	st.signals = signalState{}
	return nil
}

// pausedAgreementWork lists the agreement events that are joint work and
// wait while joint work is paused. Revoking transparency, retiring an
// agreement and reporting on occurrences never wait: they can only reduce
// what one partner asks of the other.
var pausedAgreementWork = map[string]bool{
	agreement.TypeProposed: true, agreement.TypeSigned: true, agreement.TypeActivated: true,
	agreement.TypeReviewStarted: true, agreement.TypeAmended: true,
}

// apply checks e against every fold, once each, and applies it to all of
// them only when all accept it.
func (st *journeyState) apply(e trust.Event) error {
	if _, dup := st.eventIDs[e.ID]; dup {
		return fmt.Errorf("exercise: event %s is already in the journey: %w", e.ID, trust.ErrConflict)
	}
	if pausedAgreementWork[e.Type] && st.journey.JointWorkPaused() {
		return &trust.TransitionError{Pkg: "exercise", Event: e.Type, Reason: "joint work is paused", Cause: trust.ErrPausedForSafety}
	}
	journey, err := st.journey.Prepare(e)
	if err != nil {
		return err
	}
	book, err := st.book.Prepare(e)
	if err != nil {
		return err
	}
	assign, err := st.assign.Prepare(e)
	if err != nil {
		return err
	}
	journey()
	book()
	assign()
	st.signals.observe(e)
	st.eventIDs[e.ID] = e.Sequence
	st.seq = e.Sequence
	return nil
}
