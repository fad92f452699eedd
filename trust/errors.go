package trust

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrInvalid marks every validation failure; a *ValidationError wraps it.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a reference to something the journey does not hold.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a write that lost a race or repeats a unique fact.
	ErrConflict = errors.New("conflict")
	// ErrInvalidTransition reports an event the current state does not allow.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrGateNotMet reports a phase change whose gates are not all met; a
	// *GateError wraps it with the gates that failed.
	ErrGateNotMet = errors.New("gate not met")
	// ErrPausedForSafety reports joint work refused while a safety flag, or a
	// pause either partner asked for, is active. The error text never says which.
	ErrPausedForSafety = errors.New("joint work is paused")
	// ErrForbidden reports an actor doing what their role does not allow.
	ErrForbidden = errors.New("forbidden")
)

// ValidationError describes one invalid field. Field is a dotted path in JSON
// names ("breach.came_to_light.start"); Problem says what is wrong with it.
// It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Pkg     string // package that rejected the value, e.g. "trust"
	Field   string
	Problem string
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	pkg := e.Pkg
	if pkg == "" {
		pkg = "trust"
	}
	return fmt.Sprintf("%s: %s: %s", pkg, e.Field, e.Problem)
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// invalid returns a *ValidationError for field in package "trust".
func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Pkg: "trust", Field: field, Problem: fmt.Sprintf(format, args...)}
}

// prefix returns err with a *ValidationError's field prefixed by prefix +
// "."; other errors pass through unchanged.
func prefix(p string, err error) error {
	if err == nil {
		return nil // before ve, which escapes: a nil error allocates nothing
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	cp := *ve
	cp.Field = strings.TrimSuffix(p+"."+cp.Field, ".")
	return &cp
}

// TransitionError reports an event the journey state does not allow. It
// matches ErrInvalidTransition (and, when set, Cause) with errors.Is.
type TransitionError struct {
	Pkg    string
	Event  string // the event type refused
	Reason string
	Cause  error // optional sentinel such as ErrNotFound or ErrForbidden
}

// Error implements the error interface.
func (e *TransitionError) Error() string {
	pkg := e.Pkg
	if pkg == "" {
		pkg = "trust"
	}
	return fmt.Sprintf("%s: %s: %s", pkg, e.Event, e.Reason)
}

// Is reports whether target is ErrInvalidTransition or the error's Cause.
func (e *TransitionError) Is(target error) bool {
	return target == ErrInvalidTransition || (e.Cause != nil && errors.Is(e.Cause, target))
}

func refuse(event string, cause error, format string, args ...any) *TransitionError {
	return &TransitionError{Pkg: "trust", Event: event, Reason: fmt.Sprintf(format, args...), Cause: cause}
}

// GateError lists the gates that stop a phase change. It matches
// ErrGateNotMet with errors.Is.
type GateError struct {
	Phase string       // the phase that could not be entered or left
	Unmet []GateResult // the gates that were not met, in profile order
}

// Error implements the error interface.
func (e *GateError) Error() string {
	parts := make([]string, len(e.Unmet))
	for i, g := range e.Unmet {
		parts[i] = g.Gate.Kind.String() + " (" + g.Reason + ")"
	}
	return fmt.Sprintf("trust: phase %s: gate not met: %s", e.Phase, strings.Join(parts, "; "))
}

// Is reports whether target is ErrGateNotMet.
func (e *GateError) Is(target error) bool { return target == ErrGateNotMet }
