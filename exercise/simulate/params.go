package simulate

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/jsonvalue"
	"github.com/mendkit/mend/trust"
)

// Choice is one weighted option of a categorical parameter.
type Choice struct {
	// Value is the option: a profile key, a scheduler name, a breach kind, …
	Value string `json:"value"`
	// Weight is the option's relative weight; weights need not sum to one.
	Weight float64 `json:"weight" jsonschema:"minimum=0"`
}

// Triangular is a triangular distribution on [Min, Max] peaking at Mode: a
// bounded, skewable shape that needs only three numbers a reader can judge.
// Min = Mode = Max gives a constant.
type Triangular struct {
	// Min is the smallest value.
	Min float64 `json:"min"`
	// Mode is the most likely value.
	Mode float64 `json:"mode"`
	// Max is the largest value.
	Max float64 `json:"max"`
}

// Dynamics are the constants of the behaviour model: how a partner's latent
// trust and closeness move, on the 0–10 scale of a check-in.
type Dynamics struct {
	// CheckInRate is the daily probability that a fully engaged partner checks in; it scales with engagement.
	CheckInRate float64 `json:"checkin_rate" jsonschema:"minimum=0,maximum=1"`
	// CompletionGain is how much latent trust and closeness rise when a partner completes an exercise rated helpful (scaled by helpfulness).
	CompletionGain float64 `json:"completion_gain" jsonschema:"minimum=0"`
	// AcceptedGain is how much the hurt partner's trust rises when they accept an acknowledgement.
	AcceptedGain float64 `json:"accepted_gain" jsonschema:"minimum=0"`
	// AgreementGain is how much both partners' trust rises when an agreement comes into force.
	AgreementGain float64 `json:"agreement_gain" jsonschema:"minimum=0"`
	// SetbackDrop is how far latent trust falls in a setback week.
	SetbackDrop float64 `json:"setback_drop" jsonschema:"minimum=0"`
	// DisclosureDrop is how far the hurt partner's trust falls after a new disclosure.
	DisclosureDrop float64 `json:"disclosure_drop" jsonschema:"minimum=0"`
	// Decay pulls latent trust back toward its starting level each day, as a fraction of the gap (0 = none).
	Decay float64 `json:"decay" jsonschema:"minimum=0,maximum=1"`
	// Noise is the standard deviation of the day-to-day noise in a reported rating.
	Noise float64 `json:"noise" jsonschema:"minimum=0"`
	// DisclosureRate scales the weekly hazard of a new disclosure: rate × setback propensity × (1 − honesty of the partner who caused the breach).
	DisclosureRate float64 `json:"disclosure_rate" jsonschema:"minimum=0"`
	// NeedsRate is the weekly probability that a fully engaged partner asks for a need once the accounts are given.
	NeedsRate float64 `json:"needs_rate" jsonschema:"minimum=0,maximum=1"`
	// AgreementRate is the daily probability, once the first week is over, that the couple proposes an agreement (scaled by mean engagement).
	AgreementRate float64 `json:"agreement_rate" jsonschema:"minimum=0,maximum=1"`
	// DateNightRate is the probability that the agreement adds a weekly date night to the weekly check-in.
	DateNightRate float64 `json:"date_night_rate" jsonschema:"minimum=0,maximum=1"`
	// SafetyWeeks is the mean number of weeks a safety flag stays raised before its owner clears it.
	SafetyWeeks float64 `json:"safety_weeks" jsonschema:"minimum=0"`
}

