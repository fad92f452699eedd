package agreement

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/jsonvalue"
	"github.com/mendkit/mend/internal/keys"
	"github.com/mendkit/mend/trust"
)

// pkg is the package name every error of this package carries.
const pkg = "agreement"

// Typed identifiers of the agreement package.
type (
	// ID names an agreement across all of its versions.
	ID = trust.ID[Agreement]
	// TermID names a term across the versions of its agreement: an amended
	// term keeps its ID, so evidence and exceptions follow it.
	TermID = trust.ID[Term]
)

// Limits on an agreement's content.
const (
	// MaxTerms is the most terms one agreement version may hold.
	MaxTerms = 50
	// DefaultTransparencyReview is how long after it is drafted a
	// transparency term comes up for its sunset review when the draft does
	// not say.
	DefaultTransparencyReview = 30 * 24 * time.Hour
	// MaxTransparencyReviewDays is the furthest, in days after the version is
	// proposed, that a transparency term's review date may lie: access to a
	// partner's life is never open-ended.
	MaxTransparencyReviewDays = 90
)

// TermKind says what kind of commitment a term is.
type TermKind string

// Kinds of term.
const (
	// Ritual is a recurring or one-off shared ritual of connection: a date
	// night, a weekly check-in ("state of the union"), a walk.
	Ritual TermKind = "ritual"
	// DailyConnection is a small recurring moment of contact: a greeting on
	// parting and reunion, a stress-reducing conversation at the end of the day.
	DailyConnection TermKind = "daily_connection"
	// Boundary is a standing limit, such as no contact with a third party.
	Boundary TermKind = "boundary"
	// Transparency is an openness commitment, such as sharing a calendar or
	// accounts. It needs the consent of each partner who gives access, may be
	// revoked by either partner at once, and has a mandatory sunset review.
	Transparency TermKind = "transparency"
	// Support is a commitment to support the other partner, such as going to
	// individual therapy or handling a hard decision together.
	Support TermKind = "support"
	// Custom is anything else the couple agrees.
	Custom TermKind = "custom"
)

// Values lists the term kinds.
func (TermKind) Values() []string {
	return []string{"ritual", "daily_connection", "boundary", "transparency", "support", "custom"}
}

// Scheduled reports whether terms of this kind appear in the iCalendar export
// by default: rituals and daily connection.
func (k TermKind) Scheduled() bool { return k == Ritual || k == DailyConnection }

// Agreement is one version of an agreement: what the couple signs. An
// agreement's versions share its ID and are numbered from 1; a version is
// never changed after it is proposed (an amendment is a new version), so a
// signature names a version and its [Agreement.Digest].
//
// Agreement is also the marker type of [ID].
type Agreement struct {
	// ID identifies the agreement across its versions.
	ID ID `json:"id"`
	// Version is the version number, from 1.
	Version int `json:"version"`
	// Title names the agreement, e.g. "How we rebuild".
	Title string `json:"title"`
	// Purpose says, in the couple's words, what a healthy relationship means
	// for them and what the agreement is for.
	Purpose string `json:"purpose"`
	// Terms are the commitments, in the order the couple wrote them.
	Terms []Term `json:"terms"`
	// ChangeNote says what changed from the previous version and why; required from version 2 on.
	ChangeNote string `json:"change_note,omitempty"`
}

// Term is one commitment of an agreement.
type Term struct {
	// ID identifies the term across the versions of its agreement.
	ID TermID `json:"id"`
	// Kind is ritual, daily_connection, boundary, transparency, support or custom.
	Kind TermKind `json:"kind"`
	// Title names the term, e.g. "Friday date night".
	Title string `json:"title"`
	// Detail describes the commitment concretely enough that both partners
	// would agree whether it was kept.
	Detail string `json:"detail,omitempty"`
	// CommittedBy lists who commits: one partner or both. For a transparency
	// term these are the partners who give access, and each must consent.
	CommittedBy []trust.PartnerID `json:"committed_by"`
	// Timing says when the term applies: a recurrence, one date, or standing.
	Timing Timing `json:"timing"`
	// Ritual names the exercise ritual that carries the term out, such as
	// "weekly_checkin", "date_night", "daily_reunion" or
	// "daily_appreciation", so the engine can turn each occurrence into an
	// assignment of the matching exercise. Only ritual and daily_connection
	// terms have one.
	Ritual string `json:"ritual,omitempty" jsonschema:"pattern=^[a-z][a-z0-9_]*$,maxLength=64"`
	// ReviewOn is the local date ("2006-01-02") on which the couple reviews
	// the term. Required for transparency terms, where it is the sunset: the
	// term lapses at the end of that day unless both partners have signed a
	// version with a later review date.
	ReviewOn string `json:"review_on,omitempty"`
}

