package exercise

import (
	"errors"
	"fmt"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Sentinel errors of the catalogue. Both kinds of catalogue error also match
// trust.ErrInvalid, so a caller that only asks "was the input bad?" needs no
// special case.
var (
	// ErrDuplicateKey reports a key used twice where keys must be unique: two
	// exercises, two steps of one exercise, two placements for one profile, two
	// exercises claiming the same ritual. A *DuplicateKeyError wraps it.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrUnknownReference reports a reference to something that does not
	// exist: a profile, a phase of a profile, a step of the same exercise, or
	// another exercise. A *ReferenceError wraps it.
	ErrUnknownReference = errors.New("unknown reference")
)

// DuplicateKeyError names a key that is used twice. It matches
// ErrDuplicateKey and trust.ErrInvalid with errors.Is.
type DuplicateKeyError struct {
	// Field is the JSON path of the second use, e.g. "exercises.7.key".
	Field string
	// Key is the repeated key.
	Key string
}

// Error implements the error interface.
func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("exercise: %s: key %q is used twice", e.Field, e.Key)
}

// Is reports whether target is ErrDuplicateKey or trust.ErrInvalid.
func (e *DuplicateKeyError) Is(target error) bool {
	return target == ErrDuplicateKey || target == trust.ErrInvalid
}

// RefKind says what a catalogue reference points at.
type RefKind string

// Kinds of reference a catalogue holds.
const (
	RefProfile  RefKind = "profile"
	RefPhase    RefKind = "phase"
	RefStep     RefKind = "step"
	RefExercise RefKind = "exercise"
)

// ReferenceError names a dangling reference. It matches ErrUnknownReference
// and trust.ErrInvalid with errors.Is.
type ReferenceError struct {
	// Field is the JSON path of the reference, e.g. "exercises.3.serves.0.phases.1".
	Field string
	// Kind is what the reference should name.
	Kind RefKind
	// Ref is the reference as written.
	Ref string
	// Scope narrows Kind: the profile of a phase, the exercise of a step.
	Scope string
}

// Error implements the error interface.
func (e *ReferenceError) Error() string {
	if e.Scope != "" {
		return fmt.Sprintf("exercise: %s: %s %q is not in %s", e.Field, e.Kind, e.Ref, e.Scope)
	}
	return fmt.Sprintf("exercise: %s: unknown %s %q", e.Field, e.Kind, e.Ref)
}

// Is reports whether target is ErrUnknownReference or trust.ErrInvalid.
func (e *ReferenceError) Is(target error) bool {
	return target == ErrUnknownReference || target == trust.ErrInvalid
}

// prefix returns err with its field path prefixed, for every error type of
// the catalogue; other errors pass through.
func prefix(p string, err error) error {
	if err == nil {
		return nil
	}
	join := func(f string) string {
		if f == "" {
			return p
		}
		return p + "." + f
	}
	var de *DuplicateKeyError
	var re *ReferenceError
	switch {
	case errors.As(err, &de):
		cp := *de
		cp.Field = join(cp.Field)
		return &cp
	case errors.As(err, &re):
		cp := *re
		cp.Field = join(cp.Field)
		return &cp
	}
	return check.Prefix(p, err)
}

func invalid(field, format string, args ...any) error {
	return check.Invalid("exercise", field, format, args...)
}