// Params are the parameters of a simulated dataset, read from a JSON
// parameter file (see [ParseParams]; every field is optional and missing
// fields take the value of [DefaultParams]). Categorical parameters are
// weighted lists; continuous ones are triangular distributions. Every draw
// comes from the couple's own seeded source (see [CoupleSeed]).
type Params struct {
	// Couples is how many couples to simulate.
	Couples int `json:"couples" jsonschema:"minimum=1"`
	// Weeks is how many weeks each journey is followed.
	Weeks int `json:"weeks" jsonschema:"minimum=1,maximum=520"`
	// CouplesPerPart is how many couples (by index) go into one output part.
	// Part boundaries depend on nothing else, so any worker count and any
	// shard split write the same parts.
	CouplesPerPart int `json:"couples_per_part" jsonschema:"minimum=1"`
	// ConsentRate is the probability that one partner consents to research
	// use. A couple is exported only if both consent.
	ConsentRate float64 `json:"consent_rate" jsonschema:"minimum=0,maximum=1"`
	// StartDate is the earliest local date a journey starts ("YYYY-MM-DD").
	// Exports carry only days since the start, never dates.
	StartDate string `json:"start_date" jsonschema:"pattern=^[0-9]{4}-[0-9]{2}-[0-9]{2}$"`
	// StartSpreadDays spreads journey starts uniformly over this many days after StartDate.
	StartSpreadDays int `json:"start_spread_days" jsonschema:"minimum=0,maximum=3650"`
	// TimeZones are the couples' IANA time zones.
	TimeZones []Choice `json:"time_zones" jsonschema:"minItems=1"`
	// Profiles are the protocol profiles (built-in keys).
	Profiles []Choice `json:"profiles" jsonschema:"minItems=1"`
	// Schedulers are the schedulers: "default", "phase" or "adaptive" (see [SchedulerNames]).
	Schedulers []Choice `json:"schedulers" jsonschema:"minItems=1"`
	// BreachKinds are the kinds of the first breach.
	BreachKinds []Choice `json:"breach_kinds" jsonschema:"minItems=1"`
	// Severities are the severities of the first breach.
	Severities []Choice `json:"severities" jsonschema:"minItems=1"`
	// DisclosedRate is the probability that the partner who caused the breach disclosed it (otherwise it was discovered).
	DisclosedRate float64 `json:"disclosed_rate" jsonschema:"minimum=0,maximum=1"`
	// OngoingRate is the probability that the breach is still going on when the journey starts.
	OngoingRate float64 `json:"ongoing_rate" jsonschema:"minimum=0,maximum=1"`
	// MutualRate is the probability that both partners broke trust.
	MutualRate float64 `json:"mutual_rate" jsonschema:"minimum=0,maximum=1"`
	// Engagement is each partner's engagement, 0 to 1: how readily they show up, check in and take part.
	Engagement Triangular `json:"engagement"`
	// Honesty is each partner's honesty, 0 to 1: it raises the chance an acknowledgement lands and lowers the chance of a later disclosure.
	Honesty Triangular `json:"honesty"`
	// Adherence is each partner's adherence, 0 to 1: the probability of doing an assignment that is due.
	Adherence Triangular `json:"adherence"`
	// SetbackPropensity is the couple's weekly probability of a setback week.
	SetbackPropensity Triangular `json:"setback_propensity"`
	// SafetyIncidence is the couple's probability of at least one safety flag over the whole journey.
	SafetyIncidence Triangular `json:"safety_incidence"`
	// Dynamics are the constants of the trust model.
	Dynamics Dynamics `json:"dynamics"`
}

// SchedulerNames lists the schedulers a parameter file may name:
// "default" is [exercise.DefaultScheduler]; "phase" composes agreement
// rituals with the phase sequence only; "adaptive" composes agreement
// rituals with the adaptive scheduler only.
func SchedulerNames() []string { return []string{"default", "phase", "adaptive"} }

// DefaultParams returns the documented defaults: 1,000 couples followed for
// 26 weeks, 250 couples a part, four in five partners consenting, the four
// built-in profiles, mostly the default scheduler, the breach kinds and
// severities weighted as couples seeking help commonly report them, and
// moderate engagement, honesty and adherence.
func DefaultParams() Params {
	return Params{
		Couples: 1000, Weeks: 26, CouplesPerPart: 250, ConsentRate: 0.8,
		StartDate: "2026-01-05", StartSpreadDays: 364,
		TimeZones: []Choice{{"Europe/London", 3}, {"America/New_York", 3}, {"America/Los_Angeles", 2},
			{"Europe/Berlin", 2}, {"Australia/Sydney", 1}, {"Asia/Tokyo", 1}},
		Profiles:   []Choice{{trust.ProfileMend, 4}, {trust.ProfileGottman, 2}, {trust.ProfileEFT, 2}, {trust.ProfileGBS, 2}},
		Schedulers: []Choice{{"default", 6}, {"phase", 2}, {"adaptive", 2}},
		BreachKinds: []Choice{{"sexual_infidelity", 3}, {"emotional_infidelity", 3}, {"deception", 2}, {"broken_promise", 1},
			{"financial_secrecy", 1.5}, {"betrayed_confidence", 1}, {"hidden_addiction", 1}, {"emotional_neglect", 1.5},
			{"digital_secrecy", 1.5}},
		Severities:    []Choice{{"minor", 1}, {"moderate", 3}, {"serious", 4}, {"severe", 2}},
		DisclosedRate: 0.4, OngoingRate: 0.15, MutualRate: 0.1,
		Engagement:        Triangular{Min: 0.2, Mode: 0.75, Max: 1},
		Honesty:           Triangular{Min: 0.2, Mode: 0.7, Max: 1},
		Adherence:         Triangular{Min: 0.1, Mode: 0.65, Max: 1},
		SetbackPropensity: Triangular{Min: 0, Mode: 0.05, Max: 0.3},
		SafetyIncidence:   Triangular{Min: 0, Mode: 0.02, Max: 0.2},
		Dynamics: Dynamics{CheckInRate: 0.6, CompletionGain: 0.25, AcceptedGain: 1, AgreementGain: 0.5,
			SetbackDrop: 1.5, DisclosureDrop: 2.5, Decay: 0.01, Noise: 0.7, DisclosureRate: 0.5, NeedsRate: 0.35,
			AgreementRate: 0.08, DateNightRate: 0.6, SafetyWeeks: 2},
	}
}

