package progress_test

import (
	"bytes"
	"context"
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

// BuildReport renders a viewer's report as text (and as JSON and SVG).
func ExampleBuildReport() {
	rel, events := exampleStream()
	now := time.Date(2026, 3, 24, 12, 0, 0, 0, time.UTC)
	r, err := progress.BuildReport(events, trust.PartnerViewer(rel.Partners[0].ID), now, progress.ReportOptions{})
	if err != nil {
		panic(err)
	}
	text := r.Text()
	fmt.Println(text[:strings.Index(text, "\n")])
	fmt.Println(strings.Contains(text, "Harder than I expected"), bytes.HasPrefix(r.SVG(), []byte("<svg")))
	// Output:
	// Your progress, as of 2026-03-24
	// false true
}

// Recommend explains what help may fit, and a Directory finds professionals.
func ExampleRecommend() {
	an := progress.Analysis{Signs: progress.Signs{BreachRecorded: true, AcknowledgementNotYet: true, PersistentGap: true}}
	recs := progress.Recommend(an, progress.RecommendOptions{})
	for _, r := range recs {
		fmt.Println(r.Support, len(r.Reasons), r.Modalities[0].Modality)
	}
	ids := trust.SeededIDs(7)
	proID, _ := trust.NewID[trust.Professional](ids)
	dir, _ := progress.NewMemoryDirectory(progress.Professional{ID: proID, Name: "A. Therapist",
		Offers: []progress.Support{progress.SupportCouples}, Modalities: []progress.Modality{progress.ModalityEFT},
		Languages: []string{"en"}, Formats: []progress.Format{progress.Video}, NextAvailable: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)})
	matches, _ := dir.Match(context.Background(), progress.MatchFor(recs[0], "en-GB", progress.Video, time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)))
	fmt.Println(matches[0].Professional.Name, matches[0].Modalities)
	// Output:
	// couples_therapy 2 eft
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
