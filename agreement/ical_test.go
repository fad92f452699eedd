package agreement_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/teambition/rrule-go"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// expand computes a parsed VEVENT's occurrences in [from, to) the way a
// calendar program does: DTSTART with its TZID, RRULE, RDATE and EXDATE.
func expand(t *testing.T, ev *ics.VEvent, loc *time.Location, from, to time.Time) []time.Time {
	t.Helper()
	start, err := ev.GetStartAt()
	require.NoError(t, err)
	local := func(p *ics.IANAProperty) time.Time {
		require.Equal(t, []string{loc.String()}, p.ICalParameters["TZID"])
		v, err := time.ParseInLocation("20060102T150405", p.Value, loc)
		require.NoError(t, err)
		return v
	}
	var out []time.Time
	exdates := map[time.Time]bool{}
	for _, p := range ev.GetProperties(ics.ComponentPropertyExdate) {
		exdates[local(p).UTC()] = true
	}
	if rp := ev.GetProperty(ics.ComponentPropertyRrule); rp != nil {
		opt, err := rrule.StrToROptionInLocation(rp.Value, loc)
		require.NoError(t, err)
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		require.NoError(t, err)
		for _, v := range r.Between(from, to, true) {
			if !exdates[v.UTC()] && v.Before(to) {
				out = append(out, v.UTC())
			}
		}
	} else if !start.Before(from) && start.Before(to) {
		out = append(out, start.UTC())
	}
	for _, p := range ev.GetProperties(ics.ComponentPropertyRdate) {
		if v := local(p); !v.Before(from) && v.Before(to) {
			out = append(out, v.UTC())
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Before(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestICalendarParsesBackToTheSameOccurrences(t *testing.T) {
	for _, tz := range []string{"Europe/London", "America/New_York"} {
		t.Run(tz, func(t *testing.T) {
			f := newFixture(t, tz)
			t0 := utc(2025, 3, 1, 10, 0)
			s := f.draftStandard(t0)
			f.activateNew(s.agreement, t0)
			id := s.agreement.ID
			loc := f.book.Location()
			// Skip one check-in and move one date night.
			ci := f.book.TermOccurrences(id, s.checkIn, utc(2025, 3, 20, 0, 0), utc(2025, 4, 1, 0, 0))
			f.apply(&agreement.OccurrenceSkipped{Agreement: id, Term: s.checkIn, Occurrence: ci[0].Start, Partner: f.a}, as(f.a), utc(2025, 3, 10, 0, 0))
			dn := f.book.TermOccurrences(id, s.dateNight, utc(2025, 4, 1, 0, 0), utc(2025, 4, 8, 0, 0))
			f.apply(&agreement.OccurrenceMoved{Agreement: id, Term: s.dateNight, Occurrence: dn[0].Start, To: dn[0].Start.Add(24 * time.Hour), Partner: f.b}, as(f.b), utc(2025, 3, 10, 0, 0))

			now := utc(2025, 3, 10, 12, 0)
			cal, err := f.book.ICalendar(id, now)
			require.NoError(t, err)
			again, err := f.book.ICalendar(id, now)
			require.NoError(t, err)
			assert.Equal(t, cal, again, "the same Book and time give the same bytes")
			assert.Contains(t, string(cal), "DTSTART;TZID="+tz+":20250307T190000\r\n")
			assert.Contains(t, string(cal), "RRULE:FREQ=WEEKLY;BYDAY=FR\r\n")
			assert.Contains(t, string(cal), "BEGIN:VTIMEZONE\r\n")
			assert.NotContains(t, string(cal), "No contact", "only rituals by default")
			for _, line := range strings.Split(string(cal), "\r\n") {
				assert.LessOrEqual(t, len(line), 75, "lines are folded")
			}

			parsed, err := ics.ParseCalendar(bytes.NewReader(cal))
			require.NoError(t, err)
			events := parsed.Events()
			require.Len(t, events, 2)
			from, to := utc(2025, 3, 2, 0, 0), utc(2026, 3, 2, 0, 0)
			for _, ev := range events {
				summary := ev.GetProperty(ics.ComponentPropertySummary).Value
				tid := s.checkIn
				if summary == "Friday date night" {
					tid = s.dateNight
				}
				want := starts(f.book.TermOccurrences(id, tid, from, to))
				assert.Equal(t, want, expand(t, ev, loc, from, to), summary)
				start, err := ev.GetStartAt()
				require.NoError(t, err)
				all := f.book.TermOccurrences(id, tid, utc(2024, 1, 1, 0, 0), to)
				require.NotEmpty(t, all)
				assert.Equal(t, all[0].Start, start.UTC(), "%s: DTSTART is itself the first occurrence, as RFC 5545 expects", summary)
			}
		})
	}
}

func TestICalendarOfAnAgreementNotInForce(t *testing.T) {
	f := newFixture(t, "Europe/London")
	s := f.draftStandard(utc(2025, 3, 1, 10, 0))
	f.apply(&agreement.Proposed{Agreement: s.agreement, ProposedBy: f.a}, as(f.a), utc(2025, 3, 1, 10, 0))
	_, err := f.book.ICalendar(s.agreement.ID, utc(2025, 3, 2, 0, 0))
	assert.ErrorIs(t, err, agreement.ErrNotInForce)
	_, err = f.book.ICalendar(agreement.ID{1}, utc(2025, 3, 2, 0, 0))
	assert.ErrorIs(t, err, trust.ErrNotFound)
}
