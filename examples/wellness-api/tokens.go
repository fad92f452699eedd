package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mendkit/mend/trust"
)

// tokenPrefix starts every bearer token, so a leaked one is easy to spot in
// logs and secret scanners.
const tokenPrefix = "mend_"

// binding is what a bearer token grants: one partner of one journey.
type binding struct {
	Relationship trust.RelationshipID `json:"relationship"`
	Partner      trust.PartnerID      `json:"partner"`
}

// tokenRecord is one line of the tokens file: the SHA-256 of a token, never
// the token itself.
type tokenRecord struct {
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
	binding
}

type tokenFile struct {
	Version int           `json:"version"`
	Tokens  []tokenRecord `json:"tokens"`
}

// tokens keeps the bearer tokens of every journey, hashed with SHA-256, in a
// small JSON file that is replaced atomically (write, fsync, rename, fsync
// the directory) on every change, so an acknowledged journey's tokens
// survive a crash. It is loaded once at start; lookups are in memory.
type tokens struct {
	path string

	mu      sync.Mutex
	records []tokenRecord
	byHash  map[[sha256.Size]byte]binding
}

// openTokens loads the tokens file at path, or starts empty when it does not exist.
func openTokens(path string) (*tokens, error) {
	t := &tokens{path: path, byHash: map[[sha256.Size]byte]binding{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("tokens: %s: %w", path, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("tokens: %s: unsupported version %d", path, f.Version)
	}
	for i, r := range f.Tokens {
		h, err := hex.DecodeString(r.SHA256)
		if err != nil || len(h) != sha256.Size || r.Relationship.IsZero() || r.Partner.IsZero() {
			return nil, fmt.Errorf("tokens: %s: record %d is damaged", path, i)
		}
		t.byHash[[sha256.Size]byte(h)] = r.binding
	}
	t.records = f.Tokens
	return t, nil
}

// issue creates one token per binding with crypto/rand, persists their
// hashes and returns the tokens in the same order. Nothing is kept if
// persisting fails.
func (t *tokens) issue(now time.Time, bs ...binding) ([]string, error) {
	out := make([]string, len(bs))
	recs := make([]tokenRecord, len(bs))
	for i, b := range bs {
		var raw [32]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out[i] = tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
		h := sha256.Sum256([]byte(out[i]))
		recs[i] = tokenRecord{SHA256: hex.EncodeToString(h[:]), Created: now.UTC(), binding: b}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	next := append(slices.Clip(t.records), recs...)
	if err := t.write(next); err != nil {
		return nil, err
	}
	t.records = next
	for i, r := range recs {
		t.byHash[sha256.Sum256([]byte(out[i]))] = r.binding
	}
	return out, nil
}

// revoke forgets every token of a relationship (used when starting its
// journey failed after the tokens were issued).
func (t *tokens) revoke(rel trust.RelationshipID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := slices.DeleteFunc(slices.Clone(t.records), func(r tokenRecord) bool { return r.Relationship == rel })
	if err := t.write(next); err != nil {
		return err
	}
	t.records = next
	for h, b := range t.byHash {
		if b.Relationship == rel {
			delete(t.byHash, h)
		}
	}
	return nil
}

// lookup returns the binding of a presented token.
func (t *tokens) lookup(token string) (binding, bool) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 200 {
		return binding{}, false
	}
	h := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.byHash[h]
	return b, ok
}

// write replaces the tokens file atomically and durably.
func (t *tokens) write(recs []tokenRecord) error {
	b, err := json.MarshalIndent(tokenFile{Version: 1, Tokens: recs}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(t.path)
	tmp, err := os.CreateTemp(dir, ".tokens-*.json")
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := os.Rename(tmp.Name(), t.path); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	return nil
}
