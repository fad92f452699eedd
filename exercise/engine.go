package exercise

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// Options configure an [Engine]. The zero value is ready to use: every field
// has a default.
type Options struct {
	// Store keeps the event streams. Default: an in-memory store.
	Store store.Store
	// Catalogue is the exercise catalogue. Default: [DefaultCatalogue].
	Catalogue *Catalogue
	// Scheduler proposes assignments. Default: [DefaultScheduler] over the
	// catalogue. The engine wraps it in [Guard], so no scheduler can propose
	// joint work while it is paused.
	Scheduler Scheduler
	// Clock tells the time. Default: trust.SystemClock.
	Clock trust.Clock
	// IDs makes new IDs. Default: trust.RandomIDs (crypto/rand).
	IDs trust.IDSource
	// Reminders sets quiet hours and the rate limit of reminders. Default: [DefaultReminderPolicy].
	Reminders ReminderPolicy
	// ManualPhases turns off automatic phase changes: by default the engine
	// moves a journey to its next phase as soon as every gate is met (and
	// back after a new disclosure); with ManualPhases an app (or a
	// professional) calls [Engine.AdvancePhase] instead. Regressions after a
	// new disclosure always happen.
	ManualPhases bool
	// Crisis holds crisis resources by locale for recommendations; mend ships
	// no phone numbers, so an app supplies current ones.
	Crisis progress.CrisisDirectory
	// Analysis tunes the progress analysis behind reports.
	Analysis progress.Options
	// SafetySupport is the key of the solo exercise the engine offers,
	// privately, to a partner who has raised a safety flag, until it is
	// cleared. Default: "finding-support".
	SafetySupport string
	// PlanHorizon is how far ahead a refresh looks for agreement rituals. Default: 7 days.
	PlanHorizon time.Duration
	// ClockSkew is how far after the engine's clock an event may be dated
	// ([Command.Time], [At], a journey's Started, a time a payload says
	// something happened): a client's clock may run a little ahead, but no
	// fact is recorded in the future. Zero or negative means
	// [DefaultClockSkew].
	ClockSkew time.Duration
	// MaxBackdate is how long before the engine's clock an event (or a
	// journey's Started) may be dated, to back-fill what happened while a
	// partner was offline. An event is never dated before its journey began.
	// Zero or negative means [DefaultMaxBackdate].
	MaxBackdate time.Duration
}

// The defaults of [Options.ClockSkew] and [Options.MaxBackdate].
const (
	// DefaultClockSkew is how far ahead of the engine's clock an event may be dated by default.
	DefaultClockSkew = 2 * time.Minute
	// DefaultMaxBackdate is how far back an event may be dated by default.
	DefaultMaxBackdate = 7 * 24 * time.Hour
)

// Engine is the facade an app embeds to run couples' journeys. It records
// facts, runs agreements, plans exercises with a pluggable [Scheduler], and
// reads timelines and reports as a given viewer. Every method takes a
// context, validates its input, returns typed errors (errors.Is with the trust
// sentinels) and leaves the journey unchanged on error.
//
// Its methods are commands or queries, never both. Commands write: each
// appends the events of one fact (and the follow-ups the rules call for) in
// one atomic append and returns a [Result]. Queries ([Engine.Plan],
// [Engine.RemindersDue], [Engine.View], [Engine.Timeline], [Engine.Report],
// [Engine.Agreements], …) read the folded state or the store and never
// append. Time moves a journey on only through a command: [Engine.Refresh]
// expires overdue work, lapses transparency terms past their sunset,
// advances the phase and writes the scheduler's proposals, and
// [Engine.MarkRemindersSent] records the reminders an app sent.
//
// Every command a person gives takes who gives it, by, right after the
// relationship ID: a partner ([trust.PartnerActor]) or a professional
// ([trust.ProfessionalActor]); the engine writes as the system only for its
// own commands (StartJourney, Refresh, MarkRemindersSent). A payload field
// that names the writing partner (an account's Partner, a needs request's
// From, a signature's Partner, …) may be left zero: the engine fills it from
// by, and refuses one that names anyone else with a *trust.ValidationError
// naming the field. Zero IDs in a payload (a breach's, an account's, a needs
// request's, an agreement's and its terms', a flag's, a check-in's, …) are
// filled from the engine's ID source, and the [Result] returns the one the
// command is about, so an app never mints an ID itself. The caller's payload
// is never changed: the engine fills a copy.
//
// State lives in the [store.Store] as one append-only event stream per
// relationship; the engine keeps a folded copy of each journey it has touched
// (phase, agreements, assignments, progress signals, reminders sent), so Plan
// never replays history. Several engines may share one store (in one process,
// or in several over a database store an app implements): before every query
// and every command an engine folds in the events written since its copy, by
// anyone, so what it answers is at least as new as what the store held when
// the call began, and a safety flag raised through one engine pauses joint
// work in the next read of every other. That costs one [store.Store.Last]
// per call, and a read of the new events when there are any. Appends use
// optimistic concurrency: a command that loses a race to a write in between
// re-checks against the new state and retries. A command may carry an
// idempotency key; a retried command with the same key returns the first
// one's Result and writes nothing.
//
// The engine does not authenticate: an app must establish that its caller
// is the actor it passes as by, as examples/wellness-api does with the
// partner bound to each bearer token. Idempotency keys are scoped to the
// writer, so one partner reusing the other's key never sees the other's
// events; a key reused with a different request is refused with a
// *IdempotencyConflictError naming it.
//
// An Engine is safe for concurrent use.
type Engine struct {
	store     store.Store
	catalogue *Catalogue
	scheduler Scheduler
	clock     trust.Clock
	ids       trust.IDSource
	reminders ReminderPolicy
	manual    bool
	crisis    progress.CrisisDirectory
	analysis  progress.Options
	horizon   time.Duration
	support   string
	skew      time.Duration
	backdate  time.Duration

	mu       sync.Mutex
	journeys map[trust.RelationshipID]*journeyState
}

