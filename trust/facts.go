package trust

import (
	"slices"
	"strings"
)

// Account is one partner's own telling of a breach: what happened as they see
// it and what their own part was in creating or sustaining it. Accounts aim at
// understanding, not blame; mend records both partners' accounts side by side
// and never a verdict. Write accounts sealed (see [AccountSealKey]) so each
// partner tells theirs before reading the other's.
type Account struct {
	// ID identifies the account.
	ID AccountID `json:"id"`
	// Breach is the breach the account is about.
	Breach BreachID `json:"breach"`
	// Partner is whose account it is; only they may write it.
	Partner PartnerID `json:"partner"`
	// WhatHappened is the partner's description of events.
	WhatHappened string `json:"what_happened"`
	// MyPart is what the partner sees as their own part.
	MyPart string `json:"my_part"`
	// Context is what was going on around it: stresses, needs, history.
	Context string `json:"context,omitempty"`
}

// EventType implements Payload.
func (Account) EventType() string { return TypeAccountGiven }

// EventSubject names the breach.
func (a Account) EventSubject() string { return a.Breach.String() }

// OwnerPartner implements the owner rule: an account belongs to its partner.
func (a Account) OwnerPartner() PartnerID { return a.Partner }

// Validate checks the account's fields.
func (a Account) Validate() error {
	switch {
	case a.ID.IsZero():
		return invalid("id", "is required")
	case a.Breach.IsZero():
		return invalid("breach", "is required")
	case a.Partner.IsZero():
		return invalid("partner", "is required")
	}
	return firstErr(text("what_happened", a.WhatHappened, 1, 8000),
		text("my_part", a.MyPart, 1, 8000), text("context", a.Context, 0, 8000))
}

// SealSubject implements [Sealable]: an account is sealed by the breach it is
// about, so it opens only when the other partner's account of that breach exists.
func (a Account) SealSubject() string { return a.Breach.String() }

// AccountSealKey is the seal key that keeps both partners' accounts of a
// breach hidden until both have written theirs: [SealKeyOf] an account of b.
func AccountSealKey(b BreachID) string {
	k, _ := SealKeyOf(&Account{Breach: b})
	return k
}

// Acknowledgement is the partner who caused a breach acknowledging it, in the
// parts the repair protocols ask for (Gottman's atonement, the EFT
// attachment-injury steps, the apology in the "aftermath of a regrettable
// incident" exercise): the harm named, responsibility taken without shifting
// blame onto the hurt partner, the other's feelings recognised, remorse, what
// will change, and how the change can be seen. mend does not judge the text;
// the hurt partner's [AcknowledgementAnswer] is what counts. Several rounds are normal.
type Acknowledgement struct {
	// ID identifies this round of acknowledgement.
	ID AcknowledgementID `json:"id"`
	// Breach is the breach acknowledged.
	Breach BreachID `json:"breach"`
	// Partner is the partner acknowledging; they caused (or share) the breach.
	Partner PartnerID `json:"partner"`
	// Harm names the harm done, in the acknowledging partner's words.
	Harm string `json:"harm"`
	// Responsibility is what they take responsibility for.
	Responsibility string `json:"responsibility"`
	// NoBlameShift is the acknowledging partner's statement that nothing in
	// this acknowledgement places the responsibility on the hurt partner. It must be true.
	NoBlameShift bool `json:"no_blame_shift"`
	// Feelings recognises how the hurt partner feels.
	Feelings string `json:"feelings"`
	// Remorse expresses regret.
	Remorse string `json:"remorse"`
	// WillChange is what the partner will do differently.
	WillChange string `json:"will_change"`
	// Observable is how the hurt partner will be able to see the change.
	Observable string `json:"observable"`
}

// EventType implements Payload.
func (Acknowledgement) EventType() string { return TypeAcknowledgementGiven }

// EventSubject names the breach.
func (a Acknowledgement) EventSubject() string { return a.Breach.String() }

// Validate checks that every part is present.
func (a Acknowledgement) Validate() error {
	switch {
	case a.ID.IsZero():
		return invalid("id", "is required")
	case a.Breach.IsZero():
		return invalid("breach", "is required")
	case a.Partner.IsZero():
		return invalid("partner", "is required")
	case !a.NoBlameShift:
		return invalid("no_blame_shift", "must be true: an acknowledgement takes responsibility without placing it on the hurt partner")
	}
	return firstErr(text("harm", a.Harm, 1, 4000), text("responsibility", a.Responsibility, 1, 4000),
		text("feelings", a.Feelings, 1, 4000), text("remorse", a.Remorse, 1, 4000),
		text("will_change", a.WillChange, 1, 4000), text("observable", a.Observable, 1, 4000))
}

// AckResponse is the hurt partner's answer to an acknowledgement.
type AckResponse string

// Answers to an acknowledgement.
const (
	// AckAccepted: the hurt partner feels the breach was acknowledged.
	AckAccepted AckResponse = "accepted"
	// AckNotYet: not yet; StillNeeded says what is missing.
	AckNotYet AckResponse = "not_yet"
)

// Values lists the responses.
func (AckResponse) Values() []string { return []string{"accepted", "not_yet"} }

// AcknowledgementAnswer is the hurt partner's response to one acknowledgement.
type AcknowledgementAnswer struct {
	// Acknowledgement is the round answered.
	Acknowledgement AcknowledgementID `json:"acknowledgement"`
	// Partner is the hurt partner answering.
	Partner PartnerID `json:"partner"`
	// Response is accepted or not_yet.
	Response AckResponse `json:"response"`
	// StillNeeded says what is still needed; required for not_yet.
	StillNeeded string `json:"still_needed,omitempty"`
}

// EventType implements Payload.
func (AcknowledgementAnswer) EventType() string { return TypeAcknowledgementAnswered }

// EventSubject names the acknowledgement.
func (a AcknowledgementAnswer) EventSubject() string { return a.Acknowledgement.String() }

// Validate checks the answer's fields.
func (a AcknowledgementAnswer) Validate() error {
	switch {
	case a.Acknowledgement.IsZero():
		return invalid("acknowledgement", "is required")
	case a.Partner.IsZero():
		return invalid("partner", "is required")
	case !slices.Contains(a.Response.Values(), string(a.Response)):
		return invalid("response", "%q is not accepted or not_yet", a.Response)
	case a.Response == AckNotYet && strings.TrimSpace(a.StillNeeded) == "":
		return invalid("still_needed", "is required when the response is not_yet")
	}
	return text("still_needed", a.StillNeeded, 0, 4000)
}

// BreachEnded records that an ongoing breach has stopped (contact ended, the
// secret account closed).
type BreachEnded struct {
	// Breach is the breach that ended.
	Breach BreachID `json:"breach"`
	// Note says how it ended, optionally.
	Note string `json:"note,omitempty"`
}

// EventType implements Payload.
func (BreachEnded) EventType() string { return TypeBreachEnded }

// EventSubject names the breach.
func (b BreachEnded) EventSubject() string { return b.Breach.String() }

// Validate checks the fields.
func (b BreachEnded) Validate() error {
	if b.Breach.IsZero() {
		return invalid("breach", "is required")
	}
	return text("note", b.Note, 0, 2000)
}

// EventType implements Payload: a Breach is the payload of "trust.breach_recorded".
func (Breach) EventType() string { return TypeBreachRecorded }

// EventSubject names the breach.
func (b Breach) EventSubject() string { return b.ID.String() }

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
