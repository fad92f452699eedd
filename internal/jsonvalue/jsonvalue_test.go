package jsonvalue_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mendkit/mend/internal/jsonvalue"
)

func TestTrailing(t *testing.T) {
	for _, tc := range []struct {
		in       string
		trailing bool
	}{
		{`{}`, false}, {"{} \n\t\r", false}, {` {"a":[1]} `, false}, {`"s"`, false}, {`1`, false},
		{`{}}`, true}, {`{}]`, true}, {`{},`, true}, {`{}:`, true}, {`{} x`, true}, {`{}{}`, true},
		{`{} 1`, true}, {"{}\x00", true}, {"{}\u00a0", true}, {"{}\v", true}, {`{}/`, true},
	} {
		dec := json.NewDecoder(bytes.NewReader([]byte(tc.in)))
		var v any
		if !assert.NoError(t, dec.Decode(&v), "%q", tc.in) {
			continue
		}
		assert.Equal(t, tc.trailing, jsonvalue.Trailing(dec, []byte(tc.in)), "%q", tc.in)
	}
}

// FuzzTrailing checks Trailing against json.Valid, which accepts exactly
// one JSON value with white space around it.
func FuzzTrailing(f *testing.F) {
	for _, s := range []string{`{}`, `{}}`, `[1] 2`, `"a" `, `{"a":1} x`, `nul`, ` {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := json.NewDecoder(bytes.NewReader(b))
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		if got, want := !jsonvalue.Trailing(dec, b), json.Valid(b); got != want {
			t.Fatalf("%q: one value only = %v, json.Valid = %v", b, got, want)
		}
	})
}
