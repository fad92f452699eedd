package agreement

import (
	"math"
	"slices"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Counts tallies the occurrences of scheduled terms that start in a window,
// as of the window's end. Every number counts one thing; none mixes
// showing up with how things went.
type Counts struct {
	// Due counts occurrences whose outcome is known or whose grace window has
	// closed: Kept + Missed + Disputed + Unreported.
	Due int `json:"due"`
	// Kept counts occurrences held, on time or rescheduled within grace.
	Kept int `json:"kept"`
	// Rescheduled counts the kept occurrences held at another time within grace.
	Rescheduled int `json:"rescheduled"`
	// Missed counts occurrences reported missed.
	Missed int `json:"missed"`
	// Disputed counts occurrences the partners reported differently.
	Disputed int `json:"disputed"`
	// Unreported counts occurrences whose grace window closed with no report.
	Unreported int `json:"unreported"`
	// Pending counts occurrences with no report whose grace window is still open: not yet due.
	Pending int `json:"pending"`
	// Skipped counts occurrences planned away; they are not due.
	Skipped int `json:"skipped"`
	// Moved counts occurrences held at a planned new time (also counted above by outcome).
	Moved int `json:"moved"`
}

func (c *Counts) add(o Counts) {
	c.Due += o.Due
	c.Kept += o.Kept
	c.Rescheduled += o.Rescheduled
	c.Missed += o.Missed
	c.Disputed += o.Disputed
	c.Unreported += o.Unreported
	c.Pending += o.Pending
	c.Skipped += o.Skipped
	c.Moved += o.Moved
}

// Strength is a recurring term's commitment strength: the Loop Habit
// Tracker score, folded once per local day from when the term first came
// into force. With f the term's average occurrences per day, each day
// multiplies the score by m = 0.5^(sqrt(f)/13) and adds v·(1−m), where v is
// the share of expected occurrences kept over the trailing window (a day for
// a daily term; twice the rule's period otherwise, as Loop smooths non-daily
// habits). A gap lowers the score gradually instead of resetting it; a
// skipped occurrence, a day the term was not in force and a day whose
// occurrence is still within grace leave it unchanged.
type Strength struct {
	// Start is the score at the start of the window, from 0 to 1.
	Start float64 `json:"start"`
	// End is the score at the end of the window, from 0 to 1.
	End float64 `json:"end"`
	// FrequencyPerDay is f, the rule's average occurrences per day.
	FrequencyPerDay float64 `json:"frequency_per_day"`
	// HalfLifeDays is 13/sqrt(f): how many days of no occurrences kept halve the score.
	HalfLifeDays float64 `json:"half_life_days"`
}

// Breaks tallies reports that a standing term was broken, in the window.
type Breaks struct {
	// Reported counts every report.
	Reported int `json:"reported"`
	// SelfReported counts reports by a partner who committed to the term: owning a break.
	SelfReported int `json:"self_reported"`
	// DaysInForce is how many whole days of the window the term was in force.
	DaysInForce int `json:"days_in_force"`
}

// Reason says why a term needs a conversation.
type Reason string

// Reasons to talk a term through.
const (
	// ReasonDisputed: the partners reported an occurrence differently.
	ReasonDisputed Reason = "disputed"
	// ReasonMostlyMissed: of at least three occurrences due, fewer than half were kept.
	ReasonMostlyMissed Reason = "mostly_missed"
	// ReasonMissedInARow: the last two occurrences due were not kept.
	ReasonMissedInARow Reason = "missed_in_a_row"
	// ReasonUnreported: at least two occurrences passed with no report: the
	// couple may have stopped noticing the ritual, or stopped recording it.
	ReasonUnreported Reason = "unreported"
	// ReasonBroken: a partner reported the term broken.
	ReasonBroken Reason = "broken"
	// ReasonReviewDue: the term's review date has come.
	ReasonReviewDue Reason = "review_due"
	// ReasonSunsetSoon: a transparency term reaches its sunset within a week (or has passed it): renew it or let it lapse.
	ReasonSunsetSoon Reason = "sunset_soon"
	// ReasonRevoked: a partner revoked the transparency term.
	ReasonRevoked Reason = "revoked"
	// ReasonLapsed: the transparency term lapsed at its sunset.
	ReasonLapsed Reason = "lapsed"
)

// Values lists the reasons.
func (Reason) Values() []string {
	return []string{"disputed", "mostly_missed", "missed_in_a_row", "unreported", "broken", "review_due",
		"sunset_soon", "revoked", "lapsed"}
}

// TermCompliance is how one term went in a window.
type TermCompliance struct {
	// Term is the term.
	Term TermID `json:"term"`
	// Title is the term's title in the latest version in force in the window.
	Title string `json:"title"`
	// Kind is the term's kind.
	Kind TermKind `json:"kind"`
	// Timing is recurring, once or standing.
	Timing TimingKind `json:"timing"`
	// CommittedBy lists who commits to it.
	CommittedBy []trust.PartnerID `json:"committed_by"`
	// Occurrences tallies a scheduled term's occurrences.
	Occurrences *Counts `json:"occurrences,omitempty"`
	// Strength is a recurring term's commitment strength.
	Strength *Strength `json:"strength,omitempty"`
	// Breaks tallies a standing term's reported breaks.
	Breaks *Breaks `json:"breaks,omitempty"`
	// Renegotiated counts the times the couple renegotiated the term in the window.
	Renegotiated int `json:"renegotiated"`
	// Conversation lists why the term needs a conversation; empty when it does not.
	Conversation []Reason `json:"conversation,omitempty"`
}

// Summary is how one agreement went in a window. It keeps
// scheduled activity (Occurrences) and standing outcomes (Breaks) apart and
// never folds them into one score.
type Summary struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Title is its title in the latest version in force in the window.
	Title string `json:"title"`
	// Status is its status now, in the Book.
	Status Status `json:"status"`
	// Occurrences adds up the Occurrences of its scheduled terms.
	Occurrences Counts `json:"occurrences"`
	// BreaksReported adds up the breaks reported of its standing terms.
	BreaksReported int `json:"breaks_reported"`
	// Terms are its terms in force at some time in the window, in order of first appearance.
	Terms []TermCompliance `json:"terms"`
	// NeedsConversation lists the terms with a reason to talk, in the order of Terms.
	NeedsConversation []TermID `json:"needs_conversation,omitempty"`
}

