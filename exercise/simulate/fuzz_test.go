package simulate_test

import (
	"errors"
	"testing"

	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/trust"
)

// FuzzParseParams checks that any parameter file either parses to valid
// parameters or is refused with a validation error, never a panic.
func FuzzParseParams(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"couples": 10, "weeks": 2}`))
	f.Add([]byte(`{"engagement": {"min": 0.9, "mode": 0.1, "max": 1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := simulate.ParseParams(b)
		if err != nil {
			if !errors.Is(err, trust.ErrInvalid) {
				t.Fatalf("error is not a validation error: %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed parameters do not validate: %v", err)
		}
	})
}
