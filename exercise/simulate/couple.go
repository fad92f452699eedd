package simulate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// Draw is what the model drew for one couple before its journey began. In
// every two-element array, element 0 is partner 1, the partner who caused the
// first breach (the first of the two for a mutual breach), and element 1 is
// partner 2, the partner hurt by it.
type Draw struct {
	// Index is the couple's index in the dataset, from 0.
	Index int `json:"index"`
	// Profile is the protocol profile key.
	Profile string `json:"profile"`
	// Scheduler is the scheduler name.
	Scheduler string `json:"scheduler"`
	// TimeZone is the couple's IANA time zone (never exported).
	TimeZone string `json:"time_zone"`
	// StartDay is how many days after Params.StartDate the journey began (never exported).
	StartDay int `json:"start_day"`
	// BreachKind and Severity describe the first breach.
	BreachKind trust.BreachKind `json:"breach_kind"`
	Severity   trust.Severity   `json:"severity"`
	// Discovery says whether the first breach was disclosed or discovered.
	Discovery trust.Discovery `json:"discovery"`
	// Ongoing is true when the breach was still going on at the start.
	Ongoing bool `json:"ongoing"`
	// Mutual is true when both partners broke trust.
	Mutual bool `json:"mutual"`
	// Consent is each partner's research consent.
	Consent [2]bool `json:"consent"`
	// Engagement, Honesty and Adherence are each partner's traits, 0 to 1.
	Engagement [2]float64 `json:"engagement"`
	Honesty    [2]float64 `json:"honesty"`
	Adherence  [2]float64 `json:"adherence"`
	// SetbackPropensity is the weekly probability of a setback week.
	SetbackPropensity float64 `json:"setback_propensity"`
	// SafetyIncidence is the probability of a safety flag over the journey.
	SafetyIncidence float64 `json:"safety_incidence"`
}

// Consented reports whether both partners consented to research use.
func (d Draw) Consented() bool { return d.Consent[0] && d.Consent[1] }

// DrawCouple draws couple index's parameters from its own "draw" stream, so
// they stay the same when the behaviour model changes.
func DrawCouple(p Params, seed uint64, index int) Draw {
	r := newRNG(CoupleSeed(seed, index, "draw"))
	d := Draw{Index: index, Profile: r.pick(p.Profiles), Scheduler: r.pick(p.Schedulers), TimeZone: r.pick(p.TimeZones),
		BreachKind: trust.BreachKind(r.pick(p.BreachKinds)), Severity: trust.Severity(r.pick(p.Severities)),
		Discovery: trust.Discovered}
	if p.StartSpreadDays > 0 {
		d.StartDay = r.IntN(p.StartSpreadDays + 1)
	}
	if r.chance(p.DisclosedRate) {
		d.Discovery = trust.Disclosed
	}
	d.Ongoing = r.chance(p.OngoingRate)
	d.Mutual = r.chance(p.MutualRate)
	for i := range 2 {
		d.Consent[i] = r.chance(p.ConsentRate)
		d.Engagement[i] = r.triangular(p.Engagement)
		d.Honesty[i] = r.triangular(p.Honesty)
		d.Adherence[i] = r.triangular(p.Adherence)
	}
	d.SetbackPropensity = r.triangular(p.SetbackPropensity)
	d.SafetyIncidence = r.triangular(p.SafetyIncidence)
	return d
}

// Couple is one simulated journey: what was drawn, and the complete event
// stream the engine recorded, with every free-text field and real ID in it.
// It is the app-side truth; only [Export] turns it into research data.
type Couple struct {
	// Draw is the couple's drawn parameters.
	Draw Draw
	// Events is the journey's stream, in sequence order.
	Events []trust.Event
}

// Simulate runs couple index's journey through a real [exercise.Engine] on
// a manual clock, day by day for p.Weeks weeks, and returns its stream. The
// result depends only on p, seed and index.
func Simulate(ctx context.Context, p Params, seed uint64, index int) (Couple, error) {
	if err := p.Validate(); err != nil {
		return Couple{}, err
	}
	return simulate(ctx, p, DrawCouple(p, seed, index), seed)
}

