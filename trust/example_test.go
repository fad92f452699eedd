package trust_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mendkit/mend/trust"
)

// A journey is a fold over events: start it, record facts, and ask whether
// the gates to the next phase are met.
func ExampleJourney() {
	ids := trust.SeededIDs(42)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: now,
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}}}

	seq := trust.Sequence(0)
	event := func(actor trust.Actor, p trust.Payload) trust.Event {
		seq++
		id, _ := trust.NewID[trust.Event](ids)
		e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: seq, Recorded: now, Actor: actor})
		if err != nil {
			panic(err)
		}
		return e
	}

	j, _ := trust.NewJourney(event(trust.SystemActor, &trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()}))
	breachID, _ := trust.NewID[trust.Breach](ids)
	_ = j.Apply(event(trust.PartnerActor(alex), &trust.Breach{ID: breachID, Kind: trust.BreachFinancialSecrecy,
		Severity: trust.SeveritySerious, Happened: trust.TimeRange{Start: now.AddDate(-1, 0, 0)},
		CameToLight: trust.TimeRange{Start: now.AddDate(0, 0, -3)}, Discovery: trust.Disclosed, RevealedBy: alex, CausedBy: alex}))

	fmt.Println("phase:", j.Phase().Key)
	_, err := j.Advance(now)
	var gates *trust.GateError
	if errors.As(err, &gates) {
		for _, g := range gates.Unmet {
			fmt.Println("waiting for:", g.Gate.Kind)
		}
	}
	// Output:
	// phase: understand
	// waiting for: accounts_given
	// waiting for: both_committed
}

// Filter shows each viewer only what they may see: here, a private safety
// flag is visible to the partner who raised it and to nobody else, while the
// other partner learns only that joint work is paused.
func ExampleFilter() {
	ids := trust.SeededIDs(7)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "America/Chicago", Started: now,
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}}}
	var events []trust.Event
	add := func(actor trust.Actor, p trust.Payload) {
		id, _ := trust.NewID[trust.Event](ids)
		e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: trust.Sequence(len(events) + 1), Recorded: now, Actor: actor})
		if err != nil {
			panic(err)
		}
		events = append(events, e)
	}
	add(trust.SystemActor, &trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()})
	flagID, _ := trust.NewID[trust.SafetyFlag](ids)
	add(trust.PartnerActor(sam), &trust.SafetyFlag{ID: flagID, Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}})

	j, _ := trust.ReplayJourney(events)
	fmt.Println("sam sees", len(trust.Filter(events, trust.PartnerViewer(sam))), "events")
	fmt.Println("alex sees", len(trust.Filter(events, trust.PartnerViewer(alex))), "event")
	fmt.Println("alex's view, joint work paused:", j.View(trust.PartnerViewer(alex), now).JointWorkPaused)
	fmt.Println("alex's view, own flags:", len(j.View(trust.PartnerViewer(alex), now).MyActiveFlags))
	// Output:
	// sam sees 2 events
	// alex sees 1 event
	// alex's view, joint work paused: true
	// alex's view, own flags: 0
}

// Apps write their own protocol profiles as JSON; ParseProfile validates them
// and names the field at fault.
func ExampleParseProfile() {
	_, err := trust.ParseProfile([]byte(`{"key":"our-way","version":1,"title":"Our way","summary":"Two steps.",
		"phases":[{"key":"talk","title":"Talk","purpose":"Say what happened.","exit":[{"kind":"accounts_givn"}]},
		{"key":"heal","title":"Heal","purpose":"Rebuild."}]}`))
	fmt.Println(err)
	// Output:
	// trust: phases.0.exit.0.kind: "accounts_givn" is not a gate kind
}

// Prepare checks an event without changing the journey; the caller commits
// it once every fold it keeps has accepted it.
func ExampleJourney_Prepare() {
	ids := trust.SeededIDs(7)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: now,
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}}}
	build := func(seq trust.Sequence, actor trust.Actor, p trust.Payload) trust.Event {
		id, _ := trust.NewID[trust.Event](ids)
		e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: seq, Recorded: now, Actor: actor})
		if err != nil {
			panic(err)
		}
		return e
	}
	j, _ := trust.NewJourney(build(1, trust.SystemActor, &trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()}))

	// Alex cannot state Sam's commitment.
	_, err := j.Prepare(build(2, trust.PartnerActor(alex), &trust.Commitment{Partner: sam, Answer: trust.CommitYes}))
	fmt.Println(err)

	commit, err := j.Prepare(build(2, trust.PartnerActor(alex), &trust.Commitment{Partner: alex, Answer: trust.CommitYes}))
	if err != nil {
		panic(err)
	}
	fmt.Println("before commit:", j.Sequence())
	commit() // here, once every other fold accepted the event too
	fmt.Println("after commit:", j.Sequence())
	// Output:
	// trust: trust.commitment_stated: data: partner 8485e61a-f0b9-4291-beaa-14370b0b83e6 may not write about partner 4e0c8134-5dcd-4e18-b2bb-fe49107ae7d8; it is written by the partner it is about
	// before commit: 1
	// after commit: 2
}
