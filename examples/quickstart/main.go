// Command quickstart tells one couple's first twelve weeks with mend, driven
// through the exercise engine on a simulated clock: a breach and both
// partners' accounts, an acknowledgement that lands on its second round, needs
// asked for and answered, an agreement with a weekly check-in and a Friday date
// night, daily check-ins and the exercises the scheduler plans, a setback and
// its recovery, then the progress report, its trend, a recommendation and an
// SVG chart written to a file. The run is deterministic: the same program
// prints the same story and writes the same bytes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

func main() {
	chart := flag.String("chart", filepath.Join(os.TempDir(), "mend-quickstart-chart.svg"), "where to write the SVG chart")
	flag.Parse()
	if err := run(context.Background(), *chart); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

type story struct {
	ctx   context.Context
	eng   *exercise.Engine
	clock *trust.ManualClock
	ids   trust.IDSource
	rel   trust.Relationship
	alex  trust.PartnerID
	sam   trust.PartnerID
	done  map[string]int

	agreement agreement.ID
}

// out is where the story is told; tests capture it.
var out io.Writer = os.Stdout

func say(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

func (s *story) day() string { return s.clock.Now().In(time.UTC).Format("Mon 2 Jan") }

func run(ctx context.Context, chartPath string) error {
	s := &story{ctx: ctx, clock: trust.NewManualClock(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)), ids: trust.SeededIDs(2026), done: map[string]int{}}
	eng, err := exercise.NewEngine(exercise.Options{Clock: s.clock, IDs: s.ids})
	if err != nil {
		return err
	}
	s.eng = eng

	say("== mend quickstart: twelve weeks of one couple's journey ==")
	say("mend is not therapy and makes no diagnosis; this is a simulated couple.")
	// The engine fills in every ID left zero: the partners', the
	// relationship's, and later each breach's, account's, request's and
	// check-in's.
	started, err := eng.StartJourney(ctx, trust.Relationship{TimeZone: "Europe/London",
		Partners: [2]trust.Partner{{DisplayName: "Alex", Pronouns: "they/them"}, {DisplayName: "Sam", Pronouns: "she/her"}}}, trust.DefaultProfile())
	if err != nil {
		return err
	}
	if s.rel, err = eng.Relationship(ctx, started.ID); err != nil {
		return err
	}
	s.alex, s.sam = s.rel.Partners[0].ID, s.rel.Partners[1].ID
	say("\n%s  Alex and Sam begin, following mend's own profile (understand, acknowledge, rebuild, sustain).", s.day())
	if err := s.firstWeek(); err != nil {
		return err
	}
	for week := 1; week <= 12; week++ {
		if err := s.week(week); err != nil {
			return fmt.Errorf("week %d: %w", week, err)
		}
	}
	return s.report(chartPath)
}

func (s *story) phase() string {
	v, _ := s.eng.View(s.ctx, s.rel.ID, trust.PartnerViewer(s.alex))
	return v.Phase.Title
}

func (s *story) firstWeek() error {
	ctx, rel := s.ctx, s.rel.ID
	alex, sam := trust.PartnerActor(s.alex), trust.PartnerActor(s.sam)
	breach := trust.Breach{Kind: trust.BreachFinancialSecrecy, Severity: trust.SeveritySerious,
		Happened:    trust.TimeRange{Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: ptr(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))},
		CameToLight: trust.TimeRange{Start: time.Date(2026, 2, 20, 19, 0, 0, 0, time.UTC)},
		Discovery:   trust.Discovered, RevealedBy: s.sam, CausedBy: s.alex, Ongoing: true}
	recorded, err := s.eng.RecordBreach(ctx, rel, sam, breach)
	if err != nil {
		return err
	}
	breachID := recorded.ID
	say("%s  Sam names the breach: %s, %s, discovered, still going on.", s.day(), breach.Kind, breach.Severity)
	for _, a := range []struct {
		by      trust.Actor
		account trust.Account
	}{
		{alex, trust.Account{Breach: breachID, WhatHappened: "I ran up a card debt and hid the statements for months.", MyPart: "I was ashamed and hid it instead of telling Sam."}},
		{sam, trust.Account{Breach: breachID, WhatHappened: "I found a letter from the bank by chance.", MyPart: "I had stopped asking about money because those talks always turned into fights."}},
	} {
		if _, err := s.eng.RecordAccount(ctx, rel, a.by, a.account); err != nil {
			return err
		}
	}
	say("           Both write their own account, sealed until both have written.")
	for _, p := range []trust.Actor{alex, sam} {
		if _, err := s.eng.StateCommitment(ctx, rel, p, trust.Commitment{Answer: trust.CommitYes}); err != nil {
			return err
		}
	}
	say("           Each privately says they want to keep working on it; the couple sees only: aligned.")
	say("           Phase now: %s.", s.phase())

	s.clock.Advance(24 * time.Hour)
	ack := trust.Acknowledgement{Breach: breachID,
		Harm: "You learned from a letter what I should have told you.", Responsibility: "Hiding it was my decision.", NoBlameShift: true,
		Feelings: "You feel shut out and unsure what else I keep from you.", Remorse: "I am sorry.",
		WillChange: "We open every statement together.", Observable: "You see each statement before I do."}
	first, err := s.eng.Acknowledge(ctx, rel, alex, ack)
	if err != nil {
		return err
	}
	if _, err := s.eng.AnswerAcknowledgement(ctx, rel, sam, trust.AcknowledgementAnswer{Acknowledgement: first.ID,
		Response: trust.AckNotYet, StillNeeded: "I need the card closed, not only the statements shared."}); err != nil {
		return err
	}
	say("%s  Alex acknowledges the harm; Sam answers: not yet (the card is still open).", s.day())
	s.clock.Advance(48 * time.Hour)
	if _, err := s.eng.EndBreach(ctx, rel, alex, trust.BreachEnded{Breach: breachID, Note: "The card is closed."}); err != nil {
		return err
	}
	ack2 := ack
	ack2.WillChange = "The card is closed, and I tell you the same day about any spending over 100 pounds."
	second, err := s.eng.Acknowledge(ctx, rel, alex, ack2)
	if err != nil {
		return err
	}
	if _, err := s.eng.AnswerAcknowledgement(ctx, rel, sam, trust.AcknowledgementAnswer{Acknowledgement: second.ID, Response: trust.AckAccepted}); err != nil {
		return err
	}
	say("%s  The card is closed; the second acknowledgement lands. Phase now: %s.", s.day(), s.phase())

	for _, n := range []struct {
		from, to trust.PartnerID
		cat      trust.NeedCategory
		feel     string
		about    string
		need     string
	}{
		{s.sam, s.alex, trust.NeedReassurance, "uneasy", "the weeks between statements", "a short money talk every Sunday"},
		{s.alex, s.sam, trust.NeedQualityTime, "lonely", "evenings spent on our phones", "one evening a week that is just ours"},
	} {
		req := trust.NeedsRequest{Category: n.cat, Feeling: n.feel, Situation: n.about, Need: n.need}
		asked, err := s.eng.RequestNeed(ctx, rel, trust.PartnerActor(n.from), req)
		if err != nil {
			return err
		}
		if _, err := s.eng.AnswerNeed(ctx, rel, trust.PartnerActor(n.to), trust.NeedsAnswer{Request: asked.ID, Reply: trust.NeedsAccepted}); err != nil {
			return err
		}
		say("           %q — accepted.", req.Sentence())
	}

	d, err := agreement.NewDraft(s.rel, s.ids, s.clock.Now(), "How we rebuild", "Honest money talk every week, and time that is just ours.")
	if err != nil {
		return err
	}
	sunday := s.clock.Now().Format(time.DateOnly)
	for _, t := range []agreement.Term{
		{Kind: agreement.Ritual, Title: "Sunday check-in", Ritual: "weekly_checkin", CommittedBy: agreement.Both(s.rel),
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: sunday, At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})},
		{Kind: agreement.Ritual, Title: "Friday date night", Ritual: "date_night", CommittedBy: agreement.Both(s.rel),
			Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: sunday, At: "19:30", Duration: 2 * time.Hour, Grace: 12 * time.Hour})},
	} {
		if _, err := d.Add(t); err != nil {
			return err
		}
	}
	a, err := d.Agreement()
	if err != nil {
		return err
	}
	if _, err := s.eng.ProposeAgreement(s.ctx, rel, sam, a); err != nil {
		return err
	}
	for _, p := range []trust.Actor{sam, alex} {
		// No transparency terms: nothing to consent to beyond signing.
		if _, err := s.eng.SignAgreement(s.ctx, rel, p, agreement.Signed{Agreement: a.ID}); err != nil {
			return err
		}
	}
	say("           They sign %q: a Sunday check-in at 19:00 and a Friday date night at 19:30, London time.", a.Title)
	s.agreement = a.ID
	cal, err := s.eng.Calendar(s.ctx, rel, a.ID)
	if err != nil {
		return err
	}
	say("           Next on the calendar (exported as iCalendar, %d bytes):", len(cal))
	for _, line := range nextOccurrences(cal, 3) {
		say("             %s", line)
	}
	return nil
}

