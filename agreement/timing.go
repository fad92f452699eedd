package agreement

import (
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/teambition/rrule-go"
)

// TimingKind says how a term is placed in time.
type TimingKind string

// Kinds of timing.
const (
	// Recurring terms follow an RFC 5545 recurrence rule from a local start
	// date and time, in the relationship's time zone.
	Recurring TimingKind = "recurring"
	// Once terms happen on one local date at one local time.
	Once TimingKind = "once"
	// Standing terms hold at all times while the agreement is in force.
	Standing TimingKind = "standing"
)

// Values lists the timing kinds.
func (TimingKind) Values() []string { return []string{"recurring", "once", "standing"} }

// Limits on timing.
const (
	// MaxDurationMinutes is the longest an occurrence may last: one day.
	MaxDurationMinutes = 24 * 60
	// MaxGraceMinutes is the longest grace window: seven days.
	MaxGraceMinutes = 7 * 24 * 60
	// MaxCount is the largest COUNT a rule may have.
	MaxCount = 5000
	// maxRuleLen bounds the rule text.
	maxRuleLen = 300
)

// Timing places a term in time. All local dates and times are read in the
// relationship's IANA time zone, so a ritual at 19:00 stays at 19:00 local
// time across daylight-saving changes. Local times are read as RFC 5545
// reads them: a time that exists twice (when clocks go back) is its first
// occurrence, and a time that does not exist (when clocks go forward) is read
// with the UTC offset before the gap, so 02:30 becomes 03:30. Build one
// with [RecurringTiming], [OnceTiming] or [StandingTiming].
type Timing struct {
	// Kind is recurring, once or standing.
	Kind TimingKind `json:"kind"`
	// RRule is the RFC 5545 recurrence rule of a recurring term, without
	// DTSTART, in canonical form, e.g. "FREQ=WEEKLY;BYDAY=FR". FREQ is
	// DAILY, WEEKLY, MONTHLY or YEARLY; the time of day comes from
	// LocalTime, so BYHOUR, BYMINUTE and BYSECOND are not used. UNTIL, if
	// given, is in UTC ("20251231T230000Z").
	RRule string `json:"rrule,omitempty"`
	// StartsOn is the local date of the first occurrence (the rule's
	// DTSTART date) or, for a once term, its date, e.g. "2025-03-07".
	StartsOn string `json:"starts_on,omitempty"`
	// LocalTime is the local time of day an occurrence starts, e.g. "19:00".
	LocalTime string `json:"local_time,omitempty"`
	// DurationMinutes is how long an occurrence lasts.
	DurationMinutes int `json:"duration_minutes,omitempty"`
	// GraceMinutes is how long after an occurrence ends it may still be held
	// or reported before it counts as not kept; holding it within that
	// window, or as much earlier, is "rescheduled within grace".
	GraceMinutes int `json:"grace_minutes,omitempty"`

	// inexact is set by RecurringTiming and OnceTiming when a duration they
	// were given is not a whole number of minutes.
	inexact error
}

// Recurrence says when a recurring term happens: the arguments of
// [RecurringTiming], named so that a duration cannot pass for a grace window.
type Recurrence struct {
	// Rule is the RFC 5545 recurrence rule in canonical form, e.g.
	// "FREQ=WEEKLY;BYDAY=SU" (see [ParseRule] and [NormalizeRule]).
	Rule string
	// StartsOn is the local date of the first occurrence, e.g. "2026-03-01".
	StartsOn string
	// At is the local time of day each occurrence starts, e.g. "19:00".
	At string
	// Duration is how long an occurrence lasts: whole minutes, from one
	// minute to MaxDurationMinutes.
	Duration time.Duration
	// Grace is how long after an occurrence ends it may still be held or
	// reported: whole minutes, from none to MaxGraceMinutes.
	Grace time.Duration
}

