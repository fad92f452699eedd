// Package exercise is what an app embeds to run couples' journeys: the
// [Engine] facade over mend's exercise catalogue, the life of an exercise
// assignment, the schedulers that decide what a couple is offered next, and
// (in the store sub-package) the event stores.
//
// # The engine
//
// [NewEngine] takes [Options] — a store, a catalogue, a scheduler, a clock,
// an ID source, a reminder policy — all with defaults, so
// exercise.NewEngine(exercise.Options{}) is ready to use. Its methods are
// the workflow, and each is a command or a query, never both.
//
// Commands write. [Engine.StartJourney] begins a journey. Facts are recorded
// by who gives them: [Engine.RecordBreach], [Engine.EndBreach],
// [Engine.RecordAccount], [Engine.Acknowledge],
// [Engine.AnswerAcknowledgement], [Engine.RequestNeed], [Engine.AnswerNeed],
// [Engine.CloseNeed], [Engine.StateCommitment], [Engine.RecordCheckIn],
// [Engine.RaiseSafetyFlag], [Engine.ClearSafetyFlag], [Engine.SetPause],
// [Engine.SetProfessionalConsent], [Engine.SetResearchConsent],
// [Engine.AdvancePhase]; agreements with [Engine.ProposeAgreement],
// [Engine.SignAgreement], [Engine.AmendAgreement],
// [Engine.RevokeTransparency], [Engine.RetireAgreement]; assignments with
// [Engine.StartAssignment], [Engine.AnswerStep], [Engine.CompleteAssignment],
// [Engine.SkipAssignment], [Engine.SnoozeAssignment]; and [Engine.Do]
// records any registered event type, apps' own included. Each takes the
// writer as a [trust.Actor] right after the relationship ID, fills a zero
// partner field naming that writer (and refuses one naming anyone else),
// fills zero IDs from the engine's ID source, and returns a [Result]: the
// ID the command is about and the events it wrote. Two commands are the
// engine's own, written by the system: [Engine.Refresh] brings a journey up
// to date at the engine's time (overdue work expires, transparency terms
// past their sunset lapse, the phase advances, the scheduler's proposals
// become assignments), and [Engine.MarkRemindersSent] records the reminders
// an app sent.
//
// Queries read and never append: [Engine.Plan] (a partner's open work, and
// why), [Engine.RemindersDue], [Engine.View], [Engine.Timeline],
// [Engine.Report], [Engine.Recommendations], [Engine.Agreements],
// [Engine.Compliance], [Engine.Calendar] and [Engine.Relationship]. Reads
// are scoped to a viewer. A plan shows what the last command left: an app
// runs Refresh from a background job (and may run it before reading a plan),
// so work moves on even when nobody opens the app.
//
// Every method takes a context, validates its input and returns typed errors
// (errors.Is with trust.ErrInvalid, ErrForbidden, ErrNotFound, ErrConflict,
// ErrPausedForSafety, ErrGateNotMet, ErrInvalidTransition); a refused command
// writes nothing. A command may carry an idempotency key
// ([WithIdempotencyKey]): a retry returns the first Result and writes nothing,
// even from another engine over the same store, and the key reused for a
// different request is a *IdempotencyConflictError (trust.ErrConflict).
// Appends use optimistic concurrency per relationship, so several engines
// may share a store; each folds in what the others wrote before it answers
// any call.
//
// Time comes from the engine's clock. A command may date its event earlier
// than now ([At], [Command.Time]) to back-fill what happened while a partner
// was offline, by at most [Options.MaxBackdate] (default
// [DefaultMaxBackdate], 7 days) and never before the journey began; nothing
// is dated more than [Options.ClockSkew] (default [DefaultClockSkew], 2
// minutes) after the engine's clock, and the same limits hold for a
// journey's Started. Payload times that say when something happened (a
// breach, a term broken, a ritual held) cannot lie after their event, and
// payload times that move work later (a snooze's Until, a due window a
// partner proposes or schedules) lie at most [MaxSnooze] (60 days) after the
// engine's clock. Days in a phase count from when the phase change was
// recorded, so no date a client sends shortens a phase gate. A time out of
// bounds is a *trust.ValidationError naming the field ("time",
// "relationship.started", "data.until", …).
//
// The engine keeps every journey it touches folded in memory (journey,
// agreements, assignments, scheduler signals, reminders sent), updated event
// by event, so planning never replays history. Each event is built once and
// checked once per fold ([trust.Journey.Prepare]): it is folded into all of
// them only when all accept it. A refresh expires what is overdue before
// asking the scheduler, so the room that frees is filled in the same
// refresh. The rules' follow-ups are written by the engine as their own
// events in the same atomic append as the command that called for them: an
// agreement's activation after the second signature, a regression after a
// new disclosure, a transparency term lapsing at its sunset, and the next
// phase as soon as every gate is met (unless [Options.ManualPhases]).
//
// Reminders follow a [ReminderPolicy]: quiet hours in the couple's time
// zone, a daily cap and a least gap, counted from the durable
// [TypeReminderSent] events, so the limit survives a restart. Each is
// private to the reminded partner.
//
// A safety flag pauses every joint assignment the moment it is recorded:
// joint assignments cannot start or complete, agreement work waits, the
// scheduler (always wrapped in [Guard]) proposes only solo support, and no
// plan, reminder, reason, report or timeline the other partner can read says
// why.
//
// # Catalogue
//
// An [Exercise] is structured work with a purpose: the protocol phases it
// serves (keys of the phases of trust's profiles), a [Mode] (together, each
// partner separately then revealed, or solo), ordered [Step]s with turns
// ([Role]: speaker and listener, each partner, the hurt or the involved
// partner, self), [StepGate]s between steps (each can summarise the other's
// view, the speaker feels heard, both are calm), the exercises it
// [Exercise.Requires], the [Contraindication]s that keep it from being
// offered, a cooldown and tags. The catalogue is data: [DefaultCatalogue] is
// mend's own, embedded as JSON (30 exercises covering every step of the
// journey, from understanding the causes to the weekly check-in, the
// regrettable-incident conversation and the solo track), and an app loads its
// own or a translation with [ParseCatalogue]. Duplicate keys and dangling
// references are refused with a *[DuplicateKeyError] or a *[ReferenceError].
//
// # Assignments
//
// An assignment is an exercise given to both partners or to one, with a due
// window in UTC:
//
//	proposed → scheduled → started → completed (one outcome per participant)
//	              ↕ snoozed            ↘ skipped (with a reason) / expired
//
// Every transition is a journey event ("exercise.assignment_proposed",
// "exercise.assignment_scheduled", "exercise.assignment_started",
// "exercise.assignment_completed", "exercise.assignment_skipped",
// "exercise.assignment_snoozed", "exercise.assignment_expired"), written
// answers to steps are "exercise.step_answered" events, sealed with
// [StepSealKey] when the step asks for it so both partners' answers are
// revealed together, and a reminder sent is an "exercise.reminder_sent"
// event private to its partner. [Assignments] folds them with the verbs of
// trust.Journey and agreement.Book ([Assignments.Check], [Assignments.Apply],
// [Assignments.Prepare], [Assignments.Clone]; [NewAssignments] and
// [ReplayAssignments]), refusing an invalid transition with a typed error
// and changing nothing. A missed exercise never punishes: expiring or
// skipping leaves every helpful streak intact, and the next refresh adapts.
//
// # Schedulers
//
// A [Scheduler] is a pure function from a [Snapshot] to [Proposal]s, each
// with a reason the couple can read and the scheduler's name. Both are the
// scheduler's own: the engine builds every snapshot afresh, shares nothing
// in it, and copies what it keeps of the proposals. It reads time only from
// the snapshot and randomness only from its seed. The built-ins are [AgreementDriven] (agreed rituals become
// assignments at each occurrence), [PhaseSequence] (the current phase's
// exercises in order, honouring requirements), [Adaptive] (repair after a
// setback, a lighter plan when adherence is low, helpful exercises back on a
// growing interval, a solo track when a partner stepped back) and [Compose]
// (several schedulers with a weekly load limit, quiet hours in local time and
// de-duplication). [DefaultScheduler] composes all three. An app's own
// scheduler is a [SchedulerFunc].
//
// Safety is enforced, not requested: while [Snapshot.JointWorkPaused] is true
// every built-in proposes only solo exercises, and [Compose] and [Guard] drop
// any joint or contraindicated proposal from any scheduler they wrap. The
// snapshot never says why joint work is paused, and no reason mentions it.
//
// # How the engine plans
//
// Per refresh, the engine builds a [Snapshot] from the folded state (profile,
// phase, [GatesFrom] of the journey's gates, JointWorkPaused, Alignment, the
// agreements' due [Occurrence]s, progress [Signals], and the fold's
// [Assignments.History] and [Assignments.Recent]), calls Scheduler.Propose,
// and for each [Proposal] appends an [AssignmentProposed] and an
// [AssignmentScheduled] (private for a solo assignment); overdue assignments
// ([Assignments.Expirable]) expire, written by the system, never counting
// against anyone. Partners' start, answer, completion, skip and snooze events
// are written by the partner themselves.
package exercise