// NewEngine returns an engine with opts, filling defaults for zero fields.
func NewEngine(opts Options) (*Engine, error) {
	e := &Engine{store: opts.Store, catalogue: opts.Catalogue, scheduler: opts.Scheduler, clock: opts.Clock,
		ids: opts.IDs, reminders: opts.Reminders, manual: opts.ManualPhases, crisis: opts.Crisis, analysis: opts.Analysis, horizon: opts.PlanHorizon, support: opts.SafetySupport,
		skew: opts.ClockSkew, backdate: opts.MaxBackdate, journeys: map[trust.RelationshipID]*journeyState{}}
	if e.store == nil {
		e.store = store.NewMemory()
	}
	if e.catalogue == nil {
		e.catalogue = DefaultCatalogue()
	}
	if e.scheduler == nil {
		e.scheduler = DefaultScheduler(e.catalogue)
	}
	// Whatever scheduler the app supplies, the engine enforces safety and
	// contraindications over it: while joint work is paused only solo
	// exercises are proposed.
	e.scheduler = Guard(e.scheduler)
	if e.clock == nil {
		e.clock = trust.SystemClock{}
	}
	if e.ids == nil {
		e.ids = trust.RandomIDs()
	}
	if e.support == "" {
		e.support = "finding-support"
	}
	if e.horizon <= 0 {
		e.horizon = 7 * 24 * time.Hour
	}
	if e.skew <= 0 {
		e.skew = DefaultClockSkew
	}
	if e.backdate <= 0 {
		e.backdate = DefaultMaxBackdate
	}
	if e.reminders == (ReminderPolicy{}) {
		e.reminders = DefaultReminderPolicy()
	}
	if err := e.reminders.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// Store returns the engine's store.
func (e *Engine) Store() store.Store { return e.store }

// Catalogue returns the engine's catalogue.
func (e *Engine) Catalogue() *Catalogue { return e.catalogue }

// Result is what a command did. ID names what the command is about: what it
// created, with the ID the engine filled in when the payload left it zero
// (the breach recorded, the needs request made, the agreement proposed), or
// what it acted on (the request answered, the agreement signed, the
// assignment completed); for a command about no one thing (a commitment, a
// consent, a pause, a phase change, a refresh) it is the ID of the first
// event written, zero when nothing was. Events are the events written, the
// command's own first, then the follow-ups the rules called for. Both belong
// to the caller.
type Result[T any] struct {
	// ID names what the command is about.
	ID T
	// Events are the events written, in order.
	Events []trust.Event
}

// Command is one fact to record through [Engine.Do]: the payload, and how it
// is seen. The typed methods of the engine (RecordBreach, SignAgreement, …)
// build commands; Do runs any, apps' own event types included.
type Command struct {
	// Data is the payload.
	Data trust.Payload
	// Visibility overrides the event type's default visibility.
	Visibility trust.Visibility
	// SealKey is a sealed event's seal key; leave it empty: it is derived
	// from the payload ([trust.SealKeyOf]) and any other key is refused.
	SealKey string
	// Time is when the fact happened, for back-filled entries; zero means
	// now. It may lie at most [Options.MaxBackdate] before the engine's
	// clock, never before the journey began, and at most
	// [Options.ClockSkew] after it; otherwise the command is refused with
	// a *trust.ValidationError naming "time".
	Time time.Time
	// IdempotencyKey makes a retried command apply once: a second command with
	// the same key from the same writer in the same relationship returns the
	// first one's result and writes nothing, if it is the same request (the
	// same event type, visibility, seal key and payload once the engine filled
	// it, ignoring the IDs the engine fills and the time; see
	// [IdempotencyConflictError]); a different request is refused with a
	// *IdempotencyConflictError naming the key.
	IdempotencyKey string
}

// Do records a command written by by in a relationship's journey and
// returns the events written: the command's own event first, then any
// follow-ups the rules call for (an agreement's activation when the last
// signature lands, a regression after a new disclosure, a phase change when
// every gate is met). For mend's own payload types it fills zero IDs and the
// writer's partner field as the typed methods do; an app's own types are
// written as given. The Result's ID is the command's own event's.
func (e *Engine) Do(ctx context.Context, rel trust.RelationshipID, by trust.Actor, cmd Command) (Result[trust.EventID], error) {
	events, err := e.run(ctx, rel, by, cmd)
	return eventResult(events), err
}

// run checks and records a command written by by.
func (e *Engine) run(ctx context.Context, rel trust.RelationshipID, by trust.Actor, cmd Command) ([]trust.Event, error) {
	if err := by.Validate(); err != nil {
		return nil, err
	}
	if v := reflect.ValueOf(cmd.Data); cmd.Data == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, check.Invalid("exercise", "data", "is required")
	}
	if len(cmd.IdempotencyKey) > 200 {
		return nil, check.Invalid("exercise", "idempotency_key", "is longer than 200 bytes")
	}
	return e.commit(ctx, rel, by, cmd.IdempotencyKey, func(st *journeyState, now time.Time) ([]draft, error) {
		at := cmd.Time
		if at.IsZero() {
			at = now
		}
		data, err := e.fill(st, by, at, cmd.Data)
		if err != nil {
			return nil, err
		}
		c := cmd
		c.Data = data
		return []draft{{by: by, cmd: c}}, nil
	})
}