// simulate runs one couple.
func simulate(ctx context.Context, p Params, d Draw, seed uint64) (Couple, error) {
	s, err := newSim(ctx, p, d, seed)
	if err != nil {
		return Couple{}, err
	}
	if err := s.run(); err != nil {
		return Couple{}, fmt.Errorf("simulate: couple %d, day %d: %w", d.Index, s.day, err)
	}
	return Couple{Draw: d, Events: s.st.events}, nil
}

type breachSim struct {
	b        trust.Breach
	accounts [2]bool
	accepted bool
	pending  *trust.AcknowledgementID
	rounds   int
}

type needSim struct {
	id     trust.NeedsRequestID
	from   int
	status trust.NeedsStatus
	since  int
}

type flagSim struct {
	id    trust.SafetyFlagID
	owner int
	clear int
}

// sim is one couple's running simulation. It is used by one goroutine.
type sim struct {
	ctx    context.Context
	p      Params
	d      Draw
	r      rng
	ids    trust.IDSource
	clock  *trust.ManualClock
	st     *streamStore
	eng    *exercise.Engine
	rel    trust.Relationship
	pid    [2]trust.PartnerID
	loc    *time.Location
	start  time.Time
	day    int
	base   time.Time
	minute int
	hazard float64
	flag   *flagSim
	commit [2]trust.CommitmentAnswer
	breach []*breachSim
	needs  []*needSim
	agreed *agreement.ID
	signed [2]bool
	active bool
	latent [2]float64 // trust in the other partner, 0–10
	home   [2]float64 // the level trust decays back toward
	close  [2]float64
	open   []*openAssignment
	seen   int
}

var catalogue = exercise.DefaultCatalogue()

// exerciseInfo is what the simulation needs of each catalogue exercise,
// read once rather than copied out of the catalogue per assignment.
var exerciseInfo = func() map[string]exerciseFacts {
	out := map[string]exerciseFacts{}
	for _, e := range catalogue.Exercises() {
		out[e.Key] = exerciseFacts{mode: e.Mode, minutes: e.Minutes}
	}
	return out
}()

type exerciseFacts struct {
	mode    exercise.Mode
	minutes int
}

func newScheduler(name string) exercise.Scheduler {
	quiet := &exercise.QuietHours{Start: exercise.LocalTime{Hour: 22}, End: exercise.LocalTime{Hour: 8}}
	opts := exercise.ComposeOptions{Name: name, WeeklyLimit: 6, Protected: []string{"agreement"}, QuietHours: quiet, LowAdherence: 0.5}
	switch name {
	case "phase":
		return exercise.Compose(opts, exercise.AgreementDriven(exercise.AgreementOptions{}), exercise.PhaseSequence(exercise.PhaseOptions{}))
	case "adaptive":
		return exercise.Compose(opts, exercise.AgreementDriven(exercise.AgreementOptions{}), exercise.Adaptive(exercise.AdaptiveOptions{}))
	}
	return exercise.DefaultScheduler(catalogue)
}

// eventsPerWeek sizes a couple's stream up front: a simulated couple writes
// about 13 events a week on the default model.
const eventsPerWeek = 16

