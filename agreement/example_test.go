package agreement_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// exampleCouple is the couple of the examples: Sam and Robin, in London.
func exampleCouple() trust.Relationship { return relationship("Europe/London") }

// stream appends events in sequence for the examples.
type stream struct {
	rel  trust.Relationship
	ids  trust.IDSource
	book *agreement.Book
	seq  trust.Sequence
}

func (s *stream) append(p trust.Payload, actor trust.Actor, at time.Time) error {
	id, err := trust.NewID[trust.Event](s.ids)
	if err != nil {
		return err
	}
	s.seq++
	e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: s.rel.ID, Sequence: s.seq, Time: at, Recorded: at, Actor: actor})
	if err != nil {
		return err
	}
	return s.book.Apply(e)
}

// signedAgreement drafts, proposes, signs and activates the examples'
// agreement: a Sunday check-in and a Friday date night.
func signedAgreement() (*stream, agreement.ID, agreement.TermID, agreement.TermID) {
	rel := exampleCouple()
	s := &stream{rel: rel, ids: trust.SeededIDs(1), book: agreement.NewBook(rel)}
	sam, robin := rel.Partners[0].ID, rel.Partners[1].ID
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

	draft, _ := agreement.NewDraft(rel, s.ids, now, "How we reconnect",
		"A regular time to talk and a regular time to enjoy each other.")
	checkIn, _ := draft.Add(agreement.Term{Kind: agreement.Ritual, Title: "Weekly check-in", CommittedBy: agreement.Both(rel),
		Detail: "Appreciations first, then one thing each that would make next week better.",
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2025-03-02", At: "20:00", Duration: 45 * time.Minute, Grace: 24 * time.Hour})})
	dateNight, _ := draft.Add(agreement.Term{Kind: agreement.Ritual, Title: "Friday date night", CommittedBy: agreement.Both(rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: "2025-03-07", At: "19:00", Duration: 3 * time.Hour, Grace: 2 * time.Hour})})
	version, _ := draft.Agreement()

	must(s.append(&agreement.Proposed{Agreement: version, ProposedBy: sam}, trust.PartnerActor(sam), now))
	for i, p := range []trust.PartnerID{sam, robin} {
		sig, _ := s.book.SignatureFor(version.ID, p)
		must(s.append(&sig, trust.PartnerActor(p), now.Add(time.Duration(i+1)*time.Hour)))
	}
	if act, ready := s.book.Activation(version.ID); ready {
		must(s.append(&act, trust.SystemActor, now.Add(2*time.Hour)))
	}
	return s, version.ID, checkIn, dateNight
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Draft an agreement with a weekly check-in and a Friday date night, have
// both partners sign it, and list what comes next. The clocks go forward in
// London on 30 March; the rituals keep their local times.
func Example_draftAndSign() {
	s, id, _, _ := signedAgreement()
	rec, _ := s.book.Agreement(id)
	fmt.Println(rec.Status, "version", rec.InForce, "signed by", len(rec.Signatures))
	for _, o := range s.book.Occurrences(time.Date(2025, 3, 28, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 5, 0, 0, 0, 0, time.UTC)) {
		fmt.Println(o.LocalStart, o.Start.Format("15:04Z"), o.Title)
	}
	// Output:
	// active version 1 signed by 2
	// 2025-03-28T19:00 19:00Z Friday date night
	// 2025-03-30T20:00 19:00Z Weekly check-in
	// 2025-04-04T19:00 18:00Z Friday date night
}

// Record what happened for a month and compute compliance: counts and a
// commitment strength per term, and the terms that need a conversation.
func ExampleBook_Compliance() {
	s, id, checkIn, dateNight := signedAgreement()
	sam, robin := s.rel.Partners[0].ID, s.rel.Partners[1].ID
	from, to := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range s.book.Occurrences(from, to) {
		switch {
		case o.Term == checkIn:
			must(s.append(&agreement.OccurrenceKept{Agreement: id, Term: checkIn, Occurrence: o.Start, Partner: robin}, trust.PartnerActor(robin), o.End))
		case o.LocalStart == "2025-03-21T19:00":
			must(s.append(&agreement.OccurrenceMissed{Agreement: id, Term: dateNight, Occurrence: o.Start, Partner: &sam, Note: "Worked late."}, trust.PartnerActor(sam), o.End))
		default:
			must(s.append(&agreement.OccurrenceKept{Agreement: id, Term: dateNight, Occurrence: o.Start, Partner: sam}, trust.PartnerActor(sam), o.End))
		}
	}
	c, _ := s.book.Compliance(from, to)
	for _, t := range c.Agreements[0].Terms {
		fmt.Printf("%s: kept %d of %d, strength %.2f\n", t.Title, t.Occurrences.Kept, t.Occurrences.Due, t.Strength.End)
	}
	fmt.Println("needs a conversation:", len(c.Agreements[0].NeedsConversation))
	// Output:
	// Weekly check-in: kept 5 of 5, strength 0.42
	// Friday date night: kept 3 of 4, strength 0.26
	// needs a conversation: 0
}

// Export the rituals of the agreement as an iCalendar file for the
// couple's own calendar.
func ExampleBook_ICalendar() {
	s, id, _, _ := signedAgreement()
	ics, _ := s.book.ICalendar(id, time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC))
	for _, line := range strings.Split(string(ics), "\r\n") {
		for _, p := range []string{"SUMMARY", "DTSTART;", "DURATION", "RRULE"} {
			if strings.HasPrefix(line, p) {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// SUMMARY:Weekly check-in
	// DTSTART;TZID=Europe/London:20250302T200000
	// DURATION:PT45M
	// RRULE:FREQ=WEEKLY;BYDAY=SU
	// SUMMARY:Friday date night
	// DTSTART;TZID=Europe/London:20250307T190000
	// DURATION:PT180M
	// RRULE:FREQ=WEEKLY;BYDAY=FR
}

// Compare two versions of an agreement.
func ExampleDiff() {
	s, id, _, dateNight := signedAgreement()
	rec, _ := s.book.Agreement(id)
	draft, _ := agreement.AmendDraft(rec, s.rel, s.ids, time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC), "Later date nights.")
	v1 := rec.Versions[0]
	t, _ := v1.Term(dateNight)
	t.Timing.LocalTime = "19:30"
	t.Timing.DurationMinutes = 150
	_ = draft.Replace(t)
	v2, _ := draft.Agreement()
	fmt.Println(agreement.DiffText(agreement.Diff(v1, v2)))
	// Output:
	// "Friday date night": timing.local_time changed from "19:00" to "19:30"
	// "Friday date night": timing.duration_minutes changed from "180" to "150"
}

func ExampleRecurringTiming() {
	t := agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-01", At: "19:00",
		Duration: time.Hour, Grace: 24 * time.Hour})
	fmt.Println(t.DurationMinutes, t.GraceMinutes, t.Validate())

	t = agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-01", At: "19:00",
		Duration: 90 * time.Second})
	fmt.Println(t.Validate())
	// Output:
	// 60 1440 <nil>
	// agreement: duration_minutes: 1m30s is not a whole number of minutes
}
