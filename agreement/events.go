package agreement

import (
	"regexp"
	"strconv"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/trust"
)

// Event types of the agreement package. Each has one payload type and one
// JSON Schema, named by the event's dataschema.
const (
	// TypeProposed: a partner proposes a new agreement; carries version 1 in full.
	TypeProposed = "agreement.proposed"
	// TypeSigned: a partner signs one version.
	TypeSigned = "agreement.signed"
	// TypeActivated: every required signature on the pending version is in,
	// and it comes into force. Written by the engine (trust.SystemActor).
	TypeActivated = "agreement.activated"
	// TypeReviewStarted: a partner (or the system, on a review date) opens a
	// review of an agreement in force; it stays in force meanwhile.
	TypeReviewStarted = "agreement.review_started"
	// TypeReviewClosed: a review ends with the version in force unchanged;
	// any amendment still awaiting signatures is withdrawn.
	TypeReviewClosed = "agreement.review_closed"
	// TypeAmended: a partner proposes a new version; carries it in full. The
	// version in force, if any, stays in force until the new one is activated.
	TypeAmended = "agreement.amended"
	// TypeRetired: a partner ends the agreement.
	TypeRetired = "agreement.retired"
	// TypeTransparencyRevoked: a partner withdraws a transparency term,
	// effective at once.
	TypeTransparencyRevoked = "agreement.transparency_revoked"
	// TypeLapsed: a transparency term passed its sunset without both
	// partners signing a later review date.
	TypeLapsed = "agreement.lapsed"
	// TypeOccurrenceKept: evidence that an occurrence was kept.
	TypeOccurrenceKept = "agreement.occurrence_kept"
	// TypeOccurrenceMissed: evidence that an occurrence was missed.
	TypeOccurrenceMissed = "agreement.occurrence_missed"
	// TypeOccurrenceRescheduled: evidence that an occurrence was held at
	// another time within its grace window; it counts as kept, late or early.
	TypeOccurrenceRescheduled = "agreement.occurrence_rescheduled"
	// TypeOccurrenceSkipped: a planned exception: one occurrence will not
	// happen (an EXDATE). It is neither kept nor missed.
	TypeOccurrenceSkipped = "agreement.occurrence_skipped"
	// TypeOccurrenceMoved: a planned exception: one occurrence moves to
	// another time (an EXDATE and an RDATE), the rule unchanged.
	TypeOccurrenceMoved = "agreement.occurrence_moved"
	// TypeTermBroken: a partner reports a standing term, such as a boundary, broken.
	TypeTermBroken = "agreement.term_broken"
	// TypeTermRenegotiated: the couple talked a term through and agreed to
	// change it; the change itself is an amendment.
	TypeTermRenegotiated = "agreement.term_renegotiated"
)

// Who writes agreement events: the partners, each in their own name (the
// Book checks the partner a payload names); the engine alone activates an
// agreement once every signature is in and lapses a transparency term; a
// review date or a missed occurrence may be noted by either.
const (
	partner         = trust.ByEitherPartner
	partnerOrSystem = trust.ByEitherPartner | trust.BySystem
)

