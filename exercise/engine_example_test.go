package exercise_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// exampleCouple starts a journey for two partners on a fixed clock and
// seeded IDs, so the examples print the same every time. The engine fills
// in the IDs the relationship leaves zero.
func exampleCouple() (*exercise.Engine, *trust.ManualClock, trust.Relationship) {
	ctx := context.Background()
	clock := trust.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng, err := exercise.NewEngine(exercise.Options{Clock: clock, IDs: trust.SeededIDs(1)})
	if err != nil {
		panic(err)
	}
	started, err := eng.StartJourney(ctx, trust.Relationship{TimeZone: "Europe/London",
		Partners: [2]trust.Partner{{DisplayName: "Alex"}, {DisplayName: "Sam"}}}, trust.DefaultProfile())
	if err != nil {
		panic(err)
	}
	rel, err := eng.Relationship(ctx, started.ID)
	if err != nil {
		panic(err)
	}
	return eng, clock, rel
}

// exampleBreach records a breach Alex caused and both partners' accounts
// and commitment, which moves the journey to its second phase.
func exampleBreach(eng *exercise.Engine, rel trust.Relationship) trust.BreachID {
	ctx := context.Background()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID
	breach, err := eng.RecordBreach(ctx, rel.ID, trust.PartnerActor(sam), trust.Breach{Kind: trust.BreachDeception, Severity: trust.SeverityModerate,
		Happened: trust.TimeRange{Start: rel.Started.AddDate(0, -2, 0)}, CameToLight: trust.TimeRange{Start: rel.Started.AddDate(0, 0, -3)},
		Discovery: trust.Discovered, RevealedBy: sam, CausedBy: alex})
	if err != nil {
		panic(err)
	}
	for _, p := range []trust.PartnerID{alex, sam} {
		if _, err := eng.RecordAccount(ctx, rel.ID, trust.PartnerActor(p), trust.Account{Breach: breach.ID, WhatHappened: "…", MyPart: "…"}); err != nil {
			panic(err)
		}
		if _, err := eng.StateCommitment(ctx, rel.ID, trust.PartnerActor(p), trust.Commitment{Answer: trust.CommitYes}); err != nil {
			panic(err)
		}
	}
	return breach.ID
}

// The engine records facts, follows the protocol's gates and, once a
// refresh has brought the journey up to date, plans the exercises that are
// due, each with its reason.
func ExampleEngine() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex := rel.Partners[0].ID
	exampleBreach(eng, rel)

	if _, err := eng.Refresh(ctx, rel.ID); err != nil {
		panic(err)
	}
	plan, err := eng.Plan(ctx, rel.ID, alex)
	if err != nil {
		panic(err)
	}
	fmt.Println("phase:", plan.Phase)
	for _, it := range plan.Items[:2] {
		fmt.Printf("- %s (%d min): %s\n", it.Title, it.Minutes, it.Reason)
	}
	// Output:
	// phase: acknowledge
	// - Questions and honest answers (40 min): "Questions and honest answers" is the next exercise for the phase "Acknowledge the breakdown".
	// - If it happens again (30 min): "If it happens again" is the next exercise for the phase "Acknowledge the breakdown".
}

// StartJourney fills in the IDs an app leaves zero; Relationship returns
// the couple as recorded.
func ExampleEngine_StartJourney() {
	ctx := context.Background()
	eng, err := exercise.NewEngine(exercise.Options{IDs: trust.SeededIDs(3)})
	if err != nil {
		panic(err)
	}
	started, err := eng.StartJourney(ctx, trust.Relationship{TimeZone: "America/Chicago",
		Partners: [2]trust.Partner{{DisplayName: "Jo"}, {DisplayName: "Kim"}}}, trust.Profile{})
	if err != nil {
		panic(err)
	}
	rel, _ := eng.Relationship(ctx, started.ID)
	view, _ := eng.View(ctx, started.ID, trust.PartnerViewer(rel.Partners[0].ID))
	fmt.Println("partners have IDs:", !rel.Partners[0].ID.IsZero() && !rel.Partners[1].ID.IsZero())
	fmt.Println("events written:", len(started.Events), started.Events[0].Type)
	fmt.Println("phase:", view.Phase.Title)
	// Output:
	// partners have IDs: true
	// events written: 1 trust.journey_started
	// phase: Understand what happened
}

