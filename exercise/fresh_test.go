package exercise_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// conflictCounter is a store that counts the appends refused by optimistic
// concurrency: an engine that reads fresh state before it builds a command
// never loses such a race to a write that was already stored.
type conflictCounter struct {
	store.Store
	conflicts atomic.Int32
}

func (s *conflictCounter) Append(ctx context.Context, rel trust.RelationshipID, expected trust.Sequence, events ...trust.Event) (trust.Sequence, error) {
	last, err := s.Store.Append(ctx, rel, expected, events...)
	if _, ok := errors.AsType[*store.ConflictError](err); ok {
		s.conflicts.Add(1)
	}
	return last, err
}

// sharedStores are the stores two engines share in these tests: the memory
// store, and one opened file store (a log directory admits one opener at a
// time, store.ErrLocked, so engines in one process share the *store.File;
// engines in several processes cannot share a file store).
var sharedStores = map[string]func(t *testing.T) store.Store{
	"memory": func(*testing.T) store.Store { return store.NewMemory() },
	"file": func(t *testing.T) store.Store {
		dir := t.TempDir()
		f, err := store.OpenFile(dir, store.FileOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = f.Close() })
		_, err = store.OpenFile(dir, store.FileOptions{})
		require.ErrorIs(t, err, store.ErrLocked, "a second opener is refused")
		return f
	},
}

// twoEngines runs a couple's journey on engine A (c.eng) and returns a
// second engine, B, on the same memory store and clock, which has already
// folded the journey as it stands.
func twoEngines(t *testing.T, seed uint64) (*couple, *exercise.Engine, *conflictCounter) {
	t.Helper()
	return twoEnginesOn(t, seed, store.NewMemory())
}

// twoEnginesOn is twoEngines over st.
func twoEnginesOn(t *testing.T, seed uint64, st store.Store) (*couple, *exercise.Engine, *conflictCounter) {
	t.Helper()
	shared := &conflictCounter{Store: st}
	c := newCouple(t, trust.DefaultProfile(), shared, seed)
	c.understand(true)
	b, err := exercise.NewEngine(exercise.Options{Store: shared, Clock: c.clock, IDs: trust.SeededIDs(seed + 1000)})
	require.NoError(t, err)
	_, err = b.View(c.ctx, c.rel.ID, trust.PartnerViewer(c.a))
	require.NoError(t, err)
	return c, b, shared
}

func jointItems(p exercise.Plan) []exercise.PlanItem {
	var out []exercise.PlanItem
	for _, it := range p.Items {
		if len(it.Assignment.Participants) == 2 {
			out = append(out, it)
		}
	}
	return out
}

func TestFlagThroughOneEnginePausesJointWorkOnAnother(t *testing.T) {
	for name, open := range sharedStores {
		t.Run(name, func(t *testing.T) { flagThroughOneEngine(t, open(t)) })
	}
}

func flagThroughOneEngine(t *testing.T, st store.Store) {
	c, b, _ := twoEnginesOn(t, 31, st)
	_, err := b.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	before, err := b.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	joint := jointItems(before)
	require.NotEmpty(t, joint, "joint work is planned before the flag: %+v", before.Items)
	isJoint := func(id exercise.AssignmentID) bool {
		return slices.ContainsFunc(joint, func(it exercise.PlanItem) bool { return it.Assignment.ID == id })
	}
	due, err := b.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(due, func(r exercise.Reminder) bool { return isJoint(r.Assignment) }),
		"engine B offers a joint reminder before the flag: %+v", due)
	view, err := b.View(c.ctx, c.rel.ID, trust.PartnerViewer(c.a))
	require.NoError(t, err)
	require.False(t, view.JointWorkPaused)

	_, err = c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyFear}})
	require.NoError(t, err)

	// Engine B's very next reads, with no write of its own in between.
	for _, viewer := range []trust.Viewer{trust.PartnerViewer(c.a), trust.PartnerViewer(c.b)} {
		view, err := b.View(c.ctx, c.rel.ID, viewer)
		require.NoError(t, err)
		assert.True(t, view.JointWorkPaused, "B's view for %v", viewer)
	}
	for _, p := range []trust.PartnerID{c.a, c.b} {
		plan, err := b.Plan(c.ctx, c.rel.ID, p)
		require.NoError(t, err)
		assert.True(t, plan.JointWorkPaused)
		assert.Empty(t, jointItems(plan), "B's plan holds no joint work while paused")
		due, err := b.RemindersDue(c.ctx, c.rel.ID, p)
		require.NoError(t, err)
		for _, r := range due {
			assert.False(t, isJoint(r.Assignment), "B offers no joint reminder while paused: %+v", r)
		}
	}
}

func TestCompletionThroughOneEngineLeavesAnothersPlan(t *testing.T) {
	for name, open := range sharedStores {
		t.Run(name, func(t *testing.T) { completionThroughOneEngine(t, open(t)) })
	}
}