// Occasion says when a one-off term happens: the arguments of [OnceTiming].
type Occasion struct {
	// On is the local date, e.g. "2026-03-07".
	On string
	// At is the local time of day it starts, e.g. "19:00".
	At string
	// Duration is how long it lasts: whole minutes, from one minute to
	// MaxDurationMinutes.
	Duration time.Duration
	// Grace is how long after it ends it may still be held or reported:
	// whole minutes, from none to MaxGraceMinutes.
	Grace time.Duration
}

// RecurringTiming returns the timing of a recurring term, e.g.
//
//	agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU",
//		StartsOn: "2026-03-01", At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})
//
// It does not fail: [Timing.Validate] (which [Draft.Add] and every check of
// an agreement run) reports a bad field, such as a duration that is not a
// whole number of minutes, with a *trust.ValidationError naming it.
func RecurringTiming(r Recurrence) Timing {
	t := Timing{Kind: Recurring, RRule: r.Rule, StartsOn: r.StartsOn, LocalTime: r.At}
	t.setLengths(r.Duration, r.Grace)
	return t
}

// OnceTiming returns the timing of a one-off term, e.g.
//
//	agreement.OnceTiming(agreement.Occasion{On: "2026-03-07", At: "19:00", Duration: 2 * time.Hour})
//
// Like [RecurringTiming], it leaves its checks to [Timing.Validate].
func OnceTiming(o Occasion) Timing {
	t := Timing{Kind: Once, StartsOn: o.On, LocalTime: o.At}
	t.setLengths(o.Duration, o.Grace)
	return t
}

// setLengths sets the duration and grace in minutes, and remembers the first
// one that is not a whole number of minutes for Validate to report.
func (t *Timing) setLengths(duration, grace time.Duration) {
	t.DurationMinutes, t.GraceMinutes = int(duration/time.Minute), int(grace/time.Minute)
	switch {
	case duration%time.Minute != 0:
		t.inexact = check.Invalid(pkg, "duration_minutes", "%s is not a whole number of minutes", duration)
	case grace%time.Minute != 0:
		t.inexact = check.Invalid(pkg, "grace_minutes", "%s is not a whole number of minutes", grace)
	}
}

// StandingTiming returns the timing of a term that holds at all times.
func StandingTiming() Timing { return Timing{Kind: Standing} }

// Validate checks the timing on its own (see [ParseRule] for the rule).
func (t Timing) Validate() error {
	if t.inexact != nil {
		return t.inexact
	}
	switch t.Kind {
	case Standing:
		switch {
		case t.RRule != "":
			return check.Invalid(pkg, "rrule", "a standing term has no recurrence")
		case t.StartsOn != "" || t.LocalTime != "":
			return check.Invalid(pkg, "starts_on", "a standing term holds while its agreement is in force and has no start date or time")
		case t.DurationMinutes != 0 || t.GraceMinutes != 0:
			return check.Invalid(pkg, "duration_minutes", "a standing term has no duration or grace")
		}
		return nil
	case Recurring:
		if t.RRule == "" {
			return check.Invalid(pkg, "rrule", "is required for a recurring term")
		}
	case Once:
		if t.RRule != "" {
			return check.Invalid(pkg, "rrule", "a once term has no recurrence; make it recurring or drop the rule")
		}
	default:
		return check.Invalid(pkg, "kind", "%q is not recurring, once or standing", t.Kind)
	}
	d, err := parseDate(t.StartsOn)
	if err != nil {
		return check.Invalid(pkg, "starts_on", "%q is not a date such as \"2025-03-07\"", t.StartsOn)
	}
	h, m, err := parseClock(t.LocalTime)
	if err != nil {
		return check.Invalid(pkg, "local_time", "%q is not a 24-hour time such as \"19:00\"", t.LocalTime)
	}
	if t.DurationMinutes < 1 || t.DurationMinutes > MaxDurationMinutes {
		return check.Invalid(pkg, "duration_minutes", "is %d minutes; it must be between 1 and %d (one day)", t.DurationMinutes, MaxDurationMinutes)
	}
	if t.GraceMinutes < 0 || t.GraceMinutes > MaxGraceMinutes {
		return check.Invalid(pkg, "grace_minutes", "is %d minutes; it must be between 0 and %d (seven days)", t.GraceMinutes, MaxGraceMinutes)
	}
	if t.Kind == Recurring {
		opt, err := ParseRule(t.RRule)
		if err != nil {
			return err
		}
		if !feasible(opt, time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, time.UTC)) {
			return check.Invalid(pkg, "rrule", "%q never occurs: no date within 400 years matches every part of it", t.RRule)
		}
	}
	return nil
}

