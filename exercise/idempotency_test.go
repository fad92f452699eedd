package exercise_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// assertKeyConflict checks that err is the typed conflict naming key and that
// the journey has n events still.
func assertKeyConflict(t *testing.T, c *couple, err error, key string, n int) {
	t.Helper()
	var ic *exercise.IdempotencyConflictError
	require.ErrorAs(t, err, &ic)
	assert.Equal(t, key, ic.Key)
	assert.ErrorIs(t, err, trust.ErrConflict)
	assert.Contains(t, err.Error(), key)
	assert.Len(t, c.events(), n, "a refused command writes nothing")
}

func TestIdempotencyKeyReusedForADifferentRequestIsAConflict(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 21)
	c.understand(false)
	alex := trust.PartnerActor(c.a)
	key := exercise.WithIdempotencyKey("req-7")
	first, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, nil, key)
	require.NoError(t, err)
	n := len(c.events())

	tests := []struct {
		name string
		run  func() error
	}{
		{"another payload", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(7)}, nil, key)
			return err
		}},
		{"a payload field left out", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{}, nil, key)
			return err
		}},
		{"another ID than the one filled", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{ID: mustNew[progress.CheckIn](t, c.ids), Trust: ptr(6)}, nil, key)
			return err
		}},
		{"another visibility", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, nil, key, exercise.WithVisibility(trust.Private))
			return err
		}},
		{"another seal key", func() error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, alex, exercise.Command{Data: &progress.CheckIn{Trust: ptr(6)},
				Visibility: trust.Sealed, SealKey: "mine", IdempotencyKey: "req-7"})
			return err
		}},
		{"another event type", func() error {
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, alex, trust.Commitment{Answer: trust.CommitYes}, key)
			return err
		}},
		{"a note added", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, &progress.CheckInNote{Note: "for me"}, key)
			return err
		}},
		{"a different day", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6), Day: "2020-01-01"}, nil, key)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertKeyConflict(t, c, tt.run(), "req-7", n)
		})
	}

	// The same request still replays, leaving the ID zero or naming the one
	// the first Result returned, at a later time.
	c.clock.Advance(time.Hour)
	again, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, nil, key)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	named, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{ID: first.ID, Trust: ptr(6), Partner: c.a}, nil, key)
	require.NoError(t, err)
	assert.Equal(t, first, named)
	assert.Len(t, c.events(), n)
}

func TestIdempotencyKeyWithANote(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 22)
	sam := trust.PartnerActor(c.b)
	key := exercise.WithIdempotencyKey("with-note")
	first, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(4)}, &progress.CheckInNote{Note: "a hard week"}, key)
	require.NoError(t, err)
	require.Len(t, first.Events, 2)
	n := len(c.events())

	again, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(4)}, &progress.CheckInNote{Note: "a hard week"}, key)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	_, err = c.eng.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(4)}, &progress.CheckInNote{Note: "a better week"}, key)
	assertKeyConflict(t, c, err, "with-note", n)
	_, err = c.eng.RecordCheckIn(c.ctx, c.rel.ID, sam, progress.CheckIn{Trust: ptr(4)}, nil, key)
	assertKeyConflict(t, c, err, "with-note", n)
}