// Compliance is how a couple's agreements went in a window [From, To),
// computed from the evidence in a Book as of To.
type Compliance struct {
	// From is the window's start, in UTC.
	From time.Time `json:"from"`
	// To is the window's end, in UTC.
	To time.Time `json:"to"`
	// TimeZone is the relationship's time zone, in which days are counted.
	TimeZone string `json:"time_zone"`
	// Agreements lists every agreement in force at some time in the window, in proposal order.
	Agreements []Summary `json:"agreements"`
}

// Term returns the compliance of one term.
func (c Compliance) Term(id ID, term TermID) (TermCompliance, bool) {
	for _, a := range c.Agreements {
		if a.Agreement != id {
			continue
		}
		for _, t := range a.Terms {
			if t.Term == term {
				return t, true
			}
		}
	}
	return TermCompliance{}, false
}

// ComplianceOf replays events into a Book for rel and computes compliance
// over [from, to).
func ComplianceOf(rel trust.Relationship, events []trust.Event, from, to time.Time) (Compliance, error) {
	b, err := ReplayBook(rel, events)
	if err != nil {
		return Compliance{}, err
	}
	return b.Compliance(from, to)
}

// sunsetWarning is how far ahead of a transparency term's sunset it is flagged.
const sunsetWarning = 7 * 24 * time.Hour

// Compliance computes, for every agreement in force at some time in [from,
// to), how each term went, from the evidence the Book holds: occurrence
// tallies and commitment strength for scheduled terms, break reports for
// standing ones, and the terms that need a conversation.
func (b *Book) Compliance(from, to time.Time) (Compliance, error) {
	if from.IsZero() {
		return Compliance{}, check.Invalid(pkg, "from", "is required")
	}
	if !to.After(from) {
		return Compliance{}, check.Invalid(pkg, "to", "must be after from")
	}
	out := Compliance{From: from.UTC(), To: to.UTC(), TimeZone: b.rel.TimeZone, Agreements: []Summary{}}
	for _, id := range b.order {
		r := b.recs[id]
		var latest *period
		for _, p := range r.periods {
			if p.from.Before(to) && (p.to.IsZero() || p.to.After(from)) {
				latest = p
			}
		}
		if latest == nil {
			continue
		}
		ac := Summary{Agreement: id, Title: r.versions[latest.version-1].Title, Status: r.status, Terms: []TermCompliance{}}
		for _, tid := range r.termIDs() {
			tc, ok := b.termCompliance(r, tid, from, to)
			if !ok {
				continue
			}
			if tc.Occurrences != nil {
				ac.Occurrences.add(*tc.Occurrences)
			}
			if tc.Breaks != nil {
				ac.BreaksReported += tc.Breaks.Reported
			}
			if len(tc.Conversation) > 0 {
				ac.NeedsConversation = append(ac.NeedsConversation, tid)
			}
			ac.Terms = append(ac.Terms, tc)
		}
		out.Agreements = append(out.Agreements, ac)
	}
	return out, nil
}

