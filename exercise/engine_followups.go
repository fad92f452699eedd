package exercise

import (
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// maxFollowUps bounds the follow-ups one command may cause.
const maxFollowUps = 16

// nextFollowUp returns the next event the rules call for after the events of
// a command, given the state that already includes them: an agreement's
// activation once both partners signed, the regression a new disclosure
// calls for, a transparency term past its sunset lapsing, and (unless phases
// are manual) the phase change whose gates are all met. Each follow-up is
// written by the system as its own event.
func (e *Engine) nextFollowUp(st *journeyState, events []trust.Event, now time.Time) (draft, bool) {
	for _, ev := range events {
		switch d := ev.Data.(type) {
		case *agreement.Signed:
			if act, ok := st.book.Activation(d.Agreement); ok {
				return draft{cmd: Command{Actor: trust.SystemActor, Data: &act}}, true
			}
		case *trust.Breach:
			if reg, ok := st.journey.RegressionFor(d.ID); ok {
				return draft{cmd: Command{Actor: trust.SystemActor, Data: &reg}}, true
			}
		}
	}
	if lapses := st.book.Lapses(now); len(lapses) > 0 {
		l := lapses[0]
		return draft{cmd: Command{Actor: trust.SystemActor, Data: &l}}, true
	}
	if !e.manual {
		if pc, err := st.journey.Advance(now); err == nil {
			return draft{cmd: Command{Actor: trust.SystemActor, Data: &pc}}, true
		}
	}
	return draft{}, false
}