func newSim(ctx context.Context, p Params, d Draw, seed uint64) (*sim, error) {
	buf := make([]trust.Event, 0, eventsPerWeek*p.Weeks)
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return nil, err
	}
	first, _ := time.Parse(time.DateOnly, p.StartDate)
	start := time.Date(first.Year(), first.Month(), first.Day()+d.StartDay, 19, 0, 0, 0, loc).UTC()
	s := &sim{ctx: ctx, p: p, d: d, r: newRNG(CoupleSeed(seed, d.Index, "behaviour")),
		ids:   chachaIDs{r: newChaCha(CoupleSeed(seed, d.Index, "ids"))},
		clock: trust.NewManualClock(start), st: &streamStore{events: buf[:0]}, loc: loc, start: start,
	}
	s.eng, err = exercise.NewEngine(exercise.Options{Store: s.st, Clock: s.clock, IDs: s.ids, Catalogue: catalogue,
		Scheduler: newScheduler(d.Scheduler)})
	if err != nil {
		return nil, err
	}
	for i := range 2 {
		if s.pid[i], err = trust.NewID[trust.Partner](s.ids); err != nil {
			return nil, err
		}
	}
	relID, err := trust.NewID[trust.Relationship](s.ids)
	if err != nil {
		return nil, err
	}
	s.rel = trust.Relationship{ID: relID, TimeZone: d.TimeZone, Started: start,
		Partners: [2]trust.Partner{{ID: s.pid[0], DisplayName: "Partner 1"}, {ID: s.pid[1], DisplayName: "Partner 2"}}}
	for i, c := range d.Consent {
		if c {
			s.rel.ResearchConsent = append(s.rel.ResearchConsent, s.pid[i])
		}
	}
	// Latent trust: the hurt partner's falls with the breach's severity;
	// the other's is dented less. A mutual breach hurts both.
	sev := float64(d.Severity.Rank())
	for i := range 2 {
		hurt := i == 1 || d.Mutual
		if hurt {
			s.latent[i] = 9 - 1.4*sev - 1.5*s.r.Float64()
		} else {
			s.latent[i] = 6 + 2*s.r.Float64()
		}
		s.home[i] = s.latent[i]
		s.close[i] = 3 + 3*s.r.Float64()
	}
	if h := d.SafetyIncidence; h > 0 && h < 1 {
		s.hazard = 1 - math.Pow(1-h, 1/float64(7*p.Weeks))
	} else if h >= 1 {
		s.hazard = 1
	}
	return s, nil
}

// at sets the clock a few minutes later in the evening of the current day.
func (s *sim) at(minutes int) {
	s.minute += minutes
	s.clock.Set(s.base.Add(time.Duration(s.minute) * time.Minute))
}

func (s *sim) do(actor trust.Actor, data trust.Payload, vis trust.Visibility, seal string) ([]trust.Event, error) {
	s.at(1 + s.r.IntN(4))
	res, err := s.eng.Do(s.ctx, s.rel.ID, actor, exercise.Command{Data: data, Visibility: vis, SealKey: seal})
	return res.Events, err
}

func (s *sim) partner(i int) trust.Actor { return trust.PartnerActor(s.pid[i]) }

func (s *sim) paused() bool { return s.flag != nil }

func (s *sim) run() error {
	if _, err := s.eng.StartJourney(s.ctx, s.rel, mustProfile(s.d.Profile)); err != nil {
		return err
	}
	days := 7 * s.p.Weeks
	for s.day = 0; s.day < days; s.day++ {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		s.base = time.Date(s.start.In(s.loc).Year(), s.start.In(s.loc).Month(), s.start.In(s.loc).Day()+s.day, 19, 0, 0, 0, s.loc).UTC()
		s.minute = 0
		s.clock.Set(s.base)
		steps := []func() error{s.safety, s.weekly, s.firstDay, s.accounts, s.acknowledgements, s.needsRequests,
			s.agreement, s.assignments, s.checkIns}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		s.drift()
	}
	return nil
}

func mustProfile(key string) trust.Profile {
	p, _ := trust.LookupProfile(key)
	return p
}

// firstDay records the breach and both partners' first commitment answers.
func (s *sim) firstDay() error {
	if s.day != 0 {
		return nil
	}
	b := s.newBreach(s.d.BreachKind, s.d.Severity, s.d.Discovery, s.d.Ongoing, nil)
	revealer := 1
	if b.Discovery == trust.Disclosed {
		revealer = 0
	}
	if _, err := s.do(s.partner(revealer), &b, "", ""); err != nil {
		return err
	}
	s.breach = append(s.breach, &breachSim{b: b})
	for i := range 2 {
		if err := s.stateCommitment(i); err != nil {
			return err
		}
	}
	return nil
}

