package agreement

import (
	"slices"
	"time"

	"github.com/mendkit/mend/trust"
)

// Outcome is what the evidence says about one occurrence.
type Outcome string

// Outcomes of an occurrence.
const (
	// OutcomeKept: held as planned.
	OutcomeKept Outcome = "kept"
	// OutcomeRescheduled: held at another time within the grace window; counts as kept.
	OutcomeRescheduled Outcome = "rescheduled"
	// OutcomeMissed: not held.
	OutcomeMissed Outcome = "missed"
	// OutcomeDisputed: the partners' reports disagree; a conversation, not a verdict, settles it.
	OutcomeDisputed Outcome = "disputed"
)

// Values lists the outcomes.
func (Outcome) Values() []string { return []string{"kept", "rescheduled", "missed", "disputed"} }

// Occurrence is one scheduled instance of a term.
type Occurrence struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Version is the version in force at the occurrence.
	Version int `json:"version"`
	// Term is the term.
	Term TermID `json:"term"`
	// Kind is the term's kind.
	Kind TermKind `json:"kind"`
	// Title is the term's title.
	Title string `json:"title"`
	// CommittedBy lists who commits to it.
	CommittedBy []trust.PartnerID `json:"committed_by"`
	// Start is when it starts, in UTC.
	Start time.Time `json:"start"`
	// LocalStart is the start in the relationship's time zone, "2006-01-02T15:04".
	LocalStart string `json:"local_start"`
	// TimeZone is the relationship's IANA time zone.
	TimeZone string `json:"time_zone"`
	// End is when it ends, in UTC.
	End time.Time `json:"end"`
	// GraceEnd is when its grace window closes, in UTC: after it, an
	// occurrence with no report counts as unreported.
	GraceEnd time.Time `json:"grace_end"`
	// MovedFrom is the original start, in UTC, of an occurrence that was moved.
	MovedFrom *time.Time `json:"moved_from,omitempty"`
	// Outcome is what the reports so far say; empty when there is none.
	Outcome Outcome `json:"outcome,omitempty"`
}

// resolve combines the reports of one occurrence: partners' reports override
// the system's; agreeing reports give their outcome (rescheduled if any
// partner reports it so), disagreeing ones give disputed.
func resolve(c *occState) Outcome {
	if c == nil {
		return ""
	}
	if len(c.partner) == 0 {
		if c.system {
			return OutcomeMissed
		}
		return ""
	}
	kept, missed, late := false, false, false
	for _, o := range c.partner {
		switch o.kind {
		case OutcomeKept:
			kept = true
		case OutcomeRescheduled:
			kept, late = true, true
		case OutcomeMissed:
			missed = true
		}
	}
	switch {
	case kept && missed:
		return OutcomeDisputed
	case missed:
		return OutcomeMissed
	case late:
		return OutcomeRescheduled
	}
	return OutcomeKept
}

func (b *Book) occurrence(r *record, version int, t Term, start time.Time) Occurrence {
	loc := b.Location()
	s := start.UTC()
	end := s.Add(time.Duration(t.Timing.DurationMinutes) * time.Minute)
	o := Occurrence{Agreement: r.id, Version: version, Term: t.ID, Kind: t.Kind, Title: t.Title,
		CommittedBy: slices.Clone(t.CommittedBy), Start: s, LocalStart: s.In(loc).Format(LocalLayout),
		TimeZone: b.rel.TimeZone, End: end, GraceEnd: end.Add(time.Duration(t.Timing.GraceMinutes) * time.Minute)}
	if ts := r.terms[t.ID]; ts != nil {
		o.Outcome = resolve(ts.occ[s.Unix()])
		if orig, ok := ts.movedFrom[s.Unix()]; ok {
			m := time.Unix(orig, 0).UTC()
			o.MovedFrom = &m
		}
	}
	return o
}