// Term returns the term with the given ID.
func (a Agreement) Term(id TermID) (Term, bool) {
	for _, t := range a.Terms {
		if t.ID == id {
			return t, true
		}
	}
	return Term{}, false
}

// Digest returns "sha256:" and the hex SHA-256 of the version's JSON. A
// signature carries it so a partner signs exactly the text they read.
func (a Agreement) Digest() string {
	b, err := json.Marshal(a)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Validate checks the version on its own: every field well formed, every
// recurrence rule valid and able to occur. [Agreement.ValidateIn] also checks
// it against the couple.
func (a Agreement) Validate() error {
	switch {
	case a.ID.IsZero():
		return check.Invalid(pkg, "id", "is required")
	case a.Version < 1:
		return check.Invalid(pkg, "version", "must be at least 1")
	case a.Version > 1 && strings.TrimSpace(a.ChangeNote) == "":
		return check.Invalid(pkg, "change_note", "is required from version 2 on: say what changed and why")
	}
	if err := firstErr(text("title", a.Title, 1, 120), text("purpose", a.Purpose, 1, 4000),
		text("change_note", a.ChangeNote, 0, 2000)); err != nil {
		return err
	}
	if len(a.Terms) == 0 {
		return check.Invalid(pkg, "terms", "an agreement needs at least one term")
	}
	if len(a.Terms) > MaxTerms {
		return check.Invalid(pkg, "terms", "has %d terms; the limit is %d", len(a.Terms), MaxTerms)
	}
	seen := map[TermID]bool{}
	for i, t := range a.Terms {
		at := "terms." + strconv.Itoa(i)
		if err := t.Validate(); err != nil {
			return check.Prefix(at, err)
		}
		if seen[t.ID] {
			return check.Invalid(pkg, at+".id", "%s is used by two terms", t.ID)
		}
		seen[t.ID] = true
	}
	return nil
}

// ValidateIn checks the version against the couple: everyone who commits is
// a partner, local dates and times exist in the relationship's time zone,
// and every UNTIL leaves at least one occurrence.
func (a Agreement) ValidateIn(rel trust.Relationship) error {
	if err := a.Validate(); err != nil {
		return err
	}
	loc, err := rel.Location()
	if err != nil {
		return check.Invalid(pkg, "relationship.time_zone", "%q is not an IANA time zone", rel.TimeZone)
	}
	for i, t := range a.Terms {
		if err := t.validateIn(rel, loc); err != nil {
			return check.Prefix("terms."+strconv.Itoa(i), err)
		}
	}
	return nil
}

// Validate checks the term on its own.
func (t Term) Validate() error {
	switch {
	case t.ID.IsZero():
		return check.Invalid(pkg, "id", "is required")
	case !slices.Contains(t.Kind.Values(), string(t.Kind)):
		return check.Invalid(pkg, "kind", "%q is not one of %s", t.Kind, strings.Join(t.Kind.Values(), ", "))
	}
	if err := firstErr(text("title", t.Title, 1, 120), text("detail", t.Detail, 0, 2000)); err != nil {
		return err
	}
	switch len(t.CommittedBy) {
	case 1:
	case 2:
		if t.CommittedBy[0] == t.CommittedBy[1] {
			return check.Invalid(pkg, "committed_by.1", "names the same partner twice")
		}
	default:
		return check.Invalid(pkg, "committed_by", "must name one partner or both")
	}
	for i, p := range t.CommittedBy {
		if p.IsZero() {
			return check.Invalid(pkg, "committed_by."+strconv.Itoa(i), "is required")
		}
	}
	if err := check.Prefix("timing", t.Timing.Validate()); err != nil {
		return err
	}
	switch t.Kind {
	case Ritual:
		if t.Timing.Kind == Standing {
			return check.Invalid(pkg, "timing.kind", "a ritual happens at a time: make it recurring or once")
		}
	case DailyConnection:
		if t.Timing.Kind != Recurring {
			return check.Invalid(pkg, "timing.kind", "daily connection recurs: give it a recurrence rule")
		}
	case Boundary:
		if t.Timing.Kind != Standing {
			return check.Invalid(pkg, "timing.kind", "a boundary is standing: it holds at all times while the agreement is in force")
		}
	case Transparency:
		if t.ReviewOn == "" {
			return check.Invalid(pkg, "review_on", "is required for a transparency term: it is the sunset review date")
		}
	}
	if t.Ritual != "" {
		if t.Kind != Ritual && t.Kind != DailyConnection {
			return check.Invalid(pkg, "ritual", "only ritual and daily_connection terms are carried out by a ritual exercise")
		}
		if !keys.IsSnake(t.Ritual, 64) {
			return check.Invalid(pkg, "ritual", "%q is not a lower-case ritual key such as \"weekly_checkin\"", t.Ritual)
		}
	}
	if t.ReviewOn != "" {
		if _, err := parseDate(t.ReviewOn); err != nil {
			return check.Invalid(pkg, "review_on", "%q is not a date such as \"2025-04-01\"", t.ReviewOn)
		}
	}
	return nil
}

func (t Term) validateIn(rel trust.Relationship, loc *time.Location) error {
	for i, p := range t.CommittedBy {
		if !rel.Has(p) {
			return check.Invalid(pkg, "committed_by."+strconv.Itoa(i), "%s is not a partner in this relationship", p)
		}
	}
	return check.Prefix("timing", t.Timing.validateIn(loc))
}

// Commits reports whether p is one of the partners who commit to the term.
func (t Term) Commits(p trust.PartnerID) bool {
	for _, c := range t.CommittedBy {
		if c == p {
			return true
		}
	}
	return false
}

// sunset returns the instant a transparency term lapses: the start of the
// local day after its review date.
func (t Term) sunset(loc *time.Location) (time.Time, bool) {
	if t.Kind != Transparency || t.ReviewOn == "" {
		return time.Time{}, false
	}
	d, err := parseDate(t.ReviewOn)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).UTC(), true
}