// trustFor is the simulated couple's trust on a day: rising slowly, with a
// setback in week 6 when an old bill turns up, and recovery after it.
func trustFor(week, day int, p int) int {
	base := 3 + week/2
	if p == 1 {
		base = 2 + week/2
	}
	if week == 6 && day >= 2 && day <= 4 {
		base -= 4
	}
	return max(0, min(10, base))
}

func (s *story) week(week int) error {
	ctx, rel := s.ctx, s.rel.ID
	for day := range 7 {
		for pi, p := range []trust.PartnerID{s.alex, s.sam} {
			// The app brings the journey up to date (expiring what is
			// overdue, proposing what is due), then reads the plan.
			if _, err := s.eng.Refresh(ctx, rel); err != nil {
				return err
			}
			plan, err := s.eng.Plan(ctx, rel, p)
			if err != nil {
				return err
			}
			for _, it := range plan.Items {
				if !it.DueNow {
					continue
				}
				if err := s.doAssignment(it, p, week, day); err != nil {
					return err
				}
			}
			c := progress.CheckIn{Trust: ptr(trustFor(week, day, pi)), Close: ptr(min(10, 3+week/2))}
			if _, err := s.eng.RecordCheckIn(ctx, rel, trust.PartnerActor(p), c, nil); err != nil {
				return err
			}
		}
		if week == 6 && day == 2 {
			say("\n%s  A setback: an old unpaid bill arrives, and both partners' trust drops.", s.day())
		}
		s.clock.Advance(24 * time.Hour)
	}
	if week%3 == 0 || week == 12 {
		say("%s  End of week %d — phase: %s; exercises completed so far: %d.", s.day(), week, s.phase(), s.total())
	}
	return nil
}

