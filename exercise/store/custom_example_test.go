package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

// mapStore is a complete custom store, of the shape a database store takes:
// each stream's records are its rows, and package store does the checking and
// encoding. It passes the storetest conformance suite.
type mapStore struct {
	mu     sync.Mutex // a database store runs each call in a transaction instead
	closed bool
	rows   map[trust.RelationshipID][]store.Record // each stream's rows, in sequence order
}

func (s *mapStore) Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (trust.Sequence, error) {
	b, err := store.NewBatch(ctx, rel, expected, events...) // checks and encodes; no lock needed
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	rows := s.rows[rel]
	retry, err := b.Check(trust.Sequence(len(rows)), func(id trust.EventID) ([]byte, bool, error) {
		// A database finds the row through an index on (relationship, id).
		i := slices.IndexFunc(rows, func(r store.Record) bool { return r.ID == id })
		if i < 0 {
			return nil, false, nil
		}
		return rows[i].Data, true, nil
	})
	if err != nil {
		return 0, err // a *store.ConflictError, or the lookup's error
	}
	if !retry {
		s.rows[rel] = append(rows, b.Records...)
	}
	return b.Last(), nil
}

func (s *mapStore) Load(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]trust.Event, error) {
	if err := store.CheckRead(ctx, rel); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	events := []trust.Event{}
	for _, r := range s.rows[rel] {
		if r.Sequence >= from {
			e, err := trust.DecodeEvent(r.Data) // a fresh event: the caller's own
			if err != nil {
				return nil, err
			}
			events = append(events, e)
		}
	}
	return events, nil
}

func (s *mapStore) Last(ctx context.Context, rel trust.RelationshipID) (trust.Sequence, error) {
	if err := store.CheckRead(ctx, rel); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	return trust.Sequence(len(s.rows[rel])), nil
}

func (s *mapStore) Relationships(ctx context.Context) ([]trust.RelationshipID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	rels := make([]trust.RelationshipID, 0, len(s.rows))
	for rel := range s.rows {
		rels = append(rels, rel)
	}
	slices.SortFunc(rels, func(a, b trust.RelationshipID) int { return bytes.Compare(a[:], b[:]) })
	return rels, nil
}

func (s *mapStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// An app that keeps journeys in its own database implements store.Store on
// NewBatch, Batch.Check and CheckRead, and runs storetest.Run against it.
func Example_customStore() {
	ctx := context.Background()
	var s store.Store = &mapStore{rows: map[trust.RelationshipID][]store.Record{}}
	defer s.Close()
	st := storetest.NewStream(1)

	last, err := s.Append(ctx, st.Rel, 0, st.Events(1, 3)...)
	fmt.Println("appended up to", last, err)
	last, err = s.Append(ctx, st.Rel, 0, st.Events(1, 3)...)
	fmt.Println("retried:", last, err)
	_, err = s.Append(ctx, st.Rel, 2, st.By(1, 3))
	fmt.Println("stale append: conflict?", errors.Is(err, trust.ErrConflict))
	_, err = s.Append(ctx, st.Rel, 3, st.Event(5))
	fmt.Println(err)
	events, _ := s.Load(ctx, st.Rel, 2)
	for _, e := range events {
		fmt.Println(e.Sequence, e.Type)
	}
	// Output:
	// appended up to 3 <nil>
	// retried: 3 <nil>
	// stale append: conflict? true
	// store: events.0.sequence: is 5; after expected sequence 3 it must be 4
	// 2 trust.pause_changed
	// 3 trust.pause_changed
}
