package exercise

import (
	"slices"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// fill completes a command's payload before the folds check it, on a copy:
// the caller's payload is never changed. A zero field that names the
// payload's writing partner is filled from by, and one that names anyone
// else is refused with a *trust.ValidationError naming the field. Zero IDs
// are then filled from the engine's ID source, in field order, only once
// every check passed, so a refused command draws no ID. The copy shares no
// slice with the caller's payload. An app's own payload types pass through
// unchanged.
func (e *Engine) fill(st *journeyState, by trust.Actor, at time.Time, p trust.Payload) (trust.Payload, error) {
	f := &filler{by: by}
	var out trust.Payload
	switch d := p.(type) {
	case *trust.Breach:
		c := *d
		f.fail(e.breachTimes(c, at))
		newID(f, &c.ID)
		out = &c
	case *trust.Account:
		c := *d
		f.author("partner", &c.Partner)
		newID(f, &c.ID)
		out = &c
	case *trust.Acknowledgement:
		c := *d
		f.author("partner", &c.Partner)
		newID(f, &c.ID)
		out = &c
	case *trust.AcknowledgementAnswer:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *trust.NeedsRequest:
		c := *d
		f.author("from", &c.From)
		newID(f, &c.ID)
		out = &c
	case *trust.NeedsAnswer:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *trust.Commitment:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *trust.SafetyFlag:
		c := *d
		c.Kinds = slices.Clone(c.Kinds)
		f.author("partner", &c.Partner)
		newID(f, &c.ID)
		out = &c
	case *trust.SafetyFlagCleared:
		// Partner is the flag's owner, not its clearer: a consented
		// professional names the partner who raised it. A zero one is the
		// writing partner's own.
		c := *d
		if me, ok := by.Partner(); ok && c.Partner.IsZero() {
			c.Partner = me
		}
		out = &c
	case *trust.ProfessionalConsent:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *trust.ResearchConsent:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.Proposed:
		c := *d
		c.Agreement = c.Agreement.Clone()
		f.author("proposed_by", &c.ProposedBy)
		newID(f, &c.Agreement.ID)
		for i := range c.Agreement.Terms {
			newID(f, &c.Agreement.Terms[i].ID)
		}
		out = &c
	case *agreement.Amended:
		c := *d
		c.Agreement = c.Agreement.Clone()
		f.author("amended_by", &c.AmendedBy)
		if r, ok := st.book.Agreement(c.Agreement.ID); ok && c.Agreement.Version == 0 {
			c.Agreement.Version = len(r.Versions) + 1
		}
		for i := range c.Agreement.Terms {
			newID(f, &c.Agreement.Terms[i].ID)
		}
		out = &c
	case *agreement.Signed:
		c := *d
		c.ConsentsTo = slices.Clone(c.ConsentsTo)
		f.author("partner", &c.Partner)
		if f.err != nil {
			return nil, f.err
		}
		// The version awaiting signatures, exactly as the book holds it.
		sig, err := st.book.SignatureFor(c.Agreement, c.Partner)
		if err != nil {
			return nil, err
		}
		if c.Version == 0 && c.Digest == "" {
			c.Version, c.Digest = sig.Version, sig.Digest
		}
		if c.Version == sig.Version {
			for _, id := range sig.ConsentsTo {
				if !slices.Contains(c.ConsentsTo, id) {
					return nil, check.Invalid("exercise", "data.consents_to",
						"version %d has %d transparency term(s) in which %s gives access; signing needs their explicit consent to each, listed here", sig.Version, len(sig.ConsentsTo), c.Partner)
				}
			}
		}
		out = &c
	case *agreement.ReviewStarted:
		c := *d
		f.optionalAuthor("partner", &c.Partner)
		out = &c
	case *agreement.ReviewClosed:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.Retired:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.TransparencyRevoked:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.OccurrenceKept:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.OccurrenceMissed:
		c := *d
		f.optionalAuthor("partner", &c.Partner)
		out = &c
	case *agreement.OccurrenceRescheduled:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.OccurrenceSkipped:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.OccurrenceMoved:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.TermBroken:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *agreement.TermRenegotiated:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *progress.CheckIn:
		c := *d
		c.Feelings, c.Answers = slices.Clone(c.Feelings), slices.Clone(c.Answers)
		f.author("partner", &c.Partner)
		if c.Day == "" {
			// Today, in the couple's time zone, at the fact's time.
			loc, err := st.journey.Relationship().Location()
			if err != nil {
				return nil, err
			}
			c.Day = at.In(loc).Format(time.DateOnly)
		}
		newID(f, &c.ID)
		out = &c
	case *progress.CheckInNote:
		c := *d
		c.Answers = slices.Clone(c.Answers)
		f.author("partner", &c.Partner)
		out = &c
	case *AssignmentProposed:
		c := *d
		c.Participants = slices.Clone(c.Participants)
		newID(f, &c.Assignment)
		out = &c
	case *AssignmentStarted:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *StepAnswered:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *AssignmentCompleted:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *AssignmentSkipped:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	case *AssignmentSnoozed:
		c := *d
		f.author("partner", &c.Partner)
		out = &c
	default:
		return p, nil
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, draw := range f.draws {
		if err := draw(e.ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// filler collects the checks and ID draws of one payload.
type filler struct {
	by    trust.Actor
	err   error
	draws []func(trust.IDSource) error
}

// author fills a zero field naming the writing partner from by, and refuses
// one that names anyone else.
func (f *filler) author(field string, p *trust.PartnerID) {
	if f.err != nil {
		return
	}
	me, isPartner := f.by.Partner()
	switch {
	case p.IsZero():
		if isPartner {
			*p = me
		}
	case !isPartner || *p != me:
		f.err = check.Invalid("exercise", "data."+field, "names partner %s, but %s writes this: a partner writes only as themself", *p, f.by)
	}
}

// optionalAuthor is author for a field the system leaves empty.
func (f *filler) optionalAuthor(field string, p **trust.PartnerID) {
	if *p == nil {
		if me, ok := f.by.Partner(); ok {
			*p = &me
		}
		return
	}
	v := **p
	f.author(field, &v)
	*p = &v
}

// fail records err, unless an earlier check already failed.
func (f *filler) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// newID fills a zero ID from the engine's ID source once every check passed.
func newID[T any](f *filler, id *trust.ID[T]) {
	f.draws = append(f.draws, func(ids trust.IDSource) error {
		if !id.IsZero() {
			return nil
		}
		v, err := trust.NewID[T](ids)
		*id = v
		return err
	})
}

// eventTime returns the time of an event the engine writes at now: t, or now
// when t is zero. A time more than the clock skew after now, more than the
// back-dating limit before it, or before the journey began is refused with a
// *trust.ValidationError naming "time", so no client moves a journey's
// clock: phase gates, due windows and snoozes are measured from the engine's.
func (e *Engine) eventTime(st *journeyState, now, t time.Time) (time.Time, error) {
	if t.IsZero() {
		return now, nil
	}
	switch began := st.journey.Relationship().Started; {
	case t.After(now.Add(e.skew)):
		return time.Time{}, check.Invalid("exercise", "time", "%s is in the future: an event may be dated at most %s after the engine's clock (%s)",
			t.UTC().Format(time.RFC3339), e.skew, now.Format(time.RFC3339))
	case t.Before(began):
		return time.Time{}, check.Invalid("exercise", "time", "%s is before the journey began (%s)",
			t.UTC().Format(time.RFC3339), began.UTC().Format(time.RFC3339))
	case t.Before(now.Add(-e.backdate)):
		return time.Time{}, check.Invalid("exercise", "time", "%s is more than %s before the engine's clock (%s): back-dating is limited",
			t.UTC().Format(time.RFC3339), e.backdate, now.Format(time.RFC3339))
	}
	return t, nil
}

// notAfter refuses a time a payload says something happened at when it lies
// more than the clock skew after at, the time of the event that says so.
func (e *Engine) notAfter(field string, t, at time.Time) error {
	if t.After(at.Add(e.skew)) {
		return check.Invalid("exercise", field, "%s is in the future: it may be at most %s after the event's time (%s)",
			t.UTC().Format(time.RFC3339), e.skew, at.UTC().Format(time.RFC3339))
	}
	return nil
}

// breachTimes refuses a breach said to have happened, or come to light,
// after the event that records it.
func (e *Engine) breachTimes(b trust.Breach, at time.Time) error {
	for _, r := range []struct {
		field string
		tr    trust.TimeRange
	}{{"data.happened", b.Happened}, {"data.came_to_light", b.CameToLight}} {
		if err := e.notAfter(r.field+".start", r.tr.Start, at); err != nil {
			return err
		}
		if r.tr.End != nil {
			if err := e.notAfter(r.field+".end", *r.tr.End, at); err != nil {
				return err
			}
		}
	}
	return nil
}