// eventResult is the Result of a command about no one thing.
func eventResult(events []trust.Event) Result[trust.EventID] {
	r := Result[trust.EventID]{Events: events}
	if len(events) > 0 {
		r.ID = events[0].ID
	}
	return r
}

// draft is an event to write before its envelope is stamped.
type draft struct {
	// by writes it; the zero Actor stands for the system.
	by  trust.Actor
	cmd Command
	// later, when set, stands for the drafts it returns, built once every
	// draft before it is folded in: a plan proposes from the state its
	// expiries leave, not from the state before them.
	later func(st *journeyState, now time.Time) ([]draft, error)
}

const maxRetries = 32

// errStale marks a cached journey that no longer matches the store: it is
// dropped and reloaded.
var errStale = errors.New("exercise: cached journey is stale")

// commit runs one command against a journey. It builds the command's events,
// checks each against every fold before applying it, adds the follow-ups the
// new state calls for, and appends them all atomically with the expected
// sequence. A refused event changes nothing. If the append fails after the
// cached folds took the events, the cache is dropped so the next call reloads
// the journey from the store, which did not change; on a concurrency conflict
// the command is re-checked against the fresh state and retried.
func (e *Engine) commit(ctx context.Context, rel trust.RelationshipID, actor trust.Actor, key string, build func(st *journeyState, now time.Time) ([]draft, error)) ([]trust.Event, error) {
	for attempt := 0; ; attempt++ {
		st, err := e.state(ctx, rel)
		if err != nil {
			return nil, err
		}
		st.mu.Lock()
		events, err := e.tryCommit(ctx, st, actor, key, build)
		st.mu.Unlock()
		retry := errors.Is(err, errStale) || errors.Is(err, trust.ErrConflict) && isStoreConflict(err)
		if err == nil || !retry || attempt >= maxRetries {
			if errors.Is(err, errStale) {
				err = fmt.Errorf("exercise: journey %s changed under the command; try again: %w", rel, trust.ErrConflict)
			}
			return events, err
		}
	}
}

