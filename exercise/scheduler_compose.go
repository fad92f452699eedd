package exercise

import (
	"fmt"
	"slices"
	"time"
)

// LocalTime is a time of day on the relationship's local clock.
type LocalTime struct {
	Hour   int
	Minute int
}

func (t LocalTime) minutes() int { return t.Hour*60 + t.Minute }

func (t LocalTime) valid() bool { return t.Hour >= 0 && t.Hour < 24 && t.Minute >= 0 && t.Minute < 60 }

// QuietHours is a daily span of local time in which nothing becomes due. It
// may cross midnight (22:00 to 07:00). Read in the relationship's time zone,
// it follows daylight-saving changes: 07:00 stays 07:00 local.
type QuietHours struct {
	Start LocalTime
	End   LocalTime
}

// contains reports whether local time t falls in the quiet hours.
func (q QuietHours) contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	s, e := q.Start.minutes(), q.End.minutes()
	if s <= e {
		return m >= s && m < e
	}
	return m >= s || m < e
}

// next returns the end of the quiet span containing local time t.
func (q QuietHours) next(t time.Time, loc *time.Location) time.Time {
	d := t.Day()
	if q.Start.minutes() > q.End.minutes() && t.Hour()*60+t.Minute() >= q.Start.minutes() {
		d++
	}
	return time.Date(t.Year(), t.Month(), d, q.End.Hour, q.End.Minute, 0, 0, loc)
}

// ComposeOptions configure [Compose].
type ComposeOptions struct {
	// Name is the composed scheduler's name. Default "compose".
	Name string
	// WeeklyLimit caps the assignments whose due window starts in one local
	// week (Monday to Sunday): open and completed ones already there count,
	// skipped and expired ones do not. Zero means no limit.
	WeeklyLimit int
	// Protected names schedulers whose proposals the weekly limit never drops,
	// such as "agreement": rituals the couple agreed to. They still count
	// toward the week.
	Protected []string
	// QuietHours, if set, moves a due window that would start in quiet hours
	// to the end of them, keeping its length.
	QuietHours *QuietHours
	// LowAdherence halves the weekly limit (to no less than one) while the
	// couple's adherence is below it. Zero disables it.
	LowAdherence float64
}

// Compose returns a scheduler that runs several schedulers in order and
// merges their proposals. Earlier schedulers take precedence. It:
//
//   - guards every proposal (see [Guard]): a malformed proposal is an error;
//     one that is joint while joint work is paused, or contraindicated, is dropped;
//   - moves due windows out of quiet hours, in local time;
//   - drops duplicates: a second proposal of the same exercise for the same
//     participants, or one that is already open;
//   - applies the weekly load limit, protected schedulers first.
//
// Each proposal keeps the name of the scheduler that made it. Each
// scheduler is handed a snapshot of its own, as the engine hands one to
// Compose: what one keeps or changes, the next never sees.
func Compose(opts ComposeOptions, schedulers ...Scheduler) Scheduler {
	if opts.Name == "" {
		opts.Name = "compose"
	}
	return compose{o: opts, ss: slices.Clone(schedulers)}
}

type compose struct {
	o  ComposeOptions
	ss []Scheduler
}

func (c compose) Name() string { return c.o.Name }

// guarded: Compose checks every proposal of every scheduler it runs.
func (compose) guarded() bool { return true }

// readOnly: Compose changes nothing in its snapshot, and hands a copy to
// each scheduler that might.
func (compose) readOnly() bool { return true }