func completionThroughOneEngine(t *testing.T, st store.Store) {
	c, b, _ := twoEnginesOn(t, 32, st)
	_, err := c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	plan, err := b.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	i := slices.IndexFunc(plan.Items, func(it exercise.PlanItem) bool { return it.DueNow })
	require.GreaterOrEqual(t, i, 0, "engine B plans work due now for Alex: %+v", plan.Items)
	it := plan.Items[i]
	done := it.Assignment.ID

	for _, p := range it.Assignment.Participants { // through engine A
		c.do(it, p)
		it.Assignment.Started = append(it.Assignment.Started, p)
	}

	plan, err = b.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(plan.Items, func(it exercise.PlanItem) bool { return it.Assignment.ID == done }),
		"B's next plan no longer lists the assignment A completed")
}

func TestCommandThroughOneEngineAfterAnotherWroteSeesItsWrite(t *testing.T) {
	c, b, shared := twoEngines(t, 33)
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)
	_, err := c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	first, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, nil)
	require.NoError(t, err)

	second, err := b.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(7)}, nil)
	require.NoError(t, err)
	require.NotEmpty(t, second.Events)
	assert.Equal(t, first.Events[len(first.Events)-1].Sequence+1, second.Events[0].Sequence)
	assert.Zero(t, shared.conflicts.Load(), "B built its command on A's write, so its append did not conflict")

	// And back: A sees B's write before its own next command.
	_, err = c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, nil)
	require.NoError(t, err)
	assert.Zero(t, shared.conflicts.Load())

	// A command B builds on a flag raised through A is refused before it is
	// written, as on the engine that raised it.
	plan, err := b.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	joint := jointItems(plan)
	require.NotEmpty(t, joint)
	_, err = c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, sam, trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyFear}})
	require.NoError(t, err)
	_, err = b.StartAssignment(c.ctx, c.rel.ID, alex, exercise.AssignmentStarted{Assignment: joint[0].Assignment.ID})
	assert.ErrorIs(t, err, trust.ErrPausedForSafety)
	assert.Zero(t, shared.conflicts.Load())
}

func TestEngineRefusesToReadPastAnEventItCannotFold(t *testing.T) {
	c, b, shared := twoEngines(t, 34)
	last, err := shared.Last(c.ctx, c.rel.ID)
	require.NoError(t, err)
	// Written straight to the store by another program: no fold accepts the
	// completion of an assignment that was never proposed.
	ev, err := trust.NewEvent(&exercise.AssignmentCompleted{Assignment: mustNew[exercise.Assignment](t, c.ids), Partner: c.a, Helpful: 4},
		trust.Header{ID: mustNew[trust.Event](t, c.ids), Relationship: c.rel.ID, Sequence: last + 1, Recorded: c.clock.Now(), Actor: trust.PartnerActor(c.a)})
	require.NoError(t, err)
	_, err = shared.Append(c.ctx, c.rel.ID, last, ev)
	require.NoError(t, err)

	// Neither engine answers from the state before it: each read fails,
	// every time, naming the event, and nothing is written.
	for _, eng := range []*exercise.Engine{c.eng, b} {
		for range 2 {
			_, err := eng.View(c.ctx, c.rel.ID, trust.PartnerViewer(c.a))
			require.Error(t, err)
			assert.ErrorIs(t, err, trust.ErrNotFound)
			assert.Contains(t, err.Error(), "replaying journey")
			_, err = eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(c.b), progress.CheckIn{Trust: ptr(5)}, nil)
			require.Error(t, err)
		}
	}
	now, err := shared.Last(c.ctx, c.rel.ID)
	require.NoError(t, err)
	assert.Equal(t, last+1, now)
}

func TestEnginesSharingAStoreAgreeAfterConcurrentWrites(t *testing.T) {
	c, b, _ := twoEngines(t, 35)
	_, err := c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i, eng := range []*exercise.Engine{c.eng, b} {
		p := c.rel.Partners[i].ID
		wg.Go(func() {
			for n := range 20 {
				if _, err := eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: ptr(n % 11)}, nil); err != nil {
					t.Error(err)
					return
				}
				if _, err := eng.Plan(c.ctx, c.rel.ID, p); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range []trust.PartnerID{c.a, c.b} {
		fromA, err := c.eng.Plan(c.ctx, c.rel.ID, p)
		require.NoError(t, err)
		fromB, err := b.Plan(c.ctx, c.rel.ID, p)
		require.NoError(t, err)
		assert.Equal(t, fromA, fromB)
		viewA, err := c.eng.View(c.ctx, c.rel.ID, trust.PartnerViewer(p))
		require.NoError(t, err)
		viewB, err := b.View(c.ctx, c.rel.ID, trust.PartnerViewer(p))
		require.NoError(t, err)
		assert.Equal(t, viewA, viewB)
	}
	reportA, err := c.eng.Report(c.ctx, c.rel.ID, trust.PartnerViewer(c.a), "en-GB")
	require.NoError(t, err)
	reportB, err := b.Report(c.ctx, c.rel.ID, trust.PartnerViewer(c.a), "en-GB")
	require.NoError(t, err)
	assert.Equal(t, reportA.Text(), reportB.Text())
}
