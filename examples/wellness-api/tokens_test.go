package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// TestTokensSurviveReopen checks the tokens file on its own: hashes only,
// bindings kept, unknown tokens refused, revocations kept too.
func TestTokensSurviveReopen(t *testing.T) {
	path := t.TempDir() + "/tokens.json"
	tok, err := openTokens(path, nil)
	require.NoError(t, err)
	rel, a, b := trust.RelationshipID{1}, trust.PartnerID{2}, trust.PartnerID{3}
	issued, err := tok.issue(t0, rel, a, b)
	require.NoError(t, err)
	again, err := openTokens(path, nil)
	require.NoError(t, err)
	got, ok := again.lookup(issued[1])
	require.True(t, ok)
	assert.Equal(t, binding{rel, b}, got)
	_, ok = again.lookup(issued[0] + "x")
	assert.False(t, ok)
	require.NoError(t, again.revoke(t0, rel))
	_, ok = again.lookup(issued[0])
	assert.False(t, ok, "a revoked token no longer opens the journey")
	third, err := openTokens(path, nil)
	require.NoError(t, err)
	_, ok = third.lookup(issued[0])
	assert.False(t, ok, "the revocation survives a reopen")

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), issued[0], "tokens are stored hashed")
}

// Each journey appends one line; what is there is never rewritten.
func TestTokensAppendOneRecordPerJourney(t *testing.T) {
	path := t.TempDir() + "/tokens.json"
	tok, err := openTokens(path, nil)
	require.NoError(t, err)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	var issued []string
	for i := range 3 {
		toks, err := tok.issue(t0, trust.RelationshipID{byte(i + 1)}, trust.PartnerID{2}, trust.PartnerID{3})
		require.NoError(t, err)
		issued = append(issued, toks...)
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(after, before), "journey %d only appended", i)
		added := after[len(before):]
		assert.Equal(t, 1, bytes.Count(added, []byte("\n")), "one record per journey")
		before = after
	}
	again, err := openTokens(path, nil)
	require.NoError(t, err)
	for _, tk := range issued {
		_, ok := again.lookup(tk)
		assert.True(t, ok)
	}
}

// A crash in the middle of an append leaves a torn last line: it was never
// acknowledged, so loading drops it, says so in the log, and the next
// journey's record follows the last whole one.
func TestTokensTolerateATornLastLine(t *testing.T) {
	path := t.TempDir() + "/tokens.json"
	tok, err := openTokens(path, nil)
	require.NoError(t, err)
	kept, err := tok.issue(t0, trust.RelationshipID{1}, trust.PartnerID{2}, trust.PartnerID{3})
	require.NoError(t, err)
	whole, err := os.ReadFile(path)
	require.NoError(t, err)
	torn := `{"created":"2026-03-02T10:00:00Z","relationship":"00000000-0000-0000-0000-0000000000`
	require.NoError(t, os.WriteFile(path, append(bytes.Clone(whole), torn...), 0o600))

	var logs bytes.Buffer
	again, err := openTokens(path, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "torn final record")
	assert.Contains(t, logs.String(), "offset="+itoa64(int64(len(whole))))
	assert.Contains(t, logs.String(), "bytes="+itoa64(int64(len(torn))))
	_, ok := again.lookup(kept[0])
	assert.True(t, ok, "the whole records are kept")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, whole, after, "the file is cut back to its last whole record")

	next, err := again.issue(t0, trust.RelationshipID{4}, trust.PartnerID{5}, trust.PartnerID{6})
	require.NoError(t, err)
	logs.Reset()
	third, err := openTokens(path, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	assert.Empty(t, logs.String(), "nothing more to repair")
	for _, tk := range append(kept, next...) {
		_, ok := third.lookup(tk)
		assert.True(t, ok)
	}
}

// A damaged record before the last is not a torn write: loading refuses.
func TestTokensRefuseADamagedRecord(t *testing.T) {
	path := t.TempDir() + "/tokens.json"
	tok, err := openTokens(path, nil)
	require.NoError(t, err)
	_, err = tok.issue(t0, trust.RelationshipID{1}, trust.PartnerID{2}, trust.PartnerID{3})
	require.NoError(t, err)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	damaged := strings.Replace(string(raw), `"sha256":"`, `"sha256":"zz`, 1)
	require.NoError(t, os.WriteFile(path, []byte(damaged), 0o600))
	_, err = openTokens(path, nil)
	assert.ErrorContains(t, err, "line 2 is damaged")
}

// A file of version 1 (one document, rewritten whole) is converted once.
func TestTokensConvertVersion1(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	const tokA = "mend_alex"
	sum := sha256.Sum256([]byte(tokA))
	v1 := `{"version":1,"tokens":[{"sha256":"` + hex.EncodeToString(sum[:]) + `","created":"2026-03-02T10:00:00Z","relationship":"00000000-0000-0000-0000-000000000001","partner":"00000000-0000-0000-0000-000000000002"}]}`
	require.NoError(t, os.WriteFile(path, []byte(v1), 0o600))
	var logs bytes.Buffer
	tok, err := openTokens(path, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "converted")
	got, ok := tok.lookup(tokA)
	require.True(t, ok)
	assert.Equal(t, binding{trust.RelationshipID{15: 1}, trust.PartnerID{15: 2}}, got)
	again, err := openTokens(path, nil)
	require.NoError(t, err)
	_, ok = again.lookup(tokA)
	assert.True(t, ok)
}
