package exercise_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// exampleCouple starts a journey for two partners on a fixed clock and
// seeded IDs, so the examples print the same every time.
func exampleCouple() (*exercise.Engine, *trust.ManualClock, trust.IDSource, trust.Relationship) {
	ids := trust.SeededIDs(1)
	clock := trust.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng, err := exercise.NewEngine(exercise.Options{Clock: clock, IDs: ids})
	if err != nil {
		panic(err)
	}
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: clock.Now(),
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}}}
	if _, err := eng.StartJourney(context.Background(), rel, trust.DefaultProfile()); err != nil {
		panic(err)
	}
	return eng, clock, ids, rel
}

// The engine records facts, follows the protocol's gates and plans the
// exercises that are due, each with its reason.
func ExampleEngine() {
	ctx := context.Background()
	eng, _, ids, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID

	breachID, _ := trust.NewID[trust.Breach](ids)
	_, _ = eng.RecordBreach(ctx, rel.ID, sam, trust.Breach{ID: breachID, Kind: trust.BreachDeception, Severity: trust.SeverityModerate,
		Happened: trust.TimeRange{Start: rel.Started.AddDate(0, -2, 0)}, CameToLight: trust.TimeRange{Start: rel.Started.AddDate(0, 0, -3)},
		Discovery: trust.Discovered, RevealedBy: sam, CausedBy: alex})
	for _, p := range []trust.PartnerID{alex, sam} {
		accID, _ := trust.NewID[trust.Account](ids)
		_, _ = eng.RecordAccount(ctx, rel.ID, trust.Account{ID: accID, Breach: breachID, Partner: p, WhatHappened: "…", MyPart: "…"})
		_, _ = eng.StateCommitment(ctx, rel.ID, trust.Commitment{Partner: p, Answer: trust.CommitYes})
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

// A safety flag pauses joint work at once. The partner who raised it is
// offered individual support; the other partner sees only that joint work
// is paused, and never why.
func ExampleEngine_RaiseSafetyFlag() {
	ctx := context.Background()
	eng, _, ids, rel := exampleCouple()
	alex, sam := rel.Partners[0].ID, rel.Partners[1].ID

	flagID, _ := trust.NewID[trust.SafetyFlag](ids)
	_, _ = eng.RaiseSafetyFlag(ctx, rel.ID, trust.SafetyFlag{ID: flagID, Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}})

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
// retry returns the events the first attempt wrote.
func ExampleWithIdempotencyKey() {
	ctx := context.Background()
	eng, _, ids, rel := exampleCouple()
	alex := rel.Partners[0].ID
	checkInID, _ := trust.NewID[progress.CheckIn](ids)
	trustToday := 6
	first, _ := eng.RecordCheckIn(ctx, rel.ID, progress.CheckIn{ID: checkInID, Partner: alex, Trust: &trustToday}, nil, exercise.WithIdempotencyKey("req-42"))
	retry, _ := eng.RecordCheckIn(ctx, rel.ID, progress.CheckIn{ID: checkInID, Partner: alex, Trust: &trustToday}, nil, exercise.WithIdempotencyKey("req-42"))
	all, _ := eng.Timeline(ctx, rel.ID, trust.PartnerViewer(alex), progress.TypeCheckInRecorded)
	fmt.Println("same event:", first[0].ID == retry[0].ID, "| check-ins stored:", len(all))
	// Output:
	// same event: true | check-ins stored: 1
}

// Bad input is a typed error naming the field, and nothing is written.
func ExampleEngine_Do() {
	ctx := context.Background()
	eng, _, _, rel := exampleCouple()
	_, err := eng.StateCommitment(ctx, rel.ID, trust.Commitment{Partner: rel.Partners[0].ID, Answer: "maybe"})
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
	eng, clock, _, rel := exampleCouple()
	for range 2 {
		events, err := eng.Refresh(ctx, rel.ID)
		if err != nil {
			panic(err)
		}
		fmt.Println(clock.Now().Format("Mon 2 Jan"), "wrote", len(events), "events")
	}
	clock.Advance(4 * 24 * time.Hour)
	events, _ := eng.Refresh(ctx, rel.ID)
	expired := 0
	for _, e := range events {
		if e.Type == exercise.TypeAssignmentExpired {
			expired++
		}
	}
	fmt.Println(clock.Now().Format("Mon 2 Jan"), "wrote", len(events), "events, expiring", expired, "assignments")
	// Output:
	// Mon 2 Mar wrote 4 events
	// Mon 2 Mar wrote 0 events
	// Fri 6 Mar wrote 6 events, expiring 2 assignments
}
