package progress_test

import (
	"testing"
	"time"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// twoSetbacks is twelve weeks of a couple checking in most days: the
// acknowledgement is accepted, an agreement comes into force, a boundary is
// broken in week 4 (trust drops, then recovers) and something new comes to
// light in week 7 (the journey goes back a phase, trust dips and recovers).
func twoSetbacks(t testing.TB) *journey {
	j := newJourney(t, 11)
	b := j.breach(day(0).Add(time.Hour))
	j.add(&trust.Commitment{Partner: j.A, Answer: trust.CommitYes}, day(0).Add(2*time.Hour), trust.PartnerActor(j.A), "", "")
	j.add(&trust.Commitment{Partner: j.B, Answer: trust.CommitYes}, day(0).Add(3*time.Hour), trust.PartnerActor(j.B), "", "")
	trustA := func(d int) int {
		switch {
		case d < 21:
			return 3 + d/7
		case d < 24:
			return 2
		case d < 45:
			return 5 + (d-24)/10
		case d < 49:
			return 3
		default:
			return 6 + (d-49)/14
		}
	}
	trustB := func(d int) int {
		switch {
		case d < 21:
			return 5 + d/10
		case d < 45:
			return 6
		case d < 48:
			return 5
		default:
			return 7
		}
	}
	phaseAt := map[int]*trust.PhaseChange{
		10: {From: "understand", To: "acknowledge", Direction: trust.Advanced, Reason: "Every gate is met."},
		17: {From: "acknowledge", To: "rebuild", Direction: trust.Advanced, Reason: "Every gate is met."},
		46: {From: "rebuild", To: "understand", Direction: trust.Regressed, Reason: "A new disclosure; everything done still counts."},
		60: {From: "understand", To: "acknowledge", Direction: trust.Advanced, Reason: "Every gate is met."},
		70: {From: "acknowledge", To: "rebuild", Direction: trust.Advanced, Reason: "Every gate is met."},
	}
	for d := 1; d <= 84; d++ {
		if d%6 != 0 {
			j.checkIn(j.A, day(d).Add(10*time.Hour), trustA(d), "", "")
		}
		if d%5 != 0 {
			j.checkIn(j.B, day(d).Add(11*time.Hour), trustB(d), "", "")
		}
		switch d {
		case 14:
			ack := mustID[trust.Acknowledgement](t, j.ids)
			j.add(&trust.Acknowledgement{ID: ack, Breach: b, Partner: j.A, Harm: "I lied about where I was.", Responsibility: "It was my choice.",
				NoBlameShift: true, Feelings: "You felt foolish and alone.", Remorse: "I am sorry.", WillChange: "I will tell you the truth.",
				Observable: "You can ask me anything."}, day(d).Add(12*time.Hour), trust.PartnerActor(j.A), "", "")
			j.add(&trust.AcknowledgementAnswer{Acknowledgement: ack, Partner: j.B, Response: trust.AckAccepted}, day(d).Add(13*time.Hour), trust.PartnerActor(j.B), "", "")
		case 18:
			j.agreementEvent(agreement.TypeSigned, day(d).Add(14*time.Hour), trust.PartnerActor(j.A))
			j.agreementEvent(agreement.TypeSigned, day(d).Add(15*time.Hour), trust.PartnerActor(j.B))
			j.agreementEvent(agreement.TypeActivated, day(d).Add(15*time.Hour), trust.SystemActor)
		case 21:
			j.agreementEvent(agreement.TypeTermBroken, day(d).Add(16*time.Hour), trust.PartnerActor(j.B))
		case 45:
			j.breach(day(d).Add(16 * time.Hour))
		case 65:
			j.agreementEvent(agreement.TypeAmended, day(d).Add(16*time.Hour), trust.PartnerActor(j.A))
		}
		if pc, ok := phaseAt[d]; ok {
			j.add(pc, day(d).Add(18*time.Hour), trust.SystemActor, "", "")
		}
		if d%7 == 3 {
			j.practice(j.A, day(d).Add(20*time.Hour), true)
		}
		if d%14 == 5 {
			j.practice(j.B, day(d).Add(20*time.Hour), false)
		}
	}
	return j
}

// withSafetyFlag is five weeks of check-ins in which Alex privately raises a
// safety flag in week 3, writes a private note and a screen, and has not
// cleared it.
func withSafetyFlag(t testing.TB) *journey {
	j := newJourney(t, 12)
	j.breach(day(0).Add(time.Hour))
	for d := 1; d <= 35; d++ {
		j.checkIn(j.A, day(d).Add(9*time.Hour), 5+d/12, "", "")
		vis := trust.Shared
		if d > 20 {
			vis = trust.Private
		}
		j.checkIn(j.B, day(d).Add(10*time.Hour), 6-d/10, vis, "")
		if d == 20 {
			j.safetyFlag(j.B, day(d).Add(22*time.Hour))
			j.add(&progressNote{CheckIn: mustID[progressCheckIn](t, j.ids), Partner: j.B, Note: "I am scared when voices are raised.",
				Answers: []progressResponse{{Instrument: "phq-2", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 2}, {Item: "2", Value: 2}}}}},
				day(d).Add(22*time.Hour), trust.PartnerActor(j.B), trust.Private, "")
		}
	}
	return j
}

// solo is one partner checking in alone, with a long gap and a return.
func solo(t testing.TB) *journey {
	j := newJourney(t, 13)
	for d := 1; d <= 56; d++ {
		if d > 20 && d < 40 {
			continue // away for almost three weeks
		}
		if d%2 == 0 || d > 40 {
			j.checkIn(j.A, day(d).Add(19*time.Hour), 4+d/14, "", "")
		}
	}
	j.add(&trust.Commitment{Partner: j.A, Answer: trust.CommitUnsure}, day(30), trust.PartnerActor(j.A), trust.Private, "")
	return j
}
