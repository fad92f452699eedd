package exercise_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

// exampleSnapshot is a couple in mend's rebuild phase on Wednesday 10 June
// 2026 at 10:00 in London.
func exampleSnapshot() exercise.Snapshot {
	a, _ := trust.ParseID[trust.Partner]("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
	b, _ := trust.ParseID[trust.Partner]("7c9e6679-7425-40de-944b-e07fc1f90ae7")
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	return exercise.Snapshot{
		Now: now, TimeZone: "Europe/London", Seed: 1, Partners: [2]trust.PartnerID{a, b},
		Profile: "mend", Phase: "rebuild", PhaseSince: now.AddDate(0, 0, -10), Alignment: trust.AlignedYes,
		History: map[string]exercise.History{},
	}
}

func show(ps []exercise.Proposal) {
	for _, p := range ps {
		fmt.Printf("%s x%d %s..%s [%s]\n  %s\n", p.Exercise, len(p.Participants),
			p.DueStart.Format("Jan 2 15:04Z"), p.DueEnd.Format("Jan 2 15:04Z"), p.Scheduler, p.Reason)
	}
}

// A weekly check-in agreed for Sundays at 19:00 becomes an assignment at
// each occurrence, due until the end of that local day.
func ExampleAgreementDriven() {
	s := exampleSnapshot()
	s.Occurrences = []exercise.Occurrence{{
		Agreement: uuid.MustParse("3d6f4e2a-1b5c-4e8d-9a7b-2c4d6e8f0a1b"), AgreementTitle: "Our plan",
		Term: "sunday-checkin", Ritual: "weekly_checkin", Start: time.Date(2026, 6, 14, 18, 0, 0, 0, time.UTC),
	}}
	ps, _ := exercise.AgreementDriven(exercise.AgreementOptions{}).Propose(s)
	show(ps)
	// Output:
	// weekly-checkin x2 Jun 14 18:00Z..Jun 14 23:00Z [agreement]
	//   Weekly check-in is part of your agreement "Our plan"; this one is due Sunday 14 June at 19:00.
}

// The phase sequence offers the current phase's exercises in order, two at a time.
func ExamplePhaseSequence() {
	s := exampleSnapshot()
	s.Phase = "understand"
	ps, _ := exercise.PhaseSequence(exercise.PhaseOptions{}).Propose(s)
	show(ps)

	// While joint work is paused, each partner is offered solo support only.
	s.JointWorkPaused = true
	ps, _ = exercise.PhaseSequence(exercise.PhaseOptions{}).Propose(s)
	show(ps)
	// Output:
	// commitment-check x2 Jun 10 09:00Z..Jun 12 23:00Z [phase]
	//   "Do we both want to keep working?" is the next exercise for the phase "Understand what happened".
	// calming-our-cycle x2 Jun 10 09:00Z..Jun 12 23:00Z [phase]
	//   "Naming the cycle we get caught in" is the next exercise for the phase "Understand what happened".
	// self-soothing-break x1 Jun 10 09:00Z..Jun 12 23:00Z [phase]
	//   While joint exercises are on hold, "Taking a break when flooded" is something just for you.
	// self-soothing-break x1 Jun 10 09:00Z..Jun 12 23:00Z [phase]
	//   While joint exercises are on hold, "Taking a break when flooded" is something just for you.
}

// The adaptive scheduler answers a setback with repair, and brings back what
// the couple found helpful on a growing interval.
func ExampleAdaptive() {
	s := exampleSnapshot()
	s.Signals.LastSetback = s.Now.AddDate(0, 0, -2)
	s.History["reflect-until-heard"] = exercise.History{Exercise: "reflect-until-heard", Proposed: 2, Completed: 2,
		LastProposed: s.Now.AddDate(0, 0, -16), LastCompleted: s.Now.AddDate(0, 0, -15), Ratings: 4, RatingSum: 18, Helpful: 2, HelpfulStreak: 2}
	ps, _ := exercise.Adaptive(exercise.AdaptiveOptions{}).Propose(s)
	show(ps)
	// Output:
	// setback-repair x2 Jun 10 09:00Z..Jun 12 23:00Z [adaptive]
	//   After the recent setback, "Repairing after a setback" can help you find your footing again. Setbacks are part of the work, not the end of it.
	// reflect-until-heard x2 Jun 10 09:00Z..Jun 12 23:00Z [adaptive]
	//   You found "Reflecting until it is heard" helpful, so it comes back: 14 days on, and the gap grows each time it helps.
}

// Compose runs schedulers in order with a weekly limit and quiet hours: a
// ritual due at 22:30 local time moves to 08:00 the next morning.
func ExampleCompose() {
	s := exampleSnapshot()
	s.Occurrences = []exercise.Occurrence{{Agreement: uuid.MustParse("3d6f4e2a-1b5c-4e8d-9a7b-2c4d6e8f0a1b"),
		Term: "late-reunion", Ritual: "daily_reunion", Start: time.Date(2026, 6, 10, 21, 30, 0, 0, time.UTC),
		End: time.Date(2026, 6, 10, 22, 30, 0, 0, time.UTC)}}
	sc := exercise.Compose(exercise.ComposeOptions{
		WeeklyLimit: 2, Protected: []string{"agreement"},
		QuietHours: &exercise.QuietHours{Start: exercise.LocalTime{Hour: 22}, End: exercise.LocalTime{Hour: 8}},
	}, exercise.AgreementDriven(exercise.AgreementOptions{}), exercise.PhaseSequence(exercise.PhaseOptions{}))
	ps, _ := sc.Propose(s)
	show(ps)
	// Output:
	// daily-reunion x2 Jun 11 07:00Z..Jun 11 08:00Z [agreement]
	//   Reunion conversation is part of your agreement; this one is due Wednesday 10 June at 22:30.
	// commitment-check x2 Jun 10 09:00Z..Jun 12 23:00Z [phase]
	//   "Do we both want to keep working?" is the next exercise for the phase "Rebuild".
}

// An app's own scheduler is a few lines: here, a gratitude ritual every
// evening at 20:00 local time. Composing it (or wrapping it with Guard)
// keeps the safety rule and contraindications in force.
func ExampleSchedulerFunc() {
	evening := exercise.Named("evening-thanks", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			return nil, err
		}
		l := s.Now.In(loc)
		at := time.Date(l.Year(), l.Month(), l.Day(), 20, 0, 0, 0, loc)
		return []exercise.Proposal{{Exercise: "appreciation", Participants: s.Partners[:],
			DueStart: at, DueEnd: at.Add(2 * time.Hour), Reason: "An appreciation before the day ends."}}, nil
	}))
	sc := exercise.Compose(exercise.ComposeOptions{}, evening)

	s := exampleSnapshot()
	ps, _ := sc.Propose(s)
	show(ps)
	s.JointWorkPaused = true
	ps, _ = sc.Propose(s)
	fmt.Println("while paused:", len(ps))
	// Output:
	// appreciation x2 Jun 10 19:00Z..Jun 10 21:00Z [evening-thanks]
	//   An appreciation before the day ends.
	// while paused: 0
}