// eventTypes lists the payload constructors, schema names and writers of every type.
var eventTypes = []struct {
	typ, schema string
	new         func() trust.Payload
	writers     trust.Writers
}{
	{TypeProposed, "proposal", func() trust.Payload { return new(Proposed) }, partner},
	{TypeSigned, "signature", func() trust.Payload { return new(Signed) }, partner},
	{TypeActivated, "activation", func() trust.Payload { return new(Activated) }, trust.BySystem},
	{TypeReviewStarted, "review-started", func() trust.Payload { return new(ReviewStarted) }, partnerOrSystem},
	{TypeReviewClosed, "review-closed", func() trust.Payload { return new(ReviewClosed) }, partner},
	{TypeAmended, "amendment", func() trust.Payload { return new(Amended) }, partner},
	{TypeRetired, "retirement", func() trust.Payload { return new(Retired) }, partner},
	{TypeTransparencyRevoked, "transparency-revocation", func() trust.Payload { return new(TransparencyRevoked) }, partner},
	{TypeLapsed, "lapse", func() trust.Payload { return new(Lapsed) }, trust.BySystem},
	{TypeOccurrenceKept, "occurrence-kept", func() trust.Payload { return new(OccurrenceKept) }, partner},
	{TypeOccurrenceMissed, "occurrence-missed", func() trust.Payload { return new(OccurrenceMissed) }, partnerOrSystem},
	{TypeOccurrenceRescheduled, "occurrence-rescheduled", func() trust.Payload { return new(OccurrenceRescheduled) }, partner},
	{TypeOccurrenceSkipped, "occurrence-skipped", func() trust.Payload { return new(OccurrenceSkipped) }, partner},
	{TypeOccurrenceMoved, "occurrence-moved", func() trust.Payload { return new(OccurrenceMoved) }, partner},
	{TypeTermBroken, "term-broken", func() trust.Payload { return new(TermBroken) }, partner},
	{TypeTermRenegotiated, "term-renegotiated", func() trust.Payload { return new(TermRenegotiated) }, partner},
}

func init() {
	for _, t := range eventTypes {
		trust.MustRegisterEventType(trust.EventSpec{Type: t.typ, New: t.new,
			Schema: schemafile.ID(pkg, t.schema, "1.0"), Visibilities: []trust.Visibility{trust.Shared}, Writers: t.writers})
	}
}

// EventTypes lists the event types of the package in a stable order.
func EventTypes() []string {
	out := make([]string, len(eventTypes))
	for i, t := range eventTypes {
		out[i] = t.typ
	}
	return out
}

// Proposed opens a new agreement: a partner puts version 1 forward for both
// partners to sign.
type Proposed struct {
	// Agreement is version 1 in full.
	Agreement Agreement `json:"agreement"`
	// ProposedBy is the partner proposing it; they write the event.
	ProposedBy trust.PartnerID `json:"proposed_by"`
}

// EventType implements trust.Payload.
func (Proposed) EventType() string { return TypeProposed }

// EventSubject names the agreement.
func (p Proposed) EventSubject() string { return p.Agreement.ID.String() }