// validateIn checks what depends on the time zone: that UNTIL leaves an
// occurrence after the local start.
func (t Timing) validateIn(loc *time.Location) error {
	if t.Kind != Recurring {
		return nil
	}
	s, err := newSchedule(t, loc)
	if err != nil {
		return err
	}
	if _, ok := s.first(); !ok {
		return check.Invalid(pkg, "rrule", "%q has no occurrence on or after starts_on %s: check UNTIL and COUNT", t.RRule, t.StartsOn)
	}
	return nil
}

// DTStart returns the start of the first possible occurrence, in loc.
func (t Timing) DTStart(loc *time.Location) (time.Time, error) {
	w, err := t.wallStart()
	if err != nil {
		return time.Time{}, err
	}
	return resolveWall(w, loc).In(loc), nil
}

// wallStart returns the local start date and time as a floating wall time:
// the local clock reading, carried in a UTC time.Time.
func (t Timing) wallStart() (time.Time, error) {
	d, err := parseDate(t.StartsOn)
	if err != nil {
		return time.Time{}, check.Invalid(pkg, "starts_on", "%q is not a date such as \"2025-03-07\"", t.StartsOn)
	}
	h, m, err := parseClock(t.LocalTime)
	if err != nil {
		return time.Time{}, check.Invalid(pkg, "local_time", "%q is not a 24-hour time such as \"19:00\"", t.LocalTime)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, time.UTC), nil
}

// resolveWall returns the instant at which the clocks of loc read the
// floating wall time w, as RFC 5545 (section 3.3.5) reads local times: a
// reading that happens twice is its first occurrence; a reading that never
// happens, inside a forward gap, uses the UTC offset from before the gap.
func resolveWall(w time.Time, loc *time.Location) time.Time {
	_, before := w.Add(-26 * time.Hour).In(loc).Zone()
	_, after := w.Add(26 * time.Hour).In(loc).Zone()
	t1 := w.Add(-time.Duration(before) * time.Second)
	t2 := w.Add(-time.Duration(after) * time.Second)
	reads := func(t time.Time) bool {
		_, off := t.In(loc).Zone()
		return t.Add(time.Duration(off) * time.Second).Equal(w)
	}
	ok1, ok2 := reads(t1), reads(t2)
	switch {
	case ok1 && ok2:
		return minTime(t1, t2).UTC()
	case ok2:
		return t2.UTC()
	}
	return t1.UTC()
}

// RFC5545 returns the timing as iCalendar lines for the time zone loc:
// "DTSTART;TZID=Europe/London:20250307T190000" and, for a recurring term,
// "RRULE:FREQ=WEEKLY;BYDAY=FR", joined by "\n". A standing term returns "".
func (t Timing) RFC5545(loc *time.Location) (string, error) {
	if t.Kind == Standing {
		return "", nil
	}
	start, err := t.DTStart(loc)
	if err != nil {
		return "", err
	}
	s := "DTSTART;TZID=" + loc.String() + ":" + start.Format("20060102T150405")
	if t.Kind == Recurring {
		s += "\nRRULE:" + t.RRule
	}
	return s, nil
}

