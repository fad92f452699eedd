package exercise

import (
	"context"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// StartJourney begins a relationship's journey with a protocol profile (the
// zero Profile means trust.DefaultProfile). The engine writes it as the
// system. Zero IDs of the partners and of the relationship are filled from the
// engine's ID source, in that order, and a zero Started is now; the Result's
// ID is the relationship's, and [Engine.Relationship] returns the couple as
// recorded. A Started more than [Options.ClockSkew] after the engine's clock,
// or more than [Options.MaxBackdate] before it, is refused with a
// *trust.ValidationError naming "relationship.started". It fails with
// trust.ErrConflict if the relationship already has a journey.
func (e *Engine) StartJourney(ctx context.Context, rel trust.Relationship, profile trust.Profile) (Result[trust.RelationshipID], error) {
	if profile.Key == "" {
		profile = trust.DefaultProfile()
	}
	if err := ctx.Err(); err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	now := e.clock.Now().UTC()
	switch {
	case rel.Started.IsZero():
		rel.Started = now
	case rel.Started.After(now.Add(e.skew)):
		return Result[trust.RelationshipID]{}, check.Invalid("exercise", "relationship.started",
			"%s is in the future: a journey may start at most %s after the engine's clock (%s)", rel.Started.UTC().Format(time.RFC3339), e.skew, now.Format(time.RFC3339))
	case rel.Started.Before(now.Add(-e.backdate)):
		return Result[trust.RelationshipID]{}, check.Invalid("exercise", "relationship.started",
			"%s is more than %s before the engine's clock (%s): back-dating is limited", rel.Started.UTC().Format(time.RFC3339), e.backdate, now.Format(time.RFC3339))
	}
	for i := range rel.Partners {
		if err := fillID(e.ids, &rel.Partners[i].ID); err != nil {
			return Result[trust.RelationshipID]{}, err
		}
	}
	if err := fillID(e.ids, &rel.ID); err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	start := &trust.JourneyStarted{Relationship: rel, Profile: profile}
	if err := start.Validate(); err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	id, err := trust.NewID[trust.Event](e.ids)
	if err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	ev, err := trust.NewEvent(start, trust.Header{ID: id, Relationship: rel.ID, Sequence: 1, Time: rel.Started, Recorded: now, Actor: trust.SystemActor})
	if err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	st := &journeyState{rel: rel.ID}
	if err := st.start(ev, e.catalogue); err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	if _, err := e.store.Append(ctx, rel.ID, 0, ev); err != nil {
		return Result[trust.RelationshipID]{}, err
	}
	e.mu.Lock()
	if _, ok := e.journeys[rel.ID]; !ok {
		e.journeys[rel.ID] = st
	}
	e.mu.Unlock()
	return Result[trust.RelationshipID]{ID: rel.ID, Events: []trust.Event{ev}}, nil
}

// fillID sets a zero ID from ids.
func fillID[T any](ids trust.IDSource, id *trust.ID[T]) error {
	if !id.IsZero() {
		return nil
	}
	v, err := trust.NewID[T](ids)
	*id = v
	return err
}

// Opt adjusts a command built by one of the engine's typed methods.
type Opt func(*Command)

// WithIdempotencyKey makes the command apply once however often it is
// retried: a retry returns the first Result and writes nothing. The key is
// scoped to the writer and the relationship. Reusing it for a different
// request (another event type, visibility or seal key, or another payload
// once the engine filled it, the IDs it fills and the time aside) is refused
// with a *IdempotencyConflictError naming the key, and writes nothing.
func WithIdempotencyKey(key string) Opt { return func(c *Command) { c.IdempotencyKey = key } }

// WithVisibility sets the event's visibility where its type allows a choice.
func WithVisibility(v trust.Visibility) Opt { return func(c *Command) { c.Visibility = v } }

// At back-fills a fact that happened earlier than it is recorded.
func At(t time.Time) Opt { return func(c *Command) { c.Time = t } }

// record runs a typed method's command: payload p written by by, adjusted
// by opts. The Result's ID is what id reads from the command's own event,
// which on an idempotent retry is the first command's.
func record[D any, P interface {
	*D
	trust.Payload
}, T any](ctx context.Context, e *Engine, rel trust.RelationshipID, by trust.Actor, p P, opts []Opt, id func(P) T) (Result[T], error) {
	cmd := Command{Data: p}
	for _, o := range opts {
		o(&cmd)
	}
	events, err := e.run(ctx, rel, by, cmd)
	if err != nil {
		return Result[T]{}, err
	}
	return resultOf(events, id), nil
}

// resultOf builds a Result whose ID id reads from the first event.
func resultOf[D any, P interface {
	*D
	trust.Payload
}, T any](events []trust.Event, id func(P) T) Result[T] {
	r := Result[T]{Events: events}
	if len(events) > 0 {
		if d, ok := events[0].Data.(P); ok {
			r.ID = id(d)
		}
	}
	return r
}

// recordFact runs a typed method's command about no one thing: the
// Result's ID is its event's.
func (e *Engine) recordFact(ctx context.Context, rel trust.RelationshipID, by trust.Actor, p trust.Payload, opts []Opt) (Result[trust.EventID], error) {
	cmd := Command{Data: p}
	for _, o := range opts {
		o(&cmd)
	}
	events, err := e.run(ctx, rel, by, cmd)
	if err != nil {
		return Result[trust.EventID]{}, err
	}
	return eventResult(events), nil
}

// RecordBreach records a breach, as told by a partner (or a professional).
// A zero ID is filled in and returned. If the journey is past its profile's
// regression phase, a regression follows as its own event.
func (e *Engine) RecordBreach(ctx context.Context, rel trust.RelationshipID, by trust.Actor, b trust.Breach, opts ...Opt) (Result[trust.BreachID], error) {
	return record(ctx, e, rel, by, &b, opts, func(b *trust.Breach) trust.BreachID { return b.ID })
}

// EndBreach records that an ongoing breach has stopped.
func (e *Engine) EndBreach(ctx context.Context, rel trust.RelationshipID, by trust.Actor, end trust.BreachEnded, opts ...Opt) (Result[trust.BreachID], error) {
	return record(ctx, e, rel, by, &end, opts, func(b *trust.BreachEnded) trust.BreachID { return b.Breach })
}

// RecordAccount records a partner's own account of a breach (Partner is
// by's). It is sealed by default, so neither partner reads the other's
// account before writing their own.
func (e *Engine) RecordAccount(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a trust.Account, opts ...Opt) (Result[trust.AccountID], error) {
	return record(ctx, e, rel, by, &a, opts, func(a *trust.Account) trust.AccountID { return a.ID })
}

// Acknowledge records an acknowledgement of a breach by the partner who
// caused it (Partner is by's).
func (e *Engine) Acknowledge(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a trust.Acknowledgement, opts ...Opt) (Result[trust.AcknowledgementID], error) {
	return record(ctx, e, rel, by, &a, opts, func(a *trust.Acknowledgement) trust.AcknowledgementID { return a.ID })
}

// AnswerAcknowledgement records the hurt partner's answer to an
// acknowledgement (Partner is by's).
func (e *Engine) AnswerAcknowledgement(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a trust.AcknowledgementAnswer, opts ...Opt) (Result[trust.AcknowledgementID], error) {
	return record(ctx, e, rel, by, &a, opts, func(a *trust.AcknowledgementAnswer) trust.AcknowledgementID { return a.Acknowledgement })
}

// RequestNeed records a needs request (From is by's).
func (e *Engine) RequestNeed(ctx context.Context, rel trust.RelationshipID, by trust.Actor, n trust.NeedsRequest, opts ...Opt) (Result[trust.NeedsRequestID], error) {
	return record(ctx, e, rel, by, &n, opts, func(n *trust.NeedsRequest) trust.NeedsRequestID { return n.ID })
}

// AnswerNeed records the other partner's answer to a needs request (Partner
// is by's).
func (e *Engine) AnswerNeed(ctx context.Context, rel trust.RelationshipID, by trust.Actor, a trust.NeedsAnswer, opts ...Opt) (Result[trust.NeedsRequestID], error) {
	return record(ctx, e, rel, by, &a, opts, func(a *trust.NeedsAnswer) trust.NeedsRequestID { return a.Request })
}

// CloseNeed records how a needs request ended.
func (e *Engine) CloseNeed(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.NeedsClosed, opts ...Opt) (Result[trust.NeedsRequestID], error) {
	return record(ctx, e, rel, by, &c, opts, func(c *trust.NeedsClosed) trust.NeedsRequestID { return c.Request })
}

// StateCommitment records a partner's answer to "do you want to keep working
// on this?" (Partner is by's). It is private to the partner; the couple sees
// only alignment.
func (e *Engine) StateCommitment(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.Commitment, opts ...Opt) (Result[trust.EventID], error) {
	return e.recordFact(ctx, rel, by, &c, opts)
}

// RaiseSafetyFlag records a private safety concern (Partner is by's). From
// this moment every joint assignment is paused and the schedulers propose
// only individual support; the other partner is never told why. The event
// is one only the raiser may see.
func (e *Engine) RaiseSafetyFlag(ctx context.Context, rel trust.RelationshipID, by trust.Actor, f trust.SafetyFlag, opts ...Opt) (Result[trust.SafetyFlagID], error) {
	return record(ctx, e, rel, by, &f, opts, func(f *trust.SafetyFlag) trust.SafetyFlagID { return f.ID })
}

// ClearSafetyFlag clears a safety flag. Only the partner who raised it, or a
// professional they consented to share safety data with, may clear it; a
// professional names the partner who raised it in Partner, which is the
// writing partner's own when left zero.
func (e *Engine) ClearSafetyFlag(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.SafetyFlagCleared, opts ...Opt) (Result[trust.SafetyFlagID], error) {
	return record(ctx, e, rel, by, &c, opts, func(c *trust.SafetyFlagCleared) trust.SafetyFlagID { return c.Flag })
}

// SetPause pauses or resumes joint work at a partner's request.
func (e *Engine) SetPause(ctx context.Context, rel trust.RelationshipID, by trust.Actor, p trust.PauseChange, opts ...Opt) (Result[trust.EventID], error) {
	return e.recordFact(ctx, rel, by, &p, opts)
}

// SetProfessionalConsent gives or withdraws a partner's consent to share
// with a professional (Partner is by's). The Result's ID is the
// professional's.
func (e *Engine) SetProfessionalConsent(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.ProfessionalConsent, opts ...Opt) (Result[trust.ProfessionalID], error) {
	return record(ctx, e, rel, by, &c, opts, func(c *trust.ProfessionalConsent) trust.ProfessionalID { return c.Professional })
}

// SetResearchConsent gives or withdraws a partner's consent to research use
// (Partner is by's).
func (e *Engine) SetResearchConsent(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.ResearchConsent, opts ...Opt) (Result[trust.EventID], error) {
	return e.recordFact(ctx, rel, by, &c, opts)
}

// Timeline returns the events of a journey that viewer may read, in order,
// optionally only those of the given types. It reads the store: a timeline is
// as long as the journey.
func (e *Engine) Timeline(ctx context.Context, rel trust.RelationshipID, viewer trust.Viewer, types ...string) ([]trust.Event, error) {
	if _, err := e.state(ctx, rel); err != nil {
		return nil, err
	}
	events, err := e.store.Load(ctx, rel, 1)
	if err != nil {
		return nil, err
	}
	visible := trust.Filter(events, viewer)
	if len(types) == 0 {
		return visible, nil
	}
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	out := visible[:0:0]
	for _, ev := range visible {
		if want[ev.Type] {
			out = append(out, ev)
		}
	}
	return out, nil
}

// Relationship returns the couple a journey belongs to: the partners, their
// time zone, when the journey started and their research consent as recorded
// at the start.
func (e *Engine) Relationship(ctx context.Context, rel trust.RelationshipID) (trust.Relationship, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return trust.Relationship{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.journey.Relationship(), nil
}

// View returns the journey's state as viewer may see it now: phase, gates,
// whether joint work is paused (never why, for anyone but the flag's owner),
// commitment alignment and open needs.
func (e *Engine) View(ctx context.Context, rel trust.RelationshipID, viewer trust.Viewer) (trust.View, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return trust.View{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.journey.View(viewer, e.clock.Now()), nil
}

// AdvancePhase moves the journey to its next phase when every gate is met,
// for apps that run with [Options.ManualPhases]; otherwise it returns a
// *trust.GateError naming the gates still unmet. by is the partner or
// professional who asks; the engine writes the change itself, as
// trust.SystemActor, since only it writes phase changes.
func (e *Engine) AdvancePhase(ctx context.Context, rel trust.RelationshipID, by trust.Actor, opts ...Opt) (Result[trust.EventID], error) {
	cmd := Command{}
	for _, o := range opts {
		o(&cmd)
	}
	if err := by.Validate(); err != nil {
		return Result[trust.EventID]{}, err
	}
	events, err := e.commit(ctx, rel, by, cmd.IdempotencyKey, func(st *journeyState, now time.Time) ([]draft, error) {
		pc, err := st.journey.Advance(now)
		if err != nil {
			return nil, err
		}
		c := cmd
		c.Data = &pc
		return []draft{{by: trust.SystemActor, cmd: c}}, nil // the engine writes the change it computed
	})
	if err != nil {
		return Result[trust.EventID]{}, err
	}
	return eventResult(events), nil
}
