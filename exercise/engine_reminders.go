package exercise

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/trust"
)

// ReminderPolicy says when the engine may remind a partner of an assignment:
// never inside the partner's quiet hours (in the relationship's time zone),
// at most MaxPerDay reminders a local day, and at least MinGapMinutes apart.
// Reminders are invitations, never guilt: their wording never mentions a
// missed exercise, a streak or the other partner's progress.
type ReminderPolicy struct {
	// QuietStart and QuietEnd bound the quiet hours as local "HH:MM"; the
	// window may cross midnight ("21:30" to "08:00").
	QuietStart string `json:"quiet_start"`
	QuietEnd   string `json:"quiet_end"`
	// MaxPerDay caps reminders per partner per local day.
	MaxPerDay int `json:"max_per_day"`
	// MinGapMinutes is the least time between two reminders to one partner.
	MinGapMinutes int `json:"min_gap_minutes"`
}

// DefaultReminderPolicy is quiet from 21:30 to 08:00, two reminders a day at
// most, four hours apart.
func DefaultReminderPolicy() ReminderPolicy {
	return ReminderPolicy{QuietStart: "21:30", QuietEnd: "08:00", MaxPerDay: 2, MinGapMinutes: 240}
}

// Validate checks the policy.
func (p ReminderPolicy) Validate() error {
	if _, err := clockMinutes(p.QuietStart); err != nil {
		return check.Invalid("exercise", "reminders.quiet_start", "%v", err)
	}
	if _, err := clockMinutes(p.QuietEnd); err != nil {
		return check.Invalid("exercise", "reminders.quiet_end", "%v", err)
	}
	if p.MaxPerDay < 0 || p.MaxPerDay > 24 {
		return check.Invalid("exercise", "reminders.max_per_day", "must be between 0 and 24")
	}
	if p.MinGapMinutes < 0 || p.MinGapMinutes > 24*60 {
		return check.Invalid("exercise", "reminders.min_gap_minutes", "must be between 0 and 1440")
	}
	return nil
}

// Quiet reports whether t falls in the quiet hours in loc.
func (p ReminderPolicy) Quiet(t time.Time, loc *time.Location) bool {
	start, _ := clockMinutes(p.QuietStart)
	end, _ := clockMinutes(p.QuietEnd)
	local := t.In(loc)
	m := local.Hour()*60 + local.Minute()
	if start == end {
		return false
	}
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

// allows reports whether a reminder may go out at now given the times of the
// reminders already sent to the same partner.
func (p ReminderPolicy) allows(now time.Time, loc *time.Location, sent []time.Time) bool {
	if p.MaxPerDay == 0 || p.Quiet(now, loc) {
		return false
	}
	day := now.In(loc).Format(time.DateOnly)
	today := 0
	for _, s := range sent {
		if now.Sub(s) < time.Duration(p.MinGapMinutes)*time.Minute && !s.After(now) {
			return false
		}
		if s.In(loc).Format(time.DateOnly) == day {
			today++
		}
	}
	return today < p.MaxPerDay
}

func clockMinutes(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a local time \"HH:MM\"", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a local time \"HH:MM\"", s)
	}
	return h*60 + m, nil
}

// reminderText is the invitation for an exercise: warm, specific, and free of
// any reference to what was missed, to a streak or to the other partner.
func reminderText(title string, minutes int, mode Mode) string {
	switch mode {
	case Solo:
		return fmt.Sprintf("When you have %d minutes to yourself, %q is ready for you.", minutes, title)
	case SeparateThenReveal:
		return fmt.Sprintf("Your part of %q is ready whenever suits you; it takes about %d minutes.", title, minutes)
	}
	return fmt.Sprintf("%q is ready when you both have about %d minutes together.", title, minutes)
}

// Reminder is one invitation to a partner.
type Reminder struct {
	// Partner is who is reminded.
	Partner trust.PartnerID `json:"partner"`
	// Assignment is the assignment the reminder invites to.
	Assignment AssignmentID `json:"assignment"`
	// Message is the text to show: an invitation, never a guilt message.
	Message string `json:"message"`
	// At is when the reminder is due, in UTC.
	At time.Time `json:"at"`
}