// span is a time interval [from, to).
type span struct{ from, to time.Time }

// forceSpans lists when a term was in force before `to`, with the version of each span.
func (r *record) forceSpans(tid TermID, to time.Time) ([]span, []int) {
	var spans []span
	var versions []int
	for _, p := range r.periods {
		if _, ok := r.versions[p.version-1].Term(tid); !ok {
			continue
		}
		s := span{p.from, minTime(p.end(tid), to)}
		if s.from.Before(s.to) {
			spans = append(spans, s)
			versions = append(versions, p.version)
		}
	}
	return spans, versions
}

func (b *Book) termCompliance(r *record, tid TermID, from, to time.Time) (TermCompliance, bool) {
	spans, versions := r.forceSpans(tid, to)
	var term Term
	found := false
	for i, s := range spans {
		if s.to.After(from) {
			term, _ = r.versions[versions[i]-1].Term(tid)
			found = true
		}
	}
	if !found {
		return TermCompliance{}, false
	}
	tc := TermCompliance{Term: tid, Title: term.Title, Kind: term.Kind, Timing: term.Timing.Kind,
		CommittedBy: slices.Clone(term.CommittedBy)}
	ts := r.terms[tid]
	if ts == nil {
		ts = newTermState()
	}
	var reasons []Reason
	add := func(why Reason) {
		if !slices.Contains(reasons, why) {
			reasons = append(reasons, why)
		}
	}
	for _, at := range ts.renegotiated {
		if !at.Before(from) && at.Before(to) {
			tc.Renegotiated++
		}
	}
	loc := b.Location()
	if term.Timing.Kind == Standing {
		br := &Breaks{}
		var inForce time.Duration
		for _, s := range spans {
			lo, hi := maxTime(s.from, from), minTime(s.to, to)
			if lo.Before(hi) {
				inForce += hi.Sub(lo)
			}
		}
		br.DaysInForce = int(inForce / (24 * time.Hour))
		for _, x := range ts.breaks {
			if !x.at.Before(from) && x.at.Before(to) {
				br.Reported++
				if x.self {
					br.SelfReported++
				}
			}
		}
		if br.Reported > 0 {
			add(ReasonBroken)
		}
		tc.Breaks = br
	} else {
		all := b.occurrencesOf(r, tid, spans[0].from, to)
		c := &Counts{}
		var dueOutcomes []Outcome
		for _, o := range all {
			inWindow := !o.Start.Before(from)
			st := o.Outcome
			if st == "" && !o.GraceEnd.After(to) {
				st = "unreported"
			}
			if st != "" {
				dueOutcomes = append(dueOutcomes, st)
			}
			if !inWindow {
				continue
			}
			if o.MovedFrom != nil {
				c.Moved++
			}
			switch st {
			case OutcomeKept:
				c.Kept++
			case OutcomeRescheduled:
				c.Kept++
				c.Rescheduled++
			case OutcomeMissed:
				c.Missed++
			case OutcomeDisputed:
				c.Disputed++
			case "unreported":
				c.Unreported++
			default:
				c.Pending++
			}
		}
		c.Due = c.Kept + c.Missed + c.Disputed + c.Unreported
		for at := range ts.skips {
			s := time.Unix(at, 0)
			if !s.Before(from) && s.Before(to) && b.InForce(r.id, tid, s) {
				c.Skipped++
			}
		}
		tc.Occurrences = c
		if c.Disputed > 0 {
			add(ReasonDisputed)
		}
		if c.Due >= 3 && 2*c.Kept < c.Due {
			add(ReasonMostlyMissed)
		}
		if n := len(dueOutcomes); n >= 2 && !keptLike(dueOutcomes[n-1]) && !keptLike(dueOutcomes[n-2]) {
			add(ReasonMissedInARow)
		}
		if c.Unreported >= 2 {
			add(ReasonUnreported)
		}
		if term.Timing.Kind == Recurring {
			sched := b.schedule(term)
			tc.Strength = strength(sched, spans, all, ts, from, to, loc)
		}
	}
	// Reviews and sunsets, judged on the version in force at the end of the window.
	endTerm, inForceAtEnd := term, false
	if p := r.periodAt(to.Add(-time.Nanosecond)); p != nil {
		if t, ok := r.versions[p.version-1].Term(tid); ok && to.Add(-time.Nanosecond).Before(p.end(tid)) {
			endTerm, inForceAtEnd = t, true
		}
	}
	if inForceAtEnd && endTerm.ReviewOn != "" {
		if endTerm.Kind == Transparency {
			if s, ok := endTerm.sunset(loc); ok && s.Sub(to) <= sunsetWarning {
				add(ReasonSunsetSoon)
			}
		} else if endTerm.ReviewOn <= localDate(to.Add(-time.Nanosecond), loc) {
			add(ReasonReviewDue)
		}
	}
	for _, p := range r.periods {
		if c, ok := p.cut[tid]; ok && !c.At.Before(from) && c.At.Before(to) {
			if c.Why == EndRevoked {
				add(ReasonRevoked)
			} else {
				add(ReasonLapsed)
			}
		}
	}
	tc.Conversation = reasons
	return tc, true
}

