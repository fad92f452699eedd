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
// *IdempotencyConflictError when it is not. It builds the command at the
// first command's time, twice: an ID the engine fills differs between the
// two builds, and only such fields may differ from what was stored. It
// builds first against st, the journey as it is now, which settles most
// retries (a check-in's, say) at the cost of a command; when that does not
// show the same events, against the journey as it stood before first,
// replayed into a scratch state that is never cached. The command may draw
// IDs from the engine's ID source; nothing is written and st is not changed.
func (e *Engine) replayedRequest(ctx context.Context, st *journeyState, key string, first trust.Sequence, stored []trust.Event, build func(st *journeyState, now time.Time) ([]draft, error)) error {
	if len(stored) == 0 {
		return &IdempotencyConflictError{Key: key}
	}
	if same, err := e.builds(st, stored, build, false); same || err != nil {
		return err
	}
	if !sameShape(st, stored, build) {
		// How many events a command writes, and of what types, does not
		// depend on the journey: no need to replay it to tell.
		return &IdempotencyConflictError{Key: key}
	}
	scratch := &journeyState{rel: st.rel}
	for ev, err := range store.Scan(ctx, e.store, st.rel, 1) {
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
			return fmt.Errorf("exercise: replaying journey %s at sequence %d: %w", st.rel, ev.Sequence, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if scratch.journey == nil {
		return &IdempotencyConflictError{Key: key} // the key names the journey's start: no command wrote it
	}
	same, err := e.builds(scratch, stored, build, true)
	if err == nil && !same {
		err = &IdempotencyConflictError{Key: key}
	}
	return err
}

// builds reports whether build, run against st at the time the stored
// events were recorded, makes the command's own events among stored: the
// same types, actors, visibilities and seal keys, and payloads that differ
// only in the IDs the engine fills. A build that fails is not the same
// request. With fold, st is a scratch state as it stood before stored:
// each event compared is folded into it, so the next draft is judged as it
// was written, and an event stored after the command's own is told from a
// follow-up by the rules; without, st is left alone and such an event is
// taken for a follow-up only when another actor wrote it.
func (e *Engine) builds(st *journeyState, stored []trust.Event, build func(st *journeyState, now time.Time) ([]draft, error), fold bool) (bool, error) {
	now := stored[0].RecordedTime
	one, err := build(st, now)
	if err != nil {
		return false, nil
	}
	two, err := build(st, now)
	if err != nil || len(one) > len(stored) || len(one) != len(two) {
		return false, nil
	}
	for i, d := range one {
		if d.later != nil {
			// Drafts built from the state the earlier ones leave are the
			// engine's own (a refresh's proposals), never a keyed command's.
			break
		}
		ev := stored[i]
		e.defaultVisibility(st, &d.cmd)
		by := d.by
		if by == (trust.Actor{}) {
			by = trust.SystemActor
		}
		// The envelope this draft makes, stamped as the stored one was; its
		// subject derives from the payload, compared below.
		built, err := trust.NewEvent(d.cmd.Data, trust.Header{ID: ev.ID, Relationship: st.rel, Sequence: ev.Sequence,
			Time: ev.Time, Recorded: ev.RecordedTime, Actor: by, Visibility: d.cmd.Visibility, SealKey: d.cmd.SealKey})
		if err != nil || built.Type != ev.Type || built.Actor != ev.Actor ||
			built.Visibility != ev.Visibility || built.SealKey != ev.SealKey {
			return false, nil
		}
		if same, err := samePayload(ev.Data, d.cmd.Data, two[i].cmd.Data); err != nil || !same {
			return false, err
		}
		if fold {
			if err := st.fold(ev); err != nil {
				return false, fmt.Errorf("exercise: replaying journey %s at sequence %d: %w", st.rel, ev.Sequence, err)
			}
		}
	}
	k := len(one)
	if k == len(stored) || k == 0 || stored[k].Actor != stored[0].Actor {
		return true, nil
	}
	// The first command may have written more of its own.
	return fold && e.isFollowUp(st, stored[:k], stored[k], now), nil
}

// sameShape reports whether build, run against st at the time the stored
// events were recorded, makes as many events of its own as stored holds,
// with the same types in order, or fails (and so says nothing).
func sameShape(st *journeyState, stored []trust.Event, build func(st *journeyState, now time.Time) ([]draft, error)) bool {
	drafts, err := build(st, stored[0].RecordedTime)
	if err != nil {
		return true
	}
	if len(drafts) > len(stored) {
		return false
	}
	for i, d := range drafts {
		if d.later != nil {
			break
		}
		if d.cmd.Data == nil || d.cmd.Data.EventType() != stored[i].Type {
			return false
		}
	}
	return true
}

// isFollowUp reports whether next, stored right after a command's own
// events by the same writer, is a follow-up the rules call for after own,
// in st that includes them, at now, rather than one more event of the
// command.
func (e *Engine) isFollowUp(st *journeyState, own []trust.Event, next trust.Event, now time.Time) bool {
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
