package trust

import "github.com/mendkit/mend/internal/schemafile"

// Event types of the trust package. Each has one payload type and one JSON
// Schema, named by the event's dataschema.
const (
	TypeJourneyStarted          = "trust.journey_started"
	TypeBreachRecorded          = "trust.breach_recorded"
	TypeBreachEnded             = "trust.breach_ended"
	TypeAccountGiven            = "trust.account_given"
	TypeAcknowledgementGiven    = "trust.acknowledgement_given"
	TypeAcknowledgementAnswered = "trust.acknowledgement_answered"
	TypeNeedsRequested          = "trust.needs_requested"
	TypeNeedsAnswered           = "trust.needs_answered"
	TypeNeedsClosed             = "trust.needs_closed"
	TypeCommitmentStated        = "trust.commitment_stated"
	TypeSafetyFlagRaised        = "trust.safety_flag_raised"
	TypeSafetyFlagCleared       = "trust.safety_flag_cleared"
	TypeProfessionalConsent     = "trust.professional_consent_changed"
	TypeResearchConsent         = "trust.research_consent_changed"
	TypePauseChanged            = "trust.pause_changed"
	TypePhaseChanged            = "trust.phase_changed"
)

func init() {
	all := []Visibility{Shared, Private, Sealed, WithProfessional}
	shared := []Visibility{Shared}
	for _, s := range []EventSpec{
		{Type: TypeJourneyStarted, New: func() Payload { return new(JourneyStarted) }, Schema: schemafile.ID("trust", "journey-started", "1.0"), Visibilities: shared, Writers: BySystem},
		{Type: TypeBreachRecorded, New: func() Payload { return new(Breach) }, Schema: schemafile.ID("trust", "breach", "1.0"), Visibilities: []Visibility{Shared, WithProfessional}, Writers: ByEitherPartner | ByProfessional},
		{Type: TypeBreachEnded, New: func() Payload { return new(BreachEnded) }, Schema: schemafile.ID("trust", "breach-ended", "1.0"), Visibilities: shared, Writers: ByEitherPartner | ByProfessional},
		{Type: TypeAccountGiven, New: func() Payload { return new(Account) }, Schema: schemafile.ID("trust", "account", "1.0"), Visibilities: all, Writers: ByOwner},
		{Type: TypeAcknowledgementGiven, New: func() Payload { return new(Acknowledgement) }, Schema: schemafile.ID("trust", "acknowledgement", "1.0"), Visibilities: shared, Writers: ByOwner},
		{Type: TypeAcknowledgementAnswered, New: func() Payload { return new(AcknowledgementAnswer) }, Schema: schemafile.ID("trust", "acknowledgement-answer", "1.0"), Visibilities: shared, Writers: ByOwner},
		{Type: TypeNeedsRequested, New: func() Payload { return new(NeedsRequest) }, Schema: schemafile.ID("trust", "needs-request", "1.0"), Visibilities: shared, Writers: ByOwner},
		{Type: TypeNeedsAnswered, New: func() Payload { return new(NeedsAnswer) }, Schema: schemafile.ID("trust", "needs-answer", "1.0"), Visibilities: shared, Writers: ByOwner},
		{Type: TypeNeedsClosed, New: func() Payload { return new(NeedsClosed) }, Schema: schemafile.ID("trust", "needs-closed", "1.0"), Visibilities: shared, Writers: ByEitherPartner | BySystem},
		{Type: TypeCommitmentStated, New: func() Payload { return new(Commitment) }, Schema: schemafile.ID("trust", "commitment", "1.0"), Visibilities: []Visibility{Private, Shared, WithProfessional}, Writers: ByOwner},
		{Type: TypeSafetyFlagRaised, New: func() Payload { return new(SafetyFlag) }, Schema: schemafile.ID("trust", "safety-flag", "1.0"), Visibilities: []Visibility{Private}, Sensitive: true, Writers: ByOwner},
		{Type: TypeSafetyFlagCleared, New: func() Payload { return new(SafetyFlagCleared) }, Schema: schemafile.ID("trust", "safety-flag-cleared", "1.0"), Visibilities: []Visibility{Private}, Sensitive: true, Writers: ByOwner | ByProfessional},
		{Type: TypeProfessionalConsent, New: func() Payload { return new(ProfessionalConsent) }, Schema: schemafile.ID("trust", "professional-consent", "1.0"), Visibilities: []Visibility{Private}, Writers: ByOwner},
		{Type: TypeResearchConsent, New: func() Payload { return new(ResearchConsent) }, Schema: schemafile.ID("trust", "research-consent", "1.0"), Visibilities: shared, Writers: ByOwner},
		{Type: TypePauseChanged, New: func() Payload { return new(PauseChange) }, Schema: schemafile.ID("trust", "pause-change", "1.0"), Visibilities: shared, Writers: ByEitherPartner},
		{Type: TypePhaseChanged, New: func() Payload { return new(PhaseChange) }, Schema: schemafile.ID("trust", "phase-change", "1.0"), Visibilities: shared, Writers: BySystem},
	} {
		MustRegisterEventType(s)
	}
}
