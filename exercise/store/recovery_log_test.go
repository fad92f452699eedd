package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise/store"
)

// Recovery says what it cut off: where the torn final commit began, how many
// bytes it dropped, why, and whose journey's unacknowledged append it was.
func TestRecoveryLogsWhatItTruncates(t *testing.T) {
	ops := history()[:12] // the last appends three events
	dir := t.TempDir()
	sizes := writeHistory(t, dir, ops)
	content, err := os.ReadFile(filepath.Join(dir, store.LogName))
	require.NoError(t, err)
	from := sizes[11]
	starts := recordStarts(content, from, sizes[12])
	require.Len(t, starts, 3)
	cut := starts[1] + store.RecordHeaderSize + 5 // the second record of the last append is torn
	rewrite(t, dir, content[:cut])

	var logs bytes.Buffer
	s, err := store.OpenFile(dir, store.FileOptions{NoSync: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	line := logs.String()
	assert.Contains(t, line, "level=WARN")
	assert.Contains(t, line, "torn final commit")
	assert.Contains(t, line, "offset="+strconv.FormatInt(from, 10))
	assert.Contains(t, line, "bytes="+strconv.FormatInt(cut-from, 10))
	assert.Contains(t, line, "relationships=["+ops[11].st.Rel.String()+"]")
	assert.Contains(t, line, "reason=")
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("\n")), "one line")
	checkApplied(t, s, ops, 11)
	require.NoError(t, s.Close())

	// Once cut, there is nothing more to repair, and nothing to log.
	logs.Reset()
	s, err = store.OpenFile(dir, store.FileOptions{NoSync: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	assert.Empty(t, logs.String())
	_, err = s.Append(context.Background(), ops[11].st.Rel, ops[11].expected, ops[11].events...)
	require.NoError(t, err, "the dropped append can be made again")
	require.NoError(t, s.Close())
}

// A torn header record names no relationship: none was readable.
func TestRecoveryLogsATornRecordHeader(t *testing.T) {
	ops := history()[:3]
	dir := t.TempDir()
	sizes := writeHistory(t, dir, ops)
	content, err := os.ReadFile(filepath.Join(dir, store.LogName))
	require.NoError(t, err)
	cut := sizes[2] + 3
	rewrite(t, dir, content[:cut])

	var logs bytes.Buffer
	s, err := store.OpenFile(dir, store.FileOptions{NoSync: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	defer s.Close()
	assert.Contains(t, logs.String(), "offset="+strconv.FormatInt(sizes[2], 10))
	assert.Contains(t, logs.String(), "bytes=3")
	assert.Contains(t, logs.String(), "relationships=[]")
	checkApplied(t, s, ops, 2)
}