// Validate checks the fields.
func (p Proposed) Validate() error {
	if p.ProposedBy.IsZero() {
		return check.Invalid(pkg, "proposed_by", "is required")
	}
	if p.Agreement.Version != 1 {
		return check.Invalid(pkg, "agreement.version", "a new agreement starts at version 1; later versions are amendments")
	}
	return check.Prefix("agreement", p.Agreement.Validate())
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Signed is one partner's signature on one version. Signing a version that
// holds transparency terms in which the partner gives access requires their
// explicit consent to each, listed in ConsentsTo.
type Signed struct {
	// Agreement is the agreement signed.
	Agreement ID `json:"agreement"`
	// Version is the version signed; it must be the one awaiting signatures.
	Version int `json:"version"`
	// Digest is the version's [Agreement.Digest]: the partner signs exactly that text.
	Digest string `json:"digest"`
	// Partner is who signs; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// ConsentsTo lists, in version order, the transparency terms of the
	// version in which Partner gives access: each needs their consent.
	ConsentsTo []TermID `json:"consents_to,omitempty"`
}

// EventType implements trust.Payload.
func (Signed) EventType() string { return TypeSigned }

// EventSubject names the agreement.
func (s Signed) EventSubject() string { return s.Agreement.String() }

// Validate checks the fields.
func (s Signed) Validate() error {
	switch {
	case s.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case s.Version < 1:
		return check.Invalid(pkg, "version", "must be at least 1")
	case !digestRE.MatchString(s.Digest):
		return check.Invalid(pkg, "digest", "must be \"sha256:\" and 64 lower-case hex digits")
	case s.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return uniqueTerms("consents_to", s.ConsentsTo)
}

// Signature is one signature as the Book records it.
type Signature struct {
	// Partner is who signed.
	Partner trust.PartnerID `json:"partner"`
	// Version is the version signed.
	Version int `json:"version"`
	// SignedAt is when, in UTC.
	SignedAt time.Time `json:"signed_at"`
	// ConsentsTo lists the transparency terms the partner consented to give access under.
	ConsentsTo []TermID `json:"consents_to,omitempty"`
}

// Activated brings a version into force. The Book accepts it only when both
// partners have signed that version; [Book.Activation] builds it.
type Activated struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Version is the version coming into force.
	Version int `json:"version"`
	// Digest is the version's digest.
	Digest string `json:"digest"`
	// Signatures are the signatures that make it binding, in signing order.
	Signatures []Signature `json:"signatures"`
}

// EventType implements trust.Payload.
func (Activated) EventType() string { return TypeActivated }

// EventSubject names the agreement.
func (a Activated) EventSubject() string { return a.Agreement.String() }

// Validate checks the fields.
func (a Activated) Validate() error {
	switch {
	case a.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case a.Version < 1:
		return check.Invalid(pkg, "version", "must be at least 1")
	case !digestRE.MatchString(a.Digest):
		return check.Invalid(pkg, "digest", "must be \"sha256:\" and 64 lower-case hex digits")
	case len(a.Signatures) != 2:
		return check.Invalid(pkg, "signatures", "an agreement is binding with both partners' signatures")
	}
	for i, s := range a.Signatures {
		at := "signatures." + strconv.Itoa(i)
		switch {
		case s.Partner.IsZero():
			return check.Invalid(pkg, at+".partner", "is required")
		case s.Version != a.Version:
			return check.Invalid(pkg, at+".version", "is %d, not the version activated (%d)", s.Version, a.Version)
		case s.SignedAt.IsZero():
			return check.Invalid(pkg, at+".signed_at", "is required")
		}
		if err := uniqueTerms(at+".consents_to", s.ConsentsTo); err != nil {
			return err
		}
	}
	if a.Signatures[0].Partner == a.Signatures[1].Partner {
		return check.Invalid(pkg, "signatures.1.partner", "the same partner cannot sign twice")
	}
	return nil
}

// ReviewStarted opens a review of the agreement in force. The agreement
// stays in force during the review; it ends with an amendment, a
// [ReviewClosed] or a retirement.
type ReviewStarted struct {
	// Agreement is the agreement reviewed.
	Agreement ID `json:"agreement"`
	// Partner is who asked for the review; empty when the system opens one on a review date.
	Partner *trust.PartnerID `json:"partner,omitempty"`
	// Reason says what the couple wants to look at.
	Reason string `json:"reason"`
	// Terms optionally names the terms in question.
	Terms []TermID `json:"terms,omitempty"`
}

// EventType implements trust.Payload.
func (ReviewStarted) EventType() string { return TypeReviewStarted }

// EventSubject names the agreement.
func (r ReviewStarted) EventSubject() string { return r.Agreement.String() }

// Validate checks the fields.
func (r ReviewStarted) Validate() error {
	switch {
	case r.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case r.Partner != nil && r.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is not a valid partner ID")
	}
	return firstErr(text("reason", r.Reason, 1, 2000), uniqueTerms("terms", r.Terms))
}

// ReviewClosed ends a review with the version in force unchanged. An
// amendment still awaiting signatures is withdrawn (it stays in the history).
type ReviewClosed struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Partner is who closes the review; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Note records what the couple concluded.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (ReviewClosed) EventType() string { return TypeReviewClosed }

// EventSubject names the agreement.
func (r ReviewClosed) EventSubject() string { return r.Agreement.String() }

// Validate checks the fields.
func (r ReviewClosed) Validate() error {
	switch {
	case r.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case r.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("note", r.Note, 0, 2000)
}

// Amended puts a new version forward: a counter-proposal while the agreement
// is still proposed, or the outcome of a review. Signatures on earlier
// versions do not carry over.
type Amended struct {
	// Agreement is the new version in full; its Version is one more than the latest.
	Agreement Agreement `json:"agreement"`
	// AmendedBy is the partner putting it forward; they write the event.
	AmendedBy trust.PartnerID `json:"amended_by"`
}

// EventType implements trust.Payload.
func (Amended) EventType() string { return TypeAmended }

// EventSubject names the agreement.
func (a Amended) EventSubject() string { return a.Agreement.ID.String() }

// Validate checks the fields.
func (a Amended) Validate() error {
	if a.AmendedBy.IsZero() {
		return check.Invalid(pkg, "amended_by", "is required")
	}
	if a.Agreement.Version < 2 {
		return check.Invalid(pkg, "agreement.version", "an amendment is version 2 or later")
	}
	return check.Prefix("agreement", a.Agreement.Validate())
}

// Retired ends an agreement. Either partner may retire it: nobody is held to
// an agreement they no longer give.
type Retired struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Partner is who retires it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Reason says why.
	Reason string `json:"reason"`
}

// EventType implements trust.Payload.
func (Retired) EventType() string { return TypeRetired }

// EventSubject names the agreement.
func (r Retired) EventSubject() string { return r.Agreement.String() }

// Validate checks the fields.
func (r Retired) Validate() error {
	switch {
	case r.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case r.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("reason", r.Reason, 1, 2000)
}

// TransparencyRevoked withdraws a transparency term at the event's time.
// Either partner may revoke, for any reason or none, and it is never refused
// because of the agreement's state. Any signature on a version still
// awaiting signatures that contains the term is withdrawn too, so the term
// can only come back with fresh signatures from both.
type TransparencyRevoked struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the transparency term revoked.
	Term TermID `json:"term"`
	// Partner is who revokes; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Reason is optional: nobody has to justify ending access to their life.
	Reason string `json:"reason,omitempty"`
}

// EventType implements trust.Payload.
func (TransparencyRevoked) EventType() string { return TypeTransparencyRevoked }

// EventSubject names the agreement.
func (r TransparencyRevoked) EventSubject() string { return r.Agreement.String() }

// Validate checks the fields.
func (r TransparencyRevoked) Validate() error {
	if err := termRef(r.Agreement, r.Term, r.Partner); err != nil {
		return err
	}
	return text("reason", r.Reason, 0, 2000)
}

// Lapsed records that a transparency term passed its sunset. [Book.Lapses]
// lists the lapses due; the engine appends them as the system.
type Lapsed struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the transparency term that lapsed.
	Term TermID `json:"term"`
	// Version is the version in force whose review date passed.
	Version int `json:"version"`
	// ReviewOn is that review date.
	ReviewOn string `json:"review_on"`
}