func (s *sim) newBreach(kind trust.BreachKind, sev trust.Severity, disc trust.Discovery, ongoing bool, related *trust.BreachID) trust.Breach {
	id, _ := trust.NewID[trust.Breach](s.ids)
	now := s.clock.Now()
	happened := now.AddDate(0, 0, -(7 + s.r.IntN(365)))
	light := now.AddDate(0, 0, -s.r.IntN(14))
	if light.Before(happened) {
		light = happened
	}
	revealer := s.pid[1]
	if disc == trust.Disclosed {
		revealer = s.pid[0]
	}
	return trust.Breach{ID: id, Kind: kind, Severity: sev, Happened: trust.TimeRange{Start: happened},
		CameToLight: trust.TimeRange{Start: light}, Discovery: disc, RevealedBy: revealer, Ongoing: ongoing,
		CausedBy: s.pid[0], Mutual: s.d.Mutual, RelatedTo: related}
}

func (s *sim) stateCommitment(i int) error {
	e := s.d.Engagement[i]
	ans := trust.CommitUnsure
	switch u := s.r.Float64(); {
	case u < 0.45+0.55*e:
		ans = trust.CommitYes
	case u > 0.97+0.03*e:
		ans = trust.CommitNo
	}
	s.commit[i] = ans
	_, err := s.do(s.partner(i), &trust.Commitment{Partner: s.pid[i], Answer: ans}, "", "")
	return err
}

// safety raises a flag at the couple's daily hazard, and clears it when
// its time comes. The hurt partner raises three flags in four.
func (s *sim) safety() error {
	if s.flag != nil {
		if s.day < s.flag.clear {
			return nil
		}
		f := s.flag
		s.flag = nil
		_, err := s.do(s.partner(f.owner), &trust.SafetyFlagCleared{Flag: f.id, Partner: s.pid[f.owner]}, "", "")
		return err
	}
	if s.day == 0 || !s.r.chance(s.hazard) {
		return nil
	}
	owner := 1
	if s.r.chance(0.25) {
		owner = 0
	}
	id, err := trust.NewID[trust.SafetyFlag](s.ids)
	if err != nil {
		return err
	}
	kinds := []trust.SafetyKind{trust.SafetyKind(s.r.pick(safetyKinds))}
	weeks := s.p.Dynamics.SafetyWeeks
	dur := 1 + int(s.r.ExpFloat64()*weeks*7)
	s.flag = &flagSim{id: id, owner: owner, clear: s.day + dur}
	_, err = s.do(s.partner(owner), &trust.SafetyFlag{ID: id, Partner: s.pid[owner], Kinds: kinds, Note: "a private note"}, "", "")
	return err
}

var safetyKinds = []Choice{{"fear", 4}, {"coercive_control", 2}, {"threats", 2}, {"violence", 1}, {"self_harm_risk", 1}}

