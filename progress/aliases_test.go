package progress_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/progress/instrument"
)

type (
	progressResponse = instrument.Response
	progressAnswer   = instrument.Answer
)

type (
	progressNote    = progress.CheckInNote
	progressCheckIn = progress.CheckIn
)

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