// A retry is judged against the journey as it was when the key was first
// used: a signature retried after the agreement became active (when signing
// again would be refused) still returns the first Result, follow-ups
// included.
func TestIdempotencyKeyRetriedAfterTheJourneyMovedOn(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 23)
	d, err := agreement.NewDraft(c.rel, c.ids, c.clock.Now(), "Evenings", "Time together.")
	require.NoError(t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.Boundary, Title: "Phones away at dinner", CommittedBy: agreement.Both(c.rel), Timing: agreement.Timing{Kind: agreement.Standing}})
	require.NoError(t, err)
	a, err := d.Agreement()
	require.NoError(t, err)
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)
	_, err = c.eng.ProposeAgreement(c.ctx, c.rel.ID, alex, a)
	require.NoError(t, err)
	_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, alex, agreement.Signed{Agreement: a.ID})
	require.NoError(t, err)
	first, err := c.eng.SignAgreement(c.ctx, c.rel.ID, sam, agreement.Signed{Agreement: a.ID}, exercise.WithIdempotencyKey("sign-1"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(first.Events), 2, "the last signature activates the agreement")
	c.clock.Advance(24 * time.Hour)
	_, err = c.eng.StateCommitment(c.ctx, c.rel.ID, alex, trust.Commitment{Answer: trust.CommitYes})
	require.NoError(t, err)
	n := len(c.events())

	_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, sam, agreement.Signed{Agreement: a.ID})
	require.Error(t, err, "without the key, signing again is refused")
	again, err := c.eng.SignAgreement(c.ctx, c.rel.ID, sam, agreement.Signed{Agreement: a.ID}, exercise.WithIdempotencyKey("sign-1"))
	require.NoError(t, err)
	assert.Equal(t, first, again)

	// So does a fresh engine over the same store.
	eng2, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: trust.SeededIDs(7)})
	require.NoError(t, err)
	again2, err := eng2.SignAgreement(c.ctx, c.rel.ID, sam, agreement.Signed{Agreement: a.ID}, exercise.WithIdempotencyKey("sign-1"))
	require.NoError(t, err)
	assert.Equal(t, first, again2)

	// The key reused for a signature of another agreement is a conflict.
	_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, sam, agreement.Signed{Agreement: mustNew[agreement.Agreement](t, c.ids)}, exercise.WithIdempotencyKey("sign-1"))
	assertKeyConflict(t, c, err, "sign-1", n)
	assert.False(t, errors.Is(err, trust.ErrNotFound), "the conflict is reported, not what the new request would have met")
}

func TestIdempotencyConflictErrorNamesTheKey(t *testing.T) {
	err := error(&exercise.IdempotencyConflictError{Key: "k-1"})
	assert.ErrorIs(t, err, trust.ErrConflict)
	assert.NotErrorIs(t, err, trust.ErrInvalid)
	assert.Equal(t, `exercise: idempotency key "k-1" was already used for a different request: conflict`, err.Error())
}

// A command of several events of its own is the same request only with all
// of them: reminders marked sent with the key are replayed for the same
// reminders, and a batch of fewer is a conflict.
func TestIdempotencyKeyOverSeveralEvents(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 24)
	c.understand(false)
	c.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	c.plan(c.a)
	ra, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	rb, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.b)
	require.NoError(t, err)
	both := append(ra, rb...)
	require.GreaterOrEqual(t, len(both), 2)
	key := exercise.WithIdempotencyKey("batch-1")
	first, err := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, both, key)
	require.NoError(t, err)
	require.Len(t, first.Events, len(both))
	n := len(c.events())

	again, err := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, both, key)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	_, err = c.eng.MarkRemindersSent(c.ctx, c.rel.ID, both[:1], key)
	assertKeyConflict(t, c, err, "batch-1", n)
	_, err = c.eng.MarkRemindersSent(c.ctx, c.rel.ID, append(both, both[0]), key)
	assertKeyConflict(t, c, err, "batch-1", n)
}

// BenchmarkIdempotentRetry measures a keyed check-in retried at the end of
// a journey of about 2,000 events, which it settles against the journey as
// it is; a first keyed write (record) for comparison; and the key reused for
// a different check-in (conflict), which replays the journey up to the
// key's first use before refusing.
func BenchmarkIdempotentRetry(b *testing.B) {
	c := journeyWithHistory(b, 2000)
	alex := trust.PartnerActor(c.a)
	ci := progress.CheckIn{Trust: ptr(5)}
	n := 0 // keys stay new across the benchmark's rounds
	b.Run("record", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			n++
			if _, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("rec-"+strconv.Itoa(n))); err != nil {
				b.Fatal(err)
			}
		}
	})
	_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("retry"))
	require.NoError(b, err)
	b.Run("retry", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("retry")); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A conflict cannot be settled against the journey as it is now: it
	// replays the journey up to the key's first use.
	other := progress.CheckIn{Trust: ptr(9)}
	b.Run("conflict", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, other, nil, exercise.WithIdempotencyKey("retry")); err == nil {
				b.Fatal("a different request replayed")
			}
		}
	})
}