// occurrencesOf lists the occurrences of one term of one agreement that start
// in [from, to), in order: the rule's occurrences while a version holding the
// term was in force and the term itself was (not revoked or lapsed), less
// skipped and moved ones, plus moved ones at their new time.
func (b *Book) occurrencesOf(r *record, tid TermID, from, to time.Time) []Occurrence {
	var out []Occurrence
	ts := r.terms[tid]
	for _, p := range r.periods {
		t, ok := r.versions[p.version-1].Term(tid)
		if !ok || t.Timing.Kind == Standing {
			continue
		}
		lo, hi := maxTime(from, p.from), minTime(to, p.end(tid))
		if !lo.Before(hi) {
			continue
		}
		b.schedule(t).each(lo, hi, func(s time.Time) bool {
			if ts != nil {
				if _, moved := ts.moves[s.Unix()]; moved || ts.skips[s.Unix()] {
					return true
				}
			}
			out = append(out, b.occurrence(r, p.version, t, s))
			return true
		})
	}
	if ts == nil || len(ts.movedFrom) == 0 {
		return out
	}
	n := len(out)
	for at := range ts.movedFrom {
		s := time.Unix(at, 0).UTC()
		if s.Before(from) || !s.Before(to) || ts.skips[at] {
			continue
		}
		p := r.periodAt(s)
		if p == nil || !s.Before(p.end(tid)) {
			continue
		}
		if t, ok := r.versions[p.version-1].Term(tid); ok && t.Timing.Kind != Standing {
			out = append(out, b.occurrence(r, p.version, t, s))
		}
	}
	if len(out) > n {
		slices.SortFunc(out, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })
		out = slices.CompactFunc(out, func(a, b Occurrence) bool { return a.Start.Equal(b.Start) })
	}
	return out
}

// termIDs lists, in order of first appearance across versions, every term of r.
func (r *record) termIDs() []TermID {
	var out []TermID
	seen := map[TermID]bool{}
	for _, v := range r.versions {
		for _, t := range v.Terms {
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t.ID)
			}
		}
	}
	return out
}

// Occurrences returns every occurrence of every agreement that starts in
// [from, to), sorted by start, then by agreement in proposal order, then by
// term in order of first appearance. An occurrence belongs to the version in
// force at its start, so a window spanning an amendment shows each side as
// it was agreed. Skipped occurrences are left out; moved ones appear at
// their new time with MovedFrom set.
func (b *Book) Occurrences(from, to time.Time) []Occurrence {
	var out []Occurrence
	for _, id := range b.order {
		r := b.recs[id]
		for _, tid := range r.termIDs() {
			out = append(out, b.occurrencesOf(r, tid, from, to)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })
	return out
}

// TermOccurrences returns the occurrences of one term in [from, to), as
// [Book.Occurrences] does.
func (b *Book) TermOccurrences(id ID, term TermID, from, to time.Time) []Occurrence {
	r, ok := b.recs[id]
	if !ok {
		return nil
	}
	return b.occurrencesOf(r, term, from, to)
}

// Due returns the occurrences the couple should act on at now: those with no
// report yet that start before now+window and whose grace window has not
// closed at now — ones coming up, under way, or just past but still within
// grace — sorted as [Book.Occurrences] sorts them.
func (b *Book) Due(now time.Time, window time.Duration) []Occurrence {
	if window < 0 {
		window = 0
	}
	var out []Occurrence
	for _, id := range b.order {
		r := b.recs[id]
		for _, tid := range r.termIDs() {
			// Only an occurrence that started within the term's duration and
			// grace before now can still be open.
			for _, o := range b.occurrencesOf(r, tid, now.Add(-r.reach(tid)), now.Add(window)) {
				if o.Outcome == "" && o.GraceEnd.After(now) {
					out = append(out, o)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })
	return out
}

// reach returns the longest duration plus grace that term tid has in any
// version of r: how long after its start an occurrence can still be open.
func (r *record) reach(tid TermID) time.Duration {
	var longest int
	for _, v := range r.versions {
		if t, ok := v.Term(tid); ok {
			longest = max(longest, t.Timing.DurationMinutes+t.Timing.GraceMinutes)
		}
	}
	return time.Duration(longest) * time.Minute
}

// nextHorizons are the look-ahead windows Next widens through.
var nextHorizons = []time.Duration{8 * 24 * time.Hour, 64 * 24 * time.Hour, 512 * 24 * time.Hour, 4096 * 24 * time.Hour}

// Next returns up to n occurrences that start at or after from, across every
// agreement, in the order of [Book.Occurrences]. It looks ahead at most
// about eleven years.
func (b *Book) Next(from time.Time, n int) []Occurrence {
	if n <= 0 {
		return nil
	}
	for _, h := range nextHorizons {
		if out := b.Occurrences(from, from.Add(h)); len(out) >= n || h == nextHorizons[len(nextHorizons)-1] {
			if len(out) > n {
				out = out[:n]
			}
			return out
		}
	}
	return nil
}

// NextOf returns the first occurrence of one term that starts at or after from.
func (b *Book) NextOf(id ID, term TermID, from time.Time) (Occurrence, bool) {
	for _, h := range nextHorizons {
		if out := b.TermOccurrences(id, term, from, from.Add(h)); len(out) > 0 {
			return out[0], true
		}
	}
	return Occurrence{}, false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
