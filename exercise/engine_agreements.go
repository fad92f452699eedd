package exercise

import (
	"context"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// ProposeAgreement puts version 1 of an agreement forward for both partners
// to sign, proposed by by. A zero agreement ID and zero term IDs are filled
// in; the Result's ID is the agreement's.
func (e *Engine) ProposeAgreement(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a agreement.Agreement, opts ...Opt) (Result[agreement.ID], error) {
	return record(ctx, e, rel, by, &agreement.Proposed{Agreement: a}, opts, func(p *agreement.Proposed) agreement.ID { return p.Agreement.ID })
}

// SignAgreement records by's signature on the version of an agreement
// awaiting signatures. s names the agreement; left zero, Partner is by's and
// Version and Digest are the version awaiting signatures (set them to sign
// exactly the version the partner read: a newer one is then refused). If
// that version holds transparency terms in which the partner gives access,
// s.ConsentsTo must list each of them: it is the partner's explicit consent,
// and signing without it is refused (field "data.consents_to"). When the
// second signature lands, the agreement's activation follows as its own
// event.
func (e *Engine) SignAgreement(ctx context.Context, rel trust.RelationshipID, by trust.Actor, s agreement.Signed, opts ...Opt) (Result[agreement.ID], error) {
	return record(ctx, e, rel, by, &s, opts, func(s *agreement.Signed) agreement.ID { return s.Agreement })
}

// AmendAgreement proposes a new version of an agreement, with a change note;
// both partners sign it again. A zero Version is one more than the latest,
// and zero IDs of new terms are filled in (a term keeps its ID across
// versions).
func (e *Engine) AmendAgreement(ctx context.Context, rel trust.RelationshipID, by trust.Actor, next agreement.Agreement, opts ...Opt) (Result[agreement.ID], error) {
	return record(ctx, e, rel, by, &agreement.Amended{Agreement: next}, opts, func(a *agreement.Amended) agreement.ID { return a.Agreement.ID })
}

// RevokeTransparency ends a transparency term at once. Either partner may
// revoke, whoever gives the access (Partner is by's).
func (e *Engine) RevokeTransparency(ctx context.Context, rel trust.RelationshipID, by trust.Actor, r agreement.TransparencyRevoked, opts ...Opt) (Result[agreement.ID], error) {
	return record(ctx, e, rel, by, &r, opts, func(r *agreement.TransparencyRevoked) agreement.ID { return r.Agreement })
}

// RetireAgreement retires an agreement (Partner is by's).
func (e *Engine) RetireAgreement(ctx context.Context, rel trust.RelationshipID, by trust.Actor, r agreement.Retired, opts ...Opt) (Result[agreement.ID], error) {
	return record(ctx, e, rel, by, &r, opts, func(r *agreement.Retired) agreement.ID { return r.Agreement })
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
