package exercise

import (
	"fmt"
	"strings"
	"sync"
	"time"

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
	// scratch is where a command builds its events before they are
	// appended; it is reused from one command to the next.
	scratch []trust.Event
	// dueBuf and occBuf hold a plan's due occurrences and the snapshot's
	// copy of them, reused from one plan to the next.
	dueBuf      []agreement.Occurrence
	occBuf      []Occurrence
	gateResults []trust.GateResult
	gateBuf     []GateStatus
	sets        *participantSets

	// agreementSeq is the sequence of the last agreement event; it keys the
	// cache of upcoming occurrences, which Plan reads every time.
	agreementSeq trust.Sequence
	// rituals caches, per agreement, its title and the ritual of each term,
	// as of agreementSeq.
	rituals struct {
		seq   trust.Sequence
		valid bool
		byID  map[agreement.ID]ritualInfo
	}
	dueCache struct {
		seq     trust.Sequence
		day     time.Time
		horizon time.Duration
		occ     []agreement.Occurrence
	}
}

// ritualInfo is what a plan needs to know of an agreement's rituals.
type ritualInfo struct {
	title  string
	ritual map[agreement.TermID]termRitual
}

// termRitual is a term's ritual, with the term's ID as the snapshot spells it.
type termRitual struct {
	term, ritual string
}

// participantSets returns the couple's participant lists for schedulers,
// made once.
func (st *journeyState) participantSets() *participantSets {
	if st.sets == nil {
		rel := st.journey.Relationship()
		st.sets = newParticipantSets([2]trust.PartnerID{rel.Partners[0].ID, rel.Partners[1].ID})
	}
	return st.sets
}

// gates returns the snapshot's gate statuses, built in buffers the journey
// keeps (the snapshot is lent to the scheduler for one call).
func (st *journeyState) gates(now time.Time) []GateStatus {
	return GatesFrom(st.journey.Gates(now), st.journey.JointWorkPaused())
}

// ritualsOf returns the title and term rituals of an agreement, from a cache
// that any agreement event other than evidence invalidates. Terms of earlier
// versions keep their rituals, so an occurrence of a term since amended
// still finds its exercise.
func (st *journeyState) ritualsOf(id agreement.ID) ritualInfo {
	c := &st.rituals
	if !c.valid || c.seq != st.agreementSeq {
		c.seq, c.valid, c.byID = st.agreementSeq, true, map[agreement.ID]ritualInfo{}
	}
	if info, ok := c.byID[id]; ok {
		return info
	}
	info := ritualInfo{ritual: map[agreement.TermID]termRitual{}}
	if r, ok := st.book.Agreement(id); ok {
		info.title = r.Current().Title
		for _, v := range r.Versions {
			for _, t := range v.Terms {
				if t.Ritual != "" {
					info.ritual[t.ID] = termRitual{term: t.ID.String(), ritual: t.Ritual}
				}
			}
		}
	}
	c.byID[id] = info
	return info
}

// noteAgreementEvent keeps the cache of due occurrences current: evidence
// about one occurrence only takes that occurrence out of what is due, so it
// is patched in place; any other agreement event drops the cache.
func (st *journeyState) noteAgreementEvent(e trust.Event) {
	if !strings.HasPrefix(e.Type, "agreement.") {
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
		st.agreementSeq = e.Sequence
		return
	}
	c := &st.dueCache
	if c.seq != st.agreementSeq {
		return // the cache is already stale
	}
	for i := range c.occ {
		if o := &c.occ[i]; o.Agreement == id && o.Term == term && o.Start.Equal(at) {
			o.Outcome = reported // due copies what it returns, so this changes nothing handed out
			return
		}
	}
}

// reported marks a cached occurrence that has a report, so it is no longer due.
const reported = agreement.Outcome("reported")

// due returns the agreements' occurrences due at now within horizon, as
// agreement.Book.Due does, from a four-week cache that any agreement event
// invalidates (evidence only marks the occurrence it reports on).
func (st *journeyState) due(now time.Time, horizon time.Duration) []agreement.Occurrence {
	lookback := time.Duration(agreement.MaxDurationMinutes+agreement.MaxGraceMinutes) * time.Minute
	const bucket = 28 * 24 * time.Hour // one computation serves four weeks of plans
	day := now.UTC().Truncate(bucket)
	c := &st.dueCache
	if c.seq != st.agreementSeq || !c.day.Equal(day) || c.horizon != horizon || c.occ == nil {
		c.seq, c.day, c.horizon = st.agreementSeq, day, horizon
		c.occ = st.book.Occurrences(day.Add(-lookback), day.Add(bucket+horizon))
		if c.occ == nil {
			c.occ = []agreement.Occurrence{}
		}
	}
	out := st.dueBuf[:0]
	from, to := now.Add(-lookback), now.Add(horizon)
	for _, o := range c.occ {
		if !o.Start.Before(from) && o.Start.Before(to) && o.Outcome == "" && o.GraceEnd.After(now) {
			out = append(out, o)
		}
	}
	st.dueBuf = out
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
	st.noteAgreementEvent(e)
	st.eventIDs[e.ID] = e.Sequence
	st.seq = e.Sequence
	return nil
}
