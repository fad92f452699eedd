package keys_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/internal/keys"
)

var (
	keyPattern   = regexp.MustCompile(`^[a-z][a-z0-9]*([_-][a-z0-9]+)*$`)
	snakePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

func TestIsKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"weekly-checkin", true}, {"phase_2", true}, {"a", true}, {"a1-b2_c3", true},
		{"", false}, {"1a", false}, {"-a", false}, {"a-", false}, {"a--b", false},
		{"a_-b", false}, {"A", false}, {"a b", false}, {"é", false}, {"a.b", false},
	} {
		assert.Equal(t, tc.want, keys.Is(tc.in), "%q", tc.in)
	}
}

func TestIsSnakeName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want bool
	}{
		{"weekly_checkin", 40, true}, {"a", 1, true}, {"a__", 3, true}, {"ab", 1, false},
		{"", 40, false}, {"_a", 40, false}, {"a-b", 40, false}, {"Ab", 40, false},
	} {
		assert.Equal(t, tc.want, keys.IsSnake(tc.in, tc.max), "%q", tc.in)
	}
}

// The hand-written checks accept exactly what their patterns accept.
func TestNamesMatchTheirPatterns(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := rapid.StringOfN(rapid.SampledFrom([]rune("ab09-_A. é")), 0, 45, -1).Draw(rt, "s")
		assert.Equal(rt, keyPattern.MatchString(s), keys.Is(s), "IsKey(%q)", s)
		assert.Equal(rt, snakePattern.MatchString(s), keys.IsSnake(s, 40), "IsSnakeName(%q)", s)
	})
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"weekly-checkin", "a--b", "phase_2", "x_", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if keyPattern.MatchString(s) != keys.Is(s) {
			t.Fatalf("IsKey(%q) disagrees with its pattern", s)
		}
		if snakePattern.MatchString(s) != keys.IsSnake(s, 40) {
			t.Fatalf("IsSnakeName(%q, 40) disagrees with its pattern", s)
		}
	})
}
