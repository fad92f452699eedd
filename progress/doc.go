// Package progress makes the slow work of rebuilding trust visible and
// measurable: progress has setbacks, and it is judged by steady movement over
// time, not by perfection. When a couple stays stuck, it says so and points
// to professional help, as information with its reasons, never a diagnosis.
//
// # Timeline
//
// A journey is one append-only stream of [trust.Event] envelopes. [Timeline]
// holds it in memory: appends are ordered by sequence and idempotent by event
// ID, and reads go through a [trust.Viewer], filtered by [trust.Access] (shared
// entries, a partner's own private entries, sealed answers once both partners
// answered, and for a professional what the partners consented to share). It
// keeps events of its own and hands out copies. [WriteJSONL] and [ReadJSONL] (or [JSONLWriter] and [JSONLReader]) stream a
// journey as JSON Lines; apps' own event types round-trip untouched.
//
// # Check-ins
//
// A [CheckIn] ("progress.checkin_recorded") is one partner's trust today
// (0–10), how safe and how close they feel, a few feeling words and optional
// answers to outcome instruments; any item may be skipped. Its day is the
// local date in the relationship's time zone. Its private part, a
// [CheckInNote], carries the partner's note and screening answers and can
// only ever be private or shared with a consented professional. Build both
// with [Entry.Split] or [CheckInEvents]. Instruments (CSI-4, the mend trust
// pulse, keys for the Dyadic Trust Scale, the Rempel–Holmes–Zanna Trust Scale
// and TRIM-18, PHQ-2 and GAD-2) live in package
// github.com/mendkit/mend/progress/instrument.
//
// # Analysis
//
// An [Analyzer] is fed the stream one event at a time and answers, for any
// viewer and moment, with an [Analysis] built only from what that viewer may
// see: per partner, the trust trend (a smoothed level and a weekly slope) and
// the reliable change from baseline (Jacobson & Truax), kept apart from
// activity (weeks shown up, counted forgivingly: a gap never wipes the count
// and a return after a long gap is welcomed back; exercise adherence); the
// gap between the partners' trust; setbacks (a sharp drop from the recent
// level, a new disclosure, a broken agreement term, a safety flag) with the
// time to recover from each; milestones; and the time spent in each phase.
// [Analysis.Signals] sums up one partner's side for a scheduler. The work is
// linear in the number of events.
//
// # Reports and professional help
//
// [Analyzer.Report] is the one way to a [Report]: a viewer's analysis with
// suggestions of professional help and their reasons (an engine app gets the
// same report from exercise.Engine.Report, which builds it this way). It
// renders as JSON with a published schema, as a plain-text summary a couple
// can read ([Report.Text]) and as an SVG chart ([Report.SVG]); same inputs,
// same bytes. The suggestions are information, never a diagnosis: an active
// safety flag routes only to crisis and individual support, signs of
// individual distress to individual therapy first, a mixed commitment to
// discernment counselling, and stalled progress to couples therapy with the
// modalities whose signs apply. A [Directory] ([MemoryDirectory]) matches
// professionals by modality, language, format and availability ([MatchFor]
// turns a suggestion into a request); crisis resources are data the
// integrator supplies per locale ([CrisisDirectory], in [ReportOptions]).
//
// # Privacy and safety
//
// Analysis, reports and recommendations are always for a viewer and use only
// what [trust.Access] lets that viewer see. One partner's report never shows
// the other partner's private notes, private commitment answers, unrevealed
// sealed answers or safety flags; a safety setback appears only in its
// raiser's own view and that of a professional they consented to share safety
// data with. Cut-off labels of instruments are never shown to a couple.
//
// # Events of other packages
//
// Agreement events are read by their types ([agreement.TypeSigned],
// [agreement.TypeTermBroken], …). Effort is read through an interface, not a
// type: any payload that implements [Effort] (mend's exercise completions and
// skips, or an app's own event types) counts as an exercise done or skipped,
// so progress never depends on package exercise.
package progress
