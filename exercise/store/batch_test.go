package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

func TestNewBatch(t *testing.T) {
	st := storetest.NewStream(1)
	events := st.Events(3, 2)
	b, err := store.NewBatch(context.Background(), st.Rel, 2, events...)
	require.NoError(t, err)
	assert.Equal(t, st.Rel, b.Relationship)
	assert.Equal(t, trust.Sequence(2), b.Expected)
	assert.Equal(t, trust.Sequence(4), b.Last())
	require.Len(t, b.Records, 2)
	for i, r := range b.Records {
		assert.Equal(t, events[i].ID, r.ID)
		assert.Equal(t, events[i].Sequence, r.Sequence)
		e, err := trust.DecodeEvent(r.Data)
		require.NoError(t, err, "a record's data decodes with trust.DecodeEvent")
		assert.Equal(t, events[i].ID, e.ID)
	}

	again, err := store.NewBatch(context.Background(), st.Rel, 2, st.Events(3, 2)...)
	require.NoError(t, err)
	assert.Equal(t, b, again, "equal events give equal records")
}

func TestBatchCheck(t *testing.T) {
	st := storetest.NewStream(2)
	b, err := store.NewBatch(context.Background(), st.Rel, 1, st.Events(2, 2)...)
	require.NoError(t, err)
	nothing := func(trust.EventID) ([]byte, bool, error) { return nil, false, nil }

	retry, err := b.Check(1, nothing)
	assert.False(t, retry)
	assert.NoError(t, err, "a new append after the expected sequence")

	all := func(id trust.EventID) ([]byte, bool, error) {
		for _, r := range b.Records {
			if r.ID == id {
				return r.Data, true, nil
			}
		}
		return nil, false, nil
	}
	retry, err = b.Check(5, all)
	assert.True(t, retry, "every event stored identically is a retry, whatever the stream's last sequence")
	assert.NoError(t, err)

	_, err = b.Check(2, nothing)
	var ce *store.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, store.ConflictError{Relationship: st.Rel, Expected: 1, Actual: 2}, *ce)

	broken := errors.New("disk unreadable")
	_, err = b.Check(1, func(trust.EventID) ([]byte, bool, error) { return nil, false, broken })
	assert.ErrorIs(t, err, broken, "the lookup's error is returned as it is")

	_, err = store.Batch{Relationship: st.Rel}.Check(0, nothing)
	assert.ErrorIs(t, err, trust.ErrInvalid, "a batch with no records is not an append")
}

func TestCheckRead(t *testing.T) {
	rel := storetest.NewStream(3).Rel
	assert.NoError(t, store.CheckRead(context.Background(), rel))
	var ve *trust.ValidationError
	require.ErrorAs(t, store.CheckRead(context.Background(), trust.RelationshipID{}), &ve)
	assert.Equal(t, "relationship", ve.Field)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, store.CheckRead(ctx, rel), context.Canceled)
}
