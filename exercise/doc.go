// Package exercise holds mend's exercise catalogue, the life of an exercise
// assignment, and the schedulers that decide what a couple is offered next.
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
// "exercise.assignment_snoozed", "exercise.assignment_expired"), and written
// answers to steps are "exercise.step_answered" events, sealed with
// [StepSealKey] when the step asks for it so both partners' answers are
// revealed together. [Assignments] folds them, refusing an invalid
// transition with a typed error and changing nothing. A missed exercise
// never punishes: expiring or skipping leaves every helpful streak intact, and
// the next plan adapts.
//
// # Schedulers
//
// A [Scheduler] is a pure function from a read-only [Snapshot] to
// [Proposal]s, each with a reason the couple can read and the scheduler's
// name. It reads time only from the snapshot and randomness only from its
// seed. The built-ins are [AgreementDriven] (agreed rituals become
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
// # For the engine
//
// Per plan, the engine:
//
//  1. builds a [Snapshot] from trust.Journey (profile, phase, [GatesFrom] of
//     its gates, JointWorkPaused, Alignment), the agreements' due
//     [Occurrence]s, progress [Signals], and the fold's
//     [Assignments.History] and [Assignments.Recent];
//  2. calls Scheduler.Propose;
//  3. for each [Proposal], appends an [AssignmentProposed] from
//     [Proposal.Payload] and an [AssignmentScheduled], with visibility
//     [Proposal.Visibility] (private for a solo assignment);
//  4. appends an [AssignmentExpired] (system actor) for each of
//     [Assignments.Expirable];
//  5. feeds every journey event to [Assignments.Apply], which also follows
//     safety flags and pauses.
//
// Partners' start, answer, completion, skip and snooze events are written by
// the partner themselves; [Assignments.Check] tells the engine beforehand
// whether one is allowed.
package exercise