// A command's Result names what it is about, so the next command can refer
// to it: the engine fills the needs request's ID and its From (the writer),
// and the answer names the request.
func ExampleEngine_RequestNeed() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID

	asked, err := eng.RequestNeed(ctx, rel.ID, trust.PartnerActor(sam), trust.NeedsRequest{Category: trust.NeedReassurance,
		Feeling: "uneasy", Situation: "late evenings", Need: "a text when plans change"})
	if err != nil {
		panic(err)
	}
	answered, err := eng.AnswerNeed(ctx, rel.ID, trust.PartnerActor(alex), trust.NeedsAnswer{Request: asked.ID, Reply: trust.NeedsAccepted})
	if err != nil {
		panic(err)
	}
	req := asked.Events[0].Data.(*trust.NeedsRequest)
	fmt.Println(req.Sentence())
	fmt.Println("from Sam:", req.From == sam, "| answer names the request:", answered.ID == asked.ID)

	// Writing as the other partner is refused, naming the field.
	_, err = eng.RequestNeed(ctx, rel.ID, trust.PartnerActor(alex), trust.NeedsRequest{From: sam, Category: trust.NeedSpace,
		Feeling: "tired", Situation: "weekends", Need: "an afternoon alone"})
	var ve *trust.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// I feel uneasy about late evenings and I need a text when plans change.
	// from Sam: true | answer names the request: true
	// true data.from
}

// A partner signs an agreement by naming it; a transparency term in which
// they give access needs their explicit consent to it, listed in
// ConsentsTo. The second signature brings the agreement into force.
func ExampleEngine_SignAgreement() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID
	exampleBreach(eng, rel)

	calendar := agreement.Term{Kind: agreement.Transparency, Title: "Shared calendar", CommittedBy: []trust.PartnerID{alex},
		Timing: agreement.StandingTiming(), ReviewOn: "2026-04-30"}
	proposed, err := eng.ProposeAgreement(ctx, rel.ID, trust.PartnerActor(sam), agreement.Agreement{Version: 1,
		Title: "How we rebuild", Purpose: "No more secrets about evenings.", Terms: []agreement.Term{calendar}})
	if err != nil {
		panic(err)
	}
	term := proposed.Events[0].Data.(*agreement.Proposed).Agreement.Terms[0].ID

	_, err = eng.SignAgreement(ctx, rel.ID, trust.PartnerActor(alex), agreement.Signed{Agreement: proposed.ID})
	var ve *trust.ValidationError
	fmt.Println("without consent:", errors.As(err, &ve), ve.Field)
	_, err = eng.SignAgreement(ctx, rel.ID, trust.PartnerActor(alex), agreement.Signed{Agreement: proposed.ID, ConsentsTo: []agreement.TermID{term}})
	fmt.Println("with consent:", err)
	signed, _ := eng.SignAgreement(ctx, rel.ID, trust.PartnerActor(sam), agreement.Signed{Agreement: proposed.ID})
	for _, e := range signed.Events {
		fmt.Println(e.Type)
	}
	// Output:
	// without consent: true data.consents_to
	// with consent: <nil>
	// agreement.signed
	// agreement.activated
}