// ruleMaxInterval bounds INTERVAL per frequency: a ritual that comes round
// less often than this is not a ritual.
var ruleMaxInterval = map[rrule.Frequency]int{rrule.DAILY: 366, rrule.WEEKLY: 53, rrule.MONTHLY: 24, rrule.YEARLY: 10}

// ParseRule parses and checks an RFC 5545 recurrence rule as a term uses it:
// the RRULE value alone (no "RRULE:" prefix, no DTSTART), in the canonical
// form rrule-go writes it (FREQ first, then INTERVAL, WKST, COUNT, UNTIL and
// the BY parts), with FREQ of DAILY, WEEKLY, MONTHLY or YEARLY. Every error is
// a *trust.ValidationError on the field "rrule".
func ParseRule(s string) (rrule.ROption, error) {
	bad := func(format string, args ...any) (rrule.ROption, error) {
		return rrule.ROption{}, check.Invalid(pkg, "rrule", format, args...)
	}
	switch {
	case s == "":
		return bad("is required")
	case len(s) > maxRuleLen:
		return bad("is %d bytes; the limit is %d", len(s), maxRuleLen)
	case strings.ContainsAny(s, " \t\r\n:"):
		return bad("%q must be the rule alone, such as \"FREQ=WEEKLY;BYDAY=FR\": the start comes from starts_on and local_time", s)
	case strings.Contains(strings.ToUpper(s), "DTSTART"):
		return bad("must not carry DTSTART: the start comes from starts_on and local_time")
	}
	o, err := rrule.StrToROptionInLocation(s, time.UTC)
	if err != nil {
		return bad("%q is not an RFC 5545 recurrence rule: %v", s, err)
	}
	opt := *o
	max, ok := ruleMaxInterval[opt.Freq]
	if !ok {
		return bad("FREQ=%s is not supported: a term recurs daily at most often", opt.Freq)
	}
	switch {
	case opt.Interval < 0 || opt.Interval > max:
		return bad("INTERVAL must be between 1 and %d for FREQ=%s", max, opt.Freq)
	case opt.Count < 0 || opt.Count > MaxCount:
		return bad("COUNT must be between 1 and %d", MaxCount)
	case opt.Count > 0 && !opt.Until.IsZero():
		return bad("has both COUNT and UNTIL; RFC 5545 allows one or the other")
	case len(opt.Byhour) > 0 || len(opt.Byminute) > 0 || len(opt.Bysecond) > 0:
		return bad("BYHOUR, BYMINUTE and BYSECOND are not used: the time of day is local_time")
	case len(opt.Byyearday) > 0 || len(opt.Byweekno) > 0 || len(opt.Byeaster) > 0:
		return bad("BYYEARDAY, BYWEEKNO and BYEASTER are not supported")
	case len(opt.Bysetpos) > 0 && len(opt.Byweekday) == 0 && len(opt.Bymonthday) == 0 && len(opt.Bymonth) == 0:
		return bad("BYSETPOS needs another BY part to select from")
	}
	if opt.Freq == rrule.DAILY || opt.Freq == rrule.WEEKLY {
		for _, w := range opt.Byweekday {
			if w.N() != 0 {
				return bad("BYDAY=%s: a numbered weekday is only meaningful with FREQ=MONTHLY or YEARLY", w)
			}
		}
	}
	if _, err := rrule.NewRRule(opt); err != nil {
		return bad("%q: %v", s, err)
	}
	if c := opt.RRuleString(); c != s {
		return bad("%q is not in canonical form: write it as %q", s, c)
	}
	return opt, nil
}

// NormalizeRule returns the canonical form of a recurrence rule, e.g.
// "FREQ=WEEKLY;COUNT=4;BYDAY=FR" for "BYDAY=FR;COUNT=4;FREQ=WEEKLY", for
// building terms from what a person typed.
func NormalizeRule(s string) (string, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	opt, err := rrule.StrToROptionInLocation(strings.ToUpper(s), time.UTC)
	if err != nil {
		return "", check.Invalid(pkg, "rrule", "%q is not an RFC 5545 recurrence rule: %v", s, err)
	}
	c := opt.RRuleString()
	if _, err := ParseRule(c); err != nil {
		return "", err
	}
	return c, nil
}

