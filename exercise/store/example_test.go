package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// exampleEvents builds the first two events of a journey, and a third event
// that another writer meant to be the second.
func exampleEvents() (trust.RelationshipID, []trust.Event) {
	ids := trust.SeededIDs(1)
	rel, _ := trust.NewID[trust.Relationship](ids)
	alex, _ := trust.NewID[trust.Partner](ids)
	sam, _ := trust.NewID[trust.Partner](ids)
	start := time.Date(2026, 3, 2, 19, 0, 0, 0, time.UTC)
	started := trust.JourneyStarted{
		Relationship: trust.Relationship{
			ID:       rel,
			Partners: [2]trust.Partner{{ID: alex, DisplayName: "Alex"}, {ID: sam, DisplayName: "Sam"}},
			TimeZone: "Europe/London",
			Started:  start,
		},
		Profile: trust.DefaultProfile(),
	}
	id1, _ := trust.NewID[trust.Event](ids)
	first, _ := trust.NewEvent(started, trust.Header{ID: id1, Relationship: rel, Sequence: 1, Recorded: start, Actor: trust.PartnerActor(alex)})
	id2, _ := trust.NewID[trust.Event](ids)
	pause, _ := trust.NewEvent(trust.PauseChange{Paused: true, Reason: "taking the weekend"},
		trust.Header{ID: id2, Relationship: rel, Sequence: 2, Recorded: start.Add(time.Hour), Actor: trust.PartnerActor(sam)})
	id3, _ := trust.NewID[trust.Event](ids)
	resume, _ := trust.NewEvent(trust.PauseChange{Paused: false},
		trust.Header{ID: id3, Relationship: rel, Sequence: 2, Recorded: start.Add(time.Hour), Actor: trust.PartnerActor(alex)})
	return rel, []trust.Event{first, pause, resume}
}

func ExampleNewMemory() {
	ctx := context.Background()
	s := store.NewMemory()
	defer s.Close()
	rel, events := exampleEvents()

	last, err := s.Append(ctx, rel, 0, events[:2]...)
	fmt.Println("appended up to", last, err)

	// A writer that read the stream when it held one event lost the race.
	_, err = s.Append(ctx, rel, 1, events[2])
	fmt.Println("stale append: conflict?", errors.Is(err, trust.ErrConflict))
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		fmt.Println("the stream is at", ce.Actual)
	}

	// A retry of the request that succeeded is applied once.
	last, err = s.Append(ctx, rel, 1, events[1])
	fmt.Println("retry:", last, err)

	loaded, _ := s.Load(ctx, rel, 0)
	for _, e := range loaded {
		fmt.Println(e.Sequence, e.Type)
	}
	// Output:
	// appended up to 2 <nil>
	// stale append: conflict? true
	// the stream is at 2
	// retry: 2 <nil>
	// 1 trust.journey_started
	// 2 trust.pause_changed
}

func ExampleOpenFile() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "mend-store-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	rel, events := exampleEvents()

	s, err := store.OpenFile(dir, store.FileOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Append returns once the events are on disk.
	last, err := s.Append(ctx, rel, 0, events[:2]...)
	fmt.Println("appended up to", last, err)
	fmt.Println("closed:", s.Close())

	// Reopening recovers the log and rebuilds the index.
	s, err = store.OpenFile(dir, store.FileOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for e, err := range store.Scan(ctx, s, rel, 2) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Sequence, e.Type, e.Data.(*trust.PauseChange).Reason)
	}
	// Output:
	// appended up to 2 <nil>
	// closed: <nil>
	// 2 trust.pause_changed taking the weekend
}
