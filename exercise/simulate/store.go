package simulate

import (
	"context"
	"fmt"
	"slices"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// streamStore is the store of one simulated couple: a single goroutine's
// engine appends to it and nothing else reads it until the journey ends. It
// keeps the events as values, without the encode-and-copy of
// [store.Memory], because nobody but the engine holds them and the engine
// never changes an event once appended.
type streamStore struct {
	rel    trust.RelationshipID
	events []trust.Event
}

var _ store.Store = (*streamStore)(nil)

func (s *streamStore) Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (trust.Sequence, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.rel.IsZero() {
		s.rel = rel
	}
	last := trust.Sequence(len(s.events))
	if rel != s.rel || expected != last {
		return 0, &store.ConflictError{Relationship: rel, Expected: expected, Actual: last}
	}
	for i, e := range events {
		if e.Sequence != expected+trust.Sequence(i)+1 || e.Relationship != rel {
			return 0, fmt.Errorf("simulate: store: event %d of the batch has sequence %d: %w", i, e.Sequence, trust.ErrInvalid)
		}
	}
	s.events = append(s.events, events...)
	return trust.Sequence(len(s.events)), nil
}

func (s *streamStore) Load(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]trust.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rel != s.rel {
		return nil, nil
	}
	if from < 1 {
		from = 1
	}
	if int(from) > len(s.events) {
		return nil, nil
	}
	return slices.Clone(s.events[from-1:]), nil
}

func (s *streamStore) Last(_ context.Context, rel trust.RelationshipID) (trust.Sequence, error) {
	if rel != s.rel {
		return 0, nil
	}
	return trust.Sequence(len(s.events)), nil
}

func (s *streamStore) Relationships(context.Context) ([]trust.RelationshipID, error) {
	if s.rel.IsZero() {
		return nil, nil
	}
	return []trust.RelationshipID{s.rel}, nil
}

func (s *streamStore) Close() error { return nil }
