package simulate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"

	"github.com/google/uuid"
)

// CoupleSeed derives the 32-byte ChaCha8 seed of couple index from the
// dataset's seed and a purpose label: SHA-256("mend/simulate/" + purpose,
// seed, index). Each couple's draws depend only on these, never on which
// worker or machine simulates it, or in what order.
func CoupleSeed(seed uint64, index int, purpose string) [32]byte {
	h := sha256.New()
	h.Write([]byte("mend/simulate/" + purpose + "\x00"))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(index))
	h.Write(b[:])
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// PseudonymKey derives the run's pseudonymisation key from the seed. A
// simulated dataset may use a key anyone can recompute; a real export must
// use a secret key held by the data owner and never published, or the
// pseudonyms can be reversed by hashing candidate IDs.
func PseudonymKey(seed uint64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	m := hmac.New(sha256.New, []byte("mend/simulate/pseudonym-key"))
	m.Write(b[:])
	return m.Sum(nil)
}

// chachaIDs is an IDSource of version 4 UUIDs over a ChaCha8 stream. It is
// owned by one couple's simulation and not shared between goroutines.
type chachaIDs struct{ r *rand.ChaCha8 }

func (c chachaIDs) NewUUID() (uuid.UUID, error) { return uuid.NewRandomFromReader(c.r) }

// rng wraps the couple's behaviour source with the draws the model uses.
type rng struct{ *rand.Rand }

func newRNG(seed [32]byte) rng { return rng{rand.New(rand.NewChaCha8(seed))} }

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// triangular draws from t by inverting its distribution function.
func (r rng) triangular(t Triangular) float64 {
	if t.Max <= t.Min {
		return t.Min
	}
	u := r.Float64()
	c := (t.Mode - t.Min) / (t.Max - t.Min)
	if u < c {
		return t.Min + math.Sqrt(u*(t.Max-t.Min)*(t.Mode-t.Min))
	}
	return t.Max - math.Sqrt((1-u)*(t.Max-t.Min)*(t.Max-t.Mode))
}

// pick draws one value of a weighted list.
func (r rng) pick(list []Choice) string {
	total := 0.0
	for _, c := range list {
		total += c.Weight
	}
	x := r.Float64() * total
	for _, c := range list {
		if x < c.Weight {
			return c.Value
		}
		x -= c.Weight
	}
	return list[len(list)-1].Value
}

// normal draws from a normal distribution.
func (r rng) normal(sd float64) float64 { return r.NormFloat64() * sd }

func newChaCha(seed [32]byte) *rand.ChaCha8 { return rand.NewChaCha8(seed) }