func keptLike(o Outcome) bool { return o == OutcomeKept || o == OutcomeRescheduled }

// civilDay numbers local calendar days: the days since 1970-01-01 of t's local date.
func civilDay(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// strength folds the Loop Habit Tracker score over the local days from the
// term's first day in force to the last day before `to`.
func strength(s *schedule, spans []span, occs []Occurrence, ts *termState, from, to time.Time, loc *time.Location) *Strength {
	f := s.frequency()
	if f <= 0 || len(spans) == 0 {
		return nil
	}
	day0 := civilDay(spans[0].from, loc)
	last := civilDay(to.Add(-time.Nanosecond), loc)
	n := last - day0 + 1
	if n <= 0 {
		return &Strength{FrequencyPerDay: round4(f), HalfLifeDays: round4(13 / math.Sqrt(f))}
	}
	kept := make([]float64, n)
	hold := make([]bool, n) // the score stays as it is that day
	inForce := make([]bool, n)
	for _, sp := range spans {
		a, z := civilDay(sp.from, loc), civilDay(sp.to.Add(-time.Nanosecond), loc)
		for d := max(a, day0); d <= min(z, last); d++ {
			inForce[d-day0] = true
		}
	}
	for _, o := range occs {
		d := civilDay(o.Start, loc) - day0
		if d < 0 || d >= n {
			continue
		}
		switch {
		case keptLike(o.Outcome):
			kept[d]++
		case o.Outcome == "" && o.GraceEnd.After(to):
			hold[d] = true
		}
	}
	for at := range ts.skips {
		if d := civilDay(time.Unix(at, 0), loc) - day0; d >= 0 && d < n {
			hold[d] = true
		}
	}
	window := s.window
	need := f * float64(window)
	if f < 1 {
		window, need = 2*window, 2*need
	}
	if need <= 0 {
		need = 1
	}
	m := math.Pow(0.5, math.Sqrt(f)/13)    // the daily decay: a half-life of 13/sqrt(f) days
	startDay := civilDay(from, loc) - day0 // the score at the start of this day is Start
	score, rolling := 0.0, 0.0
	out := &Strength{FrequencyPerDay: round4(f), HalfLifeDays: round4(13 / math.Sqrt(f))}
	for d := 0; d < n; d++ {
		if d == startDay {
			out.Start = round4(score)
		}
		rolling += kept[d]
		if d-window >= 0 {
			rolling -= kept[d-window]
		}
		if !inForce[d] || (hold[d] && kept[d] == 0) {
			continue
		}
		v := math.Min(1, rolling/need)
		score = score*m + v*(1-m)
	}
	out.End = round4(score)
	return out
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
