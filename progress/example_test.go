package progress_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// exampleStream builds a small journey: the start, then three weeks of
// Sam's daily shared check-ins, and one private note of Sam's.
func exampleStream() (trust.Relationship, []trust.Event) {
	ids := trust.SeededIDs(42)
	sam, _ := trust.NewID[trust.Partner](ids)
	alex, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: start,
		Partners: [2]trust.Partner{{ID: sam, DisplayName: "Sam"}, {ID: alex, DisplayName: "Alex"}}}
	evID, _ := trust.NewID[trust.Event](ids)
	first, _ := trust.NewEvent(&trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()},
		trust.Header{ID: evID, Relationship: rel.ID, Sequence: 1, Recorded: start, Actor: trust.SystemActor})
	events := []trust.Event{first}
	for d := 1; d <= 21; d++ {
		at := start.AddDate(0, 0, d)
		level := 4 + d/7
		entry := progress.Entry{Partner: sam, Trust: &level}
		if d == 21 {
			entry.Note = "Harder than I expected, but better."
		}
		checkInID, _ := trust.NewID[progress.CheckIn](ids)
		evID, _ := trust.NewID[trust.Event](ids)
		noteID, _ := trust.NewID[trust.Event](ids)
		evs, err := progress.CheckInEvents(entry, checkInID, rel,
			trust.Header{ID: evID, Sequence: trust.Sequence(len(events) + 1), Recorded: at}, noteID)
		if err != nil {
			panic(err)
		}
		events = append(events, evs...)
	}
	return rel, events
}

// A timeline shows each viewer only what they may see.
func ExampleTimeline() {
	rel, events := exampleStream()
	tl := progress.NewTimeline()
	if _, err := tl.AppendAll(events); err != nil {
		panic(err)
	}
	notes := progress.Query{Types: []string{progress.TypeCheckInNoteRecorded}}
	sam, alex := trust.PartnerViewer(rel.Partners[0].ID), trust.PartnerViewer(rel.Partners[1].ID)
	fmt.Println("events:", tl.Len())
	fmt.Println("Sam sees his note:", len(tl.Read(sam, notes)))
	fmt.Println("Alex sees it:", len(tl.Read(alex, notes)))
	// Output:
	// events: 23
	// Sam sees his note: 1
	// Alex sees it: 0
}

// An Analyzer is kept current one event at a time and asked for a viewer's
// analysis and a partner's scheduler signals whenever needed.
func ExampleAnalyzer() {
	rel, events := exampleStream()
	a, err := progress.NewAnalyzer(progress.Options{})
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		if err := a.Observe(e); err != nil {
			panic(err)
		}
	}
	sam := rel.Partners[0].ID
	now := time.Date(2026, 3, 24, 12, 0, 0, 0, time.UTC)
	an := a.Analysis(trust.PartnerViewer(sam), now)
	s, _ := an.Signals(sam)
	fmt.Printf("ratings %d, level %.1f, slope %+.1f/week, consistency %.2f\n",
		an.Partners[0].Outcome.Ratings, *s.Level, *s.WeeklySlope, s.Consistency)
	// Output: ratings 21, level 5.4, slope +1.0/week, consistency 0.50
}

// An Analyzer's Report is a viewer's analysis with suggestions of
// professional help, rendered as text (and as JSON and SVG).
func ExampleAnalyzer_Report() {
	rel, events := exampleStream()
	a, err := progress.NewAnalyzer(progress.Options{})
	if err != nil {
		panic(err)
	}
	if err := a.ObserveAll(events); err != nil {
		panic(err)
	}
	now := time.Date(2026, 3, 24, 12, 0, 0, 0, time.UTC)
	r := a.Report(trust.PartnerViewer(rel.Partners[0].ID), now, progress.ReportOptions{Locale: "en-GB"})
	text := r.Text()
	fmt.Println(text[:strings.Index(text, "\n")])
	fmt.Println(strings.Contains(text, "Harder than I expected"), bytes.HasPrefix(r.SVG(), []byte("<svg")))
	// Output:
	// Your progress, as of 2026-03-24
	// false true
}

