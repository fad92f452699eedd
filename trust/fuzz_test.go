package trust_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mendkit/mend/trust"
)

func addSamples(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
}

// FuzzDecodeEvent: any input decodes to a valid event, or fails with an
// error; a ValidationError always names a field or says the JSON is malformed.
// A decoded event re-encodes and decodes to the same bytes.
func FuzzDecodeEvent(f *testing.F) {
	addSamples(f, "testdata/schemas/event/1.0/*/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := trust.DecodeEvent(b)
		if err != nil {
			var ve *trust.ValidationError
			if errors.As(err, &ve) && ve.Problem == "" {
				t.Fatalf("validation error without a problem: %v", err)
			}
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("valid event does not encode: %v", err)
		}
		e2, err := trust.DecodeEvent(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		out2, _ := json.Marshal(e2)
		if string(out) != string(out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseProfile: profiles from JSON are valid or rejected with a typed error.
func FuzzParseProfile(f *testing.F) {
	addSamples(f, "testdata/schemas/profile/1.0/*/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := trust.ParseProfile(b)
		if err != nil {
			if !errors.Is(err, trust.ErrInvalid) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed profile does not validate: %v", err)
		}
	})
}

// FuzzBreachValidate: a breach decoded from any JSON validates or fails with
// a typed error, never panics.
func FuzzBreachValidate(f *testing.F) {
	addSamples(f, "testdata/schemas/breach/1.0/*/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		var br trust.Breach
		if json.Unmarshal(b, &br) != nil {
			return
		}
		if err := br.ValidateIn(rel); err != nil && !errors.Is(err, trust.ErrInvalid) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}
