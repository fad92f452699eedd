package progress

import (
	"slices"

	"github.com/mendkit/mend/internal/check"
)

// Options tune the analysis. The zero value of any field means its default
// (see [DefaultOptions]); call [Options.Validate] to check explicit values.
// All windows are in local days of the relationship's time zone.
type Options struct {
	// HalfLifeDays is the half-life of the smoothed trust level (default 7).
	HalfLifeDays float64 `json:"half_life_days,omitempty"`
	// SlopeWindowDays is the window of the weekly slope, ending today (default 28).
	SlopeWindowDays int `json:"slope_window_days,omitempty"`
	// BaselineCheckIns is how many of the first (and latest) check-in days
	// form the baseline (and the current value) of the reliable change (default 3).
	BaselineCheckIns int `json:"baseline_checkins,omitempty"`
	// TrustSD is the standard deviation of the 0–10 trust rating assumed by
	// the Reliable Change Index (default 2.0). It is a stated assumption, not
	// a published norm: set it from your own population when you have one.
	TrustSD float64 `json:"trust_sd,omitempty"`
	// TrustReliability is the reliability of the trust rating assumed by the
	// Reliable Change Index (default 0.8), likewise a stated assumption.
	TrustReliability float64 `json:"trust_reliability,omitempty"`
	// DropThreshold is how far below the recent smoothed level a day's trust
	// must fall to count as a setback (default 2 points).
	DropThreshold float64 `json:"drop_threshold,omitempty"`
	// RecoveryTolerance is how close to the level before a setback the
	// smoothed level must come back to count as recovered (default 0.5 points).
	RecoveryTolerance float64 `json:"recovery_tolerance,omitempty"`
	// GapThreshold is the difference between the partners' levels that counts
	// as a gap (default 3 points).
	GapThreshold float64 `json:"gap_threshold,omitempty"`
	// GapDays is how long a gap must last to be persistent (default 28).
	GapDays int `json:"gap_days,omitempty"`
	// StallWindowDays is the window for "no reliable improvement" and
	// "repeated setbacks" (default 56).
	StallWindowDays int `json:"stall_window_days,omitempty"`
	// RepeatedSetbacks is how many setbacks within the stall window count as
	// repeated (default 2).
	RepeatedSetbacks int `json:"repeated_setbacks,omitempty"`
	// ConsistencyWeeks is the window of the "weeks shown up" counter (default 8).
	ConsistencyWeeks int `json:"consistency_weeks,omitempty"`
	// WelcomeBackDays is the gap after which a return is welcomed back (default 14).
	WelcomeBackDays int `json:"welcome_back_days,omitempty"`
	// CheckInWeekMilestones are the counts of weeks with a check-in that are
	// milestones (default 4, 8, 12, 26, 52).
	CheckInWeekMilestones []int `json:"checkin_week_milestones,omitempty"`
	// HeldLevel is the trust level whose holding is a milestone (default 7).
	HeldLevel float64 `json:"held_level,omitempty"`
	// HeldWeeks is how long the level must hold (default 4).
	HeldWeeks int `json:"held_weeks,omitempty"`
	// DistressWindowDays is how recent a screen must be to count (default 28).
	DistressWindowDays int `json:"distress_window_days,omitempty"`
}

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{HalfLifeDays: 7, SlopeWindowDays: 28, BaselineCheckIns: 3, TrustSD: 2, TrustReliability: 0.8,
		DropThreshold: 2, RecoveryTolerance: 0.5, GapThreshold: 3, GapDays: 28, StallWindowDays: 56,
		RepeatedSetbacks: 2, ConsistencyWeeks: 8, WelcomeBackDays: 14, CheckInWeekMilestones: []int{4, 8, 12, 26, 52},
		HeldLevel: 7, HeldWeeks: 4, DistressWindowDays: 28}
}

// withDefaults fills zero fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setI := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setF(&o.HalfLifeDays, d.HalfLifeDays)
	setI(&o.SlopeWindowDays, d.SlopeWindowDays)
	setI(&o.BaselineCheckIns, d.BaselineCheckIns)
	setF(&o.TrustSD, d.TrustSD)
	setF(&o.TrustReliability, d.TrustReliability)
	setF(&o.DropThreshold, d.DropThreshold)
	setF(&o.RecoveryTolerance, d.RecoveryTolerance)
	setF(&o.GapThreshold, d.GapThreshold)
	setI(&o.GapDays, d.GapDays)
	setI(&o.StallWindowDays, d.StallWindowDays)
	setI(&o.RepeatedSetbacks, d.RepeatedSetbacks)
	setI(&o.ConsistencyWeeks, d.ConsistencyWeeks)
	setI(&o.WelcomeBackDays, d.WelcomeBackDays)
	if len(o.CheckInWeekMilestones) == 0 {
		o.CheckInWeekMilestones = d.CheckInWeekMilestones
	}
	o.CheckInWeekMilestones = slices.Clone(o.CheckInWeekMilestones)
	slices.Sort(o.CheckInWeekMilestones)
	o.CheckInWeekMilestones = slices.Compact(o.CheckInWeekMilestones)
	setF(&o.HeldLevel, d.HeldLevel)
	setI(&o.HeldWeeks, d.HeldWeeks)
	setI(&o.DistressWindowDays, d.DistressWindowDays)
	return o
}

// Validate checks explicit values; zero values stand for defaults.
func (o Options) Validate() error {
	bad := func(f, msg string) error { return check.Invalid(pkgName, f, "%s", msg) }
	switch {
	case o.HalfLifeDays < 0 || o.HalfLifeDays > 365:
		return bad("half_life_days", "must be between 0 and 365")
	case o.SlopeWindowDays < 0 || o.SlopeWindowDays > 3650:
		return bad("slope_window_days", "must be between 0 and 3650")
	case o.BaselineCheckIns < 0 || o.BaselineCheckIns > 100:
		return bad("baseline_checkins", "must be between 0 and 100")
	case o.TrustSD < 0 || o.TrustSD > 10:
		return bad("trust_sd", "must be between 0 and 10")
	case o.TrustReliability < 0 || o.TrustReliability >= 1:
		return bad("trust_reliability", "must be in [0, 1)")
	case o.DropThreshold < 0 || o.DropThreshold > 10:
		return bad("drop_threshold", "must be between 0 and 10")
	case o.RecoveryTolerance < 0 || o.RecoveryTolerance > 10:
		return bad("recovery_tolerance", "must be between 0 and 10")
	case o.GapThreshold < 0 || o.GapThreshold > 10:
		return bad("gap_threshold", "must be between 0 and 10")
	case o.GapDays < 0 || o.StallWindowDays < 0 || o.RepeatedSetbacks < 0 || o.ConsistencyWeeks < 0 ||
		o.WelcomeBackDays < 0 || o.HeldWeeks < 0 || o.DistressWindowDays < 0:
		return bad("", "day, week and count options must not be negative")
	case o.ConsistencyWeeks > 520 || o.StallWindowDays > 3650 || o.GapDays > 3650 || o.HeldWeeks > 520:
		return bad("", "windows must be at most ten years")
	case o.HeldLevel < 0 || o.HeldLevel > 10:
		return bad("held_level", "must be between 0 and 10")
	}
	for i, n := range o.CheckInWeekMilestones {
		if n < 1 || n > 520 {
			return bad("checkin_week_milestones."+itoa(i), "must be between 1 and 520")
		}
	}
	return nil
}
