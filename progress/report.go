package progress

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mendkit/mend/trust"
)

// ReportVersion is the version of the report format.
const ReportVersion = "1.0"

// Report is a viewer's progress report: the analysis, the professional-help
// recommendations and the disclaimer that goes with them. It is built only
// from what the viewer may see, so one partner's report never shows the other
// partner's private entries, unrevealed sealed answers or safety flags, and it
// never shows an instrument's cut-off label. It renders as JSON (with its
// published schema), as plain text a couple can read ([Report.Text]) and as
// an SVG chart ([Report.SVG]); the same inputs always give the same bytes.
// [Analyzer.Report] builds it.
type Report struct {
	// Version is the report format version, "1.0".
	Version string `json:"version"`
	// Analysis is the viewer's analysis.
	Analysis Analysis `json:"analysis"`
	// Recommendations are suggestions of professional help, with reasons.
	Recommendations []Recommendation `json:"recommendations"`
	// Disclaimer says that the recommendations are information, not a diagnosis.
	Disclaimer string `json:"disclaimer"`
}

// ReportOptions supply what a report's recommendations need beyond the
// analysis: where to find crisis support, and what the viewer's journey view
// says. The zero value is valid: no crisis resources, nothing paused.
type ReportOptions struct {
	// Locale picks the crisis resources.
	Locale string `json:"locale,omitempty"`
	// Crisis holds crisis resources by locale.
	Crisis CrisisDirectory `json:"crisis,omitempty"`
	// Alignment is the couple's commitment alignment as [trust.Journey.View]
	// reports it to this viewer, if the caller has it; the analysis alone
	// sees only the commitment answers the viewer may read.
	Alignment trust.Alignment `json:"alignment,omitempty"`
	// JointWorkPaused is whether joint work is paused, as [trust.Journey.View]
	// reports it to this viewer (for any reason: a pause or a safety flag,
	// which that view does not tell apart). While it is paused no joint help
	// is suggested.
	JointWorkPaused bool `json:"joint_work_paused,omitempty"`
}

// Report builds the report viewer v may see at now from the analyzer's
// current state: the [Analysis] of [Analyzer.Analysis] and the
// professional-help recommendations that follow from it, as information and
// never a diagnosis. The rules, in order:
//   - an active safety flag the viewer may see → crisis and individual
//     support only for its raiser, never couples work or discernment;
//   - signs of individual distress in a recent screen → individual therapy first;
//   - joint work paused (as the viewer's journey view reports it, in
//     opts) → no joint help, and individual support for the viewer;
//   - a mixed commitment → discernment counselling rather than couples therapy;
//   - stalled progress (no reliable improvement over the window, repeated
//     setbacks, a persistent gap, an acknowledgement answered "not yet") →
//     couples therapy, with the modalities whose signs apply and why.
//
// The recommendations follow only from what the analysis holds, which is
// what v may see, and from opts: a partner never gets a recommendation that
// reveals the other partner's safety flag, screen or private answers.
func (a *Analyzer) Report(v trust.Viewer, now time.Time, opts ReportOptions) Report {
	an := a.Analysis(v, now)
	return Report{Version: ReportVersion, Analysis: an, Recommendations: recommend(an, opts), Disclaimer: Disclaimer}
}

