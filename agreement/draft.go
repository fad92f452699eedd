package agreement

import (
	"slices"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// Draft builds one version of an agreement before a partner proposes it (as
// [Proposed]) or puts it forward as an amendment (as [Amended]). It draws
// IDs from an injected source and reads dates in the relationship's time
// zone, so the same inputs give the same agreement.
type Draft struct {
	rel trust.Relationship
	ids trust.IDSource
	now time.Time
	a   Agreement
}

// NewDraft starts version 1 of a new agreement, drafted at now.
func NewDraft(rel trust.Relationship, ids trust.IDSource, now time.Time, title, purpose string) (*Draft, error) {
	if _, err := rel.Location(); err != nil {
		return nil, err
	}
	id, err := trust.NewID[Agreement](ids)
	if err != nil {
		return nil, err
	}
	return &Draft{rel: rel, ids: ids, now: now, a: Agreement{ID: id, Version: 1, Title: title, Purpose: purpose}}, nil
}

// AmendDraft starts the next version of an agreement from its latest
// version, with a note saying what changes and why.
func AmendDraft(rec Record, rel trust.Relationship, ids trust.IDSource, now time.Time, changeNote string) (*Draft, error) {
	if len(rec.Versions) == 0 {
		return nil, check.Invalid(pkg, "versions", "the record has no version to amend")
	}
	if _, err := rel.Location(); err != nil {
		return nil, err
	}
	a := rec.Versions[len(rec.Versions)-1].Clone()
	a.Version = len(rec.Versions) + 1
	a.ChangeNote = changeNote
	return &Draft{rel: rel, ids: ids, now: now, a: a}, nil
}

// Both returns both partners of the relationship, for Term.CommittedBy.
func Both(rel trust.Relationship) []trust.PartnerID {
	return []trust.PartnerID{rel.Partners[0].ID, rel.Partners[1].ID}
}

// SetPurpose replaces the title and purpose.
func (d *Draft) SetPurpose(title, purpose string) { d.a.Title, d.a.Purpose = title, purpose }

// Add appends a term, drawing its ID, and returns the ID. A transparency
// term without a review date gets one [DefaultTransparencyReview] after the
// draft's date. The term is checked against the couple.
func (d *Draft) Add(t Term) (TermID, error) {
	id, err := trust.NewID[Term](d.ids)
	if err != nil {
		return TermID{}, err
	}
	t.ID = id
	if err := d.prepare(&t); err != nil {
		return TermID{}, err
	}
	d.a.Terms = append(d.a.Terms, t)
	return id, nil
}

// Replace replaces the term with t.ID, keeping its place.
func (d *Draft) Replace(t Term) error {
	i := slices.IndexFunc(d.a.Terms, func(x Term) bool { return x.ID == t.ID })
	if i < 0 {
		return check.Invalid(pkg, "id", "the draft has no term %s", t.ID)
	}
	if err := d.prepare(&t); err != nil {
		return err
	}
	d.a.Terms[i] = t
	return nil
}

// Remove drops the term with the given ID.
func (d *Draft) Remove(id TermID) error {
	i := slices.IndexFunc(d.a.Terms, func(x Term) bool { return x.ID == id })
	if i < 0 {
		return check.Invalid(pkg, "id", "the draft has no term %s", id)
	}
	d.a.Terms = slices.Delete(d.a.Terms, i, i+1)
	return nil
}

func (d *Draft) prepare(t *Term) error {
	loc, _ := d.rel.Location()
	if t.Kind == Transparency && t.ReviewOn == "" {
		t.ReviewOn = localDate(d.now.Add(DefaultTransparencyReview), loc)
	}
	if len(t.CommittedBy) == 2 && t.CommittedBy[0] == d.rel.Partners[1].ID && t.CommittedBy[1] == d.rel.Partners[0].ID {
		t.CommittedBy = Both(d.rel)
	}
	t.CommittedBy = slices.Clone(t.CommittedBy)
	if err := t.Validate(); err != nil {
		return err
	}
	return t.validateIn(d.rel, loc)
}

// Agreement returns the drafted version, checked against the couple.
func (d *Draft) Agreement() (Agreement, error) {
	a := d.a.Clone()
	if err := a.ValidateIn(d.rel); err != nil {
		return Agreement{}, err
	}
	return a, nil
}
