package agreement_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

func TestOccurrencesOverFixedInstants(t *testing.T) {
	for _, tc := range []struct {
		name, reason, tz, rule, startsOn, at string
		from, to                             time.Time
		want                                 []time.Time
		wantLocal                            []string
	}{
		{
			name: "london spring forward", tz: "Europe/London", rule: "FREQ=WEEKLY;BYDAY=FR", startsOn: "2025-03-07", at: "19:00",
			reason: "19:00 GMT is 19:00Z; after 30 March, 19:00 BST is 18:00Z",
			from:   utc(2025, 3, 20, 0, 0), to: utc(2025, 4, 12, 0, 0),
			want:      []time.Time{utc(2025, 3, 21, 19, 0), utc(2025, 3, 28, 19, 0), utc(2025, 4, 4, 18, 0), utc(2025, 4, 11, 18, 0)},
			wantLocal: []string{"2025-03-21T19:00", "2025-03-28T19:00", "2025-04-04T19:00", "2025-04-11T19:00"},
		},
		{
			name: "london fall back", tz: "Europe/London", rule: "FREQ=DAILY", startsOn: "2025-10-20", at: "20:00",
			reason: "the day clocks go back, 20:00 local moves from 19:00Z to 20:00Z",
			from:   utc(2025, 10, 25, 0, 0), to: utc(2025, 10, 28, 0, 0),
			want:      []time.Time{utc(2025, 10, 25, 19, 0), utc(2025, 10, 26, 20, 0), utc(2025, 10, 27, 20, 0)},
			wantLocal: []string{"2025-10-25T20:00", "2025-10-26T20:00", "2025-10-27T20:00"},
		},
		{
			name: "new york spring forward", tz: "America/New_York", rule: "FREQ=WEEKLY;BYDAY=FR", startsOn: "2025-02-28", at: "19:00",
			reason: "19:00 EST is 00:00Z the next day; 19:00 EDT is 23:00Z",
			from:   utc(2025, 3, 2, 0, 0), to: utc(2025, 3, 16, 0, 0),
			want:      []time.Time{utc(2025, 3, 8, 0, 0), utc(2025, 3, 14, 23, 0)},
			wantLocal: []string{"2025-03-07T19:00", "2025-03-14T19:00"},
		},
		{
			name: "new york fall back", tz: "America/New_York", rule: "FREQ=WEEKLY;BYDAY=SU", startsOn: "2025-10-05", at: "20:00",
			reason: "the Sunday check-in stays at 20:00 local as EDT becomes EST on 2 November",
			from:   utc(2025, 10, 26, 0, 0), to: utc(2025, 11, 10, 0, 0),
			want:      []time.Time{utc(2025, 10, 27, 0, 0), utc(2025, 11, 3, 1, 0)},
			wantLocal: []string{"2025-10-26T20:00", "2025-11-02T20:00"},
		},
		{
			name: "new york skipped hour", tz: "America/New_York", rule: "FREQ=DAILY", startsOn: "2025-03-07", at: "02:30",
			reason: "02:30 does not exist on 9 March; the occurrence moves forward by the gap to 03:30 EDT",
			from:   utc(2025, 3, 8, 0, 0), to: utc(2025, 3, 11, 0, 0),
			want:      []time.Time{utc(2025, 3, 8, 7, 30), utc(2025, 3, 9, 7, 30), utc(2025, 3, 10, 6, 30)},
			wantLocal: []string{"2025-03-08T02:30", "2025-03-09T03:30", "2025-03-10T02:30"},
		},
		{
			name: "leap day yearly", tz: "Europe/London", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", startsOn: "2024-02-29", at: "12:00",
			reason: "an anniversary on 29 February comes round only in leap years",
			from:   utc(2024, 1, 1, 0, 0), to: utc(2033, 1, 1, 0, 0),
			want:      []time.Time{utc(2024, 2, 29, 12, 0), utc(2028, 2, 29, 12, 0), utc(2032, 2, 29, 12, 0)},
			wantLocal: []string{"2024-02-29T12:00", "2028-02-29T12:00", "2032-02-29T12:00"},
		},
		{
			name: "last day of the month across a leap February", tz: "America/New_York", rule: "FREQ=MONTHLY;BYMONTHDAY=-1", startsOn: "2028-01-01", at: "18:00",
			reason: "BYMONTHDAY=-1 lands on 29 February in 2028",
			from:   utc(2028, 1, 1, 0, 0), to: utc(2028, 4, 1, 0, 0),
			want:      []time.Time{utc(2028, 1, 31, 23, 0), utc(2028, 2, 29, 23, 0), utc(2028, 3, 31, 22, 0)},
			wantLocal: []string{"2028-01-31T18:00", "2028-02-29T18:00", "2028-03-31T18:00"},
		},
		{
			name: "count", tz: "Europe/London", rule: "FREQ=WEEKLY;COUNT=3;BYDAY=TU", startsOn: "2025-03-18", at: "07:30",
			reason: "COUNT=3 stops after three sessions, across the DST change",
			from:   utc(2025, 3, 1, 0, 0), to: utc(2025, 6, 1, 0, 0),
			want:      []time.Time{utc(2025, 3, 18, 7, 30), utc(2025, 3, 25, 7, 30), utc(2025, 4, 1, 6, 30)},
			wantLocal: []string{"2025-03-18T07:30", "2025-03-25T07:30", "2025-04-01T07:30"},
		},
		{
			name: "until", tz: "Europe/London", rule: "FREQ=DAILY;UNTIL=20250331T200000Z", startsOn: "2025-03-28", at: "21:00",
			reason: "UNTIL is inclusive and in UTC: 31 March 21:00 BST is 20:00Z, the last occurrence",
			from:   utc(2025, 3, 1, 0, 0), to: utc(2025, 5, 1, 0, 0),
			want:      []time.Time{utc(2025, 3, 28, 21, 0), utc(2025, 3, 29, 21, 0), utc(2025, 3, 30, 20, 0), utc(2025, 3, 31, 20, 0)},
			wantLocal: []string{"2025-03-28T21:00", "2025-03-29T21:00", "2025-03-30T21:00", "2025-03-31T21:00"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.tz)
			start, err := time.Parse(agreement.DateLayout, tc.startsOn)
			require.NoError(t, err)
			_, tid := f.single(agreement.Term{Kind: agreement.Ritual, Title: "Ritual",
				Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: tc.rule, StartsOn: tc.startsOn, At: tc.at, Duration: time.Hour, Grace: time.Hour})}, start.AddDate(0, 0, -3))
			occ := f.book.Occurrences(tc.from, tc.to)
			assert.Equal(t, tc.want, starts(occ), tc.reason)
			assert.Equal(t, tc.wantLocal, locals(occ), tc.reason)
			for _, o := range occ {
				assert.Equal(t, tid, o.Term)
				assert.Equal(t, tc.tz, o.TimeZone)
				assert.Equal(t, o.Start.Add(time.Hour), o.End)
				assert.Equal(t, o.End.Add(time.Hour), o.GraceEnd)
			}
		})
	}
}

