// Command quickstart walks one couple through the start of a journey with
// mend's trust package: a breach, both partners' accounts, an acknowledgement
// and its answer, a needs request, and the journey's phase and gates. It is
// deterministic: the same run prints the same text.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mendkit/mend/trust"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

type journal struct {
	ids    trust.IDSource
	clock  *trust.ManualClock
	rel    trust.Relationship
	events []trust.Event
	j      *trust.Journey
}

func (w *journal) record(actor trust.Actor, p trust.Payload, vis trust.Visibility, seal string) error {
	id, err := trust.NewID[trust.Event](w.ids)
	if err != nil {
		return err
	}
	e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: w.rel.ID, Sequence: trust.Sequence(len(w.events) + 1),
		Recorded: w.clock.Now(), Actor: actor, Visibility: vis, SealKey: seal})
	if err != nil {
		return err
	}
	if w.j == nil {
		w.j, err = trust.NewJourney(e)
	} else {
		err = w.j.Apply(e)
	}
	if err != nil {
		return err
	}
	w.events = append(w.events, e)
	w.clock.Advance(6 * time.Hour)
	return nil
}

func run() error {
	ids := trust.SeededIDs(2026)
	w := &journal{ids: ids, clock: trust.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	w.rel = trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: w.clock.Now(),
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex", Pronouns: "they/them"}, {ID: sam, DisplayName: "Sam", Pronouns: "she/her"}}}
	A, S := trust.PartnerActor(alex), trust.PartnerActor(sam)

	fmt.Println("== mend quickstart: one couple, the first weeks of a journey ==")
	if err := w.record(trust.SystemActor, &trust.JourneyStarted{Relationship: w.rel, Profile: trust.DefaultProfile()}, "", ""); err != nil {
		return err
	}
	fmt.Printf("Alex and Sam start a journey with the %q profile; phase: %s\n", w.j.Profile().Key, w.j.Phase().Title)

	breachID, _ := trust.NewID[trust.Breach](ids)
	breach := &trust.Breach{ID: breachID, Kind: trust.BreachFinancialSecrecy, Severity: trust.SeveritySerious,
		Happened:    trust.TimeRange{Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: ptr(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))},
		CameToLight: trust.TimeRange{Start: time.Date(2026, 2, 20, 19, 0, 0, 0, time.UTC)},
		Discovery:   trust.Discovered, RevealedBy: sam, CausedBy: alex, Ongoing: true}
	if err := w.record(S, breach, "", ""); err != nil {
		return err
	}
	fmt.Printf("Sam records a breach: %s (%s), discovered, still ongoing\n", breach.Kind, breach.Severity)

	seal := trust.AccountSealKey(breachID)
	accA, _ := trust.NewID[trust.Account](ids)
	if err := w.record(A, &trust.Account{ID: accA, Breach: breachID, Partner: alex,
		WhatHappened: "I ran up a card debt and hid the statements for months.",
		MyPart:       "I was ashamed and chose to hide it instead of telling Sam."}, trust.Sealed, seal); err != nil {
		return err
	}
	fmt.Println("Alex writes an account, sealed: Sam sees", len(trust.Filter(w.events, trust.PartnerViewer(sam))), "entries so far")
	accS, _ := trust.NewID[trust.Account](ids)
	if err := w.record(S, &trust.Account{ID: accS, Breach: breachID, Partner: sam,
		WhatHappened: "I found a letter from the bank by chance.",
		MyPart:       "I had stopped asking about money because our talks about it always turned into fights."}, trust.Sealed, seal); err != nil {
		return err
	}
	fmt.Println("Sam writes hers under the same seal: both accounts are now revealed; Alex sees", len(trust.Filter(w.events, trust.PartnerViewer(alex))), "entries")

	for _, p := range []trust.PartnerID{alex, sam} {
		if err := w.record(trust.PartnerActor(p), &trust.Commitment{Partner: p, Answer: trust.CommitYes}, "", ""); err != nil {
			return err
		}
	}
	fmt.Println("Both answer the commitment question privately; the couple sees only:", w.j.Alignment())

	pc, err := w.j.Advance(w.clock.Now())
	if err != nil {
		return err
	}
	if err := w.record(trust.SystemActor, &pc, "", ""); err != nil {
		return err
	}
	fmt.Println("Gates met; phase:", w.j.Phase().Title)

	ackID, _ := trust.NewID[trust.Acknowledgement](ids)
	if err := w.record(A, &trust.Acknowledgement{ID: ackID, Breach: breachID, Partner: alex,
		Harm: "You learned from a stranger's letter what I should have told you.", Responsibility: "Hiding it was my decision.",
		NoBlameShift: true, Feelings: "You feel shut out and unsure what else I keep from you.", Remorse: "I am sorry.",
		WillChange: "We open every statement together on the first Sunday of the month.", Observable: "You will see each statement before I do."}, "", ""); err != nil {
		return err
	}
	if err := w.record(S, &trust.AcknowledgementAnswer{Acknowledgement: ackID, Partner: sam, Response: trust.AckNotYet,
		StillNeeded: "I need the card closed, not only the statements shared."}, "", ""); err != nil {
		return err
	}
	rounds, accepted := w.j.AcknowledgementRounds(breachID)
	fmt.Printf("Alex acknowledges; Sam answers \"not yet\" (rounds: %d, accepted: %v)\n", rounds, accepted)

	if err := w.record(A, &trust.BreachEnded{Breach: breachID, Note: "The card is closed."}, "", ""); err != nil {
		return err
	}
	ack2, _ := trust.NewID[trust.Acknowledgement](ids)
	if err := w.record(A, &trust.Acknowledgement{ID: ack2, Breach: breachID, Partner: alex,
		Harm: "The secrecy made our money feel unsafe to you.", Responsibility: "I kept the card and the secret.",
		NoBlameShift: true, Feelings: "You were scared and alone with it.", Remorse: "I regret it deeply.",
		WillChange: "The card is closed and I will tell you about any spending over 100 pounds the same day.", Observable: "Monthly statements, opened together."}, "", ""); err != nil {
		return err
	}
	if err := w.record(S, &trust.AcknowledgementAnswer{Acknowledgement: ack2, Partner: sam, Response: trust.AckAccepted}, "", ""); err != nil {
		return err
	}
	rounds, accepted = w.j.AcknowledgementRounds(breachID)
	fmt.Printf("The card is closed; a second round lands (rounds: %d, accepted: %v)\n", rounds, accepted)

	needID, _ := trust.NewID[trust.NeedsRequest](ids)
	need := &trust.NeedsRequest{ID: needID, From: sam, Category: trust.NeedReassurance, Feeling: "uneasy",
		Situation: "the weeks between statements", Need: "a five-minute money check-in every Sunday"}
	if err := w.record(S, need, "", ""); err != nil {
		return err
	}
	if err := w.record(A, &trust.NeedsAnswer{Request: needID, Partner: alex, Reply: trust.NeedsAccepted}, "", ""); err != nil {
		return err
	}
	status, _ := w.j.NeedsStatus(needID)
	fmt.Printf("Sam asks: %q -> %s\n", need.Sentence(), status)

	pc, err = w.j.Advance(w.clock.Now())
	if err != nil {
		return err
	}
	if err := w.record(trust.SystemActor, &pc, "", ""); err != nil {
		return err
	}
	fmt.Println("Phase:", w.j.Phase().Title)
	_, err = w.j.Advance(w.clock.Now())
	var gates *trust.GateError
	if errors.As(err, &gates) {
		fmt.Println("Before the next phase:")
		for _, g := range gates.Unmet {
			fmt.Printf("  - %s: %s\n", g.Gate.Kind, g.Reason)
		}
	}
	fmt.Printf("The stream holds %d events; Alex may read %d, Sam %d.\n", len(w.events),
		len(trust.Filter(w.events, trust.PartnerViewer(alex))), len(trust.Filter(w.events, trust.PartnerViewer(sam))))
	return nil
}

func ptr[T any](v T) *T { return &v }