// feasible reports whether a rule produces any occurrence within 400 years
// of start. The Gregorian calendar repeats exactly every 400 years (146,097
// days, a whole number of weeks), so the rule is moved forward by a multiple
// of 400 years to start within 400 years of rrule-go's last year (9999),
// where its search for a first occurrence is bounded even for rules that
// can never occur, such as the 30th of February.
func feasible(opt rrule.ROption, start time.Time) bool {
	opt.Count, opt.Until = 1, time.Time{}
	shift := (9599 - start.Year()) / 400 * 400
	if shift < 0 {
		shift = 0
	}
	opt.Dtstart = start.AddDate(shift, 0, 0)
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return false
	}
	_, ok := r.Iterator()()
	return ok
}

// schedule generates a scheduled term's occurrences in one time zone. The
// rule runs on floating wall times (UTC values holding local clock
// readings), so daylight-saving changes cannot disturb it, and each reading
// is resolved to an instant with resolveWall; UNTIL, an instant, is applied
// after resolution. A schedule is built from a term's timing when it is
// asked about and is not kept.
type schedule struct {
	kind   TimingKind
	opt    rrule.ROption // the rule on floating wall times from DTSTART, without UNTIL
	until  time.Time     // zero when the rule has none
	wall   time.Time     // DTSTART as a floating wall time
	loc    *time.Location
	window int // Loop Habit Tracker denominator, in days
}

// frequencySpan is 28 years in days: a whole number of weeks and of leap
// cycles (and of months on average), so daily, weekly, monthly and yearly
// rhythms all divide it exactly between 1901 and 2099.
const frequencySpan = 10227

// frequency returns the rule's average occurrences per day over
// frequencySpan days from DTSTART, ignoring COUNT and UNTIL: the rhythm the
// couple agreed, not how long it lasts.
func (s *schedule) frequency() float64 {
	if s.kind != Recurring {
		return 0
	}
	opt := s.opt
	opt.Count, opt.Until = 0, time.Time{}
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return 0
	}
	end := s.wall.AddDate(0, 0, frequencySpan)
	n := 0
	next := r.Iterator()
	for v, ok := next(); ok && v.Before(end); v, ok = next() {
		n++
	}
	return float64(n) / frequencySpan
}

// farFuture bounds open-ended iteration.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func newSchedule(t Timing, loc *time.Location) (*schedule, error) {
	if t.Kind == Standing {
		return &schedule{kind: Standing}, nil
	}
	w, err := t.wallStart()
	if err != nil {
		return nil, err
	}
	s := &schedule{kind: t.Kind, wall: w, loc: loc}
	if t.Kind == Once {
		return s, nil
	}
	// The rule was checked with ParseRule before the term was stored.
	o, err := rrule.StrToROptionInLocation(t.RRule, time.UTC)
	if err != nil {
		return nil, check.Invalid(pkg, "rrule", "%q is not an RFC 5545 recurrence rule: %v", t.RRule, err)
	}
	opt := *o
	s.until = opt.Until
	opt.Dtstart, opt.Until = w, time.Time{}
	s.opt = opt
	interval := max(opt.Interval, 1)
	s.window = interval * map[rrule.Frequency]int{rrule.DAILY: 1, rrule.WEEKLY: 7, rrule.MONTHLY: 30, rrule.YEARLY: 365}[opt.Freq]
	return s, nil
}

// each calls fn with the start (in UTC) of every occurrence in [from, to), in
// order, until fn returns false.
func (s *schedule) each(from, to time.Time, fn func(time.Time) bool) {
	switch s.kind {
	case Once:
		if t := resolveWall(s.wall, s.loc); !t.Before(from) && t.Before(to) {
			fn(t)
		}
	case Recurring:
		if to.After(from) {
			s.walk(from, to, fn)
		}
	}
}