// Text renders the report as a plain-text summary a couple can read. It
// speaks to the viewer as "you", names the other partner, and never shows a
// cut-off label or a score band.
func (r Report) Text() string {
	an := r.Analysis
	var b strings.Builder
	me, isPartner := an.Viewer.Partner()
	name := func(id trust.PartnerID) string {
		if isPartner && id == me {
			return "you"
		}
		for _, p := range an.Partners {
			if p.Partner == id {
				return p.Name
			}
		}
		return "a partner"
	}
	title := "Progress report"
	if isPartner {
		title = "Your progress"
	}
	fmt.Fprintf(&b, "%s, as of %s\n", title, an.Today)
	b.WriteString("Progress is slow and has setbacks; what counts is steady movement over time, not perfection.\n")

	if n := len(an.Phases); n > 0 {
		cur := an.Phases[n-1]
		fmt.Fprintf(&b, "\nWhere you are\n- Phase: %s, for %s.\n", cur.Title, days(cur.DurationMinutes))
		for _, t := range an.PhaseTotals {
			if t.Phase == cur.Phase {
				continue
			}
			fmt.Fprintf(&b, "- Earlier: %s for %s in all.\n", phaseTitle(an, t.Phase), days(t.DurationMinutes))
		}
	}

	b.WriteString("\nTrust over time\n")
	anyTrust := false
	for _, p := range an.Partners {
		o := p.Outcome
		if o.Level == nil {
			continue
		}
		anyTrust = true
		who := name(p.Partner)
		fmt.Fprintf(&b, "- %s: latest %s out of 10, smoothed level %s", capitalise(who), num(*o.Latest), num(*o.Level))
		if o.WeeklySlope != nil {
			switch {
			case *o.WeeklySlope >= 0.05:
				fmt.Fprintf(&b, ", rising about %s a week", num(*o.WeeklySlope))
			case *o.WeeklySlope <= -0.05:
				fmt.Fprintf(&b, ", easing by about %s a week", num(-*o.WeeklySlope))
			default:
				b.WriteString(", steady lately")
			}
		}
		b.WriteString(".\n")
		if c := o.Change; c != nil {
			switch c.Direction {
			case "improved":
				fmt.Fprintf(&b, "  Compared with the start, this is a clear rise, bigger than day-to-day ups and downs (from %s to %s).\n", num(c.Before), num(c.After))
			case "worsened":
				fmt.Fprintf(&b, "  Compared with the start, this is a clear fall (from %s to %s). It is worth talking about together, or with a professional.\n", num(c.Before), num(c.After))
			default:
				fmt.Fprintf(&b, "  Compared with the start (%s to %s), the change is still within ordinary ups and downs.\n", num(c.Before), num(c.After))
			}
		}
	}
	if !anyTrust {
		b.WriteString("- No trust ratings yet.\n")
	}
	if g := an.Gap; g != nil {
		unit := "points"
		if num(g.Latest) == "1" {
			unit = "point"
		}
		fmt.Fprintf(&b, "- Your trust levels are %s %s apart", num(g.Latest), unit)
		if g.Persistent {
			fmt.Fprintf(&b, ", and have been far apart for %d days", g.Days)
		}
		b.WriteString(".\n")
	}

	b.WriteString("\nShowing up\n")
	for _, p := range an.Partners {
		a := p.Activity
		who := capitalise(name(p.Partner))
		if a.CheckIns == 0 {
			fmt.Fprintf(&b, "- %s: no check-ins to show yet.\n", who)
			continue
		}
		fmt.Fprintf(&b, "- %s: checked in during %d of the last %d weeks, and in %d weeks altogether.\n", who, a.RecentWeeks, a.WindowWeeks, a.WeeksShownUp)
		if a.WelcomeBack {
			fmt.Fprintf(&b, "  Welcome back after %d days; everything done before still counts.\n", a.ReturnGapDays)
		}
		if a.AssignmentsCompleted+a.AssignmentsSkipped > 0 {
			fmt.Fprintf(&b, "  Exercises: %d done, %d skipped.\n", a.AssignmentsCompleted, a.AssignmentsSkipped)
		}
	}

	if len(an.Setbacks) > 0 {
		b.WriteString("\nSetbacks\n")
		for _, s := range an.Setbacks {
			fmt.Fprintf(&b, "- %s: %s", s.Day, setbackText(s, name))
			switch {
			case s.Recovered && s.Kind == SetbackSafety:
				fmt.Fprintf(&b, " Cleared on %s.\n", s.RecoveredOn)
			case s.Recovered:
				fmt.Fprintf(&b, " Trust came back within %s.\n", plural(*s.RecoveryDays, "day"))
			case s.Kind == SetbackSafety:
				b.WriteString(" Joint exercises stay paused until you clear it.\n")
			default:
				b.WriteString(" Still recovering; setbacks are part of the work.\n")
			}
		}
	}

	if len(an.Milestones) > 0 {
		b.WriteString("\nMilestones\n")
		for _, m := range an.Milestones {
			fmt.Fprintf(&b, "- %s: %s\n", m.Day, milestoneText(an, m, name))
		}
	}

	if len(r.Recommendations) > 0 {
		b.WriteString("\nProfessional help\n")
		for _, rec := range r.Recommendations {
			fmt.Fprintf(&b, "- %s", supportText(rec.Support))
			if rec.For != nil && !(isPartner && *rec.For == me) {
				fmt.Fprintf(&b, " for %s", name(*rec.For))
			}
			b.WriteString(".\n")
			for _, reason := range rec.Reasons {
				fmt.Fprintf(&b, "  Why: %s\n", reason.Text)
			}
			for _, m := range rec.Modalities {
				fmt.Fprintf(&b, "  Might fit: %s. %s\n", modalityName(m.Modality), m.Why)
			}
			for _, c := range rec.Resources {
				fmt.Fprintf(&b, "  %s", c.Name)
				for _, part := range []string{c.Phone, c.Text, c.URL, c.Hours} {
					if part != "" {
						fmt.Fprintf(&b, " · %s", part)
					}
				}
				b.WriteString("\n")
			}
		}
		fmt.Fprintf(&b, "%s\n", r.Disclaimer)
	}
	return b.String()
}