func isStoreConflict(err error) bool {
	var ce *store.ConflictError
	return errors.As(err, &ce) && ce.EventID.IsZero()
}

func (e *Engine) tryCommit(ctx context.Context, st *journeyState, actor trust.Actor, key string, build func(st *journeyState, now time.Time) ([]draft, error)) ([]trust.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if st.stale {
		return nil, errStale
	}
	if key != "" {
		if first, ok := st.eventIDs[idemID(st.rel, actor, key, 0)]; ok {
			return e.replayResult(ctx, st, actor, key, first, build)
		}
	}
	now := e.clock.Now().UTC()
	drafts, err := build(st, now)
	if err != nil {
		return nil, err
	}
	var events []trust.Event
	invalidate := func() {
		st.stale = true
		e.forget(st.rel)
	}
	add := func(d draft) error {
		e.defaultVisibility(st, &d.cmd)
		by := d.by
		if by == (trust.Actor{}) {
			by = trust.SystemActor
		}
		at, err := e.eventTime(st, now, d.cmd.Time)
		if err != nil {
			return err
		}
		var id trust.EventID
		if key != "" {
			id = idemID(st.rel, actor, key, len(events))
		} else {
			var err error
			if id, err = trust.NewID[trust.Event](e.ids); err != nil {
				return err
			}
		}
		ev, err := trust.NewEvent(d.cmd.Data, trust.Header{ID: id, Relationship: st.rel, Sequence: st.seq + 1,
			Time: at, Recorded: now, Actor: by, Visibility: d.cmd.Visibility, SealKey: d.cmd.SealKey})
		if err != nil {
			return err
		}
		if err := st.fold(ev); err != nil {
			return err
		}
		events = append(events, ev)
		return nil
	}
	for _, d := range drafts {
		more := []draft{d}
		if d.later != nil {
			var err error
			if more, err = d.later(st, now); err != nil {
				if len(events) > 0 {
					invalidate()
				}
				return nil, err
			}
		}
		for _, d := range more {
			if err := add(d); err != nil {
				if len(events) > 0 {
					invalidate()
				}
				return nil, err
			}
		}
	}
	for i, n := 0, 0; n < maxFollowUps; n++ {
		var (
			d            draft
			optional, ok bool
		)
		for ; i < len(events) && !ok; i++ {
			d, optional, ok = e.followUpOf(st, events[i])
		}
		if !ok {
			if d, ok = e.stateFollowUp(st, now); !ok {
				break
			}
		}
		if err := add(d); err != nil {
			if optional {
				continue // refused before any fold changed: skip it
			}
			invalidate()
			return nil, fmt.Errorf("exercise: follow-up %s: %w", d.cmd.Data.EventType(), err)
		}
	}
	if len(events) == 0 {
		return nil, nil
	}
	if _, err := e.store.Append(ctx, st.rel, events[0].Sequence-1, events...); err != nil {
		invalidate()
		return nil, err
	}
	return slices.Clone(events), nil
}

// idemID derives an event ID from an idempotency key and the actor who
// sent it, so the same key from the same actor always names the same events,
// and one partner reusing the other's key can never replay the other's
// (possibly private) events.
func idemID(rel trust.RelationshipID, actor trust.Actor, key string, i int) trust.EventID {
	return trust.EventID(uuid.NewSHA1(rel.UUID(), fmt.Appendf(nil, "mend/idempotency/%s/%s/%d", actor, key, i)))
}

// replayResult returns the events a previous command with the same
// idempotency key wrote, once build is shown to be that command again, and
// a *IdempotencyConflictError when it is a different request.
func (e *Engine) replayResult(ctx context.Context, st *journeyState, actor trust.Actor, key string, first trust.Sequence, build func(st *journeyState, now time.Time) ([]draft, error)) ([]trust.Event, error) {
	events, err := e.store.Load(ctx, st.rel, first)
	if err != nil {
		return nil, err
	}
	var out []trust.Event
	for i, ev := range events {
		if ev.ID != idemID(st.rel, actor, key, i) {
			break
		}
		out = append(out, ev)
	}
	if err := e.replayedRequest(ctx, st, key, first, out, build); err != nil {
		return nil, err
	}
	return out, nil
}

