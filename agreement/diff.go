package agreement

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mendkit/mend/trust"
)

// ChangeKind says how a part of an agreement changed between two versions.
type ChangeKind string

// Kinds of change.
const (
	// Added: a term that was not there.
	Added ChangeKind = "added"
	// Removed: a term that is no longer there.
	Removed ChangeKind = "removed"
	// Changed: a field with a new value.
	Changed ChangeKind = "changed"
)

// Values lists the kinds of change.
func (ChangeKind) Values() []string { return []string{"added", "removed", "changed"} }

// Change is one difference between two versions of an agreement.
type Change struct {
	// Kind is added, removed or changed.
	Kind ChangeKind `json:"kind"`
	// Term is the term concerned; nil for the agreement's own fields.
	Term *TermID `json:"term,omitempty"`
	// TermTitle is the term's title (the new one if it changed).
	TermTitle string `json:"term_title,omitempty"`
	// Field is the JSON path of the changed field within the agreement or term, e.g. "timing.local_time".
	Field string `json:"field,omitempty"`
	// Before is the old value, as text.
	Before string `json:"before,omitempty"`
	// After is the new value, as text.
	After string `json:"after,omitempty"`
}

// String renders the change as one line a couple can read, e.g.
// `"Friday date night": timing.local_time changed from "19:00" to "19:30"`.
func (c Change) String() string {
	subject := "agreement"
	if c.Term != nil {
		subject = strconv.Quote(c.TermTitle)
	}
	switch c.Kind {
	case Added:
		return "added term " + subject
	case Removed:
		return "removed term " + subject
	}
	before, after := c.Before, c.After
	if before == "" {
		before = "(none)"
	} else {
		before = strconv.Quote(before)
	}
	if after == "" {
		after = "(none)"
	} else {
		after = strconv.Quote(after)
	}
	return fmt.Sprintf("%s: %s changed from %s to %s", subject, c.Field, before, after)
}

// Diff returns the changes from version a to version b of an agreement: the
// agreement's title and purpose, terms removed (in a's order), terms changed
// field by field and terms added (in b's order). The version number and the
// change note are not compared. Two versions with no change give nil.
func Diff(a, b Agreement) []Change {
	var out []Change
	field := func(tid *TermID, title, name, before, after string) {
		if before != after {
			out = append(out, Change{Kind: Changed, Term: tid, TermTitle: title, Field: name, Before: before, After: after})
		}
	}
	field(nil, "", "title", a.Title, b.Title)
	field(nil, "", "purpose", a.Purpose, b.Purpose)
	for _, t := range a.Terms {
		if _, ok := b.Term(t.ID); !ok {
			id := t.ID
			out = append(out, Change{Kind: Removed, Term: &id, TermTitle: t.Title})
		}
	}
	for _, nt := range b.Terms {
		ot, ok := a.Term(nt.ID)
		id := nt.ID
		if !ok {
			out = append(out, Change{Kind: Added, Term: &id, TermTitle: nt.Title})
			continue
		}
		f := func(name, before, after string) { field(&id, nt.Title, name, before, after) }
		f("kind", string(ot.Kind), string(nt.Kind))
		f("title", ot.Title, nt.Title)
		f("detail", ot.Detail, nt.Detail)
		f("committed_by", partners(ot.CommittedBy), partners(nt.CommittedBy))
		f("timing.kind", string(ot.Timing.Kind), string(nt.Timing.Kind))
		f("timing.rrule", ot.Timing.RRule, nt.Timing.RRule)
		f("timing.starts_on", ot.Timing.StartsOn, nt.Timing.StartsOn)
		f("timing.local_time", ot.Timing.LocalTime, nt.Timing.LocalTime)
		f("timing.duration_minutes", minutes(ot.Timing.DurationMinutes), minutes(nt.Timing.DurationMinutes))
		f("timing.grace_minutes", minutes(ot.Timing.GraceMinutes), minutes(nt.Timing.GraceMinutes))
		f("review_on", ot.ReviewOn, nt.ReviewOn)
	}
	return out
}

// DiffText renders a diff one change per line.
func DiffText(changes []Change) string {
	lines := make([]string, len(changes))
	for i, c := range changes {
		lines[i] = c.String()
	}
	return strings.Join(lines, "\n")
}

func partners(ids []trust.PartnerID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ",")
}

func minutes(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
