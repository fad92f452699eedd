package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
	"github.com/mendkit/mend/trust"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}

func TestFileConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.OpenFile(t.TempDir(), store.FileOptions{})
		require.NoError(t, err)
		return s
	})
}

// TestCustomStoreConformance proves that the custom store of
// Example_customStore, built on the package's exported checks, is a
// conforming store.
func TestCustomStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return &mapStore{rows: map[trust.RelationshipID][]store.Record{}}
	})
}
