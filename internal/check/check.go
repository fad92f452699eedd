// Package check builds the validation errors of the packages above trust, so
// that every mend package reports a bad field in one shape: a
// *trust.ValidationError naming the package, the field (a dotted path in
// JSON names) and the problem.
package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/internal/textrule"
	"github.com/mendkit/mend/trust"
)

// Invalid returns a *trust.ValidationError for field in package pkg.
func Invalid(pkg, field, format string, args ...any) *trust.ValidationError {
	return &trust.ValidationError{Pkg: pkg, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Prefix returns err with a *trust.ValidationError's field prefixed by
// prefix + "."; other errors pass through unchanged. It lets a containing
// value report the full path of a nested field.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil // before ve, which escapes: a nil error allocates nothing
	}
	var ve *trust.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	cp := *ve
	cp.Field = strings.TrimSuffix(prefix+"."+cp.Field, ".")
	return &cp
}

// Text checks a free-text field with the rule every mend package shares
// (see internal/textrule): clean, valid UTF-8 with no control character but
// newline and tab and no bidirectional override, embedding or isolate;
// present (not only white space) when minLen > 0; at most maxLen characters.
func Text(pkg, field, s string, minLen, maxLen int) error {
	if p := textrule.Problem(s, minLen, maxLen); p != "" {
		return Invalid(pkg, field, "%s", p)
	}
	return nil
}

// Schemas converts a package's embedded schema files to the published
// [trust.Schema] values.
func Schemas(files []schemafile.File) []trust.Schema {
	out := make([]trust.Schema, len(files))
	for i, f := range files {
		out[i] = trust.Schema(f)
	}
	return out
}