func phaseTitle(an Analysis, key string) string {
	for _, s := range an.Phases {
		if s.Phase == key {
			return s.Title
		}
	}
	return key
}

func setbackText(s Setback, name func(trust.PartnerID) string) string {
	switch s.Kind {
	case SetbackTrustDrop:
		who := name(*s.Partner)
		if who == "you" {
			return "your trust dipped well below its recent level."
		}
		return who + "'s trust dipped well below its recent level."
	case SetbackDisclosure:
		return "something new came to light."
	case SetbackTermBroken:
		return "a boundary in your agreement was reported broken."
	case SetbackSafety:
		return "you raised a safety concern. This is private to you."
	}
	return "a setback."
}

func milestoneText(an Analysis, m Milestone, name func(trust.PartnerID) string) string {
	who := ""
	if m.Partner != nil {
		who = name(*m.Partner)
	}
	switch m.Kind {
	case MilestoneAcknowledgementAccepted:
		return "an acknowledgement of the breach was accepted."
	case MilestoneFirstAgreementSigned:
		return "the first agreement was signed."
	case MilestoneFirstAgreementActive:
		return "the first agreement came into force."
	case MilestoneCheckInWeeks:
		return fmt.Sprintf("%s checked in during %d different weeks.", capitalise(who), m.Weeks)
	case MilestoneTrustHeld:
		if who == "you" {
			return fmt.Sprintf("your trust has stayed at %s or more for %d weeks.", num(m.Level), m.Weeks)
		}
		return fmt.Sprintf("%s's trust has stayed at %s or more for %d weeks.", who, num(m.Level), m.Weeks)
	case MilestonePhaseAdvanced:
		return "you moved on to " + phaseTitle(an, m.Phase) + "."
	}
	return string(m.Kind)
}

func supportText(s Support) string {
	switch s {
	case SupportCrisis:
		return "Confidential crisis support"
	case SupportIndividual:
		return "Individual therapy"
	case SupportCouples:
		return "Couples therapy"
	case SupportDiscernment:
		return "Discernment counselling"
	}
	return string(s)
}

func modalityName(m Modality) string {
	switch m {
	case ModalityEFT:
		return "emotionally focused therapy (EFT)"
	case ModalityGottman:
		return "the Gottman Method"
	case ModalityCBT:
		return "cognitive behavioural therapy (CBT)"
	case ModalityDBT:
		return "dialectical behaviour therapy (DBT)"
	case ModalityMindfulness:
		return "mindfulness-based work"
	case ModalityPsychodynamic:
		return "psychodynamic therapy"
	}
	return string(m)
}

func days(minutes int64) string {
	return plural(int(minutes/(24*60)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
