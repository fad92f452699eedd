package exercise

import (
	"fmt"
	"strings"
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
	due      dueCache
}

// dueCache holds the agreements' ritual occurrences over four weeks, and
// the look-back before them, as the snapshot carries them, so that a refresh
// does not walk every term's rule again: BenchmarkPlan's refresh+plan (at
// most 50 µs with 2,000 events and five terms) needs it, the walk being
// about 40% of a refresh without it. Evidence marks the occurrence it
// reports on; any other agreement event drops the cache.
type dueCache struct {
	valid   bool
	day     time.Time // the start of the four weeks covered
	horizon time.Duration
	occ     []dueOccurrence
}

// dueOccurrence is a cached occurrence and whether it has been reported on
// since the cache was filled.
type dueOccurrence struct {
	Occurrence
	reported bool
}

// occurrences returns the agreements' ritual occurrences due at now within
// horizon, for the scheduler's snapshot: those agreement.Book.Due returns,
// in its order, less the occurrences of terms without a ritual. Terms of
// earlier versions keep their rituals, so an occurrence of a term since
// amended still finds its exercise. The slice is new.
func (st *journeyState) occurrences(now time.Time, horizon time.Duration) []Occurrence {
	const weeks = 28 * 24 * time.Hour
	day := now.UTC().Truncate(weeks)
	c := &st.due
	if !c.valid || !c.day.Equal(day) || c.horizon != horizon {
		lookback := time.Duration(agreement.MaxDurationMinutes+agreement.MaxGraceMinutes) * time.Minute
		*c = dueCache{valid: true, day: day, horizon: horizon, occ: st.ritualOccurrences(day.Add(-lookback), day.Add(weeks+horizon))}
	}
	var out []Occurrence
	for _, o := range c.occ {
		// Book.Due's test: no report, and not yet past its grace (so it
		// started less than its duration and grace ago).
		if !o.reported && o.Start.Before(now.Add(horizon)) && o.End.After(now) {
			out = append(out, o.Occurrence)
		}
	}
	return out
}

// ritualOccurrences lists the ritual terms' occurrences that start in
// [from, to) and have no report yet, in the order of agreement.Book.Occurrences.
func (st *journeyState) ritualOccurrences(from, to time.Time) []dueOccurrence {
	type rituals struct {
		title  string
		ritual map[agreement.TermID]string
	}
	byAgreement := map[agreement.ID]rituals{}
	for _, r := range st.book.Agreements() {
		rs := rituals{title: r.Current().Title, ritual: map[agreement.TermID]string{}}
		for _, v := range r.Versions {
			for _, t := range v.Terms {
				if t.Ritual != "" {
					rs.ritual[t.ID] = t.Ritual
				}
			}
		}
		byAgreement[r.ID] = rs
	}
	var out []dueOccurrence
	for _, o := range st.book.Occurrences(from, to) {
		rs := byAgreement[o.Agreement]
		if ritual, ok := rs.ritual[o.Term]; ok && o.Outcome == "" {
			out = append(out, dueOccurrence{Occurrence: Occurrence{Agreement: uuid.UUID(o.Agreement), AgreementTitle: rs.title,
				Term: o.Term.String(), Ritual: ritual, Start: o.Start, End: o.GraceEnd}})
		}
	}
	return out
}

// noteAgreement keeps the cache of occurrences true to the book after e.
func (st *journeyState) noteAgreement(e trust.Event) {
	if !strings.HasPrefix(e.Type, "agreement.") || !st.due.valid {
		return
	}
	var id agreement.ID
	var term agreement.TermID
	var at time.Time
	switch d := e.Data.(type) {
	case *agreement.OccurrenceKept:
		id, term, at = d.Agreement, d.Term, d.Occurrence
	case *agreement.OccurrenceMissed:
		id, term, at = d.Agreement, d.Term, d.Occurrence
	case *agreement.OccurrenceRescheduled:
		id, term, at = d.Agreement, d.Term, d.Occurrence
	case *agreement.OccurrenceSkipped:
		id, term, at = d.Agreement, d.Term, d.Occurrence
	default:
		st.due.valid = false
		return
	}
	for i := range st.due.occ {
		if o := &st.due.occ[i]; o.Agreement == uuid.UUID(id) && o.Term == term.String() && o.Start.Equal(at) {
			o.reported = true
			return
		}
	}
	st.due.valid = false // not one the cache holds: fill it again
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
	st.noteAgreement(e)
	st.eventIDs[e.ID] = e.Sequence
	st.seq = e.Sequence
	return nil
}
