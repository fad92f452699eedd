package progress

import (
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

// CheckIn is one partner's check-in: how much they trust their partner today
// (0–10), how safe and how close they feel (0–10), a few feeling words and
// optional answers to outcome instruments. Every item may be skipped; a
// check-in with nothing answered still counts as showing up. Day is the
// check-in's date in the relationship's time zone (see [LocalDay]).
//
// A check-in is shared by default so both partners can follow each other's
// trust over time; a partner may write it private, sealed (until the other
// partner checks in that day) or for a consented professional instead. Its private part — a note and screening answers —
// travels in a separate [CheckInNote] that can never be shared with the
// other partner. Build both with [Entry.Split] or [CheckInEvents].
type CheckIn struct {
	// ID identifies the check-in.
	ID CheckInID `json:"id"`
	// Partner is who checked in; only they may write it.
	Partner trust.PartnerID `json:"partner"`
	// Day is the local date of the check-in, "YYYY-MM-DD", in the relationship's time zone.
	Day string `json:"day" jsonschema:"pattern=^[0-9]{4}-[0-9]{2}-[0-9]{2}$"`
	// Trust is how much the partner trusts the other today, 0 (not at all) to 10 (completely); absent when skipped.
	Trust *int `json:"trust,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Safe is how safe the partner feels in the relationship today, 0 to 10; absent when skipped.
	Safe *int `json:"safe,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Close is how close the partner feels to the other today, 0 to 10; absent when skipped.
	Close *int `json:"close,omitempty" jsonschema:"minimum=0,maximum=10"`
	// Feelings are a few words for how the partner feels, in their own words.
	Feelings []string `json:"feelings,omitempty"`
	// Answers are answers to outcome instruments (CSI-4, the trust pulse, …).
	// Screens (PHQ-2, GAD-2) are never allowed here; they go in the private note.
	Answers []instrument.Response `json:"answers,omitempty"`
}

// EventType implements trust.Payload.
func (CheckIn) EventType() string { return TypeCheckInRecorded }

// EventSubject names the check-in.
func (c CheckIn) EventSubject() string { return c.ID.String() }

// SealSubject implements [trust.Sealable]: a sealed check-in is sealed by its
// day, so it opens only on the other partner's check-in of that day.
func (c CheckIn) SealSubject() string { return c.Day }

// OwnerPartner implements the owner rule: a check-in belongs to its partner.
func (c CheckIn) OwnerPartner() trust.PartnerID { return c.Partner }

// Validate checks the check-in's fields.
func (c CheckIn) Validate() error {
	switch {
	case c.ID.IsZero():
		return check.Invalid(pkgName, "id", "is required")
	case c.Partner.IsZero():
		return check.Invalid(pkgName, "partner", "is required")
	}
	if _, err := parseDay(c.Day); err != nil {
		return check.Invalid(pkgName, "day", "%q is not a date in the form YYYY-MM-DD", c.Day)
	}
	for _, r := range []struct {
		f string
		v *int
	}{{"trust", c.Trust}, {"safe", c.Safe}, {"close", c.Close}} {
		if r.v != nil && (*r.v < 0 || *r.v > 10) {
			return check.Invalid(pkgName, r.f, "%d is outside 0..10", *r.v)
		}
	}
	if len(c.Feelings) > maxFeelings {
		return check.Invalid(pkgName, "feelings", "has %d words; the limit is %d", len(c.Feelings), maxFeelings)
	}
	for i, f := range c.Feelings {
		if err := check.Text(pkgName, "feelings."+strconv.Itoa(i), f, 1, feelingMaxRunes); err != nil {
			return err
		}
	}
	if err := validateAnswers("answers", c.Answers); err != nil {
		return err
	}
	for i, a := range c.Answers {
		if instrument.IsScreen(a.Instrument) {
			return check.Invalid(pkgName, "answers."+strconv.Itoa(i)+".instrument", "%s is a screen; its answers belong in the private check-in note", a.Instrument)
		}
	}
	return nil
}

func validateAnswers(field string, rs []instrument.Response) error {
	if len(rs) > maxAnswersPerCheckIn {
		return check.Invalid(pkgName, field, "has %d instruments; the limit is %d", len(rs), maxAnswersPerCheckIn)
	}
	seen := map[string]bool{}
	for i, r := range rs {
		f := field + "." + strconv.Itoa(i)
		if err := r.Validate(); err != nil {
			return check.Prefix(f, reframe(err))
		}
		if seen[r.Instrument] {
			return check.Invalid(pkgName, f+".instrument", "%s is answered twice", r.Instrument)
		}
		seen[r.Instrument] = true
		if d, ok := instrument.Lookup(r.Instrument); ok && d.Version == r.Version {
			if err := d.ValidateResponse(r); err != nil {
				return check.Prefix(f, reframe(err))
			}
		}
	}
	return nil
}

// reframe reports an instrument validation error as a progress one.
func reframe(err error) error {
	if ve, ok := err.(*trust.ValidationError); ok {
		cp := *ve
		cp.Pkg = pkgName
		return &cp
	}
	return err
}

// CheckInNote is the private part of a check-in: a note the partner writes
// for themself, and answers they keep private, which always includes the
// screens (PHQ-2, GAD-2). Its event type allows only private visibility, or
// sharing with a professional the partner consented to; the other partner
// never sees it through any viewer-scoped API.
type CheckInNote struct {
	// CheckIn is the check-in the note belongs to.
	CheckIn CheckInID `json:"checkin"`
	// Partner is whose note it is.
	Partner trust.PartnerID `json:"partner"`
	// Note is free text for the partner alone (and a consented professional).
	Note string `json:"note,omitempty"`
	// Answers are private instrument answers, such as screens.
	Answers []instrument.Response `json:"answers,omitempty"`
}

// EventType implements trust.Payload.
func (CheckInNote) EventType() string { return TypeCheckInNoteRecorded }

// EventSubject names the check-in.
func (n CheckInNote) EventSubject() string { return n.CheckIn.String() }

// OwnerPartner implements the owner rule.
func (n CheckInNote) OwnerPartner() trust.PartnerID { return n.Partner }

// Validate checks the note's fields.
func (n CheckInNote) Validate() error {
	switch {
	case n.CheckIn.IsZero():
		return check.Invalid(pkgName, "checkin", "is required")
	case n.Partner.IsZero():
		return check.Invalid(pkgName, "partner", "is required")
	case strings.TrimSpace(n.Note) == "" && len(n.Answers) == 0:
		return check.Invalid(pkgName, "note", "a check-in note needs a note or private answers")
	}
	if err := check.Text(pkgName, "note", n.Note, 0, checkInNoteMaxRunes); err != nil {
		return err
	}
	return validateAnswers("answers", n.Answers)
}

// Entry is what a partner submits when they check in, before it is split
// into its shareable [CheckIn] and its private [CheckInNote].
type Entry struct {
	// Partner is who checks in.
	Partner trust.PartnerID
	// Trust, Safe and Close are 0–10 ratings; nil when skipped.
	Trust, Safe, Close *int
	// Feelings are a few words.
	Feelings []string
	// Note is private to the partner.
	Note string
	// Answers are instrument answers; screens always go to the private note.
	Answers []instrument.Response
	// PrivateAnswers keeps every instrument answer in the private note.
	PrivateAnswers bool
}

// Split turns an entry made at time at into a check-in whose Day is at's date
// in loc, and the private note (nil when there is nothing private). Both are validated.
func (en Entry) Split(id CheckInID, at time.Time, loc *time.Location) (CheckIn, *CheckInNote, error) {
	if loc == nil {
		return CheckIn{}, nil, check.Invalid(pkgName, "time_zone", "is required to find the check-in's local day")
	}
	c := CheckIn{ID: id, Partner: en.Partner, Day: LocalDay(at, loc), Trust: en.Trust, Safe: en.Safe, Close: en.Close,
		Feelings: en.Feelings}
	n := CheckInNote{CheckIn: id, Partner: en.Partner, Note: en.Note}
	for _, a := range en.Answers {
		if en.PrivateAnswers || instrument.IsScreen(a.Instrument) {
			n.Answers = append(n.Answers, a)
		} else {
			c.Answers = append(c.Answers, a)
		}
	}
	if err := c.Validate(); err != nil {
		return CheckIn{}, nil, err
	}
	if strings.TrimSpace(n.Note) == "" && len(n.Answers) == 0 {
		return c, nil, nil
	}
	if err := n.Validate(); err != nil {
		return CheckIn{}, nil, check.Prefix("note", err)
	}
	return c, &n, nil
}

// CheckInEvents builds the events of one check-in: the check-in with header
// h (its Actor is set to the partner; its Visibility defaults to shared), and,
// when the entry has anything private, the private note with event ID noteID,
// the next sequence number and private visibility. The check-in's local day
// follows rel's time zone.
func CheckInEvents(en Entry, id CheckInID, rel trust.Relationship, h trust.Header, noteID trust.EventID) ([]trust.Event, error) {
	loc, err := rel.Location()
	if err != nil {
		return nil, err
	}
	at := h.Time
	if at.IsZero() {
		at = h.Recorded
	}
	c, n, err := en.Split(id, at, loc)
	if err != nil {
		return nil, err
	}
	h.Actor = trust.PartnerActor(en.Partner)
	if h.Relationship.IsZero() {
		h.Relationship = rel.ID
	}
	ce, err := trust.NewEvent(&c, h)
	if err != nil {
		return nil, err
	}
	out := []trust.Event{ce}
	if n != nil {
		nh := h
		nh.ID, nh.Sequence, nh.Visibility, nh.SealKey, nh.Subject = noteID, h.Sequence+1, trust.Private, "", ""
		ne, err := trust.NewEvent(n, nh)
		if err != nil {
			return nil, err
		}
		out = append(out, ne)
	}
	return out, nil
}

// LocalDay returns t's date in loc as "YYYY-MM-DD": the day a check-in
// belongs to. A check-in at 00:30 in London belongs to that London date even
// though it is the previous day in New York.
func LocalDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// parseDay parses a "YYYY-MM-DD" local date into a day number: days since
// 1970-01-01.
func parseDay(s string) (int, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return int(t.Unix() / 86400), nil
}

// dayString formats a day number as "YYYY-MM-DD".
func dayString(d int) string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

// dayOf returns the local day number of t in loc.
func dayOf(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// weekOf returns the Monday-based week number of a day number.
func weekOf(day int) int {
	// 1970-01-01 was a Thursday; shift so weeks start on Monday, flooring for negatives.
	d := day + 3
	if d < 0 {
		return (d - 6) / 7
	}
	return d / 7
}
