package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
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

// tokenLine is one line of the tokens file (JSON Lines): the file's
// version first, then one record per journey, holding the SHA-256 of each
// partner's token (never a token itself), and one per revocation.
type tokenLine struct {
	// Version is set on the first line only.
	Version int `json:"version,omitempty"`
	// Created is when the record was written.
	Created time.Time `json:"created,omitzero"`
	// Relationship is the journey the record is about.
	Relationship trust.RelationshipID `json:"relationship,omitzero"`
	// Tokens are the journey's hashed tokens, one per partner.
	Tokens []hashedToken `json:"tokens,omitempty"`
	// Revoked forgets every token of Relationship issued before it.
	Revoked bool `json:"revoked,omitempty"`
}

// hashedToken is one partner's token, hashed.
type hashedToken struct {
	SHA256  string          `json:"sha256"`
	Partner trust.PartnerID `json:"partner"`
}

// tokensVersion is the version of the tokens file's format.
const tokensVersion = 2

// legacyTokenFile is the format of version 1: one JSON document, rewritten
// whole on every change. openTokens converts it once.
type legacyTokenFile struct {
	Version int `json:"version"`
	Tokens  []struct {
		SHA256  string    `json:"sha256"`
		Created time.Time `json:"created"`
		binding
	} `json:"tokens"`
}

// tokens keeps the bearer tokens of every journey, hashed with SHA-256, in
// a JSON Lines file that only grows: starting a journey appends one record
// (write, then fsync) and never rewrites what is there, so its cost does not
// grow with the number of journeys, and an acknowledged journey's tokens
// survive a crash. A crash while appending can leave a torn last line; it
// was never acknowledged, so loading drops it, cuts the file back to the
// last whole record and logs so. It is loaded once at start; lookups are in
// memory.
type tokens struct {
	path string
	log  *slog.Logger

	mu     sync.Mutex
	size   int64 // the length of the file's whole records
	byHash map[[sha256.Size]byte]binding
}

// openTokens loads the tokens file at path, creating it when it does not
// exist and converting a version 1 file, and logs to log what it repairs.
func openTokens(path string, log *slog.Logger) (*tokens, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := &tokens{path: path, log: log, byHash: map[[sha256.Size]byte]binding{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := t.replace(nil); err != nil {
			return nil, err
		}
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	header, _, whole := bytes.Cut(b, []byte("\n"))
	var first tokenLine
	if json.Unmarshal(header, &first) != nil || first.Version != tokensVersion {
		if err := t.convert(b); err != nil {
			return nil, err
		}
		return t, nil
	}
	if !whole {
		return nil, fmt.Errorf("tokens: %s: the version line is damaged", path)
	}
	end := int64(bytes.LastIndexByte(b, '\n') + 1)
	if torn := int64(len(b)) - end; torn > 0 {
		// A record whose append did not finish: never acknowledged.
		if err := t.truncate(end); err != nil {
			return nil, err
		}
		log.Warn("tokens: dropped a torn final record left by an interrupted write", "path", path, "offset", end, "bytes", torn)
	}
	t.size = end
	for i, line := range bytes.Split(b[len(header)+1:end], []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var l tokenLine
		if err := json.Unmarshal(line, &l); err != nil || !t.apply(l) {
			return nil, fmt.Errorf("tokens: %s: line %d is damaged", path, i+2)
		}
	}
	return t, nil
}

// apply takes a record into the in-memory index; false means it is damaged.
func (t *tokens) apply(l tokenLine) bool {
	if l.Relationship.IsZero() || l.Version != 0 || l.Revoked == (len(l.Tokens) > 0) {
		return false
	}
	if l.Revoked {
		for h, b := range t.byHash {
			if b.Relationship == l.Relationship {
				delete(t.byHash, h)
			}
		}
		return true
	}
	for _, tk := range l.Tokens {
		h, err := hex.DecodeString(tk.SHA256)
		if err != nil || len(h) != sha256.Size || tk.Partner.IsZero() {
			return false
		}
		t.byHash[[sha256.Size]byte(h)] = binding{Relationship: l.Relationship, Partner: tk.Partner}
	}
	return true
}

// convert rewrites a version 1 file, b, in the current format, one record
// per journey in the order they were issued.
func (t *tokens) convert(b []byte) error {
	var f legacyTokenFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 {
		return fmt.Errorf("tokens: %s: not a tokens file of a known version", t.path)
	}
	var lines []tokenLine
	at := map[trust.RelationshipID]int{}
	for _, r := range f.Tokens {
		i, ok := at[r.Relationship]
		if !ok {
			i = len(lines)
			at[r.Relationship] = i
			lines = append(lines, tokenLine{Created: r.Created, Relationship: r.Relationship})
		}
		lines[i].Tokens = append(lines[i].Tokens, hashedToken{SHA256: r.SHA256, Partner: r.Partner})
	}
	for i, l := range lines {
		if !t.apply(l) {
			return fmt.Errorf("tokens: %s: record %d is damaged", t.path, i)
		}
	}
	if err := t.replace(lines); err != nil {
		return err
	}
	t.log.Info("tokens: converted the tokens file to version 2", "path", t.path, "journeys", len(lines))
	return nil
}

// issue creates one token per partner of rel with crypto/rand, appends
// their hashes as one record and returns the tokens in the same order.
// Nothing is kept if the append fails.
func (t *tokens) issue(now time.Time, rel trust.RelationshipID, partners ...trust.PartnerID) ([]string, error) {
	out := make([]string, len(partners))
	l := tokenLine{Created: now.UTC(), Relationship: rel, Tokens: make([]hashedToken, len(partners))}
	for i, p := range partners {
		var raw [32]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out[i] = tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
		h := sha256.Sum256([]byte(out[i]))
		l.Tokens[i] = hashedToken{SHA256: hex.EncodeToString(h[:]), Partner: p}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.append(l); err != nil {
		return nil, err
	}
	t.apply(l)
	return out, nil
}

// revoke forgets every token of a relationship (used when starting its
// journey failed after the tokens were issued).
func (t *tokens) revoke(now time.Time, rel trust.RelationshipID) error {
	l := tokenLine{Created: now.UTC(), Relationship: rel, Revoked: true}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.append(l); err != nil {
		return err
	}
	t.apply(l)
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

// append adds one record at the end of the file and syncs it. If either
// fails the file is cut back to its whole records, so a failed append never
// leaves a partial line for the next one to follow.
func (t *tokens) append(l tokenLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		err = errors.Join(err, f.Truncate(t.size))
		f.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	t.size += int64(len(b)) + 1
	return nil
}

// truncate cuts the file back to size bytes, durably.
func (t *tokens) truncate(size int64) error {
	f, err := os.OpenFile(t.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	return nil
}

// replace writes a whole new tokens file, the version line and then lines,
// atomically and durably (write, fsync, rename, fsync the directory). It
// runs only when the file is created or converted.
func (t *tokens) replace(lines []tokenLine) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(tokenLine{Version: tokensVersion}); err != nil {
		return err
	}
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	b := buf.Bytes()
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
	if _, err := tmp.Write(b); err != nil {
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
	t.size = int64(len(b))
	return nil
}