// weekly runs once a week: a setback week, a new disclosure, the end of an
// ongoing breach, and a fresh commitment answer every four weeks.
func (s *sim) weekly() error {
	if s.day == 0 || s.day%7 != 0 {
		return nil
	}
	dyn := s.p.Dynamics
	if s.r.chance(s.d.SetbackPropensity) {
		for i := range 2 {
			s.latent[i] -= dyn.SetbackDrop * (0.5 + s.r.Float64())
			s.close[i] -= dyn.SetbackDrop / 2
		}
	}
	first := s.breach[0]
	if s.r.chance(dyn.DisclosureRate * s.d.SetbackPropensity * (1 - s.d.Honesty[0])) {
		disc := trust.Discovered
		if s.r.chance(s.d.Honesty[0]) {
			disc = trust.Disclosed
		}
		sev := trust.Severity(s.r.pick([]Choice{{"minor", 2}, {"moderate", 2}, {string(first.b.Severity), 1}}))
		id := first.b.ID
		b := s.newBreach(first.b.Kind, sev, disc, false, &id)
		revealer := 1
		if disc == trust.Disclosed {
			revealer = 0
		}
		if _, err := s.do(s.partner(revealer), &b, "", ""); err != nil {
			return err
		}
		s.breach = append(s.breach, &breachSim{b: b})
		s.latent[1] -= dyn.DisclosureDrop
		if s.d.Mutual {
			s.latent[0] -= dyn.DisclosureDrop / 2
		}
	}
	for _, b := range s.breach {
		if b.b.Ongoing && s.r.chance(0.2+0.6*s.d.Honesty[0]) {
			b.b.Ongoing = false
			if _, err := s.do(s.partner(0), &trust.BreachEnded{Breach: b.b.ID, Note: "it has stopped"}, "", ""); err != nil {
				return err
			}
		}
	}
	if s.day%28 == 0 {
		for i := range 2 {
			if err := s.stateCommitment(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// accounts: each partner tells their account of each breach, sooner the
// more engaged they are.
func (s *sim) accounts() error {
	for _, b := range s.breach {
		for i := range 2 {
			if b.accounts[i] || !s.r.chance(0.15+0.45*s.d.Engagement[i]) {
				continue
			}
			id, err := trust.NewID[trust.Account](s.ids)
			if err != nil {
				return err
			}
			a := trust.Account{ID: id, Breach: b.b.ID, Partner: s.pid[i], WhatHappened: "what happened as I saw it",
				MyPart: "what my part was"}
			if _, err := s.do(s.partner(i), &a, trust.Sealed, trust.AccountSealKey(b.b.ID)); err != nil {
				return err
			}
			b.accounts[i] = true
		}
	}
	return nil
}

// acknowledgements: once both accounts of a breach are in, the partner who
// caused it acknowledges it; the hurt partner answers a day or more later,
// accepting with a probability that rises with the acknowledging partner's
// honesty and with each round.
func (s *sim) acknowledgements() error {
	if s.paused() {
		return nil
	}
	for _, b := range s.breach {
		if b.accepted || !b.accounts[0] || !b.accounts[1] {
			continue
		}
		if b.pending != nil {
			if !s.r.chance(0.6) {
				continue
			}
			p := math.Min(0.95, 0.15+0.55*s.d.Honesty[0]+0.1*float64(b.rounds-1))
			ans := trust.AcknowledgementAnswer{Acknowledgement: *b.pending, Partner: s.pid[1], Response: trust.AckNotYet,
				StillNeeded: "more of what happened"}
			if s.r.chance(p) {
				ans.Response, ans.StillNeeded = trust.AckAccepted, ""
			}
			if _, err := s.do(s.partner(1), &ans, "", ""); err != nil {
				return err
			}
			b.pending = nil
			if ans.Response == trust.AckAccepted {
				b.accepted = true
				s.latent[1] += s.p.Dynamics.AcceptedGain
				s.home[1] += s.p.Dynamics.AcceptedGain / 2
			}
			continue
		}
		if !s.r.chance(0.1 + 0.4*s.d.Engagement[0]) {
			continue
		}
		id, err := trust.NewID[trust.Acknowledgement](s.ids)
		if err != nil {
			return err
		}
		a := trust.Acknowledgement{ID: id, Breach: b.b.ID, Partner: s.pid[0], Harm: "the harm", Responsibility: "my responsibility",
			NoBlameShift: true, Feelings: "your feelings", Remorse: "my regret", WillChange: "what I will change", Observable: "how you will see it"}
		if _, err := s.do(s.partner(0), &a, "", ""); err != nil {
			return err
		}
		b.pending = &id
		b.rounds++
	}
	return nil
}

var needCategories = []Choice{{"quality_time", 3}, {"support", 2}, {"reassurance", 3}, {"transparency", 3}, {"space", 1},
	{"affection", 2}, {"help", 1}}

// needsRequests: once the first breach's accounts are in, each partner asks
// for needs now and then; the other answers, and the asker closes them.
func (s *sim) needsRequests() error {
	if s.paused() || !s.breach[0].accounts[0] || !s.breach[0].accounts[1] {
		return nil
	}
	for _, n := range s.needs {
		other := 1 - n.from
		switch n.status {
		case trust.NeedsStatusOpen, trust.NeedsStatusNeedsTime:
			if !s.r.chance(0.5) {
				continue
			}
			e := s.d.Engagement[other]
			ans := trust.NeedsAnswer{Request: n.id, Partner: s.pid[other]}
			switch u := s.r.Float64(); {
			case u < 0.35+0.4*e:
				ans.Reply, n.status = trust.NeedsAccepted, trust.NeedsStatusAccepted
			case u < 0.55+0.35*e:
				ans.Reply, ans.CounterOffer, n.status = trust.NeedsCounterOffer, "something I can do", trust.NeedsStatusCounterOffered
			case u < 0.8:
				ans.Reply, n.status = trust.NeedsNeedsTime, trust.NeedsStatusNeedsTime
			default:
				ans.Reply, ans.Reason, n.status = trust.NeedsDeclined, "not now", trust.NeedsStatusDeclined
			}
			n.since = s.day
			if _, err := s.do(s.partner(other), &ans, "", ""); err != nil {
				return err
			}
		case trust.NeedsStatusAccepted, trust.NeedsStatusCounterOffered:
			outcome := trust.NeedsOutcome("")
			switch {
			case s.r.chance(0.05 + 0.15*s.d.Adherence[other]):
				outcome = trust.NeedsFulfilled
			case s.day-n.since > 28:
				outcome = trust.NeedsLapsed
			}
			if outcome == "" {
				continue
			}
			n.status = trust.NeedsStatus(outcome)
			if _, err := s.do(s.partner(n.from), &trust.NeedsClosed{Request: n.id, Outcome: outcome}, "", ""); err != nil {
				return err
			}
		}
	}
	s.needs = slices.DeleteFunc(s.needs, func(n *needSim) bool { return n.status.Closed() || n.status == trust.NeedsStatusDeclined })
	for i := range 2 {
		if !s.r.chance(s.p.Dynamics.NeedsRate * s.d.Engagement[i] / 7) {
			continue
		}
		id, err := trust.NewID[trust.NeedsRequest](s.ids)
		if err != nil {
			return err
		}
		req := trust.NeedsRequest{ID: id, From: s.pid[i], Category: trust.NeedCategory(s.r.pick(needCategories)),
			Feeling: "uneasy", Situation: "our evenings", Need: "a concrete step"}
		if _, err := s.do(s.partner(i), &req, "", ""); err != nil {
			return err
		}
		s.needs = append(s.needs, &needSim{id: id, from: i, status: trust.NeedsStatusOpen, since: s.day})
	}
	return nil
}

// agreement: after the first week the couple drafts an agreement with a
// weekly check-in (and often a date night); each partner signs when ready.
func (s *sim) agreement() error {
	if s.paused() || s.active {
		return nil
	}
	if s.agreed == nil {
		mean := (s.d.Engagement[0] + s.d.Engagement[1]) / 2
		if s.day < 7 || !s.r.chance(s.p.Dynamics.AgreementRate*mean) {
			return nil
		}
		now := s.clock.Now()
		d, err := agreement.NewDraft(s.rel, s.ids, now, "How we reconnect", "Regular time to talk, and time for each other.")
		if err != nil {
			return err
		}
		startsOn := now.In(s.loc).Format(time.DateOnly)
		if _, err := d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Weekly check-in", Ritual: "weekly_checkin",
			CommittedBy: agreement.Both(s.rel), Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: startsOn, At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})}); err != nil {
			return err
		}
		if s.r.chance(s.p.Dynamics.DateNightRate) {
			if _, err := d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Date night", Ritual: "date_night",
				CommittedBy: agreement.Both(s.rel), Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: startsOn, At: "19:30", Duration: 2 * time.Hour, Grace: 12 * time.Hour})}); err != nil {
				return err
			}
		}
		a, err := d.Agreement()
		if err != nil {
			return err
		}
		by := s.r.IntN(2)
		if _, err := s.do(s.partner(by), &agreement.Proposed{Agreement: a, ProposedBy: s.pid[by]}, "", ""); err != nil {
			return err
		}
		s.agreed = &a.ID
		return nil
	}
	for i := range 2 {
		if s.signed[i] || !s.r.chance(0.3+0.5*s.d.Engagement[i]) {
			continue
		}
		s.at(2)
		signed, err := s.eng.SignAgreement(s.ctx, s.rel.ID, s.partner(i), agreement.Signed{Agreement: *s.agreed})
		if err != nil {
			return err
		}
		s.signed[i] = true
		for _, e := range signed.Events {
			if e.Type == agreement.TypeActivated {
				s.active = true
				for j := range 2 {
					s.latent[j] += s.p.Dynamics.AgreementGain
					s.home[j] += s.p.Dynamics.AgreementGain / 2
				}
			}
		}
	}
	return nil
}