func (s *story) total() int {
	n := 0
	for _, v := range s.done {
		n += v
	}
	return n
}

// doAssignment completes a due assignment, or skips one now and then, as
// real couples do; a skip never counts against anyone.
func (s *story) doAssignment(it exercise.PlanItem, p trust.PartnerID, week, day int) error {
	by := trust.PartnerActor(p)
	if week == 6 && it.Assignment.Exercise == "date-night-planning" {
		// The week of the setback, the date night does not happen.
		_, err := s.eng.SkipAssignment(s.ctx, s.rel.ID, by, exercise.AssignmentSkipped{Assignment: it.Assignment.ID, Reason: exercise.SkipNotNow})
		if errors.Is(err, trust.ErrInvalidTransition) {
			return nil // the other partner already skipped it
		}
		return err
	}
	if (week+day)%9 == 0 && !slices.Contains(it.Assignment.Started, p) && len(it.Assignment.Participants) == 1 {
		_, err := s.eng.SkipAssignment(s.ctx, s.rel.ID, by, exercise.AssignmentSkipped{Assignment: it.Assignment.ID, Reason: exercise.SkipNotNow})
		return err
	}
	started := slices.Contains(it.Assignment.Started, p) || (it.Mode == exercise.Together && len(it.Assignment.Started) > 0)
	if !started {
		if _, err := s.eng.StartAssignment(s.ctx, s.rel.ID, by, exercise.AssignmentStarted{Assignment: it.Assignment.ID}); err != nil {
			return err
		}
	}
	_, err := s.eng.CompleteAssignment(s.ctx, s.rel.ID, by, exercise.AssignmentCompleted{Assignment: it.Assignment.ID, Helpful: 3 + (week+day)%3})
	if errors.Is(err, trust.ErrInvalidTransition) {
		return nil // the other partner's completion already closed it
	}
	if err == nil && it.Assignment.Participants[0] == p {
		s.done[it.Title]++
	}
	return err
}

// nextOccurrences lists the first n event summaries and start times of an
// iCalendar export, as a calendar app would show them.
func nextOccurrences(ics []byte, n int) []string {
	var out []string
	var summary string
	for _, line := range strings.Split(strings.ReplaceAll(string(ics), "\r\n", "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "SUMMARY:"):
			summary = strings.TrimPrefix(line, "SUMMARY:")
		case strings.HasPrefix(line, "DTSTART;TZID="):
			if len(out) < n {
				out = append(out, summary+" from "+line[strings.Index(line, ":")+1:]+" ("+strings.TrimPrefix(line[:strings.Index(line, ":")], "DTSTART;TZID=")+")")
			}
		}
	}
	return out
}

func (s *story) report(chartPath string) error {
	comp, err := s.eng.Compliance(s.ctx, s.rel.ID, s.rel.Started, s.clock.Now())
	if err != nil {
		return err
	}
	say("\n== How the agreement was kept ==")
	for _, a := range comp.Agreements {
		say("%s: %d of %d occurrences kept, %d missed, %d not reported.", a.Title, a.Occurrences.Kept, a.Occurrences.Due, a.Occurrences.Missed, a.Occurrences.Unreported)
		for _, t := range a.Terms {
			if t.Strength != nil {
				say("  %s: commitment strength %.2f (forgiving: a missed week lowers it, never resets it)", t.Title, t.Strength.End)
			}
		}
	}
	r, err := s.eng.Report(s.ctx, s.rel.ID, trust.PartnerViewer(s.sam), "en-GB")
	if err != nil {
		return err
	}
	say("\n== Sam's report ==")
	fmt.Fprintln(out, strings.TrimSpace(r.Text()))
	for _, p := range r.Analysis.Partners {
		if p.Outcome.WeeklySlope != nil && p.Outcome.Level != nil {
			say("Trend for %s: level %.1f, %+.2f points a week.", p.Name, *p.Outcome.Level, *p.Outcome.WeeklySlope)
		}
	}
	if len(r.Recommendations) > 0 {
		rec := r.Recommendations[0]
		say("Recommendation (information, not a diagnosis): %s", rec.Support)
		for _, why := range rec.Reasons {
			say("  because: %s", why.Text)
		}
	}
	if err := os.WriteFile(chartPath, r.SVG(), 0o644); err != nil {
		return err
	}
	say("\nThe chart of both partners' trust is at %s", chartPath)
	return nil
}

func ptr[T any](v T) *T { return &v }