// A safety flag pauses joint work at once. The partner who raised it is
// offered individual support; the other partner sees only that joint work
// is paused, and never why.
func ExampleEngine_RaiseSafetyFlag() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID

	_, _ = eng.RaiseSafetyFlag(ctx, rel.ID, trust.PartnerActor(sam), trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyFear}})
	_, _ = eng.Refresh(ctx, rel.ID)

	samsPlan, _ := eng.Plan(ctx, rel.ID, sam)
	alexView, _ := eng.View(ctx, rel.ID, trust.PartnerViewer(alex))
	alexSees, _ := eng.Timeline(ctx, rel.ID, trust.PartnerViewer(alex), trust.TypeSafetyFlagRaised)
	fmt.Println("joint work paused for Alex:", alexView.JointWorkPaused)
	fmt.Println("safety events Alex can read:", len(alexSees))
	for _, it := range samsPlan.Items {
		fmt.Printf("for Sam: %s (%s)\n", it.Title, it.Mode)
	}
	// Output:
	// joint work paused for Alex: true
	// safety events Alex can read: 0
	// for Sam: Taking a break when flooded (solo)
	// for Sam: Finding support just for you (solo)
}

// A command retried with the same idempotency key is applied once: the
// retry returns the first attempt's Result, the filled-in ID included.
func ExampleWithIdempotencyKey() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex := trust.PartnerActor(rel.Partners[0].ID)
	trustToday := 6
	first, _ := eng.RecordCheckIn(ctx, rel.ID, alex, progress.CheckIn{Trust: &trustToday}, nil, exercise.WithIdempotencyKey("req-42"))
	retry, _ := eng.RecordCheckIn(ctx, rel.ID, alex, progress.CheckIn{Trust: &trustToday}, nil, exercise.WithIdempotencyKey("req-42"))
	all, _ := eng.Timeline(ctx, rel.ID, trust.PartnerViewer(rel.Partners[0].ID), progress.TypeCheckInRecorded)
	fmt.Println("same check-in:", first.ID == retry.ID, "| check-ins stored:", len(all))
	// Output:
	// same check-in: true | check-ins stored: 1
}

// Do records any event type, an app's own included, written by the actor
// given; an app's own types pass through mend untouched.
func ExampleEngine_Do() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	sam := trust.PartnerActor(rel.Partners[1].ID)
	note := &trust.RawPayload{Type: "myapp.gratitude_note", JSON: []byte(`{"text":"Thank you for Sunday."}`)}
	res, err := eng.Do(ctx, rel.ID, sam, exercise.Command{Data: note, Visibility: trust.Shared})
	if err != nil {
		panic(err)
	}
	e := res.Events[0]
	fmt.Println(e.Type, e.Actor == sam, e.Visibility, res.ID == e.ID)
	// Output:
	// myapp.gratitude_note true shared true
}

// Bad input is a typed error naming the field, and nothing is written.
func ExampleEngine_StateCommitment() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	_, err := eng.StateCommitment(ctx, rel.ID, trust.PartnerActor(rel.Partners[0].ID), trust.Commitment{Answer: "maybe"})
	var ve *trust.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// true data.answer
}

// A background job brings every journey up to date, say each night, with no
// viewer: overdue work expires and the scheduler proposes new work. A second
// refresh at the same instant finds nothing to do.
func ExampleEngine_Refresh() {
	ctx := context.Background()
	eng, clock, rel := exampleCouple()
	for range 2 {
		res, err := eng.Refresh(ctx, rel.ID)
		if err != nil {
			panic(err)
		}
		fmt.Println(clock.Now().Format("Mon 2 Jan"), "wrote", len(res.Events), "events")
	}
	clock.Advance(4 * 24 * time.Hour)
	res, _ := eng.Refresh(ctx, rel.ID)
	expired := 0
	for _, e := range res.Events {
		if e.Type == exercise.TypeAssignmentExpired {
			expired++
		}
	}
	fmt.Println(clock.Now().Format("Mon 2 Jan"), "wrote", len(res.Events), "events, expiring", expired, "assignments")
	// Output:
	// Mon 2 Mar wrote 4 events
	// Mon 2 Mar wrote 0 events
	// Fri 6 Mar wrote 6 events, expiring 2 assignments
}