// state returns the cached journey brought up to date with the store: the
// first call for a journey folds its whole stream, every later one folds the
// events written since (by this engine's other calls or by another engine
// sharing the store), so every query and every command starts from a state
// at least as new as the store held when it began. The journey is returned
// unlocked; callers lock st.mu to read or change it.
func (e *Engine) state(ctx context.Context, rel trust.RelationshipID) (*journeyState, error) {
	if rel.IsZero() {
		return nil, check.Invalid("exercise", "relationship", "is required")
	}
	for {
		st, err := e.tryState(ctx, rel)
		if !errors.Is(err, errStale) {
			return st, err
		}
	}
}

// tryState returns the cached journey caught up with the store, or errStale
// when the cached copy was dropped (while it waited, or because what the
// store holds after it does not fold onto it): the caller takes a fresh one,
// which load folds from the start.
func (e *Engine) tryState(ctx context.Context, rel trust.RelationshipID) (*journeyState, error) {
	e.mu.Lock()
	st, ok := e.journeys[rel]
	if !ok {
		st = &journeyState{rel: rel}
		e.journeys[rel] = st
	}
	e.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.stale {
		return nil, errStale // dropped while we waited: take the fresh one
	}
	if st.journey != nil {
		err := e.load(ctx, st)
		if errors.Is(err, errStale) {
			// Another writer's events do not fold onto the cached copy:
			// drop it, and fold the stream again from the start.
			st.stale = true
			e.drop(st)
		}
		if err != nil {
			// On a store error the cached copy is still a true prefix of
			// the stream: keep it, and let the next call catch up.
			return nil, err
		}
		return st, nil
	}
	if err := e.load(ctx, st); err != nil {
		// Keep nothing for a journey that could not be loaded: probing
		// unknown IDs must not grow the cache.
		st.stale = true
		e.drop(st)
		return nil, err
	}
	return st, nil
}

// drop removes st from the cache, unless a fresh copy has replaced it.
func (e *Engine) drop(st *journeyState) {
	e.mu.Lock()
	if e.journeys[st.rel] == st {
		delete(e.journeys, st.rel)
	}
	e.mu.Unlock()
}

func (e *Engine) forget(rel trust.RelationshipID) {
	e.mu.Lock()
	delete(e.journeys, rel)
	e.mu.Unlock()
}

// Evict drops the engine's folded copy of a journey; the next call reloads
// it from the store. Services that hold many journeys call it for the ones
// that have gone quiet; nothing is lost, since the store is the truth.
// Freshness does not need it: every call folds in what other engines wrote.
func (e *Engine) Evict(rel trust.RelationshipID) { e.forget(rel) }

// load folds the events of a relationship's stream after the last one st
// has folded: the whole stream the first time, then only what was written
// since. Called with st.mu held. When catching up, an event that does not
// fold onto st (out of sequence, or refused by a fold), or a stream shorter
// than what st folded, returns an error wrapping errStale: st is no longer a
// prefix of the stream this engine can extend, and is dropped. The first load of a journey that does not exist returns
// trust.ErrNotFound.
func (e *Engine) load(ctx context.Context, st *journeyState) error {
	catchUp := st.journey != nil
	if catchUp {
		// Most calls find nothing new: asking for the stream's length
		// costs no allocation, where a scan costs a few.
		last, err := e.store.Last(ctx, st.rel)
		if err != nil || last == st.seq {
			return err
		}
		if last < st.seq {
			return errors.Join(errStale, fmt.Errorf("exercise: journey %s: the store holds %d events, the engine folded %d", st.rel, last, st.seq))
		}
	}
	return e.replay(ctx, st, catchUp)
}

// replay folds the events after st.seq, for load. It is a function of its
// own so that the variables its loop captures are allocated only when there
// is something to fold.
func (e *Engine) replay(ctx context.Context, st *journeyState, catchUp bool) error {
	for ev, err := range store.Scan(ctx, e.store, st.rel, st.seq+1) {
		if err != nil {
			return err
		}
		if st.journey == nil {
			if err := st.start(ev, e.catalogue); err != nil {
				return err
			}
			continue
		}
		if err := st.fold(ev); err != nil { // the journey's fold refuses a sequence out of order
			err = fmt.Errorf("exercise: replaying journey %s at sequence %d: %w", st.rel, ev.Sequence, err)
			if catchUp {
				err = errors.Join(errStale, err)
			}
			return err
		}
	}
	if st.journey == nil {
		return fmt.Errorf("exercise: journey %s: %w", st.rel, trust.ErrNotFound)
	}
	return nil
}
