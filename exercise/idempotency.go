package exercise

import (
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	"strconv"
	"time"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// IdempotencyConflictError reports an idempotency key reused for a
// different request: the key already applied one command of the same
// writer in the same relationship, and this one is not that command again.
// Nothing is written. It matches trust.ErrConflict with errors.Is.
//
// A command is the same request as the one that first used its key when it
// builds the same events from the journey as it was then: for each of the
// command's own events (not the follow-ups the rules added), the same event
// type, visibility and seal key, and the same payload as stored after the
// engine's filling, compared as canonical JSON. The engine's choices are
// ignored: the IDs it fills into zero ID fields, and the event's time, which
// is not part of the payload. So a retry may leave an ID zero that the first
// command also left zero, or name the ID the first Result returned, and may be
// sent at any later time.
type IdempotencyConflictError struct {
	// Key is the idempotency key, as the command carried it.
	Key string
}

// Error implements the error interface.
func (e *IdempotencyConflictError) Error() string {
	return fmt.Sprintf("exercise: idempotency key %q was already used for a different request: %v", e.Key, trust.ErrConflict)
}

// Is reports whether target is trust.ErrConflict.
func (e *IdempotencyConflictError) Is(target error) bool { return target == trust.ErrConflict }

// replayedRequest checks that build, a command retried with key, is the
// request that first used key, whose events (the command's own first, then
// its follow-ups) are stored from sequence first on; it returns a
// *IdempotencyConflictError when it is not. It rebuilds the journey as it
// stood before first, in a scratch state that is never cached, and builds the
// command against it at the first command's time, twice: an ID the engine
// fills differs between the two builds, and only such fields may differ from
// what was stored. The command may draw IDs from the engine's ID source; it
// writes nothing.
func (e *Engine) replayedRequest(ctx context.Context, rel trust.RelationshipID, key string, first trust.Sequence, stored []trust.Event, build func(st *journeyState, now time.Time) ([]draft, error)) error {
	if len(stored) == 0 {
		return &IdempotencyConflictError{Key: key}
	}
	scratch := &journeyState{rel: rel}
	for ev, err := range store.Scan(ctx, e.store, rel, 1) {
		if err != nil {
			return err
		}
		if ev.Sequence >= first {
			break
		}
		if scratch.journey == nil {
			err = scratch.start(ev, e.catalogue)
		} else {
			err = scratch.fold(ev)
		}
		if err != nil {
			return fmt.Errorf("exercise: replaying journey %s at sequence %d: %w", rel, ev.Sequence, err)
		}
	}
	if scratch.journey == nil {
		return &IdempotencyConflictError{Key: key} // the key names the journey's start: no command wrote it
	}
	now := stored[0].RecordedTime
	one, err := build(scratch, now)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &IdempotencyConflictError{Key: key} // the first command was accepted here
	}
	two, err := build(scratch, now)
	if err != nil {
		return err
	}
	if len(one) > len(stored) || len(one) != len(two) {
		return &IdempotencyConflictError{Key: key}
	}
	for i, d := range one {
		if d.later != nil {
			// Drafts built from the state the earlier ones leave are the
			// engine's own (a refresh's proposals), never a keyed command's.
			break
		}
		ev := stored[i]
		e.defaultVisibility(scratch, &d.cmd)
		by := d.by
		if by == (trust.Actor{}) {
			by = trust.SystemActor
		}
		// The envelope this draft makes, stamped as the stored one was; its
		// subject derives from the payload, compared below.
		built, err := trust.NewEvent(d.cmd.Data, trust.Header{ID: ev.ID, Relationship: rel, Sequence: ev.Sequence,
			Time: ev.Time, Recorded: ev.RecordedTime, Actor: by, Visibility: d.cmd.Visibility, SealKey: d.cmd.SealKey})
		if err != nil || built.Type != ev.Type || built.Actor != ev.Actor ||
			built.Visibility != ev.Visibility || built.SealKey != ev.SealKey {
			return &IdempotencyConflictError{Key: key}
		}
		same, err := samePayload(ev.Data, d.cmd.Data, two[i].cmd.Data)
		if err != nil {
			return err
		}
		if !same {
			return &IdempotencyConflictError{Key: key}
		}
		if err := scratch.fold(ev); err != nil {
			return fmt.Errorf("exercise: replaying journey %s at sequence %d: %w", rel, ev.Sequence, err)
		}
	}
	if k := len(one); k < len(stored) && !e.isFollowUp(scratch, stored[:k], stored[k], now) {
		return &IdempotencyConflictError{Key: key} // the first command wrote more of its own
	}
	return nil
}

// isFollowUp reports whether next, stored right after a command's own
// events, is a follow-up the rules added rather than one more event of the
// command: one the command's writer did not write, or one the rules call for
// after own, in st that includes them, at now.
func (e *Engine) isFollowUp(st *journeyState, own []trust.Event, next trust.Event, now time.Time) bool {
	if len(own) == 0 || next.Actor != own[0].Actor {
		return true
	}
	for _, ev := range own {
		if d, _, ok := e.followUpOf(st, ev); ok && d.cmd.Data.EventType() == next.Type {
			return true
		}
	}
	d, ok := e.stateFollowUp(st, now)
	return ok && d.cmd.Data.EventType() == next.Type
}

// samePayload reports whether stored, a payload as stored, matches built,
// the same command's payload built again, as canonical JSON: they may differ
// only where built and again, two builds of it, differ too (the IDs the
// engine fills).
func samePayload(stored, built, again trust.Payload) (bool, error) {
	var trees [3]any
	for i, p := range []trust.Payload{stored, built, again} {
		b, err := json.Marshal(p)
		if err != nil {
			return false, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&trees[i]); err != nil {
			return false, err
		}
	}
	filled := map[string]bool{}
	jsonDiff("", trees[1], trees[2], filled)
	differ := map[string]bool{}
	jsonDiff("", trees[0], trees[1], differ)
	for path := range differ {
		if !filled[path] {
			return false, nil
		}
	}
	return true, nil
}

// jsonDiff adds to out the paths at which a and b, decoded JSON, differ.
func jsonDiff(path string, a, b any, out map[string]bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			out[path] = true
			return
		}
		for k, v := range x {
			jsonDiff(path+"\x00"+k, v, y[k], out)
		}
		for k, v := range y {
			if _, ok := x[k]; !ok {
				jsonDiff(path+"\x00"+k, nil, v, out)
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			out[path] = true
			return
		}
		for i := range x {
			jsonDiff(path+"\x00"+strconv.Itoa(i), x[i], y[i], out)
		}
	default:
		switch b.(type) {
		case map[string]any, []any:
			out[path] = true
		default:
			if a != b {
				out[path] = true
			}
		}
	}
}