// Plan reads a partner's plan and writes nothing: what is due now, and
// what comes later, each with its reason.
func ExampleEngine_Plan() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	sam := rel.Partners[1].ID
	_, _ = eng.Refresh(ctx, rel.ID)
	plan, err := eng.Plan(ctx, rel.ID, sam)
	if err != nil {
		panic(err)
	}
	for _, it := range plan.Items {
		fmt.Printf("%s, %s, due now: %v\n", it.Title, it.Mode, it.DueNow)
	}
	// Output:
	// Naming the cycle we get caught in, together, due now: true
	// Do we both want to keep working?, separate_then_reveal, due now: true
}

// RemindersDue is a query: the app sends what it returns, then records so
// with MarkRemindersSent, and the policy's gap and daily cap count those
// records, even across restarts.
func ExampleEngine_RemindersDue() {
	ctx := context.Background()
	eng, clock, rel := exampleCouple()
	alex := rel.Partners[0].ID
	_, _ = eng.Refresh(ctx, rel.ID)

	due, _ := eng.RemindersDue(ctx, rel.ID, alex)
	fmt.Println(len(due), "due:", due[0].Message)
	sent, err := eng.MarkRemindersSent(ctx, rel.ID, due)
	if err != nil {
		panic(err)
	}
	fmt.Println("recorded:", sent.Events[0].Type, sent.Events[0].Visibility)
	clock.Advance(time.Hour)
	due, _ = eng.RemindersDue(ctx, rel.ID, alex)
	fmt.Println(len(due), "due an hour later")
	// Output:
	// 1 due: "Naming the cycle we get caught in" is ready when you both have about 30 minutes together.
	// recorded: exercise.reminder_sent private
	// 0 due an hour later
}

// Reads are scoped to a viewer: a sealed account is seen by its writer
// alone until the other partner has written theirs.
func ExampleEngine_Timeline() {
	ctx := context.Background()
	eng, _, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID
	breach, _ := eng.RecordBreach(ctx, rel.ID, trust.PartnerActor(sam), trust.Breach{Kind: trust.BreachDeception, Severity: trust.SeverityMinor,
		Happened: trust.TimeRange{Start: rel.Started.AddDate(0, -1, 0)}, CameToLight: trust.TimeRange{Start: rel.Started.AddDate(0, 0, -1)},
		Discovery: trust.Discovered, RevealedBy: sam, CausedBy: alex})
	count := func(p trust.PartnerID) int {
		evs, _ := eng.Timeline(ctx, rel.ID, trust.PartnerViewer(p), trust.TypeAccountGiven)
		return len(evs)
	}
	_, _ = eng.RecordAccount(ctx, rel.ID, trust.PartnerActor(alex), trust.Account{Breach: breach.ID, WhatHappened: "…", MyPart: "…"})
	fmt.Println("accounts Alex reads:", count(alex), "| Sam reads:", count(sam))
	_, _ = eng.RecordAccount(ctx, rel.ID, trust.PartnerActor(sam), trust.Account{Breach: breach.ID, WhatHappened: "…", MyPart: "…"})
	fmt.Println("accounts Alex reads:", count(alex), "| Sam reads:", count(sam))
	// Output:
	// accounts Alex reads: 1 | Sam reads: 0
	// accounts Alex reads: 2 | Sam reads: 2
}

// Report builds a viewer's progress report from what that viewer may see.
func ExampleEngine_Report() {
	ctx := context.Background()
	eng, clock, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID
	for day := range 14 {
		for i, p := range []trust.PartnerID{alex, sam} {
			level := 3 + day/3 + i
			_, _ = eng.RecordCheckIn(ctx, rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: &level}, nil)
		}
		clock.Advance(24 * time.Hour)
	}
	r, err := eng.Report(ctx, rel.ID, trust.PartnerViewer(sam), "en-GB")
	if err != nil {
		panic(err)
	}
	text := r.Text()
	fmt.Println(text[:strings.Index(text, "\n")])
	// Output:
	// Your progress, as of 2026-03-16
}