func TestParseRuleRejectsWithTypedErrors(t *testing.T) {
	for _, tc := range []struct{ name, rule, reason string }{
		{"empty", "", "a recurring term needs a rule"},
		{"prefix", "RRULE:FREQ=WEEKLY", "the value alone, no property name"},
		{"dtstart", "FREQ=WEEKLY;DTSTART=20250101T000000Z", "the start comes from starts_on"},
		{"hourly", "FREQ=HOURLY", "terms recur at most daily"},
		{"byhour", "FREQ=DAILY;BYHOUR=19", "the time of day comes from local_time"},
		{"count and until", "FREQ=DAILY;COUNT=3;UNTIL=20250101T000000Z", "RFC 5545 forbids both"},
		{"bad weekday", "FREQ=WEEKLY;BYDAY=XX", "not a weekday"},
		{"numbered weekly", "FREQ=WEEKLY;BYDAY=2FR", "ordinals belong to monthly and yearly rules"},
		{"not canonical", "BYDAY=FR;FREQ=WEEKLY", "canonical order keeps bytes and diffs stable"},
		{"huge interval", "FREQ=DAILY;INTERVAL=9999", "bounded intervals"},
		{"out of bounds", "FREQ=MONTHLY;BYMONTHDAY=32", "no 32nd day"},
		{"lower case", "freq=weekly", "canonical form is upper case"},
		{"local until", "FREQ=DAILY;UNTIL=20250101", "UNTIL is UTC with a DATE-TIME DTSTART"},
		{"garbage", ";;;=", "not a rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := agreement.ParseRule(tc.rule)
			var ve *trust.ValidationError
			require.True(t, errors.As(err, &ve), "%s: %v", tc.reason, err)
			assert.Equal(t, "rrule", ve.Field, tc.reason)
			assert.Equal(t, "agreement", ve.Pkg)
			assert.ErrorIs(t, err, trust.ErrInvalid)
		})
	}
}

