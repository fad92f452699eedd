// Package agreement models the step in which a couple agrees on what a
// healthy relationship means for them, made concrete: an explicit,
// versioned agreement of recurring rituals, boundaries and transparency
// commitments, signed by both partners, amended as they learn, and checked
// against what actually happens.
//
// # The model
//
// An [Agreement] is one version: a title, a purpose in the couple's words,
// and [Term]s. A term has a [TermKind] (a [Ritual] such as a date night or a
// weekly check-in, [DailyConnection], a [Boundary] such as no contact with a
// third party, [Transparency], [Support] or [Custom]), the partners who
// commit to it (one or both), and a [Timing]: a recurrence
// ([RecurringTiming] of a [Recurrence]: an RFC 5545 RRULE with a local start
// date and time), a single local date ([OnceTiming] of an [Occasion]), or
// standing ([StandingTiming]: in force at all times). A scheduled term lasts
// a Duration and may carry a Grace window, named fields so one cannot pass
// for the other, kept in whole minutes (duration_minutes, grace_minutes):
//
//	agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR",
//		StartsOn: "2025-03-07", At: "19:00", Duration: 2 * time.Hour, Grace: 2 * time.Hour})
//
// Local times are read in the relationship's IANA time zone, so 19:00 stays
// 19:00 across daylight-saving changes. A term may also carry a review
// date. [Draft] builds versions with IDs from an injected trust.IDSource.
//
// # Lifecycle
//
// Every change is a journey event (see the Type… constants), folded by a
// [Book] beside trust.Journey, with the same verbs (Check, Apply, Prepare,
// Clone; [ReplayBook] folds a stream):
//
//	draft ─Proposed→ proposed ─Signed×2→ (Activated) active ─ReviewStarted→ under_review
//	under_review ─Amended→ amended ─Signed×2→ (Activated) active      (a new version)
//	under_review ─ReviewClosed→ active            any ─Retired→ retired
//
// Each signature names a version and its [Agreement.Digest] and is recorded
// with its time; one signature never activates. When both partners have
// signed, [Book.Activation] returns the [Activated] event to append (as
// trust.SystemActor: its type's writers are the engine alone, which the
// journey fold enforces); the journey gates count
// "agreement.activated". While an amendment awaits signatures the previous
// version stays in force; every version is kept, and [Diff] gives a readable
// difference between two. A refused event returns a *trust.ValidationError
// or a *trust.TransitionError (matching trust.ErrInvalidTransition and a
// cause such as trust.ErrForbidden, trust.ErrConflict or trust.ErrNotFound)
// and changes nothing.
//
// # Transparency without surveillance
//
// A transparency term opens one partner's life to the other, so: each
// partner who gives access (its CommittedBy) must consent to it explicitly
// when signing ([Signed.ConsentsTo]); either partner may revoke it at any
// moment ([TransparencyRevoked], effective at the event's time, never refused
// because of the agreement's state, and withdrawing any signature on a
// pending version that holds it); and it has a mandatory review date, 30
// days after drafting by default and never more than 90 days after it is
// proposed. At the end of that day it lapses ([Book.Lapses] lists the
// [Lapsed] events to append) unless both partners have signed a version with
// a later review date.
//
// # Schedule
//
// [Book.Occurrences], [Book.Due], [Book.Next], [Book.NextOf] and
// [Book.TermOccurrences] list [Occurrence]s: each carries the agreement, the
// version in force at it, the term, its kind, title and committers, its
// start in UTC and in local time, its end and the end of its grace window,
// and the outcome reported so far. An occurrence belongs to the version in
// force at its start. One occurrence can be skipped ([OccurrenceSkipped], an
// EXDATE) or moved ([OccurrenceMoved], an EXDATE and an RDATE) beforehand
// without changing the rule.
//
// # Compliance from evidence
//
// Evidence events say what happened: [OccurrenceKept], [OccurrenceMissed]
// (by a partner, or the system after the grace window), [OccurrenceRescheduled]
// (held within grace; counts as kept), [TermBroken] for a standing term, and
// [TermRenegotiated]. When the partners' reports disagree the occurrence is
// disputed: a reason to talk, not a verdict. [Book.Compliance] returns, per
// term ([TermCompliance]) and per agreement ([Summary]), counts of what was due, kept, missed, disputed,
// unreported, pending and skipped; for recurring terms a commitment strength
// ([Strength]) following the Loop Habit Tracker score, which forgives a gap
// instead of resetting; break reports for standing terms; and the terms that
// need a conversation, each with its [Reason]s. Activity (occurrences kept)
// and outcomes (boundaries broken) are never folded into one number.
//
// # iCalendar
//
// [Book.ICalendar] writes the rituals of an agreement in force as an RFC
// 5545 calendar (VEVENT with DTSTART;TZID, RRULE, EXDATE and RDATE, and a
// VTIMEZONE) so a couple can put date nights in the calendar they already use.
//
// # For engines
//
// An engine applies every journey event to a Book (Apply ignores other
// packages' events) and never reimplements a rule:
//
//	book := agreement.NewBook(rel)
//	err := book.Check(e)                 // the same checks as Apply, no change
//	err = book.Apply(e)                  // fold; typed errors; actor rights checked
//	commit, err := book.Prepare(e)       // check now; commit() with the other folds
//	act, ok := book.Activation(id)       // after a signature: append act if ok
//	lapses := book.Lapses(now)           // append each, as trust.SystemActor
//	due := book.Due(now, 24*time.Hour)   // occurrences to act on
//	next := book.Next(now, 5)            // what comes next
//	c, err := book.Compliance(from, to)  // per term and agreement
//	sig, err := book.SignatureFor(id, p) // a signature payload to confirm with p
//
// The Book does not know about safety flags or pauses: refuse joint work
// (proposals, signatures, reviews, amendments) while trust.Journey reports
// joint work paused, but never hold back a revocation or a retirement.
//
// Every payload has a JSON Schema published by [Schemas], as do
// [Agreement], [Occurrence] and [Compliance] (name "compliance").
package agreement
