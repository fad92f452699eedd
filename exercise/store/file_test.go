package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
)

func TestFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.OpenFile(t.TempDir(), store.FileOptions{})
		require.NoError(t, err)
		return s
	})
}
