package mend_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

// The packages together: the exercise engine records trust facts for a
// couple, follows the protocol profile's gates and plans what is due, and
// every read is scoped to a viewer.
func Example() {
	ctx := context.Background()
	ids := trust.SeededIDs(7)
	clock := trust.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng, _ := exercise.NewEngine(exercise.Options{Clock: clock, IDs: ids})

	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "America/New_York", Started: clock.Now(),
		Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}}}
	profile, _ := trust.LookupProfile(trust.ProfileGottman)
	_, _ = eng.StartJourney(ctx, rel, profile)

	breachID, _ := trust.NewID[trust.Breach](ids)
	_, err := eng.RecordBreach(ctx, rel.ID, trust.PartnerActor(alex), trust.Breach{ID: breachID, Kind: trust.BreachEmotionalInfidelity,
		Severity: trust.SeveritySerious, Happened: trust.TimeRange{Start: clock.Now().AddDate(0, -6, 0)},
		CameToLight: trust.TimeRange{Start: clock.Now().AddDate(0, 0, -2)}, Discovery: trust.Disclosed,
		RevealedBy: alex, CausedBy: alex, Ongoing: true})
	fmt.Println("breach recorded:", err == nil)

	view, _ := eng.View(ctx, rel.ID, trust.PartnerViewer(sam))
	fmt.Println("phase:", view.Phase.Title)
	for _, g := range view.Gates {
		if !g.Met {
			fmt.Println("still needed:", g.Gate.Kind)
		}
	}
	// Output:
	// breach recorded: true
	// phase: Atone
	// still needed: both_committed
	// still needed: breach_not_ongoing
	// still needed: acknowledgement_accepted
}