// EventType implements trust.Payload.
func (Lapsed) EventType() string { return TypeLapsed }

// EventSubject names the agreement.
func (l Lapsed) EventSubject() string { return l.Agreement.String() }

// Validate checks the fields.
func (l Lapsed) Validate() error {
	switch {
	case l.Agreement.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case l.Term.IsZero():
		return check.Invalid(pkg, "term", "is required")
	case l.Version < 1:
		return check.Invalid(pkg, "version", "must be at least 1")
	}
	if _, err := parseDate(l.ReviewOn); err != nil {
		return check.Invalid(pkg, "review_on", "%q is not a date such as \"2025-04-01\"", l.ReviewOn)
	}
	return nil
}

// termRef checks what every event a partner writes about a term names: the
// agreement, the term and the partner.
func termRef(a ID, t TermID, p trust.PartnerID) error {
	switch {
	case a.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case t.IsZero():
		return check.Invalid(pkg, "term", "is required")
	case p.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return nil
}

// checkRef checks the part every occurrence event shares.
func checkRef(a ID, t TermID, occ time.Time) error {
	switch {
	case a.IsZero():
		return check.Invalid(pkg, "agreement", "is required")
	case t.IsZero():
		return check.Invalid(pkg, "term", "is required")
	case occ.IsZero():
		return check.Invalid(pkg, "occurrence", "is required")
	case occ.Nanosecond() != 0 || occ.Second() != 0:
		return check.Invalid(pkg, "occurrence", "must be an occurrence start, which falls on a whole minute")
	}
	return nil
}

// OccurrenceKept is evidence that an occurrence took place as planned.
type OccurrenceKept struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the scheduled term.
	Term TermID `json:"term"`
	// Occurrence is the occurrence's start in UTC, as the schedule lists it.
	Occurrence time.Time `json:"occurrence"`
	// Partner is who reports it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Note is optional.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (OccurrenceKept) EventType() string { return TypeOccurrenceKept }

// EventSubject names the agreement.
func (o OccurrenceKept) EventSubject() string { return o.Agreement.String() }

// Validate checks the fields.
func (o OccurrenceKept) Validate() error {
	if err := checkRef(o.Agreement, o.Term, o.Occurrence); err != nil {
		return err
	}
	if o.Partner.IsZero() {
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("note", o.Note, 0, 2000)
}

// OccurrenceMissed is evidence that an occurrence did not take place. A
// partner reports it, or the system after the grace window ends with no report.
type OccurrenceMissed struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the scheduled term.
	Term TermID `json:"term"`
	// Occurrence is the occurrence's start in UTC.
	Occurrence time.Time `json:"occurrence"`
	// Partner is who reports it; empty when the system records it after the grace window.
	Partner *trust.PartnerID `json:"partner,omitempty"`
	// Note is optional.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (OccurrenceMissed) EventType() string { return TypeOccurrenceMissed }

// EventSubject names the agreement.
func (o OccurrenceMissed) EventSubject() string { return o.Agreement.String() }

// Validate checks the fields.
func (o OccurrenceMissed) Validate() error {
	if err := checkRef(o.Agreement, o.Term, o.Occurrence); err != nil {
		return err
	}
	if o.Partner != nil && o.Partner.IsZero() {
		return check.Invalid(pkg, "partner", "is not a valid partner ID")
	}
	return text("note", o.Note, 0, 2000)
}

// OccurrenceRescheduled is evidence that an occurrence was held at another
// time within its grace window. It counts as kept, and is counted apart.
type OccurrenceRescheduled struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the scheduled term.
	Term TermID `json:"term"`
	// Occurrence is the scheduled start in UTC.
	Occurrence time.Time `json:"occurrence"`
	// HeldAt is when it was actually held, in UTC.
	HeldAt time.Time `json:"held_at"`
	// Partner is who reports it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Note is optional.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (OccurrenceRescheduled) EventType() string { return TypeOccurrenceRescheduled }

// EventSubject names the agreement.
func (o OccurrenceRescheduled) EventSubject() string { return o.Agreement.String() }

// Validate checks the fields.
func (o OccurrenceRescheduled) Validate() error {
	if err := checkRef(o.Agreement, o.Term, o.Occurrence); err != nil {
		return err
	}
	switch {
	case o.HeldAt.IsZero():
		return check.Invalid(pkg, "held_at", "is required")
	case o.HeldAt.Equal(o.Occurrence):
		return check.Invalid(pkg, "held_at", "is the scheduled time: report it as kept")
	case o.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("note", o.Note, 0, 2000)
}

// OccurrenceSkipped plans one occurrence away (an EXDATE): the couple agrees
// before it starts that it will not happen. A skipped occurrence is neither
// due nor missed, and leaves the commitment strength unchanged.
type OccurrenceSkipped struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the scheduled term.
	Term TermID `json:"term"`
	// Occurrence is the start, in UTC, of the occurrence skipped.
	Occurrence time.Time `json:"occurrence"`
	// Partner is who records it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Reason says why, e.g. travel.
	Reason string `json:"reason,omitempty"`
}

// EventType implements trust.Payload.
func (OccurrenceSkipped) EventType() string { return TypeOccurrenceSkipped }

// EventSubject names the agreement.
func (o OccurrenceSkipped) EventSubject() string { return o.Agreement.String() }

// Validate checks the fields.
func (o OccurrenceSkipped) Validate() error {
	if err := checkRef(o.Agreement, o.Term, o.Occurrence); err != nil {
		return err
	}
	if o.Partner.IsZero() {
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("reason", o.Reason, 0, 2000)
}

// OccurrenceMoved plans one occurrence to another time (an EXDATE for the
// original and an RDATE for the new start) without changing the rule.
type OccurrenceMoved struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the scheduled term.
	Term TermID `json:"term"`
	// Occurrence is the original start in UTC.
	Occurrence time.Time `json:"occurrence"`
	// To is the new start in UTC.
	To time.Time `json:"to"`
	// Partner is who records it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Reason is optional.
	Reason string `json:"reason,omitempty"`
}

// EventType implements trust.Payload.
func (OccurrenceMoved) EventType() string { return TypeOccurrenceMoved }

// EventSubject names the agreement.
func (o OccurrenceMoved) EventSubject() string { return o.Agreement.String() }

// Validate checks the fields.
func (o OccurrenceMoved) Validate() error {
	if err := checkRef(o.Agreement, o.Term, o.Occurrence); err != nil {
		return err
	}
	switch {
	case o.To.IsZero():
		return check.Invalid(pkg, "to", "is required")
	case o.To.Nanosecond() != 0 || o.To.Second() != 0:
		return check.Invalid(pkg, "to", "must fall on a whole minute")
	case o.To.Equal(o.Occurrence):
		return check.Invalid(pkg, "to", "is the time it already has")
	case o.Partner.IsZero():
		return check.Invalid(pkg, "partner", "is required")
	}
	return text("reason", o.Reason, 0, 2000)
}

// TermBroken reports a standing term, such as a boundary, broken. Either
// partner may report: a partner reporting their own break (Self) is counted
// apart, because owning it is part of the repair.
type TermBroken struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the standing term.
	Term TermID `json:"term"`
	// Partner is who reports it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// OccurredAt is when it happened, in UTC, as best known.
	OccurredAt time.Time `json:"occurred_at"`
	// Note says what happened, optionally.
	Note string `json:"note,omitempty"`
}

// EventType implements trust.Payload.
func (TermBroken) EventType() string { return TypeTermBroken }

// EventSubject names the agreement.
func (b TermBroken) EventSubject() string { return b.Agreement.String() }

// Validate checks the fields.
func (b TermBroken) Validate() error {
	if err := termRef(b.Agreement, b.Term, b.Partner); err != nil {
		return err
	}
	if b.OccurredAt.IsZero() {
		return check.Invalid(pkg, "occurred_at", "is required")
	}
	return text("note", b.Note, 0, 2000)
}

// TermRenegotiated records that the couple talked a term through because it
// was not working, and agreed to change it. It is evidence of the process,
// not a failure; the change itself is an [Amended] version.
type TermRenegotiated struct {
	// Agreement is the agreement.
	Agreement ID `json:"agreement"`
	// Term is the term.
	Term TermID `json:"term"`
	// Partner is who records it; they write the event.
	Partner trust.PartnerID `json:"partner"`
	// Note records what they agreed.
	Note string `json:"note"`
}

// EventType implements trust.Payload.
func (TermRenegotiated) EventType() string { return TypeTermRenegotiated }

// EventSubject names the agreement.
func (r TermRenegotiated) EventSubject() string { return r.Agreement.String() }

// Validate checks the fields.
func (r TermRenegotiated) Validate() error {
	if err := termRef(r.Agreement, r.Term, r.Partner); err != nil {
		return err
	}
	return text("note", r.Note, 1, 2000)
}

func uniqueTerms(field string, ids []TermID) error {
	if len(ids) > MaxTerms {
		return check.Invalid(pkg, field, "lists more than %d terms", MaxTerms)
	}
	seen := map[TermID]bool{}
	for i, id := range ids {
		if id.IsZero() {
			return check.Invalid(pkg, field+"."+strconv.Itoa(i), "is required")
		}
		if seen[id] {
			return check.Invalid(pkg, field+"."+strconv.Itoa(i), "%s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}
