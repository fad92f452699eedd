package trust

import (
	"slices"
	"strings"
)

// CommitmentAnswer is a partner's answer to "do you want to keep working on
// this relationship?".
type CommitmentAnswer string

// Commitment answers.
const (
	CommitYes    CommitmentAnswer = "yes"
	CommitUnsure CommitmentAnswer = "unsure"
	CommitNo     CommitmentAnswer = "no"
)

// Values lists the answers.
func (CommitmentAnswer) Values() []string { return []string{"yes", "unsure", "no"} }

// Commitment is one partner's current answer to the commitment question. It is
// asked at the start and again over time; the latest answer counts. By default
// it is private: the couple sees only whether they are aligned (see
// [Alignment]), never the other's raw answer.
type Commitment struct {
	// Partner is who answered.
	Partner PartnerID `json:"partner"`
	// Answer is yes, unsure or no.
	Answer CommitmentAnswer `json:"answer"`
}

// EventType implements Payload.
func (Commitment) EventType() string { return TypeCommitmentStated }

// OwnerPartner implements the owner rule.
func (c Commitment) OwnerPartner() PartnerID { return c.Partner }

// Validate checks the fields.
func (c Commitment) Validate() error {
	if c.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	if !slices.Contains(c.Answer.Values(), string(c.Answer)) {
		return invalid("answer", "%q is not yes, unsure or no", c.Answer)
	}
	return nil
}

// Alignment summarises both partners' commitment without revealing either answer.
type Alignment string

// Alignments.
const (
	// AlignedYes: both want to keep working on the relationship.
	AlignedYes Alignment = "aligned"
	// AlignmentMixed: the answers differ, or someone is unsure: the journey
	// offers a discernment path and a solo track rather than joint repair.
	AlignmentMixed Alignment = "mixed"
	// AlignedNo: neither wants to continue; the journey supports an honest ending.
	AlignedNo Alignment = "aligned_no"
	// AlignmentUnknown: at least one partner has not answered yet.
	AlignmentUnknown Alignment = "unknown"
)

// Values lists the alignments.
func (Alignment) Values() []string { return []string{"aligned", "mixed", "aligned_no", "unknown"} }

// SafetyKind says what a safety concern is about.
type SafetyKind string

// Kinds of safety concern.
const (
	SafetyViolence        SafetyKind = "violence"
	SafetyThreats         SafetyKind = "threats"
	SafetyCoerciveControl SafetyKind = "coercive_control"
	SafetyFear            SafetyKind = "fear"
	SafetySelfHarm        SafetyKind = "self_harm_risk"
	SafetyOther           SafetyKind = "other"
)

// Values lists the kinds.
func (SafetyKind) Values() []string {
	return []string{"violence", "threats", "coercive_control", "fear", "self_harm_risk", "other"}
}

// SafetyFlag is a safety concern raised privately by one partner at any time.
// While any flag is active the journey is paused for joint work and only
// individual and crisis support is offered. A flag is always private: no
// viewer-scoped API shows it, or the fact that it exists, to the other
// partner; it is never notified and never exported. Only the partner who
// raised it, or a professional they consented to share safety data with, may clear it.
type SafetyFlag struct {
	// ID identifies the flag.
	ID SafetyFlagID `json:"id"`
	// Partner is who raised it.
	Partner PartnerID `json:"partner"`
	// Kinds says what the concern is about; at least one.
	Kinds []SafetyKind `json:"kinds"`
	// Note is an optional private note for the raiser (and a consented professional).
	Note string `json:"note,omitempty"`
}

// EventType implements Payload.
func (SafetyFlag) EventType() string { return TypeSafetyFlagRaised }

// OwnerPartner implements the owner rule.
func (f SafetyFlag) OwnerPartner() PartnerID { return f.Partner }

// Validate checks the fields.
func (f SafetyFlag) Validate() error {
	if f.ID.IsZero() {
		return invalid("id", "is required")
	}
	if f.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	if len(f.Kinds) == 0 {
		return invalid("kinds", "needs at least one kind")
	}
	for i, k := range f.Kinds {
		if !slices.Contains(k.Values(), string(k)) {
			return invalid("kinds."+itoa(i), "%q is not one of %s", k, strings.Join(k.Values(), ", "))
		}
	}
	return text("note", f.Note, 0, 4000)
}

// SafetyFlagCleared clears a safety flag.
type SafetyFlagCleared struct {
	// Flag is the flag cleared.
	Flag SafetyFlagID `json:"flag"`
	// Partner is who raised the flag (the owner of this event).
	Partner PartnerID `json:"partner"`
}

// EventType implements Payload.
func (SafetyFlagCleared) EventType() string { return TypeSafetyFlagCleared }

// OwnerPartner implements the owner rule.
func (c SafetyFlagCleared) OwnerPartner() PartnerID { return c.Partner }

// Validate checks the fields.
func (c SafetyFlagCleared) Validate() error {
	if c.Flag.IsZero() {
		return invalid("flag", "is required")
	}
	if c.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	return nil
}

// ProfessionalConsent is a partner consenting to share with a professional, or
// withdrawing that consent. A professional sees a partner's "professional"
// entries once that partner consents, shared entries only while both partners
// consent, and that partner's safety entries only if IncludeSafety is true.
type ProfessionalConsent struct {
	// Partner is who consents.
	Partner PartnerID `json:"partner"`
	// Professional is who may see.
	Professional ProfessionalID `json:"professional"`
	// Granted is true to give consent, false to withdraw it.
	Granted bool `json:"granted"`
	// IncludeSafety lets the professional see and clear this partner's safety flags.
	IncludeSafety bool `json:"include_safety"`
}

// EventType implements Payload.
func (ProfessionalConsent) EventType() string { return TypeProfessionalConsent }

// OwnerPartner implements the owner rule.
func (c ProfessionalConsent) OwnerPartner() PartnerID { return c.Partner }

// Validate checks the fields.
func (c ProfessionalConsent) Validate() error {
	if c.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	if c.Professional.IsZero() {
		return invalid("professional", "is required")
	}
	if !c.Granted && c.IncludeSafety {
		return invalid("include_safety", "must be false when consent is withdrawn")
	}
	return nil
}

// ResearchConsent records a partner giving or withdrawing consent to research use.
type ResearchConsent struct {
	// Partner is who consents.
	Partner PartnerID `json:"partner"`
	// Granted is true to consent, false to withdraw.
	Granted bool `json:"granted"`
}

// EventType implements Payload.
func (ResearchConsent) EventType() string { return TypeResearchConsent }

// Validate checks the fields.
func (c ResearchConsent) Validate() error {
	if c.Partner.IsZero() {
		return invalid("partner", "is required")
	}
	return nil
}

// PauseChange is either partner pausing joint work, or resuming it. The other
// partner sees the same "joint work is paused" state whether a pause or a
// private safety flag caused it.
type PauseChange struct {
	// Paused is true to pause, false to resume.
	Paused bool `json:"paused"`
	// Reason is an optional note.
	Reason string `json:"reason,omitempty"`
}

// EventType implements Payload.
func (PauseChange) EventType() string { return TypePauseChanged }

// Validate checks the fields.
func (p PauseChange) Validate() error { return text("reason", p.Reason, 0, 1000) }
