package store_test

import (
	"testing"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/exercise/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}
