// Package mend models and runs the work of rebuilding trust in a relationship
// after a breach: the breach itself, each partner's own account, the
// acknowledgement and whether it landed, needs requests and their answers, the
// couple's agreements and whether they are kept, check-ins and progress over
// time, and the exercises that carry the work from week to week — with a
// private safety flag that pauses joint work the moment either partner
// raises a concern.
//
// # Where to start
//
// An app starts from [github.com/mendkit/mend/exercise.Engine]: make one with
// exercise.NewEngine(exercise.Options{}) (every option has a default), start a
// couple's journey with StartJourney, record what each partner says with the
// engine's commands (RecordBreach, RecordAccount, RecordCheckIn, …: each
// takes who writes as a trust.Actor and returns a Result with the IDs the
// engine filled in), bring the plan up to date with Refresh (a command), and
// read with the queries Plan, View, Timeline, Report and RemindersDue, always
// as a given partner or professional. Queries never write.
//
// A program that only reads or checks journeys starts from a stream of
// [github.com/mendkit/mend/trust.Event] values: [github.com/mendkit/mend/trust.ReplayJourney] folds
// one into a [github.com/mendkit/mend/trust.Journey] (phase, gates, breaches, needs, a per-viewer
// View), and [github.com/mendkit/mend/progress.Analyzer] turns one into a report.
//
// mend is a library, not a therapy: it records what partners say and do,
// follows published repair protocols as data, and offers information about
// professional help with its reasons. It never diagnoses.
//
// # How the packages fit
//
// The packages import each other in one direction only:
//
//	trust  <-  agreement  <-  progress  <-  exercise
//
// What each holds:
//
//   - [github.com/mendkit/mend/trust] is the vocabulary: partners and
//     relationships, breaches, accounts, acknowledgements, needs requests,
//     commitment, safety flags, the event envelope, visibility rules and the
//     journey fold with its protocol profiles and gates.
//   - [github.com/mendkit/mend/agreement] holds the couple's explicit
//     agreements: rituals with RFC 5545 recurrence in the couple's time zone,
//     boundaries, consensual and time-limited transparency, signatures and
//     versions, compliance from evidence, iCalendar export.
//   - [github.com/mendkit/mend/progress] reads the journey's timeline as a
//     given viewer: check-ins, validated instruments, trends, reliable change,
//     setbacks and recovery, forgiving consistency counters, reports and charts,
//     and recommendations of professional help with their reasons.
//   - [github.com/mendkit/mend/exercise] is what an app embeds: the exercise
//     catalogue, assignments, pluggable schedulers and the Engine facade that
//     drives the whole workflow. Its sub-packages hold the event stores
//     ([github.com/mendkit/mend/exercise/store]: in memory, or a durable log
//     file) and the research simulation
//     ([github.com/mendkit/mend/exercise/simulate]: simulated couples driving
//     the real engine, exported as de-identified datasets).
//
// The runnable programs in examples/ show each use: quickstart tells one
// couple's twelve weeks through the engine, wellness-api serves the engine
// over HTTP with per-partner tokens, and dataset generates a research dataset.
//
// # One journey, one event stream
//
// Every change is an event appended to the relationship's stream; every state
// (the phase, open requests, active agreements, the scheduler's inputs) is a
// fold over it. Persistence is an append log, replay is exact, reads are
// filtered per viewer, and a research dataset is just the de-identified streams.
//
// # Schemas
//
// Every type that crosses the JSON boundary has a published JSON Schema
// (draft 2020-12) with a stable $id under
// https://mendkit.github.io/mend/schemas/<package>/<name>-<major>.<minor>.json.
// The files live in each package's schemas/ directory, are embedded in the
// binary, and are listed by trust.Schemas, agreement.Schemas and so on.
package mend