func (c compose) Propose(s Snapshot) ([]Proposal, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	loc, err := s.location()
	if err != nil {
		return nil, err
	}
	if s.Location == nil {
		s.Location = loc
	}
	if q := c.o.QuietHours; q != nil && (!q.Start.valid() || !q.End.valid()) {
		return nil, invalid("quiet_hours", "%02d:%02d to %02d:%02d is not a span of local time", q.Start.Hour, q.Start.Minute, q.End.Hour, q.End.Minute)
	}
	var all []Proposal
	for _, sc := range c.ss {
		own := s
		if r, ok := sc.(readOnly); !ok || !r.readOnly() {
			own = s.clone()
		}
		ps, err := sc.Propose(own)
		if err != nil {
			return nil, fmt.Errorf("exercise: scheduler %s: %w", sc.Name(), err)
		}
		ps, err = guardAll(sc.Name(), ps, &s)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	kept := all[:0] // all is this call's own: filter it in place
	for _, p := range all {
		if q := c.o.QuietHours; q != nil {
			if local := p.DueStart.In(loc); q.contains(local) {
				shift := q.next(local, loc).Sub(p.DueStart)
				p.DueStart = p.DueStart.Add(shift).UTC()
				p.DueEnd = p.DueEnd.Add(shift).UTC()
			}
		}
		if s.openFor(p.Exercise, p.Participants) || proposedFor(kept, p.Exercise, p.Participants) {
			continue
		}
		kept = append(kept, p)
	}
	return c.limit(kept, &s, loc), nil
}

// limit applies the weekly load limit.
func (c compose) limit(ps []Proposal, s *Snapshot, loc *time.Location) []Proposal {
	limit := c.o.WeeklyLimit
	if limit <= 0 || len(ps) == 0 {
		return ps
	}
	if adh, ok := s.adherence(); ok && adh < c.o.LowAdherence {
		limit = max(1, limit/2)
	}
	// The load of each week a proposal falls in: the few weeks concerned
	// are found first, then the recent work is counted against their bounds
	// (instead of finding the week of every recent assignment).
	load := map[time.Time]int{}
	for _, p := range ps {
		w := weekOf(p.DueStart, loc)
		if _, ok := load[w]; ok {
			continue
		}
		end := time.Date(w.Year(), w.Month(), w.Day()+7, 0, 0, 0, 0, loc)
		n := 0
		for _, r := range s.Recent {
			if r.Status != StatusSkipped && r.Status != StatusExpired && !r.DueStart.Before(w) && r.DueStart.Before(end) {
				n++
			}
		}
		load[w] = n
	}
	keep := make([]bool, len(ps))
	for pass := 0; pass < 2; pass++ {
		for i, p := range ps {
			protected := slices.Contains(c.o.Protected, p.Scheduler)
			if protected != (pass == 0) {
				continue
			}
			w := weekOf(p.DueStart, loc)
			if protected || load[w] < limit {
				keep[i] = true
				load[w]++
			}
		}
	}
	out := ps[:0]
	for i, p := range ps {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// weekOf returns local midnight of the Monday starting t's local week.
func weekOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}

// DefaultScheduler returns mend's default plan over cat (the snapshot's own
// catalogue wins when it names one; nil means [DefaultCatalogue]): rituals
// from agreements first, then the adaptive scheduler, then the phase
// sequence, composed with a weekly limit of six assignments (rituals are
// never dropped), halved while adherence is below one half, and quiet hours
// from 22:00 to 08:00 local time. Its name is "default".
func DefaultScheduler(cat *Catalogue) Scheduler {
	c := Compose(ComposeOptions{Name: "default", WeeklyLimit: 6, Protected: []string{"agreement"},
		QuietHours: &QuietHours{Start: LocalTime{22, 0}, End: LocalTime{8, 0}}, LowAdherence: 0.5},
		AgreementDriven(AgreementOptions{}), Adaptive(AdaptiveOptions{}), PhaseSequence(PhaseOptions{}))
	return withCatalogue{cat: cat, s: c}
}

type withCatalogue struct {
	cat *Catalogue
	s   Scheduler
}

func (w withCatalogue) Name() string { return w.s.Name() }

func (w withCatalogue) guarded() bool {
	g, ok := w.s.(guarded)
	return ok && g.guarded()
}

func (w withCatalogue) readOnly() bool { return isReadOnly(w.s) }

func (w withCatalogue) Propose(s Snapshot) ([]Proposal, error) {
	if s.Catalogue == nil {
		s.Catalogue = w.cat
	}
	return w.s.Propose(s)
}