var skipReasons = []Choice{{"not_now", 4}, {"too_much", 2}, {"not_a_fit", 2}, {"already_covered", 1}}

// openAssignment is an assignment the couple has not decided on yet, learnt
// from the proposals the engine wrote.
type openAssignment struct {
	id           exercise.AssignmentID
	participants []trust.PartnerID
	mode         exercise.Mode
	minutes      int
	start, end   time.Time
}

// track reads the events appended since the last call and keeps the list of
// undecided assignments: a proposal adds one, an expiry removes it.
func (s *sim) track() {
	for _, e := range s.st.events[s.seen:] {
		switch d := e.Data.(type) {
		case *exercise.AssignmentProposed:
			ex := exerciseInfo[d.Exercise]
			s.open = append(s.open, &openAssignment{id: d.Assignment, participants: d.Participants, mode: ex.mode,
				minutes: ex.minutes, start: d.DueStart, end: d.DueEnd})
		case *exercise.AssignmentScheduled:
			for _, o := range s.open {
				if o.id == d.Assignment {
					o.start, o.end = d.DueStart, d.DueEnd
				}
			}
		case *exercise.AssignmentExpired:
			s.open = slices.DeleteFunc(s.open, func(o *openAssignment) bool { return o.id == d.Assignment })
		}
	}
	s.seen = len(s.st.events)
}