// Parse decodes and validates one agreement version from JSON.
// Unknown fields are rejected, so a misspelt field is not silently dropped;
// every error is a *trust.ValidationError naming the field.
func Parse(b []byte) (Agreement, error) {
	var a Agreement
	if err := decodeStrict(b, &a); err != nil {
		return Agreement{}, err
	}
	if err := a.Validate(); err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data, and turns decoder errors into validation errors.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeErr(err)
	}
	if jsonvalue.Trailing(dec, b) {
		return check.Invalid(pkg, "", "trailing data after the JSON value")
	}
	return nil
}

// decodeErr turns encoding/json errors into validation errors naming the field.
func decodeErr(err error) error {
	var ve *trust.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return check.Invalid(pkg, te.Field, "has the wrong JSON type (%s where %s was expected)", te.Value, te.Type)
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return check.Invalid(pkg, strings.Trim(rest, `"`), "is not a known field")
	}
	return check.Invalid(pkg, "", "malformed JSON: %s", msg)
}

// text checks a free-text field with the shared rule of [check.Text]: clean
// text (no control character but newline and tab, no bidirectional
// override, valid UTF-8), present when minLen > 0, at most maxLen characters.
func text(field, s string, minLen, maxLen int) error {
	return check.Text(pkg, field, s, minLen, maxLen)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Layouts of the local dates and times in agreements.
const (
	// DateLayout is the layout of a local date: "2006-01-02".
	DateLayout = "2006-01-02"
	// ClockLayout is the layout of a local time of day: "15:04".
	ClockLayout = "15:04"
	// LocalLayout is the layout of a local date and time: "2006-01-02T15:04".
	LocalLayout = "2006-01-02T15:04"
)

func parseDate(s string) (time.Time, error) {
	if len(s) != len(DateLayout) {
		return time.Time{}, errors.New("bad length")
	}
	return time.Parse(DateLayout, s)
}

func parseClock(s string) (hour, minute int, err error) {
	if len(s) != len(ClockLayout) {
		return 0, 0, errors.New("bad length")
	}
	t, err := time.Parse(ClockLayout, s)
	if err != nil {
		return 0, 0, err
	}
	return t.Hour(), t.Minute(), nil
}

// localDate returns the local date of t in loc, formatted as [DateLayout].
func localDate(t time.Time, loc *time.Location) string { return t.In(loc).Format(DateLayout) }

// Clone returns a copy of a that shares no slice with it. The Book keeps its
// own versions and hands out copies, so neither a caller's payload nor a
// value read back can change what it holds.
func (a Agreement) Clone() Agreement {
	a.Terms = slices.Clone(a.Terms)
	for i := range a.Terms {
		a.Terms[i].CommittedBy = slices.Clone(a.Terms[i].CommittedBy)
	}
	return a
}

// cloneAgreements deep-copies a list of versions.
func cloneAgreements(list []Agreement) []Agreement {
	out := make([]Agreement, len(list))
	for i, a := range list {
		out[i] = a.Clone()
	}
	return out
}