// A Directory finds professionals for a report's suggestion of help.
func ExampleMemoryDirectory() {
	ids := trust.SeededIDs(7)
	proID, _ := trust.NewID[trust.Professional](ids)
	dir, err := progress.NewMemoryDirectory(progress.Professional{ID: proID, Name: "A. Therapist",
		Offers: []progress.Support{progress.SupportCouples}, Modalities: []progress.Modality{progress.ModalityEFT},
		Languages: []string{"en"}, Formats: []progress.Format{progress.Video}, NextAvailable: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	// rec stands for one of Report.Recommendations.
	rec := progress.Recommendation{Support: progress.SupportCouples,
		Modalities: []progress.ModalitySuggestion{{Modality: progress.ModalityEFT, Why: "It heals attachment injuries."}}}
	matches, _ := dir.Match(context.Background(), progress.MatchFor(rec, "en-GB", progress.Video, time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)))
	fmt.Println(matches[0].Professional.Name, matches[0].Modalities)
	// Output:
	// A. Therapist [eft]
}

// WriteJSONL and ReadJSONL stream a journey as JSON Lines.
func ExampleWriteJSONL() {
	_, events := exampleStream()
	var buf bytes.Buffer
	if err := progress.WriteJSONL(&buf, events); err != nil {
		panic(err)
	}
	back, err := progress.ReadJSONL(&buf)
	fmt.Println(len(back), err)
	// Output: 23 <nil>
}

// practised is an app's own event type: a partner did, or skipped, a practice
// the app offers. Its Effort method makes the analysis count it as an
// exercise done or skipped, exactly as it counts mend's own.
type practised struct {
	Partner trust.PartnerID `json:"partner"`
	Done    bool            `json:"done"`
}

const typePractised = "myapp.practised"

func (practised) EventType() string { return typePractised }

func (p practised) Validate() error {
	if p.Partner.IsZero() {
		return errors.New("myapp: practised: partner is required")
	}
	return nil
}

// OwnerPartner makes the partner the event's owner, who alone may see it when it is private.
func (p practised) OwnerPartner() trust.PartnerID { return p.Partner }

// Effort implements progress.Effort.
func (p practised) Effort() (trust.PartnerID, bool) { return p.Partner, p.Done }

func init() {
	// Registered, the type decodes back to practised when the journey is
	// read from storage, so it keeps counting.
	trust.MustRegisterEventType(trust.EventSpec{Type: typePractised, New: func() trust.Payload { return new(practised) },
		Writers: trust.ByOwner}) // only the partner who practised
}

// An app's own event type counts as effort when its payload implements Effort.
func ExampleEffort() {
	rel, events := exampleStream()
	sam := rel.Partners[0].ID
	for i, done := range []bool{true, true, false} {
		id, _ := trust.NewID[trust.Event](trust.SeededIDs(uint64(100 + i)))
		at := time.Date(2026, 3, 20+i, 19, 0, 0, 0, time.UTC)
		e, err := trust.NewEvent(&practised{Partner: sam, Done: done}, trust.Header{ID: id, Relationship: rel.ID,
			Sequence: trust.Sequence(len(events) + 1), Recorded: at, Actor: trust.PartnerActor(sam)})
		if err != nil {
			panic(err)
		}
		events = append(events, e)
	}
	a, _ := progress.NewAnalyzer(progress.Options{})
	if err := a.ObserveAll(events); err != nil {
		panic(err)
	}
	act := a.Analysis(trust.PartnerViewer(sam), time.Date(2026, 3, 24, 12, 0, 0, 0, time.UTC)).Partners[0].Activity
	fmt.Printf("done %d, skipped %d, adherence %.2f\n", act.AssignmentsCompleted, act.AssignmentsSkipped, *act.Adherence)
	// Output: done 2, skipped 1, adherence 0.67
}