// ParseParams reads a parameter file over [DefaultParams]: fields the file
// leaves out keep their defaults, unknown fields are refused, and the result
// is validated.
func ParseParams(b []byte) (Params, error) {
	p := DefaultParams()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Params{}, check.Invalid(pkg, "", "parameter file: %v", err)
	}
	if jsonvalue.Trailing(dec, b) {
		return Params{}, check.Invalid(pkg, "", "parameter file: trailing data")
	}
	return p, p.Validate()
}

// Validate checks every parameter.
func (p Params) Validate() error {
	switch {
	case p.Couples < 1:
		return check.Invalid(pkg, "couples", "must be at least 1")
	case p.Weeks < 1 || p.Weeks > 520:
		return check.Invalid(pkg, "weeks", "must be between 1 and 520")
	case p.CouplesPerPart < 1:
		return check.Invalid(pkg, "couples_per_part", "must be at least 1")
	case p.StartSpreadDays < 0 || p.StartSpreadDays > 3650:
		return check.Invalid(pkg, "start_spread_days", "must be between 0 and 3650")
	}
	if _, err := time.Parse(time.DateOnly, p.StartDate); err != nil {
		return check.Invalid(pkg, "start_date", "%q is not a date YYYY-MM-DD", p.StartDate)
	}
	for _, r := range []struct {
		f string
		v float64
	}{{"consent_rate", p.ConsentRate}, {"disclosed_rate", p.DisclosedRate}, {"ongoing_rate", p.OngoingRate},
		{"mutual_rate", p.MutualRate}, {"dynamics.checkin_rate", p.Dynamics.CheckInRate},
		{"dynamics.decay", p.Dynamics.Decay}, {"dynamics.needs_rate", p.Dynamics.NeedsRate},
		{"dynamics.agreement_rate", p.Dynamics.AgreementRate}, {"dynamics.date_night_rate", p.Dynamics.DateNightRate}} {
		if !(r.v >= 0 && r.v <= 1) {
			return check.Invalid(pkg, r.f, "must be between 0 and 1")
		}
	}
	for _, r := range []struct {
		f string
		v float64
	}{{"dynamics.completion_gain", p.Dynamics.CompletionGain}, {"dynamics.accepted_gain", p.Dynamics.AcceptedGain},
		{"dynamics.agreement_gain", p.Dynamics.AgreementGain}, {"dynamics.setback_drop", p.Dynamics.SetbackDrop},
		{"dynamics.disclosure_drop", p.Dynamics.DisclosureDrop}, {"dynamics.noise", p.Dynamics.Noise},
		{"dynamics.disclosure_rate", p.Dynamics.DisclosureRate}, {"dynamics.safety_weeks", p.Dynamics.SafetyWeeks}} {
		if !(r.v >= 0 && r.v <= 10) {
			return check.Invalid(pkg, r.f, "must be between 0 and 10")
		}
	}
	for _, t := range []struct {
		f string
		v Triangular
	}{{"engagement", p.Engagement}, {"honesty", p.Honesty}, {"adherence", p.Adherence},
		{"setback_propensity", p.SetbackPropensity}, {"safety_incidence", p.SafetyIncidence}} {
		if err := t.v.validate(); err != nil {
			return check.Prefix(t.f, err)
		}
	}
	checks := []struct {
		f     string
		list  []Choice
		valid func(string) bool
	}{
		{"time_zones", p.TimeZones, func(s string) bool { _, err := time.LoadLocation(s); return err == nil && s != "Local" && s != "" }},
		{"profiles", p.Profiles, func(s string) bool { _, ok := trust.LookupProfile(s); return ok }},
		{"schedulers", p.Schedulers, func(s string) bool { return slices.Contains(SchedulerNames(), s) }},
		{"breach_kinds", p.BreachKinds, func(s string) bool { return trust.BreachKind(s).Valid() && s != string(trust.BreachOther) }},
		{"severities", p.Severities, func(s string) bool { return trust.Severity(s).Rank() > 0 }},
	}
	for _, c := range checks {
		if len(c.list) == 0 {
			return check.Invalid(pkg, c.f, "needs at least one choice")
		}
		total := 0.0
		for i, ch := range c.list {
			at := c.f + "." + strconv.Itoa(i)
			if !c.valid(ch.Value) {
				return check.Invalid(pkg, at+".value", "%q is not a valid choice", ch.Value)
			}
			if !(ch.Weight >= 0) || math.IsInf(ch.Weight, 0) {
				return check.Invalid(pkg, at+".weight", "must be a finite number at least 0")
			}
			total += ch.Weight
		}
		if !(total > 0) {
			return check.Invalid(pkg, c.f, "the weights sum to zero")
		}
	}
	return nil
}

func (t Triangular) validate() error {
	for _, v := range []float64{t.Min, t.Mode, t.Max} {
		if !(v >= 0 && v <= 1) {
			return check.Invalid(pkg, "", "min, mode and max must lie between 0 and 1")
		}
	}
	if !(t.Min <= t.Mode && t.Mode <= t.Max) {
		return check.Invalid(pkg, "mode", "must satisfy min <= mode <= max")
	}
	return nil
}

const pkg = "simulate"
