package store

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"

	"github.com/mendkit/mend/trust"
)

// Memory is the in-memory [Store], the default. It keeps every event's
// encoded form, so neither the events a caller appends nor the events Load
// returns share memory with the store. Its zero value is not usable; call
// [NewMemory].
type Memory struct {
	mu      sync.RWMutex
	closed  bool
	streams map[trust.RelationshipID]*memStream
}

type memStream struct {
	recs [][]byte // recs[i] is the event with sequence i+1; never changed once appended
	ids  map[trust.EventID]int
}

func (s *memStream) last() trust.Sequence { return trust.Sequence(len(s.recs)) }

func (s *memStream) lookup(id trust.EventID) ([]byte, bool, error) {
	i, ok := s.ids[id]
	if !ok {
		return nil, false, nil
	}
	return s.recs[i], true, nil
}

var (
	_ Store   = (*Memory)(nil)
	_ Scanner = (*Memory)(nil)
)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{streams: map[trust.RelationshipID]*memStream{}}
}

// Append implements [Store.Append].
func (m *Memory) Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (trust.Sequence, error) {
	if err := m.check(ctx); err != nil {
		return 0, err
	}
	b, err := NewBatch(ctx, rel, expected, events...)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s := m.streams[rel]
	if s == nil {
		s = &memStream{ids: map[trust.EventID]int{}}
	}
	retry, err := b.Check(s.last(), s.lookup)
	if err != nil {
		return 0, err
	}
	if retry {
		return b.Last(), nil
	}
	for _, r := range b.Records {
		s.ids[r.ID] = len(s.recs)
		s.recs = append(s.recs, r.Data)
	}
	m.streams[rel] = s
	return b.Last(), nil
}

// Load implements [Store.Load].
func (m *Memory) Load(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([]trust.Event, error) {
	return collect(m.Scan(ctx, rel, from))
}

// Scan implements [Scanner]. It decodes one event at a time from a snapshot
// taken when iteration starts.
func (m *Memory) Scan(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) iter.Seq2[trust.Event, error] {
	return func(yield func(trust.Event, error) bool) {
		recs, err := m.snapshot(ctx, rel, from)
		if err != nil {
			yield(trust.Event{}, err)
			return
		}
		for i, data := range recs {
			if err := ctx.Err(); err != nil {
				yield(trust.Event{}, err)
				return
			}
			e, err := trust.DecodeEvent(data)
			if err != nil {
				yield(trust.Event{}, fmt.Errorf("store: decoding event %d of %s: %w", max(from, 1)+trust.Sequence(i), rel, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (m *Memory) snapshot(ctx context.Context, rel trust.RelationshipID, from trust.Sequence) ([][]byte, error) {
	if err := CheckRead(ctx, rel); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	s := m.streams[rel]
	if s == nil || uint64(from) > uint64(len(s.recs)) {
		return nil, nil
	}
	// The elements are never modified and appends only write beyond this
	// slice's length, so the snapshot needs no copy.
	start := max(from, 1) - 1
	return s.recs[start:len(s.recs):len(s.recs)], nil
}

// Last implements [Store.Last].
func (m *Memory) Last(ctx context.Context, rel trust.RelationshipID) (trust.Sequence, error) {
	if err := CheckRead(ctx, rel); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, ErrClosed
	}
	if s := m.streams[rel]; s != nil {
		return s.last(), nil
	}
	return 0, nil
}

// Relationships implements [Store.Relationships].
func (m *Memory) Relationships(ctx context.Context) ([]trust.RelationshipID, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	out := make([]trust.RelationshipID, 0, len(m.streams))
	for rel := range m.streams {
		out = append(out, rel)
	}
	sortIDs(out)
	return out, nil
}

// Close implements [Store.Close]. It drops the events.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.streams = nil
	return nil
}

func (m *Memory) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	return nil
}

func sortIDs(ids []trust.RelationshipID) {
	slices.SortFunc(ids, func(a, b trust.RelationshipID) int { return bytes.Compare(a[:], b[:]) })
}

// collect drains an iterator into a slice, never nil on success.
func collect(seq iter.Seq2[trust.Event, error]) ([]trust.Event, error) {
	out := []trust.Event{}
	for e, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
