package progress

import (
	"container/heap"
	"math"
	"sort"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

// Analysis is what one viewer may know of a journey's progress at a moment,
// computed only from the events that viewer may see. Outcome (how trust is
// going) and activity (showing up, doing the work) are kept apart and never
// folded into one score.
type Analysis struct {
	// Relationship is the journey analysed.
	Relationship trust.RelationshipID `json:"relationship"`
	// Viewer is who the analysis is for: "partner:<uuid>" or "professional:<uuid>".
	Viewer trust.Actor `json:"viewer"`
	// AsOf is the moment of the analysis, in UTC.
	AsOf time.Time `json:"as_of"`
	// Today is AsOf's local date in the relationship's time zone.
	Today string `json:"today"`
	// Started is when the journey began; absent when the viewer cannot see its start.
	Started *time.Time `json:"started,omitempty"`
	// Partners holds each partner's outcome and activity, in the relationship's partner order.
	Partners []PartnerAnalysis `json:"partners"`
	// Gap compares the partners' trust levels when the viewer sees both.
	Gap *Gap `json:"gap,omitempty"`
	// Setbacks are the setbacks the viewer may see, oldest first, with their recovery.
	Setbacks []Setback `json:"setbacks"`
	// Milestones are the milestones reached, oldest first.
	Milestones []Milestone `json:"milestones"`
	// Phases are the journey's phases as they followed each other.
	Phases []PhaseSpan `json:"phases"`
	// PhaseTotals is the time spent in each phase, in the order first entered.
	PhaseTotals []PhaseTotal `json:"phase_totals"`
	// Agreements are agreement events (signed, in force, amended, retired), for the chart.
	Agreements []AgreementMark `json:"agreements"`
	// Signs are the facts professional-help recommendations are based on.
	Signs Signs `json:"signs"`
}

// PartnerAnalysis is one partner's side of the analysis.
type PartnerAnalysis struct {
	// Partner identifies the partner.
	Partner trust.PartnerID `json:"partner"`
	// Name is the partner's display name.
	Name string `json:"name"`
	// Outcome is how the partner's trust is going.
	Outcome Outcome `json:"outcome"`
	// Activity is how the partner is showing up.
	Activity Activity `json:"activity"`
}

// Outcome is a partner's trust over time.
type Outcome struct {
	// Ratings counts the days with a trust rating the viewer may see.
	Ratings int `json:"ratings"`
	// Latest is the latest day's trust rating (the day's mean).
	Latest *float64 `json:"latest,omitempty"`
	// Level is the smoothed trust level (an exponentially weighted mean with the configured half-life).
	Level *float64 `json:"level,omitempty"`
	// WeeklySlope is the trend of the daily ratings over the slope window, in points per week.
	WeeklySlope *float64 `json:"weekly_slope,omitempty"`
	// Change is the reliable change from the baseline to the latest ratings.
	Change *instrument.Change `json:"change,omitempty"`
	// Series is the daily trust series, oldest first.
	Series []Point `json:"series"`
	// Instruments are the latest outcome-instrument totals the viewer may see.
	Instruments []InstrumentResult `json:"instruments,omitempty"`
}

// Point is one day of a partner's series.
type Point struct {
	// Day is the local date.
	Day string `json:"day"`
	// Trust is the day's mean trust rating.
	Trust *float64 `json:"trust,omitempty"`
	// Level is the smoothed level after this day.
	Level *float64 `json:"level,omitempty"`
	// Safe is the day's mean "how safe" rating.
	Safe *float64 `json:"safe,omitempty"`
	// Close is the day's mean "how close" rating.
	Close *float64 `json:"close,omitempty"`
}

// InstrumentResult is a partner's first and latest total on an outcome instrument.
type InstrumentResult struct {
	// Instrument is the instrument's ID.
	Instrument string `json:"instrument"`
	// First is the first total.
	First float64 `json:"first"`
	// Latest is the latest total.
	Latest float64 `json:"latest"`
	// Count counts the scored responses.
	Count int `json:"count"`
	// Change is the reliable change from first to latest, when the instrument states a reliability.
	Change *instrument.Change `json:"change,omitempty"`
}

// Activity is a partner's showing up, counted forgivingly: a gap never wipes
// a count, and a return after a long gap is welcomed back.
type Activity struct {
	// CheckIns counts the check-ins the viewer may see.
	CheckIns int `json:"checkins"`
	// WeeksShownUp counts the weeks with at least one check-in, ever. It never goes down.
	WeeksShownUp int `json:"weeks_shown_up"`
	// RecentWeeks counts the weeks with a check-in among the last WindowWeeks weeks, this week included.
	RecentWeeks int `json:"recent_weeks"`
	// WindowWeeks is the size of that window.
	WindowWeeks int `json:"window_weeks"`
	// LastCheckIn is the local date of the latest check-in.
	LastCheckIn string `json:"last_checkin,omitempty"`
	// DaysAway is how many days have passed since the latest check-in.
	DaysAway *int `json:"days_away,omitempty"`
	// WelcomeBack is true for a week after the partner came back from a gap of
	// at least the welcome-back days.
	WelcomeBack bool `json:"welcome_back"`
	// ReturnGapDays is the length of that gap, in days, while WelcomeBack is true.
	ReturnGapDays int `json:"return_gap_days,omitempty"`
	// AssignmentsCompleted and AssignmentsSkipped count exercise assignments, ever.
	AssignmentsCompleted int `json:"assignments_completed"`
	AssignmentsSkipped   int `json:"assignments_skipped"`
	// Adherence is completed / (completed + skipped) over the window; absent with no assignments in it.
	Adherence *float64 `json:"adherence,omitempty"`
	// OccurrencesKept and OccurrencesMissed count agreement occurrences attributed to the partner.
	OccurrencesKept   int `json:"occurrences_kept"`
	OccurrencesMissed int `json:"occurrences_missed"`
}

// Gap compares the two partners' smoothed trust levels.
type Gap struct {
	// Latest is the absolute difference of the latest levels.
	Latest float64 `json:"latest"`
	// Since is the local date from which the gap has stayed at or above the threshold.
	Since string `json:"since,omitempty"`
	// Days is how long it has stayed there.
	Days int `json:"days"`
	// Persistent is true when it has stayed there at least the configured gap days.
	Persistent bool `json:"persistent"`
}

// SetbackKind names what set the couple back.
type SetbackKind string

// Kinds of setback.
const (
	// SetbackTrustDrop: a day's trust fell well below the partner's recent level.
	SetbackTrustDrop SetbackKind = "trust_drop"
	// SetbackDisclosure: a new breach came to light after the first.
	SetbackDisclosure SetbackKind = "new_disclosure"
	// SetbackTermBroken: an agreement boundary was reported broken.
	SetbackTermBroken SetbackKind = "term_broken"
	// SetbackSafety: a safety flag was raised. Only its raiser, and a
	// professional they consented to share safety data with, ever see it.
	SetbackSafety SetbackKind = "safety_flag"
)

// Values lists the kinds.
func (SetbackKind) Values() []string {
	return []string{"trust_drop", "new_disclosure", "term_broken", "safety_flag"}
}

// Setback is one setback and, once it happened, the recovery from it.
type Setback struct {
	// Kind says what it was.
	Kind SetbackKind `json:"kind"`
	// Day is the local date.
	Day string `json:"day"`
	// At is when it happened; absent for a trust drop, which is a whole day.
	At *time.Time `json:"at,omitempty"`
	// Partner is the partner it concerns, for a trust drop or a safety flag.
	Partner *trust.PartnerID `json:"partner,omitempty"`
	// Before is the smoothed level before it (the mean over partners for a couple-wide setback).
	Before *float64 `json:"before,omitempty"`
	// Recovered is true once trust came back near its level before, or a safety flag was cleared.
	Recovered bool `json:"recovered"`
	// RecoveredOn is the local date of the recovery.
	RecoveredOn string `json:"recovered_on,omitempty"`
	// RecoveryDays is how many days recovery took.
	RecoveryDays *int `json:"recovery_days,omitempty"`
}

// MilestoneKind names a milestone.
type MilestoneKind string

// Kinds of milestone.
const (
	MilestoneAcknowledgementAccepted MilestoneKind = "acknowledgement_accepted"
	MilestoneFirstAgreementSigned    MilestoneKind = "first_agreement_signed"
	MilestoneFirstAgreementActive    MilestoneKind = "first_agreement_in_force"
	MilestoneCheckInWeeks            MilestoneKind = "checkin_weeks"
	MilestoneTrustHeld               MilestoneKind = "trust_held"
	MilestonePhaseAdvanced           MilestoneKind = "phase_advanced"
)

// Values lists the kinds.
func (MilestoneKind) Values() []string {
	return []string{"acknowledgement_accepted", "first_agreement_signed", "first_agreement_in_force", "checkin_weeks", "trust_held", "phase_advanced"}
}

// Milestone is one milestone reached.
type Milestone struct {
	// Kind says what was reached.
	Kind MilestoneKind `json:"kind"`
	// Day is the local date.
	Day string `json:"day"`
	// Partner is the partner it concerns, when it is one partner's.
	Partner *trust.PartnerID `json:"partner,omitempty"`
	// Weeks is the number of weeks, for checkin_weeks and trust_held.
	Weeks int `json:"weeks,omitempty"`
	// Level is the trust level held, for trust_held.
	Level float64 `json:"level,omitempty"`
	// Phase is the phase entered, for phase_advanced.
	Phase string `json:"phase,omitempty"`
}

// PhaseSpan is one stay in a phase.
type PhaseSpan struct {
	// Phase is the phase key.
	Phase string `json:"phase"`
	// Title is the phase's title in the journey's profile.
	Title string `json:"title"`
	// Start is when the stay began.
	Start time.Time `json:"start"`
	// StartDay is Start's local date.
	StartDay string `json:"start_day"`
	// End is when it ended; absent for the current phase.
	End *time.Time `json:"end,omitempty"`
	// EndDay is End's local date.
	EndDay string `json:"end_day,omitempty"`
	// Regressed is true when the stay began with a regression.
	Regressed bool `json:"regressed,omitempty"`
	// DurationMinutes is the length of the stay, up to the analysis time for the current one.
	DurationMinutes int64 `json:"duration_minutes"`
}

// PhaseTotal is the total time spent in one phase.
type PhaseTotal struct {
	// Phase is the phase key.
	Phase string `json:"phase"`
	// DurationMinutes is the total, over every stay.
	DurationMinutes int64 `json:"duration_minutes"`
	// Stays counts the stays.
	Stays int `json:"stays"`
}

// AgreementMark is one agreement event, for the chart's ticks.
type AgreementMark struct {
	// Type is the event type, e.g. "agreement.signed".
	Type string `json:"type"`
	// Day is the local date.
	Day string `json:"day"`
	// At is when it happened.
	At time.Time `json:"at"`
}

// Signs are the facts the professional-help recommendations rest on, all
// from what the viewer may see.
type Signs struct {
	// SafetyFlagsActive lists partners with an active safety flag the viewer may see.
	SafetyFlagsActive []trust.PartnerID `json:"safety_flags_active,omitempty"`
	// Distress lists recent screens at or above their screening cut-off,
	// by partner and instrument. For routing only; never shown as a label.
	Distress []DistressSign `json:"distress,omitempty"`
	// NoReliableImprovement is true when check-ins span the stall window and
	// no partner shows a reliable improvement.
	NoReliableImprovement bool `json:"no_reliable_improvement"`
	// RecentSetbacks counts setbacks within the stall window.
	RecentSetbacks int `json:"recent_setbacks"`
	// RepeatedSetbacks is true when RecentSetbacks reaches the configured count.
	RepeatedSetbacks bool `json:"repeated_setbacks"`
	// PersistentGap is true when the partners' trust has stayed apart.
	PersistentGap bool `json:"persistent_gap"`
	// AcknowledgementNotYet is true when the latest answered acknowledgement
	// was answered "not yet" and none was accepted since.
	AcknowledgementNotYet bool `json:"acknowledgement_not_yet"`
	// BreachRecorded is true when the viewer sees a recorded breach (an attachment injury).
	BreachRecorded bool `json:"breach_recorded"`
	// Disclosures counts new disclosures after the first breach.
	Disclosures int `json:"disclosures"`
	// TermsBroken counts agreement terms reported broken within the stall window.
	TermsBroken int `json:"terms_broken"`
	// TrustDrops counts trust-drop setbacks within the stall window.
	TrustDrops int `json:"trust_drops"`
	// Volatility is the largest partner's mean absolute day-to-day change of
	// trust within the stall window, in points.
	Volatility float64 `json:"volatility"`
	// CommitmentMixed is true when a commitment answer the viewer may see is
	// "unsure" or "no", or two visible answers differ.
	CommitmentMixed bool `json:"commitment_mixed"`
}

// DistressSign is one recent screen at or above its cut-off.
type DistressSign struct {
	// Partner is whose screen it is.
	Partner trust.PartnerID `json:"partner"`
	// Instrument is the screen, e.g. "phq-2".
	Instrument string `json:"instrument"`
	// Day is the local date of the screen.
	Day string `json:"day"`
}

// series is one partner's visible days, merged over buckets and sorted.
type series struct {
	id     trust.PartnerID
	days   []dayAgg
	levels []float64 // smoothed level after each day with a rating; NaN on days without
	trust  []float64 // the day's mean, NaN when no rating
}

// Analysis returns what viewer v may know at now. It reads only the groups
// and events [trust.Access] lets v see; the result for a partner never
// reflects the other partner's private, unrevealed sealed or safety entries.
func (a *Analyzer) Analysis(v trust.Viewer, now time.Time) Analysis {
	o := a.opts
	now = now.UTC()
	today := dayOf(now, a.loc)
	out := Analysis{Relationship: a.rel, Viewer: trust.Actor(v), AsOf: now, Today: dayString(today),
		Setbacks: []Setback{}, Milestones: []Milestone{}, Phases: []PhaseSpan{}, PhaseTotals: []PhaseTotal{}, Agreements: []AgreementMark{}}
	if out.Viewer.Kind != trust.ActorPartner && out.Viewer.Kind != trust.ActorProfessional {
		out.Viewer = trust.SystemActor
	}
	if a.start == nil || a.rel.IsZero() {
		return out
	}
	startEv := trust.Event{Relationship: a.rel, Visibility: trust.Shared, Type: trust.TypeJourneyStarted, Actor: trust.SystemActor, Data: a.start}
	seesStart := a.access.CanSee(v, startEv)
	if seesStart {
		st := a.started.UTC()
		out.Started = &st
	}

	// Visible facts, in stream order.
	var facts []fact
	for _, f := range a.facts {
		if a.access.CanSee(v, f.e) {
			facts = append(facts, f)
		}
	}

	// Per-partner visible series.
	partners := a.start.Relationship.Partners
	var ser [2]*series
	for i, p := range partners {
		ser[i] = a.seriesFor(v, p.ID)
	}
	for i, p := range partners {
		s := ser[i]
		pa := PartnerAnalysis{Partner: p.ID, Name: p.DisplayName}
		pa.Outcome = a.outcome(s, today)
		pa.Activity = a.activity(v, s, p.ID, today)
		pa.Outcome.Instruments = instrumentResults(facts, p.ID)
		out.Partners = append(out.Partners, pa)
	}

	// Gap.
	out.Gap = a.gap(ser)

	// Setbacks.
	out.Setbacks = a.setbacks(facts, ser)
	windowStart := today - o.StallWindowDays + 1
	for _, sb := range out.Setbacks {
		d, _ := parseDay(sb.Day)
		if d >= windowStart {
			out.Signs.RecentSetbacks++
			if sb.Kind == SetbackTrustDrop {
				out.Signs.TrustDrops++
			}
			if sb.Kind == SetbackTermBroken {
				out.Signs.TermsBroken++
			}
		}
		if sb.Kind == SetbackDisclosure {
			out.Signs.Disclosures++
		}
	}
	out.Signs.RepeatedSetbacks = out.Signs.RecentSetbacks >= o.RepeatedSetbacks

	// Milestones, phases and agreements.
	out.Milestones = a.milestones(facts, ser)
	out.Phases, out.PhaseTotals = a.phases(facts, seesStart, now)
	for _, f := range facts {
		if f.kind == factAgreement {
			out.Agreements = append(out.Agreements, AgreementMark{Type: f.e.Type, Day: dayString(f.day), At: f.e.Time.UTC()})
		}
	}
	sort.SliceStable(out.Agreements, func(i, j int) bool { return out.Agreements[i].At.Before(out.Agreements[j].At) })

	a.signs(&out, facts, ser, today)
	return out
}

func (a *Analyzer) seriesFor(v trust.Viewer, p trust.PartnerID) *series {
	merged := map[int]*dayAgg{}
	for _, k := range a.order {
		if k.owner != p {
			continue
		}
		b := a.buckets[k]
		if !a.access.CanSee(v, b.probe) {
			continue
		}
		for _, d := range b.days {
			m, ok := merged[d.day]
			if !ok {
				c := d
				merged[d.day] = &c
				continue
			}
			m.checkIns += d.checkIns
			m.trustSum += d.trustSum
			m.trustN += d.trustN
			m.safeSum += d.safeSum
			m.safeN += d.safeN
			m.closeSum += d.closeSum
			m.closeN += d.closeN
			m.completed += d.completed
			m.skipped += d.skipped
			m.kept += d.kept
			m.missed += d.missed
			if d.first.Before(m.first) {
				m.first = d.first
			}
		}
	}
	s := &series{id: p, days: make([]dayAgg, 0, len(merged))}
	for _, d := range merged {
		s.days = append(s.days, *d)
	}
	sort.Slice(s.days, func(i, j int) bool { return s.days[i].day < s.days[j].day })
	s.levels = make([]float64, len(s.days))
	s.trust = make([]float64, len(s.days))
	level, lastDay, have := 0.0, 0, false
	for i, d := range s.days {
		s.levels[i], s.trust[i] = math.NaN(), math.NaN()
		if d.trustN == 0 {
			continue
		}
		x := d.trustSum / float64(d.trustN)
		s.trust[i] = x
		if !have {
			level, have = x, true
		} else {
			w := 1 - math.Pow(0.5, float64(d.day-lastDay)/a.opts.HalfLifeDays)
			level += w * (x - level)
		}
		lastDay = d.day
		s.levels[i] = level
	}
	return s
}

func (a *Analyzer) outcome(s *series, today int) Outcome {
	o := a.opts
	out := Outcome{Series: []Point{}}
	var xs, ys []float64
	var rated []float64
	for i, d := range s.days {
		if d.checkIns == 0 {
			continue
		}
		p := Point{Day: dayString(d.day)}
		if !math.IsNaN(s.trust[i]) {
			p.Trust, p.Level = ptr(r3(s.trust[i])), ptr(r3(s.levels[i]))
			rated = append(rated, s.trust[i])
			out.Latest, out.Level = p.Trust, p.Level
			if d.day > today-o.SlopeWindowDays && d.day <= today {
				xs, ys = append(xs, float64(d.day)), append(ys, s.trust[i])
			}
		}
		if d.safeN > 0 {
			p.Safe = ptr(r3(d.safeSum / float64(d.safeN)))
		}
		if d.closeN > 0 {
			p.Close = ptr(r3(d.closeSum / float64(d.closeN)))
		}
		out.Series = append(out.Series, p)
	}
	out.Ratings = len(rated)
	if slope, ok := olsSlope(xs, ys); ok {
		out.WeeklySlope = ptr(r3(slope * 7))
	}
	if n := o.BaselineCheckIns; len(rated) >= 2*n {
		before, after := mean(rated[:n]), mean(rated[len(rated)-n:])
		if c, ok := instrument.ReliableChange(before, after, o.TrustSD, o.TrustReliability, instrument.HigherIsBetter); ok {
			out.Change = &c
		}
	}
	return out
}

func (a *Analyzer) activity(v trust.Viewer, s *series, p trust.PartnerID, today int) Activity {
	o := a.opts
	out := Activity{WindowWeeks: o.ConsistencyWeeks}
	thisWeek := weekOf(today)
	lastWeek := math.MinInt
	lastDay, returnDay, returnGap := 0, 0, 0
	haveCheckIn := false
	var wc, ws int
	for _, d := range s.days {
		out.AssignmentsCompleted += d.completed
		out.AssignmentsSkipped += d.skipped
		out.OccurrencesKept += d.kept
		out.OccurrencesMissed += d.missed
		w := weekOf(d.day)
		if w > thisWeek-o.ConsistencyWeeks && w <= thisWeek {
			wc += d.completed
			ws += d.skipped
		}
		if d.checkIns == 0 {
			continue
		}
		out.CheckIns += d.checkIns
		if w != lastWeek {
			out.WeeksShownUp++
			if w > thisWeek-o.ConsistencyWeeks && w <= thisWeek {
				out.RecentWeeks++
			}
			lastWeek = w
		}
		if haveCheckIn && d.day-lastDay >= o.WelcomeBackDays {
			returnDay, returnGap = d.day, d.day-lastDay
		}
		lastDay, haveCheckIn = d.day, true
	}
	if haveCheckIn {
		out.LastCheckIn = dayString(lastDay)
		if away := today - lastDay; away >= 0 {
			out.DaysAway = &away
		}
		if returnGap > 0 && today-returnDay < 7 && today >= returnDay {
			out.WelcomeBack, out.ReturnGapDays = true, returnGap
		}
	}
	if wc+ws > 0 {
		out.Adherence = ptr(r3(float64(wc) / float64(wc+ws)))
	}
	return out
}

func instrumentResults(facts []fact, p trust.PartnerID) []InstrumentResult {
	var out []InstrumentResult
	idx := map[string]int{}
	for _, f := range facts {
		if f.kind != factScores || f.owner != p {
			continue
		}
		for _, s := range f.scores {
			if instrument.IsScreen(s.Instrument) {
				continue
			}
			i, ok := idx[s.Instrument]
			if !ok {
				idx[s.Instrument] = len(out)
				out = append(out, InstrumentResult{Instrument: s.Instrument, First: *s.Total})
				i = len(out) - 1
			}
			out[i].Latest = *s.Total
			out[i].Count++
		}
	}
	for i := range out {
		d, _ := instrument.Lookup(out[i].Instrument)
		sd := (d.Range.Max - d.Range.Min) / 6
		if out[i].Count > 1 && d.Reliability > 0 {
			if c, ok := instrument.ReliableChange(out[i].First, out[i].Latest, sd, d.Reliability, d.Direction); ok {
				out[i].Change = &c
			}
		}
	}
	return out
}

func (a *Analyzer) gap(ser [2]*series) *Gap {
	o := a.opts
	if ser[0].lastLevel() == nil || ser[1].lastLevel() == nil {
		return nil
	}
	// Walk both series in day order, carrying each partner's level forward.
	i, j := 0, 0
	var la, lb float64
	ha, hb := false, false
	since, have := 0, false
	lastDay := 0
	for i < len(ser[0].days) || j < len(ser[1].days) {
		var day int
		switch {
		case j >= len(ser[1].days) || (i < len(ser[0].days) && ser[0].days[i].day <= ser[1].days[j].day):
			day = ser[0].days[i].day
		default:
			day = ser[1].days[j].day
		}
		for i < len(ser[0].days) && ser[0].days[i].day == day {
			if !math.IsNaN(ser[0].levels[i]) {
				la, ha = ser[0].levels[i], true
			}
			i++
		}
		for j < len(ser[1].days) && ser[1].days[j].day == day {
			if !math.IsNaN(ser[1].levels[j]) {
				lb, hb = ser[1].levels[j], true
			}
			j++
		}
		if !ha || !hb {
			continue
		}
		lastDay = day
		if math.Abs(la-lb) >= o.GapThreshold {
			if !have {
				since, have = day, true
			}
		} else {
			have = false
		}
	}
	g := &Gap{Latest: r3(math.Abs(*ser[0].lastLevel() - *ser[1].lastLevel()))}
	if have {
		g.Since = dayString(since)
		g.Days = lastDay - since
		g.Persistent = g.Days >= o.GapDays
	}
	return g
}

func (s *series) lastLevel() *float64 {
	for i := len(s.levels) - 1; i >= 0; i-- {
		if !math.IsNaN(s.levels[i]) {
			v := s.levels[i]
			return &v
		}
	}
	return nil
}

// levelBefore returns the partner's level after the last rated day before day.
func (s *series) levelBefore(day int) (float64, bool) {
	i := sort.Search(len(s.days), func(i int) bool { return s.days[i].day >= day })
	for i--; i >= 0; i-- {
		if !math.IsNaN(s.levels[i]) {
			return s.levels[i], true
		}
	}
	return 0, false
}

// open is a setback waiting for one partner's recovery.
type open struct {
	threshold float64
	day       int
	idx       int
}

type openHeap []open

func (h openHeap) Len() int           { return len(h) }
func (h openHeap) Less(i, j int) bool { return h[i].threshold < h[j].threshold }
func (h openHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *openHeap) Push(x any)        { *h = append(*h, x.(open)) }
func (h *openHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type pending struct {
	sb      Setback
	day     int
	waiting int // partners still to recover
	recDay  int
	owners  []int
}

func (a *Analyzer) setbacks(facts []fact, ser [2]*series) []Setback {
	o := a.opts
	var ps []*pending
	couple := func(f fact, kind SetbackKind) {
		t := f.e.Time.UTC()
		p := &pending{sb: Setback{Kind: kind, Day: dayString(f.day), At: &t}, day: f.day}
		var sum float64
		for i, s := range ser {
			if l, ok := s.levelBefore(f.day); ok {
				p.owners = append(p.owners, i)
				sum += l
			}
		}
		if len(p.owners) > 0 {
			p.sb.Before = ptr(r3(sum / float64(len(p.owners))))
		}
		ps = append(ps, p)
	}
	firstBreach := true
	cleared := map[trust.SafetyFlagID]time.Time{}
	for _, f := range facts {
		if c, ok := f.e.Data.(*trust.SafetyFlagCleared); ok {
			if _, seen := cleared[c.Flag]; !seen {
				cleared[c.Flag] = f.e.Time
			}
		}
	}
	for _, f := range facts {
		switch f.kind {
		case factBreach:
			if firstBreach {
				firstBreach = false
				continue
			}
			couple(f, SetbackDisclosure)
		case factTermBroken:
			couple(f, SetbackTermBroken)
		case factSafetyRaised:
			flag := f.e.Data.(*trust.SafetyFlag)
			t := f.e.Time.UTC()
			owner := flag.Partner
			sb := Setback{Kind: SetbackSafety, Day: dayString(f.day), At: &t, Partner: &owner}
			if ct, ok := cleared[flag.ID]; ok && !ct.Before(f.e.Time) {
				cd := dayOf(ct, a.loc)
				sb.Recovered, sb.RecoveredOn, sb.RecoveryDays = true, dayString(cd), ptr(cd-f.day)
			}
			ps = append(ps, &pending{sb: sb, day: f.day})
		}
	}
	// Trust drops: a day's mean well below the level before it.
	for pi, s := range ser {
		inDrop := false
		prev, have := 0.0, false
		for i, d := range s.days {
			if math.IsNaN(s.trust[i]) {
				continue
			}
			if have && s.trust[i] <= prev-o.DropThreshold {
				if !inDrop {
					id := s.id
					p := &pending{sb: Setback{Kind: SetbackTrustDrop, Day: dayString(d.day), Partner: &id, Before: ptr(r3(prev))},
						day: d.day, owners: []int{pi}}
					ps = append(ps, p)
					inDrop = true
				}
			} else if have && s.trust[i] > prev-o.DropThreshold {
				inDrop = false
			}
			prev, have = s.levels[i], true
		}
	}
	// A drop that comes with a disclosure or a broken term is part of that
	// setback, not another one.
	var events []int
	for _, p := range ps {
		if p.sb.Kind == SetbackDisclosure || p.sb.Kind == SetbackTermBroken {
			events = append(events, p.day)
		}
	}
	sort.Ints(events)
	kept := ps[:0]
	for _, p := range ps {
		if p.sb.Kind == SetbackTrustDrop {
			i := sort.SearchInts(events, p.day-3)
			if i < len(events) && events[i] <= p.day+1 {
				continue
			}
		}
		kept = append(kept, p)
	}
	ps = kept
	// Recovery: a partner has recovered on the first later day whose rating
	// is back near their smoothed level before the setback. One sweep per
	// partner with a min-heap of the thresholds still open keeps this
	// O((days + setbacks) log setbacks).
	type item struct {
		day       int
		threshold float64
		idx       int
	}
	var items [2][]item
	for k, p := range ps {
		for _, ow := range p.owners {
			l, ok := ser[ow].levelBefore(p.day)
			if p.sb.Kind == SetbackTrustDrop {
				l, ok = *p.sb.Before, true
			}
			if ok {
				items[ow] = append(items[ow], item{p.day, l - o.RecoveryTolerance, k})
				p.waiting++
			}
		}
	}
	for pi, s := range ser {
		its := items[pi]
		sort.SliceStable(its, func(i, j int) bool { return its[i].day < its[j].day })
		h := &openHeap{}
		next := 0
		for i, d := range s.days {
			for next < len(its) && its[next].day < d.day {
				heap.Push(h, open{threshold: its[next].threshold, day: its[next].day, idx: its[next].idx})
				next++
			}
			if math.IsNaN(s.trust[i]) {
				continue
			}
			for h.Len() > 0 && (*h)[0].threshold <= s.trust[i] {
				op := heap.Pop(h).(open)
				p := ps[op.idx]
				p.waiting--
				if d.day > p.recDay {
					p.recDay = d.day
				}
			}
		}
	}
	for _, p := range ps {
		if len(p.owners) > 0 && p.waiting == 0 && p.recDay > 0 {
			p.sb.Recovered = true
			p.sb.RecoveredOn = dayString(p.recDay)
			p.sb.RecoveryDays = ptr(p.recDay - p.day)
		}
	}
	out := make([]Setback, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.sb)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

func (a *Analyzer) milestones(facts []fact, ser [2]*series) []Milestone {
	o := a.opts
	var out []Milestone
	signed, active := false, false
	for _, f := range facts {
		switch f.kind {
		case factAckAnswer:
			if ans := f.e.Data.(*trust.AcknowledgementAnswer); ans.Response == trust.AckAccepted {
				p := ans.Partner
				out = append(out, Milestone{Kind: MilestoneAcknowledgementAccepted, Day: dayString(f.day), Partner: &p})
			}
		case factAgreement:
			if f.e.Type == agreement.TypeSigned && !signed {
				signed = true
				out = append(out, Milestone{Kind: MilestoneFirstAgreementSigned, Day: dayString(f.day)})
			}
			if f.e.Type == agreement.TypeActivated && !active {
				active = true
				out = append(out, Milestone{Kind: MilestoneFirstAgreementActive, Day: dayString(f.day)})
			}
		case factPhase:
			if pc := f.e.Data.(*trust.PhaseChange); pc.Direction == trust.Advanced {
				out = append(out, Milestone{Kind: MilestonePhaseAdvanced, Day: dayString(f.day), Phase: pc.To})
			}
		}
	}
	for _, s := range ser {
		id := s.id
		weeks, lastWeek, next := 0, math.MinInt, 0
		holdStart, holding, held := 0, false, false
		for i, d := range s.days {
			if d.checkIns > 0 {
				if w := weekOf(d.day); w != lastWeek {
					weeks++
					lastWeek = w
					for next < len(o.CheckInWeekMilestones) && weeks >= o.CheckInWeekMilestones[next] {
						out = append(out, Milestone{Kind: MilestoneCheckInWeeks, Day: dayString(d.day), Partner: &id, Weeks: o.CheckInWeekMilestones[next]})
						next++
					}
				}
			}
			if math.IsNaN(s.levels[i]) || held {
				continue
			}
			if s.levels[i] >= o.HeldLevel {
				if !holding {
					holdStart, holding = d.day, true
				}
				if d.day-holdStart >= o.HeldWeeks*7 {
					held = true
					out = append(out, Milestone{Kind: MilestoneTrustHeld, Day: dayString(d.day), Partner: &id, Weeks: o.HeldWeeks, Level: o.HeldLevel})
				}
			} else {
				holding = false
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Kind < out[j].Kind
	})
	if out == nil {
		out = []Milestone{}
	}
	return out
}

func (a *Analyzer) phases(facts []fact, seesStart bool, now time.Time) ([]PhaseSpan, []PhaseTotal) {
	spans := []PhaseSpan{}
	if !seesStart || len(a.start.Profile.Phases) == 0 {
		return spans, []PhaseTotal{}
	}
	title := func(key string) string {
		if i := a.start.Profile.PhaseIndex(key); i >= 0 {
			return a.start.Profile.Phases[i].Title
		}
		return key
	}
	spans = append(spans, PhaseSpan{Phase: a.start.Profile.Phases[0].Key, Title: title(a.start.Profile.Phases[0].Key), Start: a.started.UTC(),
		StartDay: dayString(dayOf(a.started, a.loc))})
	for _, f := range facts {
		if f.kind != factPhase {
			continue
		}
		pc := f.e.Data.(*trust.PhaseChange)
		t := f.e.Time.UTC()
		spans[len(spans)-1].End = &t
		spans[len(spans)-1].EndDay = dayString(f.day)
		spans = append(spans, PhaseSpan{Phase: pc.To, Title: title(pc.To), Start: t, StartDay: dayString(f.day), Regressed: pc.Direction == trust.Regressed})
	}
	var totals []PhaseTotal
	idx := map[string]int{}
	for i := range spans {
		end := now
		if spans[i].End != nil {
			end = *spans[i].End
		}
		m := int64(end.Sub(spans[i].Start) / time.Minute)
		if m < 0 {
			m = 0
		}
		spans[i].DurationMinutes = m
		k, ok := idx[spans[i].Phase]
		if !ok {
			k = len(totals)
			idx[spans[i].Phase] = k
			totals = append(totals, PhaseTotal{Phase: spans[i].Phase})
		}
		totals[k].DurationMinutes += m
		totals[k].Stays++
	}
	return spans, totals
}

func (a *Analyzer) signs(out *Analysis, facts []fact, ser [2]*series, today int) {
	o := a.opts
	s := &out.Signs
	active := map[trust.SafetyFlagID]trust.PartnerID{}
	var order []trust.SafetyFlagID
	commit := map[trust.PartnerID]trust.CommitmentAnswer{}
	ackNotYet := false
	for _, f := range facts {
		switch f.kind {
		case factSafetyRaised:
			fl := f.e.Data.(*trust.SafetyFlag)
			active[fl.ID] = fl.Partner
			order = append(order, fl.ID)
		case factSafetyCleared:
			delete(active, f.e.Data.(*trust.SafetyFlagCleared).Flag)
		case factBreach:
			s.BreachRecorded = true
		case factAckAnswer:
			ackNotYet = f.e.Data.(*trust.AcknowledgementAnswer).Response == trust.AckNotYet
		case factCommitment:
			c := f.e.Data.(*trust.Commitment)
			commit[c.Partner] = c.Answer
		case factScores:
			if f.day < today-o.DistressWindowDays+1 {
				continue
			}
			for _, sc := range f.scores {
				d, ok := instrument.Lookup(sc.Instrument)
				if !ok || d.Kind != instrument.Screen || len(d.Bands(*sc.Total)) == 0 {
					continue
				}
				s.Distress = append(s.Distress, DistressSign{Partner: f.owner, Instrument: sc.Instrument, Day: dayString(f.day)})
			}
		}
	}
	s.AcknowledgementNotYet = ackNotYet
	seen := map[trust.PartnerID]bool{}
	for _, id := range order {
		if p, ok := active[id]; ok && !seen[p] {
			seen[p] = true
			s.SafetyFlagsActive = append(s.SafetyFlagsActive, p)
		}
	}
	var answers []trust.CommitmentAnswer
	for _, p := range a.start.Relationship.Partners {
		if c, ok := commit[p.ID]; ok {
			answers = append(answers, c)
			if c != trust.CommitYes {
				s.CommitmentMixed = true
			}
		}
	}
	if len(answers) == 2 && answers[0] != answers[1] {
		s.CommitmentMixed = true
	}
	if out.Gap != nil {
		s.PersistentGap = out.Gap.Persistent
	}
	// No reliable improvement: check-ins span the stall window and nobody improved reliably.
	first, last, rated := math.MaxInt, math.MinInt, false
	improved := false
	for i, sr := range ser {
		for k, d := range sr.days {
			if !math.IsNaN(sr.trust[k]) {
				first, last, rated = min(first, d.day), max(last, d.day), true
			}
		}
		if c := out.Partners[i].Outcome.Change; c != nil && c.Direction == instrument.Improved {
			improved = true
		}
	}
	s.NoReliableImprovement = rated && last-first+1 >= o.StallWindowDays && !improved
	// Volatility within the stall window.
	for _, sr := range ser {
		var sum float64
		n := 0
		prev, have := 0.0, false
		for k, d := range sr.days {
			if math.IsNaN(sr.trust[k]) || d.day < today-o.StallWindowDays+1 {
				continue
			}
			if have {
				sum += math.Abs(sr.trust[k] - prev)
				n++
			}
			prev, have = sr.trust[k], true
		}
		if n > 0 && r3(sum/float64(n)) > s.Volatility {
			s.Volatility = r3(sum / float64(n))
		}
	}
}

// Signals are the per-partner inputs schedulers use, derived from an
// analysis for that partner's own view.
type Signals struct {
	// Partner identifies the partner.
	Partner trust.PartnerID `json:"partner"`
	// LastSetback is the local date of the latest setback concerning the partner or the couple.
	LastSetback string `json:"last_setback,omitempty"`
	// OpenSetbacks counts setbacks not yet recovered from.
	OpenSetbacks int `json:"open_setbacks"`
	// Consistency is RecentWeeks / WindowWeeks, in [0, 1].
	Consistency float64 `json:"consistency"`
	// Adherence is the share of assignments completed in the window, when there were any.
	Adherence *float64 `json:"adherence,omitempty"`
	// Level is the smoothed trust level.
	Level *float64 `json:"level,omitempty"`
	// WeeklySlope is the trust trend in points per week.
	WeeklySlope *float64 `json:"weekly_slope,omitempty"`
	// DaysAway is the number of days since the partner's latest check-in.
	DaysAway *int `json:"days_away,omitempty"`
	// WelcomeBack is true right after a return from a long gap.
	WelcomeBack bool `json:"welcome_back"`
}

// Signals returns the scheduler inputs of one partner from this analysis,
// and false when the partner is not in it. Compute the analysis for that
// partner's own viewer so nothing of the other partner's private entries
// (or safety flags) steers what the partner is offered.
func (an Analysis) Signals(p trust.PartnerID) (Signals, bool) {
	for _, pa := range an.Partners {
		if pa.Partner != p {
			continue
		}
		s := Signals{Partner: p, Adherence: pa.Activity.Adherence, Level: pa.Outcome.Level, WeeklySlope: pa.Outcome.WeeklySlope,
			DaysAway: pa.Activity.DaysAway, WelcomeBack: pa.Activity.WelcomeBack}
		if pa.Activity.WindowWeeks > 0 {
			s.Consistency = r3(float64(pa.Activity.RecentWeeks) / float64(pa.Activity.WindowWeeks))
		}
		for _, sb := range an.Setbacks {
			if sb.Partner != nil && *sb.Partner != p {
				continue
			}
			if sb.Day > s.LastSetback {
				s.LastSetback = sb.Day
			}
			if !sb.Recovered {
				s.OpenSetbacks++
			}
		}
		return s, true
	}
	return Signals{}, false
}

func olsSlope(xs, ys []float64) (float64, bool) {
	n := float64(len(xs))
	if len(xs) < 3 {
		return 0, false
	}
	mx, my := mean(xs), mean(ys)
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 || n == 0 {
		return 0, false
	}
	return sxy / sxx, true
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func ptr[T any](v T) *T { return &v }

// r3 rounds to three decimals so reports are stable and readable.
func r3(v float64) float64 { return math.Round(v*1000) / 1000 }