func TestTimingRejectsRulesThatNeverOccur(t *testing.T) {
	for _, tc := range []struct{ name, rule, startsOn, reason string }{
		{"thirtieth of february", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2025-01-01", "no such date"},
		{"daily thirty-first of april", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "2025-01-01", "a daily rule that filters every day away"},
		{"leap day every fourth odd year", "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2025-01-01", "2025, 2029, … are never leap years"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := agreement.RecurringTiming(agreement.Recurrence{Rule: tc.rule, StartsOn: tc.startsOn, At: "19:00", Duration: time.Hour}).Validate()
			var ve *trust.ValidationError
			require.True(t, errors.As(err, &ve), tc.reason)
			assert.Equal(t, "rrule", ve.Field)
			assert.Contains(t, ve.Problem, "never occurs")
		})
	}
	// The leap day every fourth year from a leap year does occur.
	require.NoError(t, agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", StartsOn: "2024-01-01", At: "19:00", Duration: time.Hour}).Validate())
}

func TestUntilBeforeStartIsRefused(t *testing.T) {
	f := newFixture(t, "Europe/London")
	d, err := agreement.NewDraft(f.rel, f.ids, utc(2025, 3, 1, 0, 0), "T", "P")
	require.NoError(t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Too late", CommittedBy: agreement.Both(f.rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=DAILY;UNTIL=20250301T000000Z", StartsOn: "2025-03-02", At: "19:00", Duration: time.Hour})})
	var ve *trust.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, "timing.rrule", ve.Field)
}

func TestNormalizeRule(t *testing.T) {
	got, err := agreement.NormalizeRule("RRULE:byday=fr;freq=weekly;interval=2")
	require.NoError(t, err)
	assert.Equal(t, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", got)
	_, err = agreement.NormalizeRule("FREQ=SECONDLY")
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func TestTimingRFC5545(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	s, err := agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: "2025-03-07", At: "19:00", Duration: 2 * time.Hour}).RFC5545(loc)
	require.NoError(t, err)
	assert.Equal(t, "DTSTART;TZID=Europe/London:20250307T190000\nRRULE:FREQ=WEEKLY;BYDAY=FR", s)
}

func TestTimingConstructorsKeepDurationAndGraceApart(t *testing.T) {
	r := agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-01", At: "19:00",
		Duration: time.Hour, Grace: 24 * time.Hour})
	require.NoError(t, r.Validate())
	assert.Equal(t, agreement.Timing{Kind: agreement.Recurring, RRule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-01", LocalTime: "19:00",
		DurationMinutes: 60, GraceMinutes: 1440}, r)
	o := agreement.OnceTiming(agreement.Occasion{On: "2026-03-07", At: "19:00", Duration: 2 * time.Hour})
	require.NoError(t, o.Validate())
	assert.Equal(t, agreement.Timing{Kind: agreement.Once, StartsOn: "2026-03-07", LocalTime: "19:00", DurationMinutes: 120}, o)
	j, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"recurring","rrule":"FREQ=WEEKLY;BYDAY=SU","starts_on":"2026-03-01","local_time":"19:00","duration_minutes":60,"grace_minutes":1440}`, string(j))
}

func TestTimingConstructorsRejectBadLengthsByField(t *testing.T) {
	weekly := func(d, g time.Duration) agreement.Timing {
		return agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-01", At: "19:00", Duration: d, Grace: g})
	}
	once := func(d, g time.Duration) agreement.Timing {
		return agreement.OnceTiming(agreement.Occasion{On: "2026-03-07", At: "19:00", Duration: d, Grace: g})
	}
	for _, tc := range []struct {
		name, field, problem string
		timing               agreement.Timing
	}{
		{"duration in seconds", "duration_minutes", "not a whole number of minutes", weekly(90*time.Second, 0)},
		{"grace in seconds", "grace_minutes", "not a whole number of minutes", weekly(time.Hour, time.Hour+time.Second)},
		{"no duration", "duration_minutes", "between 1 and 1440", weekly(0, time.Hour)},
		{"negative duration", "duration_minutes", "between 1 and 1440", weekly(-time.Hour, time.Hour)},
		{"negative grace", "grace_minutes", "between 0 and 10080", weekly(time.Hour, -time.Minute)},
		{"duration over a day", "duration_minutes", "between 1 and 1440", weekly(25*time.Hour, 0)},
		{"grace over a week", "grace_minutes", "between 0 and 10080", weekly(time.Hour, 8*24*time.Hour)},
		{"once in seconds", "duration_minutes", "not a whole number of minutes", once(time.Hour+30*time.Second, 0)},
		{"once grace over a week", "grace_minutes", "between 0 and 10080", once(time.Hour, 8*24*time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *trust.ValidationError
			require.ErrorAs(t, tc.timing.Validate(), &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Problem, tc.problem)
		})
	}
	// A draft refuses such a term and names the field in the term.
	f := newFixture(t, "Europe/London")
	d, err := agreement.NewDraft(f.rel, f.ids, utc(2026, 2, 1, 0, 0), "T", "P")
	require.NoError(t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Check-in", CommittedBy: agreement.Both(f.rel), Timing: weekly(90*time.Second, 0)})
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "timing.duration_minutes", ve.Field)
}
