package exercise

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/trust"
)

// AgreementOptions configure [AgreementDriven].
type AgreementOptions struct {
	// Exercises maps an agreement term key, or a ritual, to the key of the
	// exercise that carries it out, overriding the catalogue's
	// [Exercise.Rituals]. A term key wins over a ritual.
	Exercises map[string]string
	// HorizonDays is how far ahead an occurrence may start and still be
	// proposed. Default 7.
	HorizonDays int
}

// AgreementDriven returns the scheduler that turns each due occurrence of an
// agreed ritual into an assignment of the matching exercise: the weekly
// check-in term becomes the weekly check-in exercise at each occurrence, a
// date night becomes date-night planning, a daily reunion the reunion
// conversation. Its name is "agreement".
//
// An occurrence is proposed once (it is skipped when an assignment of the
// same exercise for the same participants already starts at the same
// instant), with the occurrence as its due window: from its start to its end,
// or to the end of that local day. One occurrence of an exercise is open at
// a time: while an assignment of the same exercise for the same
// participants is open, or an earlier occurrence is proposed in the same
// call, later occurrences wait for a later plan ([Compose] and the engine
// would drop them). Occurrences that have already ended are
// left alone: a missed ritual is not chased. Rituals are what the couple
// agreed, so they ignore cooldowns; contraindications and the safety rule
// still apply.
func AgreementDriven(opts AgreementOptions) Scheduler {
	if opts.HorizonDays <= 0 {
		opts.HorizonDays = 7
	}
	return agreementDriven{opts}
}

type agreementDriven struct{ o AgreementOptions }

func (agreementDriven) Name() string { return "agreement" }

func (agreementDriven) readOnly() bool { return true }

func (a agreementDriven) Propose(s Snapshot) ([]Proposal, error) {
	loc, err := s.location()
	if err != nil {
		return nil, err
	}
	cat := s.catalogue()
	byStart := func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Term, b.Term)
	}
	occ := s.Occurrences
	if !slices.IsSortedFunc(occ, byStart) {
		occ = slices.Clone(occ) // the snapshot is read-only
		slices.SortStableFunc(occ, byStart)
	}
	horizon := s.Now.Add(time.Duration(a.o.HorizonDays) * day)
	var out []Proposal
	for _, o := range occ {
		end := o.End
		if end.IsZero() {
			end = endOfLocalDay(o.Start, loc)
		}
		if o.Start.After(horizon) || !end.After(s.Now) {
			continue
		}
		key, ok := a.o.Exercises[o.Term]
		if !ok {
			key, ok = a.o.Exercises[o.Ritual]
		}
		if !ok {
			key, ok = cat.ForRitual(o.Ritual)
		}
		ex := cat.get(key)
		if !ok || ex == nil {
			continue
		}
		if ok, _ := eligible(ex, &s); !ok {
			continue
		}
		for _, ps := range participantsFor(ex, &s) {
			if proposedFor(out, key, ps) || s.openFor(key, ps) || scheduledAt(&s, key, ps, o.Start) {
				continue
			}
			id := o.Agreement
			out = append(out, Proposal{Exercise: key, Participants: ps, DueStart: o.Start.UTC(), DueEnd: end.UTC(),
				Reason: agreementReason(o, ex, loc), Scheduler: "agreement", Agreement: &id, Term: o.Term})
		}
	}
	return out, nil
}

func agreementReason(o Occurrence, ex *Exercise, loc *time.Location) string {
	what := "your agreement"
	if o.AgreementTitle != "" {
		what += " " + strconv.Quote(o.AgreementTitle)
	}
	return ex.Title + " is part of " + what + "; this one is due " + o.Start.In(loc).Format("Monday 2 January at 15:04") + "."
}

// scheduledAt reports whether an assignment of the exercise for the same
// participants starts at t.
func scheduledAt(s *Snapshot, key string, ps []trust.PartnerID, t time.Time) bool {
	for i := range s.Recent {
		r := &s.Recent[i]
		if r.Exercise == key && r.DueStart.Equal(t) && slices.Equal(r.Participants, ps) {
			return true
		}
	}
	return false
}