// walk calls fn with the start of every occurrence of a recurring rule in
// [from, to), in order, until fn returns false, walking the rule.
func (s *schedule) walk(from, to time.Time, fn func(time.Time) bool) {
	// No wall time more than a day before from can resolve to an instant
	// at or after from.
	next := s.iterator(from.Add(-27 * time.Hour))
	for v, ok := next(); ok; v, ok = next() {
		if v.Before(from.Add(-27 * time.Hour)) {
			continue
		}
		t := resolveWall(v, s.loc)
		if (!s.until.IsZero() && t.After(s.until)) || !t.Before(to) {
			return
		}
		if !t.Before(from) && !fn(t) {
			return
		}
	}
}

// iterator returns an iterator over the rule's floating wall times that
// yields every occurrence at or after the floating time lo.
func (s *schedule) iterator(lo time.Time) rrule.Next {
	r, err := rrule.NewRRule(s.from(lo))
	if err != nil {
		if r, err = rrule.NewRRule(s.opt); err != nil {
			return func() (time.Time, bool) { return time.Time{}, false }
		}
	}
	return r.Iterator()
}

// from returns the rule, restarted as close before the floating time lo as
// it can be without changing its occurrences from lo on. rrule-go always
// walks from DTSTART, so for a rule without COUNT it restarts the rule at
// the start of the last whole run of INTERVAL periods before lo (whole days,
// weeks, months or years from DTSTART, so the rule keeps its phase), with
// the parts rrule-go would have taken from DTSTART (the weekday, the day of
// the month, the month) written out.
func (s *schedule) from(lo time.Time) rrule.ROption {
	opt := s.opt
	if opt.Count != 0 || !lo.After(s.wall) {
		return s.opt
	}
	w := s.wall
	interval := max(opt.Interval, 1)
	h, mi, _ := w.Clock()
	noDays := len(opt.Byweekday) == 0 && len(opt.Bymonthday) == 0 && len(opt.Byyearday) == 0 && len(opt.Byweekno) == 0 && len(opt.Byeaster) == 0
	switch opt.Freq {
	case rrule.DAILY, rrule.WEEKLY:
		step := interval
		if opt.Freq == rrule.WEEKLY {
			step *= 7
			if noDays {
				opt.Byweekday = []rrule.Weekday{weekdays[w.Weekday()]}
			}
		}
		k := int(lo.Sub(w)/(24*time.Hour)) / step
		if k <= 0 {
			return s.opt
		}
		opt.Dtstart = w.AddDate(0, 0, k*step)
	case rrule.MONTHLY:
		k := ((lo.Year()-w.Year())*12 + int(lo.Month()) - int(w.Month())) / interval
		if k <= 0 {
			return s.opt
		}
		if noDays {
			opt.Bymonthday = []int{w.Day()}
		}
		opt.Dtstart = time.Date(w.Year(), w.Month()+time.Month(k*interval), 1, h, mi, 0, 0, time.UTC)
	case rrule.YEARLY:
		k := (lo.Year() - w.Year()) / interval
		if k <= 0 {
			return s.opt
		}
		if noDays {
			if len(opt.Bymonth) == 0 {
				opt.Bymonth = []int{int(w.Month())}
			}
			opt.Bymonthday = []int{w.Day()}
		}
		opt.Dtstart = time.Date(w.Year()+k*interval, 1, 1, h, mi, 0, 0, time.UTC)
	default:
		return s.opt
	}
	return opt
}

// weekdays maps Go's weekdays to rrule-go's.
var weekdays = [7]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// first returns the first occurrence.
func (s *schedule) first() (time.Time, bool) {
	var out time.Time
	s.each(time.Time{}, farFuture, func(t time.Time) bool { out = t; return false })
	return out, !out.IsZero()
}