// assignments: every other day the app brings the plan up to date (one
// Refresh: it expires what is overdue and then turns the scheduler's
// proposals into assignments). An assignment due now is
// decided once, the first day it is due: its participants do it with a
// probability set by their adherence and engagement, or one of them skips
// it, or they let it expire. Joint work waits while it is paused.
func (s *sim) assignments() error {
	s.at(3)
	// The app brings the plan up to date every other day: the scheduler
	// looks a week ahead for rituals and gives other work a window of days,
	// and the simulation tracks what is due from the events in between.
	// Refresh writes the plan's changes; the simulated partners read what is
	// due from the events, so nobody's plan needs to be read back.
	if s.day%2 == 0 {
		if _, err := s.eng.Refresh(s.ctx, s.rel.ID); err != nil {
			return err
		}
	}
	s.track()
	now := s.clock.Now()
	slices.SortStableFunc(s.open, func(a, b *openAssignment) int { return a.start.Compare(b.start) })
	var keep []*openAssignment
	due := []*openAssignment{}
	for _, o := range s.open {
		if now.Before(o.start) || !now.Before(o.end) || (s.paused() && o.mode.Joint()) {
			keep = append(keep, o)
			continue
		}
		due = append(due, o)
	}
	s.open = keep
	for _, a := range due {
		if err := s.decide(a); err != nil {
			return err
		}
	}
	return nil
}

