package exercise

import (
	"context"
	"time"

	"github.com/mendkit/mend/trust"
)

// StartJourney begins a relationship's journey with a protocol profile (the
// zero Profile means trust.DefaultProfile). It fails with trust.ErrConflict
// if the relationship already has a journey.
func (e *Engine) StartJourney(ctx context.Context, rel trust.Relationship, profile trust.Profile) (trust.Event, error) {
	if profile.Key == "" {
		profile = trust.DefaultProfile()
	}
	start := &trust.JourneyStarted{Relationship: rel, Profile: profile}
	if err := start.Validate(); err != nil {
		return trust.Event{}, err
	}
	if err := ctx.Err(); err != nil {
		return trust.Event{}, err
	}
	id, err := trust.NewID[trust.Event](e.ids)
	if err != nil {
		return trust.Event{}, err
	}
	now := e.clock.Now().UTC()
	ev, err := trust.NewEvent(start, trust.Header{ID: id, Relationship: rel.ID, Sequence: 1, Time: rel.Started, Recorded: now, Actor: trust.SystemActor})
	if err != nil {
		return trust.Event{}, err
	}
	st := &journeyState{rel: rel.ID}
	if err := st.start(ev, e.catalogue); err != nil {
		return trust.Event{}, err
	}
	if _, err := e.store.Append(ctx, rel.ID, 0, ev); err != nil {
		return trust.Event{}, err
	}
	e.mu.Lock()
	if _, ok := e.journeys[rel.ID]; !ok {
		e.journeys[rel.ID] = st
	}
	e.mu.Unlock()
	return ev, nil
}

// Opt adjusts a command built by one of the engine's typed methods.
type Opt func(*Command)

// WithIdempotencyKey makes the command apply once however often it is retried.
func WithIdempotencyKey(key string) Opt { return func(c *Command) { c.IdempotencyKey = key } }

// WithVisibility sets the event's visibility where its type allows a choice.
func WithVisibility(v trust.Visibility) Opt { return func(c *Command) { c.Visibility = v } }

// At back-fills a fact that happened earlier than it is recorded.
func At(t time.Time) Opt { return func(c *Command) { c.Time = t } }

// do runs a typed method's command. Like [Engine.Do] it returns the
// command's own event first, then the follow-ups the rules called for.
func (e *Engine) do(ctx context.Context, rel trust.RelationshipID, actor trust.Actor, p trust.Payload, opts []Opt) ([]trust.Event, error) {
	cmd := Command{Actor: actor, Data: p}
	for _, o := range opts {
		o(&cmd)
	}
	return e.Do(ctx, rel, cmd)
}

// RecordBreach records a breach, as told by one partner. If the journey is
// past its profile's regression phase, a regression follows as its own event.
func (e *Engine) RecordBreach(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, b trust.Breach, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &b, opts)
}

// EndBreach records that an ongoing breach has stopped.
func (e *Engine) EndBreach(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, end trust.BreachEnded, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &end, opts)
}

// RecordAccount records a partner's own account of a breach. It is sealed by
// default, so neither partner reads the other's account before writing their own.
func (e *Engine) RecordAccount(ctx context.Context, rel trust.RelationshipID, a trust.Account, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(a.Partner), &a, opts)
}

// Acknowledge records an acknowledgement of a breach by the partner who caused it.
func (e *Engine) Acknowledge(ctx context.Context, rel trust.RelationshipID, a trust.Acknowledgement, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(a.Partner), &a, opts)
}

// AnswerAcknowledgement records the hurt partner's answer to an acknowledgement.
func (e *Engine) AnswerAcknowledgement(ctx context.Context, rel trust.RelationshipID, a trust.AcknowledgementAnswer, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(a.Partner), &a, opts)
}

// RequestNeed records a needs request.
func (e *Engine) RequestNeed(ctx context.Context, rel trust.RelationshipID, n trust.NeedsRequest, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(n.From), &n, opts)
}

// AnswerNeed records the other partner's answer to a needs request.
func (e *Engine) AnswerNeed(ctx context.Context, rel trust.RelationshipID, a trust.NeedsAnswer, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(a.Partner), &a, opts)
}

// CloseNeed records how a needs request ended.
func (e *Engine) CloseNeed(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, c trust.NeedsClosed, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &c, opts)
}

// StateCommitment records a partner's answer to "do you want to keep working
// on this?". It is private to the partner; the couple sees only alignment.
func (e *Engine) StateCommitment(ctx context.Context, rel trust.RelationshipID, c trust.Commitment, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(c.Partner), &c, opts)
}

// RaiseSafetyFlag records a private safety concern. From this moment every
// joint assignment is paused and the schedulers propose only individual
// support; the other partner is never told why. It returns the event, which
// only the raiser may see.
func (e *Engine) RaiseSafetyFlag(ctx context.Context, rel trust.RelationshipID, f trust.SafetyFlag, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(f.Partner), &f, opts)
}

// ClearSafetyFlag clears a safety flag. Only the partner who raised it, or a
// professional they consented to share safety data with, may clear it.
func (e *Engine) ClearSafetyFlag(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c trust.SafetyFlagCleared, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, by, &c, opts)
}

// SetPause pauses or resumes joint work at a partner's request.
func (e *Engine) SetPause(ctx context.Context, rel trust.RelationshipID, by trust.PartnerID, p trust.PauseChange, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(by), &p, opts)
}

// SetProfessionalConsent gives or withdraws a partner's consent to share with a professional.
func (e *Engine) SetProfessionalConsent(ctx context.Context, rel trust.RelationshipID, c trust.ProfessionalConsent, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(c.Partner), &c, opts)
}

// SetResearchConsent gives or withdraws a partner's consent to research use.
func (e *Engine) SetResearchConsent(ctx context.Context, rel trust.RelationshipID, c trust.ResearchConsent, opts ...Opt) ([]trust.Event, error) {
	return e.do(ctx, rel, trust.PartnerActor(c.Partner), &c, opts)
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
// professional who asks.
func (e *Engine) AdvancePhase(ctx context.Context, rel trust.RelationshipID, by trust.Actor, opts ...Opt) (trust.Event, error) {
	cmd := Command{Actor: by}
	for _, o := range opts {
		o(&cmd)
	}
	events, err := e.commit(ctx, rel, cmd.Actor, cmd.IdempotencyKey, func(st *journeyState, now time.Time) ([]draft, error) {
		pc, err := st.journey.Advance(now)
		if err != nil {
			return nil, err
		}
		cmd.Data = &pc
		return []draft{{cmd: cmd}}, nil
	})
	if err != nil || len(events) == 0 {
		return trust.Event{}, err
	}
	return events[0], nil
}
