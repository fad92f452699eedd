package trust

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ID is a typed identifier: a UUID that remembers what it names, so a
// [PartnerID] cannot be passed where a [BreachID] is wanted. It marshals as the
// canonical UUID string ("6ba7b810-9dad-11d1-80b4-00c04fd430c8") in JSON and
// text, and its zero value is the nil UUID, which every validator rejects.
type ID[T any] uuid.UUID

// ParseID parses the canonical string form of a UUID into a typed ID.
func ParseID[T any](s string) (ID[T], error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return ID[T]{}, err
	}
	return ID[T](u), nil
}

// String returns the canonical UUID string.
func (id ID[T]) String() string { return uuid.UUID(id).String() }

// IsZero reports whether id is the nil UUID.
func (id ID[T]) IsZero() bool { return id == ID[T]{} }

// UUID returns the untyped UUID.
func (id ID[T]) UUID() uuid.UUID { return uuid.UUID(id) }

// MarshalText implements encoding.TextMarshaler.
func (id ID[T]) MarshalText() ([]byte, error) { return uuid.UUID(id).MarshalText() }

// UnmarshalText implements encoding.TextUnmarshaler. Only the canonical
// 36-character form is accepted, so the same ID always has the same bytes.
func (id *ID[T]) UnmarshalText(b []byte) error {
	if len(b) != 36 {
		return fmt.Errorf("invalid UUID %q: want the 36-character canonical form", b)
	}
	u, err := uuid.ParseBytes(b)
	if err != nil {
		return err
	}
	*id = ID[T](u)
	return nil
}

// Typed identifiers of the trust vocabulary.
type (
	// PartnerID names a Partner.
	PartnerID = ID[Partner]
	// RelationshipID names a Relationship; a journey has the same ID as its relationship.
	RelationshipID = ID[Relationship]
	// BreachID names a Breach.
	BreachID = ID[Breach]
	// AccountID names an Account.
	AccountID = ID[Account]
	// AcknowledgementID names an Acknowledgement.
	AcknowledgementID = ID[Acknowledgement]
	// NeedsRequestID names a NeedsRequest.
	NeedsRequestID = ID[NeedsRequest]
	// SafetyFlagID names a SafetyFlag.
	SafetyFlagID = ID[SafetyFlag]
	// ProfessionalID names a professional a partner may consent to share with.
	ProfessionalID = ID[Professional]
	// EventID names an Event.
	EventID = ID[Event]
)

// Professional is the marker type of [ProfessionalID]: a couples or individual
// therapist, counsellor or coach outside the couple. mend stores no details
// about professionals beyond their ID and what partners consented to share.
type Professional struct{}

// IDSource produces new UUIDs. Inject one to make IDs reproducible; the zero
// configuration of every mend constructor uses [RandomIDs].
type IDSource interface {
	NewUUID() (uuid.UUID, error)
}

// NewID draws a new typed ID from src.
func NewID[T any](src IDSource) (ID[T], error) {
	u, err := src.NewUUID()
	if err != nil {
		return ID[T]{}, err
	}
	return ID[T](u), nil
}

type randomIDs struct{}

func (randomIDs) NewUUID() (uuid.UUID, error) { return uuid.NewRandomFromReader(rand.Reader) }

// RandomIDs returns an IDSource of version 4 UUIDs from crypto/rand.
func RandomIDs() IDSource { return randomIDs{} }

// SeededIDs returns an IDSource of version 4 UUIDs drawn from a ChaCha8
// stream seeded with seed: the same seed gives the same sequence of IDs. It is
// safe for concurrent use, but concurrent callers see an interleaving that
// depends on scheduling; give each deterministic worker its own source.
func SeededIDs(seed uint64) IDSource {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:8], seed)
	copy(key[8:], "mend/trust.SeededIDs")
	return &seededIDs{r: mrand.NewChaCha8(key)}
}

type seededIDs struct {
	mu sync.Mutex
	r  io.Reader
}

func (s *seededIDs) NewUUID() (uuid.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uuid.NewRandomFromReader(s.r)
}

// Clock tells the time. Inject one to make time-dependent behaviour
// reproducible; mend never calls time.Now outside [SystemClock].
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ManualClock is a Clock that only moves when told to. It is safe for
// concurrent use. The zero value reads as the zero time.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a ManualClock set to t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t.UTC()} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}