func (s *sim) decide(a *openAssignment) error {
	who := make([]int, 0, 2)
	for _, p := range a.participants {
		who = append(who, s.index(p))
	}
	// A joint assignment is done when the couple agrees to: the chance is
	// the geometric mean of its participants' own chances.
	p := 1.0
	for _, w := range who {
		p *= s.d.Adherence[w] * (0.6 + 0.4*s.d.Engagement[w])
	}
	if !s.r.chance(math.Pow(p, 1/float64(len(who)))) {
		if s.r.chance(0.4) {
			w := who[s.r.IntN(len(who))]
			skip := exercise.AssignmentSkipped{Assignment: a.id, Partner: s.pid[w], Reason: exercise.SkipReason(s.r.pick(skipReasons))}
			if _, err := s.do(s.partner(w), &skip, "", ""); err != nil {
				return err
			}
		}
		return nil
	}
	for _, w := range who {
		if a.mode != exercise.Together || w == who[0] {
			if _, err := s.do(s.partner(w), &exercise.AssignmentStarted{Assignment: a.id, Partner: s.pid[w]}, "", ""); err != nil {
				return err
			}
		}
	}
	for _, w := range who {
		helpful := 1 + int(math.Round(4*clamp01(0.35*s.d.Engagement[w]+0.65*s.r.Float64())))
		s.at(a.minutes / len(who))
		if _, err := s.do(s.partner(w), &exercise.AssignmentCompleted{Assignment: a.id, Partner: s.pid[w], Helpful: helpful,
			Reflection: "what I noticed"}, "", ""); err != nil {
			return err
		}
		gain := s.p.Dynamics.CompletionGain * float64(helpful-2) / 3
		if len(who) == 2 {
			// Joint work done together moves the other partner's trust and
			// one's own closeness, and half of it lasts.
			s.latent[1-w] += gain
			s.home[1-w] += gain / 2
			s.close[w] += gain
		} else {
			s.latent[w] += gain / 2
		}
	}
	return nil
}

func (s *sim) index(p trust.PartnerID) int {
	if p == s.pid[0] {
		return 0
	}
	return 1
}

// checkIns: each partner checks in with a probability that grows with
// engagement, reporting latent trust and closeness with noise.
func (s *sim) checkIns() error {
	for i := range 2 {
		if !s.r.chance(s.p.Dynamics.CheckInRate * s.d.Engagement[i]) {
			continue
		}
		id, err := trust.NewID[progress.CheckIn](s.ids)
		if err != nil {
			return err
		}
		c := progress.CheckIn{ID: id, Partner: s.pid[i], Day: s.clock.Now().In(s.loc).Format(time.DateOnly),
			Trust: s.rating(s.latent[i]), Close: s.rating(s.close[i]), Feelings: []string{"hopeful"}}
		if s.r.chance(0.8) {
			safe := 8.0
			if s.flag != nil && s.flag.owner == i {
				safe = 3
			}
			c.Safe = s.rating(safe)
		}
		s.at(2)
		if _, err := s.eng.RecordCheckIn(s.ctx, s.rel.ID, s.partner(i), c, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *sim) rating(latent float64) *int {
	v := int(math.Round(latent + s.r.normal(s.p.Dynamics.Noise)))
	v = max(0, min(10, v))
	return &v
}

// drift pulls latent trust back toward its home level and keeps every
// latent value on the 0–10 scale.
func (s *sim) drift() {
	for i := range 2 {
		s.latent[i] += s.p.Dynamics.Decay * (s.home[i] - s.latent[i])
		s.latent[i] = math.Max(0, math.Min(10, s.latent[i]))
		s.home[i] = math.Max(0, math.Min(10, s.home[i]))
		s.close[i] = math.Max(0, math.Min(10, s.close[i]))
	}
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }
