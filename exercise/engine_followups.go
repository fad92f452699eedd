package exercise

import (
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// maxFollowUps bounds the follow-ups one command may cause.
const maxFollowUps = 16

// followUpOf returns the event the rules call for right after ev, given the
// state that already includes it:
//   - an agreement's activation once both partners signed;
//   - the regression a new disclosure calls for;
//   - evidence that an agreement's ritual was kept, when a partner completes
//     the assignment that carries out one of its occurrences (written by that
//     partner, who is the one reporting it).
//
// Evidence is optional: if the Book refuses it (the assignment was snoozed
// off the occurrence, say), the command still succeeds without it.
func (e *Engine) followUpOf(st *journeyState, ev trust.Event) (d draft, optional, ok bool) {
	switch x := ev.Data.(type) {
	case *agreement.Signed:
		if act, ok := st.book.Activation(x.Agreement); ok {
			return draft{by: trust.SystemActor, cmd: Command{Data: &act}}, false, true
		}
	case *trust.Breach:
		if reg, ok := st.journey.RegressionFor(x.ID); ok {
			return draft{by: trust.SystemActor, cmd: Command{Data: &reg}}, false, true
		}
	case *AssignmentCompleted:
		a, ok := st.assign.Get(x.Assignment)
		if !ok || a.Agreement == nil || a.Term == "" {
			return draft{}, false, false
		}
		term, err := trust.ParseID[agreement.Term](a.Term)
		if err != nil {
			return draft{}, false, false
		}
		aid := agreement.ID(uuid.UUID(*a.Agreement))
		occ, ok := nearestOccurrence(st.book, aid, term, a.DueStart)
		if !ok {
			return draft{}, false, false
		}
		kept := &agreement.OccurrenceKept{Agreement: aid, Term: term, Occurrence: occ, Partner: x.Partner}
		return draft{by: ev.Actor, cmd: Command{Data: kept}}, true, true
	}
	return draft{}, false, false
}

// nearestOccurrence finds the occurrence of a term an assignment carried
// out: the one whose start is nearest the assignment's due start (quiet hours
// or a snooze may have moved the window off the occurrence itself).
func nearestOccurrence(b *agreement.Book, id agreement.ID, term agreement.TermID, due time.Time) (time.Time, bool) {
	var best time.Time
	for _, o := range b.TermOccurrences(id, term, due.Add(-3*24*time.Hour), due.Add(24*time.Hour)) {
		if best.IsZero() || absDuration(o.Start.Sub(due)) < absDuration(best.Sub(due)) {
			best = o.Start
		}
	}
	return best, !best.IsZero()
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// stateFollowUp returns what the state as a whole calls for at now: a
// transparency term past its sunset lapsing, and (unless phases are manual)
// the phase change whose gates are all met. Each is written by the system.
func (e *Engine) stateFollowUp(st *journeyState, now time.Time) (draft, bool) {
	if lapses := st.book.Lapses(now); len(lapses) > 0 {
		l := lapses[0]
		return draft{by: trust.SystemActor, cmd: Command{Data: &l}}, true
	}
	if !e.manual {
		if pc, err := st.journey.Advance(now); err == nil {
			return draft{by: trust.SystemActor, cmd: Command{Data: &pc}}, true
		}
	}
	return draft{}, false
}
