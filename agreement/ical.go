package agreement

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/trust"
)

// ErrNotInForce reports an agreement asked for what only an agreement in
// force has, such as its calendar.
var ErrNotInForce = errors.New("agreement not in force")

// icalHorizonYears is how many years of time-zone transitions the calendar's
// VTIMEZONE lists after the earliest start. Calendar programs that know the
// IANA zone by name (most do) use their own rules beyond it.
const icalHorizonYears = 10

// ICalendar returns the scheduled terms of the version of an agreement in
// force at now as an RFC 5545 calendar: one VEVENT per term with its DTSTART
// in the relationship's time zone and its DURATION (TZID, with a VTIMEZONE), its
// RRULE, an EXDATE for each skipped or moved occurrence and an RDATE for
// each moved one, so the couple can put their rituals into the calendar they
// already use. Kinds selects the terms by kind; by default rituals and daily
// connection. A term revoked or lapsed by now is left out. UIDs are stable
// per term and SEQUENCE follows the version, so re-importing after an
// amendment updates the events. now is the DTSTAMP; the same Book and now
// give the same bytes.
func (b *Book) ICalendar(id ID, now time.Time, kinds ...TermKind) ([]byte, error) {
	r, ok := b.recs[id]
	if !ok {
		return nil, fmt.Errorf("agreement: calendar: agreement %s: %w", id, trust.ErrNotFound)
	}
	p := r.periodAt(now)
	if p == nil {
		return nil, fmt.Errorf("agreement: calendar: agreement %s is %s at %s: %w", id, r.status, now.UTC().Format(time.RFC3339), ErrNotInForce)
	}
	if len(kinds) == 0 {
		kinds = []TermKind{Ritual, DailyConnection}
	}
	loc := b.Location()
	v := r.versions[p.version-1]
	var terms []Term
	minYear := 0
	for _, t := range v.Terms {
		if t.Timing.Kind == Standing || !slices.Contains(kinds, t.Kind) || !now.Before(p.end(t.ID)) {
			continue
		}
		terms = append(terms, t)
		if st, err := t.Timing.DTStart(loc); err == nil && (minYear == 0 || st.Year() < minYear) {
			minYear = st.Year()
		}
	}
	var w icalWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//mendkit//mend agreement//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	w.prop("X-WR-CALNAME", v.Title)
	w.line("X-WR-TIMEZONE:" + loc.String())
	if len(terms) > 0 {
		writeTimezone(&w, loc, minYear, minYear+icalHorizonYears)
	}
	stamp := now.UTC().Format("20060102T150405Z")
	for _, t := range terms {
		wall, err := t.Timing.wallStart()
		if err != nil {
			return nil, err
		}
		if t.Timing.Kind == Recurring {
			// RFC 5545 leaves a recurrence set undefined when DTSTART is not
			// itself an occurrence, and many calendars then show DTSTART as
			// an extra one: start the event at the rule's first occurrence.
			if first, ok := b.schedule(t).first(); ok {
				// Keep the agreed wall-clock time: only the date moves, so a
				// first occurrence inside a daylight-saving gap does not shift the rest.
				l := first.In(loc)
				wall = time.Date(l.Year(), l.Month(), l.Day(), wall.Hour(), wall.Minute(), 0, 0, time.UTC)
			}
		}
		w.line("BEGIN:VEVENT")
		w.line("UID:" + t.ID.String() + "@" + id.String() + ".agreement.mend")
		w.line("DTSTAMP:" + stamp)
		w.line("SEQUENCE:" + strconv.Itoa(p.version-1))
		w.prop("SUMMARY", t.Title)
		if t.Detail != "" {
			w.prop("DESCRIPTION", t.Detail)
		}
		w.prop("CATEGORIES", string(t.Kind))
		w.line("DTSTART;TZID=" + loc.String() + ":" + wall.Format("20060102T150405"))
		w.line("DURATION:PT" + strconv.Itoa(t.Timing.DurationMinutes) + "M")
		if t.Timing.Kind == Recurring {
			w.line("RRULE:" + t.Timing.RRule)
		}
		if ts := r.terms[t.ID]; ts != nil {
			var ex, rd []int64
			for at := range ts.skips {
				if _, moved := ts.movedFrom[at]; !moved {
					ex = append(ex, at)
				}
			}
			for orig, to := range ts.moves {
				ex = append(ex, orig)
				if !ts.skips[to] {
					rd = append(rd, to)
				}
			}
			slices.Sort(ex)
			slices.Sort(rd)
			for _, at := range ex {
				w.line("EXDATE;TZID=" + loc.String() + ":" + localStamp(time.Unix(at, 0), loc))
			}
			for _, at := range rd {
				w.line("RDATE;TZID=" + loc.String() + ":" + localStamp(time.Unix(at, 0), loc))
			}
		}
		w.line("END:VEVENT")
	}
	w.line("END:VCALENDAR")
	return []byte(w.b.String()), nil
}

func localStamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("20060102T150405") }

// writeTimezone writes a VTIMEZONE listing the zone's transitions between
// the start of year `from` and the end of year `to`.
func writeTimezone(w *icalWriter, loc *time.Location, from, to int) {
	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + loc.String())
	t := time.Date(from, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, loc)
	wrote := false
	for i := 0; i < 4*(to-from+1)+8; i++ {
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			break
		}
		_, offFrom := next.Add(-time.Second).Zone()
		name, offTo := next.Zone()
		comp := "STANDARD"
		if next.IsDST() {
			comp = "DAYLIGHT"
		}
		w.line("BEGIN:" + comp)
		w.line("DTSTART:" + next.In(time.FixedZone("", offFrom)).Format("20060102T150405"))
		w.line("TZOFFSETFROM:" + utcOffset(offFrom))
		w.line("TZOFFSETTO:" + utcOffset(offTo))
		w.prop("TZNAME", name)
		w.line("END:" + comp)
		wrote = true
		t = next
	}
	if !wrote {
		name, off := t.Zone()
		w.line("BEGIN:STANDARD")
		w.line("DTSTART:19700101T000000")
		w.line("TZOFFSETFROM:" + utcOffset(off))
		w.line("TZOFFSETTO:" + utcOffset(off))
		w.prop("TZNAME", name)
		w.line("END:STANDARD")
	}
	w.line("END:VTIMEZONE")
}

func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// icalWriter writes content lines with CRLF endings, folded at 75 octets
// without splitting a UTF-8 character.
type icalWriter struct{ b strings.Builder }

func (w *icalWriter) prop(name, value string) { w.line(name + ":" + escapeText(value)) }

func (w *icalWriter) line(s string) {
	const limit = 75
	first := true
	for len(s) > 0 {
		max := limit
		if !first {
			max = limit - 1
			w.b.WriteByte(' ')
		}
		cut := len(s)
		if cut > max {
			cut = max
			for cut > 0 && s[cut]&0xC0 == 0x80 {
				cut--
			}
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
}

// escapeText escapes an iCalendar TEXT value.
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}