// RemindersDue returns the reminders to send a partner now, under the
// engine's [ReminderPolicy]: at most one at a time, for the soonest
// assignment due now that the partner has not started, never in quiet
// hours, never more than the daily cap or sooner than the least gap after
// the reminders already sent, never for joint work while it is paused, and
// never about anything but an assignment: a safety flag, and the individual
// support offered after one, are never notified, since a notification can be
// seen by whoever holds the phone.
//
// It is a query: it writes nothing, and asking again returns the same
// reminder. Sending is the app's job; once it has, it records so with
// [Engine.MarkRemindersSent], and the rate limit counts those durable
// events, so it holds across restarts and across engines sharing a store.
func (e *Engine) RemindersDue(ctx context.Context, rel trust.RelationshipID, partner trust.PartnerID) ([]Reminder, error) {
	plan, err := e.Plan(ctx, rel, partner)
	if err != nil {
		return nil, err
	}
	st, err := e.state(ctx, rel)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	loc, err := st.journey.Relationship().Location()
	if err != nil {
		return nil, err
	}
	now := plan.Now
	if !e.reminders.allows(now, loc, st.reminded[partner]) {
		return nil, nil
	}
	for _, it := range plan.Items {
		if !it.DueNow || slices.Contains(it.Assignment.Started, partner) {
			continue
		}
		if it.Assignment.Scheduler == SupportScheduler {
			// Support offered after a safety flag is never notified: a
			// notification can be read by whoever holds the phone.
			continue
		}
		return []Reminder{{Partner: partner, Assignment: it.Assignment.ID, At: now,
			Message: reminderText(it.Title, it.Minutes, it.Mode)}}, nil
	}
	return nil, nil
}

// MarkRemindersSent is the command that records that the app sent
// reminders, as [Engine.RemindersDue] returned them: one
// [TypeReminderSent] event each, written by the system at the engine's
// current time and private to the reminded partner, so the other partner
// never learns when, or how often, anyone was reminded. The reminder
// policy's daily cap and least gap count these events. A reminder must name
// a participant of an existing assignment; support offered after a safety
// flag is never notified, so a reminder of it is refused. The Result's ID is
// the first event's.
func (e *Engine) MarkRemindersSent(ctx context.Context, rel trust.RelationshipID, reminders []Reminder, opts ...Opt) (Result[trust.EventID], error) {
	base := Command{}
	for _, o := range opts {
		o(&base)
	}
	if len(reminders) == 0 {
		return Result[trust.EventID]{}, check.Invalid("exercise", "reminders", "needs at least one reminder")
	}
	drafts := make([]draft, len(reminders))
	for i, r := range reminders {
		cmd := base
		cmd.Data, cmd.Visibility, cmd.SealKey = &ReminderSent{Partner: r.Partner, Assignment: r.Assignment}, trust.Private, ""
		if err := cmd.Data.Validate(); err != nil {
			return Result[trust.EventID]{}, check.Prefix(fmt.Sprintf("reminders.%d", i), err)
		}
		drafts[i] = draft{by: trust.SystemActor, cmd: cmd}
	}
	events, err := e.commit(ctx, rel, trust.SystemActor, base.IdempotencyKey, func(*journeyState, time.Time) ([]draft, error) {
		return drafts, nil
	})
	if err != nil {
		return Result[trust.EventID]{}, err
	}
	return eventResult(events), nil
}

// maxReminded bounds the reminder times kept per partner: more than a day's
// cap, which is all the policy reads.
const maxReminded = 64

// fold applies ev to every fold of the journey and, for a reminder sent,
// keeps its time for the reminder policy. A reminder sent is checked here,
// since no fold owns it: privately, for a participant of an existing
// assignment that is not safety support. That only the system writes it is
// its type's Writers, which the journey fold enforces.
func (st *journeyState) fold(ev trust.Event) error {
	r, isReminder := ev.Data.(*ReminderSent)
	if isReminder {
		if err := st.checkReminder(ev, r); err != nil {
			return err
		}
	}
	if err := st.apply(ev); err != nil {
		return err
	}
	if isReminder {
		sent := append(st.reminded[r.Partner], ev.Time)
		if n := len(sent); n > maxReminded {
			sent = slices.Clone(sent[n-maxReminded:])
		}
		st.reminded[r.Partner] = sent
	}
	return nil
}

func (st *journeyState) checkReminder(ev trust.Event, r *ReminderSent) error {
	refuse := func(cause error, format string, args ...any) error {
		return &trust.TransitionError{Pkg: "exercise", Event: ev.Type, Reason: fmt.Sprintf(format, args...), Cause: cause}
	}
	a, ok := st.assign.Get(r.Assignment)
	switch {
	case !ok || !a.Has(r.Partner):
		// An assignment the partner does not take part in answers exactly as
		// one that does not exist: the other partner's private work, such as
		// support after a safety concern, is never confirmed to exist.
		return refuse(trust.ErrNotFound, "assignment %s is not in the journey", r.Assignment)
	case a.Scheduler == SupportScheduler:
		return refuse(trust.ErrForbidden, "support offered after a safety concern is never notified")
	}
	return nil
}
