package exercise

import (
	"context"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// ProposeAgreement puts version 1 of an agreement forward for both partners
// to sign.
func (e *Engine) ProposeAgreement(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, a agreement.Agreement, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &agreement.Proposed{Agreement: a, ProposedBy: by}, opts)
}

// SignAgreement records a partner's signature on the version of an agreement
// awaiting signatures. If that version holds transparency terms in which the
// partner gives access, consentToTransparency must be true: it is the
// partner's explicit consent to each of them, and signing without it is
// refused (field "consents_to"). When the second signature lands, the
// agreement's activation follows as its own event.
func (e *Engine) SignAgreement(ctx context.Context, rel trust.RelationshipID, partner trust.PartnerID, id agreement.ID, consentToTransparency bool, opts ...Opt) ([]trust.Event, error) {
	cmd := Command{Actor: trust.PartnerActor(partner)}
	for _, o := range opts {
		o(&cmd)
	}
	return e.commit(ctx, rel, cmd.Actor, cmd.IdempotencyKey, func(st *journeyState, _ time.Time) ([]draft, error) {
		sig, err := st.book.SignatureFor(id, partner)
		if err != nil {
			return nil, err
		}
		if len(sig.ConsentsTo) > 0 && !consentToTransparency {
			return nil, check.Invalid("exercise", "consents_to",
				"this version has %d transparency term(s) in which %s gives access; signing needs their explicit consent", len(sig.ConsentsTo), partner)
		}
		cmd.Data = &sig
		return []draft{{cmd: cmd}}, nil
	})
}

// AmendAgreement proposes a new version of an agreement (Version one more
// than the latest, with a change note); both partners sign it again.
func (e *Engine) AmendAgreement(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, next agreement.Agreement, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &agreement.Amended{Agreement: next, AmendedBy: by}, opts)
}

// RevokeTransparency ends a transparency term at once. Either partner may
// revoke, whoever gives the access.
func (e *Engine) RevokeTransparency(ctx context.Context, rel trust.RelationshipID, r agreement.TransparencyRevoked, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(r.Partner), &r, opts)
}

// RetireAgreement retires an agreement.
func (e *Engine) RetireAgreement(ctx context.Context, rel trust.RelationshipID, r agreement.Retired, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(r.Partner), &r, opts)
}

// Agreements returns the journey's agreements (every version, signatures and
// status). Agreements are shared between the partners.
func (e *Engine) Agreements(ctx context.Context, rel trust.RelationshipID) ([]agreement.Record, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.book.Agreements(), nil
}

// Compliance computes how the agreements were kept between from and to.
func (e *Engine) Compliance(ctx context.Context, rel trust.RelationshipID, from, to time.Time) (agreement.Compliance, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return agreement.Compliance{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.book.Compliance(from, to)
}

// Calendar exports the rituals of an agreement as an iCalendar file.
func (e *Engine) Calendar(ctx context.Context, rel trust.RelationshipID, id agreement.ID) ([]byte, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.book.ICalendar(id, e.clock.Now())
}
