package exercise

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/trust"
)

// startInternal starts a journey for partners A and B at t0 on an engine
// with a manual clock and seeded IDs.
func startInternal(t *testing.T, seed uint64, t0 time.Time) (*Engine, *trust.ManualClock, trust.IDSource, trust.Relationship) {
	t.Helper()
	ids := trust.SeededIDs(seed)
	clock := trust.NewManualClock(t0)
	eng, err := NewEngine(Options{Clock: clock, IDs: ids})
	require.NoError(t, err)
	a, _ := trust.NewID[trust.Partner](ids)
	b, _ := trust.NewID[trust.Partner](ids)
	relID, _ := trust.NewID[trust.Relationship](ids)
	rel := trust.Relationship{ID: relID, TimeZone: "Europe/London", Started: t0,
		Partners: [2]trust.Partner{{ID: a, DisplayName: "A"}, {ID: b, DisplayName: "B"}}}
	_, err = eng.StartJourney(context.Background(), rel, trust.DefaultProfile())
	require.NoError(t, err)
	return eng, clock, ids, rel
}

// TestDueCacheMatchesTheBook checks the engine's four-week cache of upcoming
// occurrences against agreement.Book.Due at every hour of three weeks, with
// evidence arriving along the way.
func TestDueCacheMatchesTheBook(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC) // spans the London clock change
	eng, clock, ids, rel := startInternal(t, 3, t0)
	a, b := rel.Partners[0].ID, rel.Partners[1].ID
	d, err := agreement.NewDraft(rel, ids, t0, "Rituals", "Time together.")
	require.NoError(t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.DailyConnection, Title: "Reunion", Ritual: "daily_reunion", CommittedBy: agreement.Both(rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=DAILY", StartsOn: "2026-03-20", At: "18:30", Duration: 20 * time.Minute, Grace: 3 * time.Hour})})
	require.NoError(t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Check-in", Ritual: "weekly_checkin", CommittedBy: agreement.Both(rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: "2026-03-20", At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})})
	require.NoError(t, err)
	ag, err := d.Agreement()
	require.NoError(t, err)
	_, err = eng.ProposeAgreement(ctx, rel.ID, trust.PartnerActor(a), ag)
	require.NoError(t, err)
	for _, p := range []trust.PartnerID{a, b} {
		_, err = eng.SignAgreement(ctx, rel.ID, trust.PartnerActor(p), agreement.Signed{Agreement: ag.ID})
		require.NoError(t, err)
	}
	st, err := eng.state(ctx, rel.ID)
	require.NoError(t, err)
	for h := range 21 * 24 {
		now := t0.Add(time.Duration(h) * time.Hour)
		clock.Set(now)
		if h%30 == 0 { // some evidence: the reunion kept
			for _, o := range st.book.Due(now, 0) {
				if o.Start.Before(now) {
					_, err := eng.Do(ctx, rel.ID, trust.PartnerActor(a), Command{Data: &agreement.OccurrenceKept{Agreement: o.Agreement, Term: o.Term, Occurrence: o.Start}})
					require.NoError(t, err)
				}
			}
		}
		st.mu.Lock()
		got, want := st.due(now, 7*24*time.Hour), st.book.Due(now, 7*24*time.Hour)
		st.mu.Unlock()
		require.Equal(t, want, got, "at %s", now)
	}
}

// TestRecentCacheMatchesRecent checks the snapshots' recent list and history
// (built in buffers the fold keeps) against Assignments.Recent and History,
// and Recent against its definition, every few hours of eight weeks in which
// plans propose work and the couple completes, skips or lets it expire.
func TestRecentCacheMatchesRecent(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	eng, clock, _, rel := startInternal(t, 5, t0)
	a, b := rel.Partners[0].ID, rel.Partners[1].ID
	st, err := eng.state(ctx, rel.ID)
	require.NoError(t, err)

	closedSome := 0
	for h := 0; h < 8*7*24; h += 5 {
		now := t0.Add(time.Duration(h) * time.Hour)
		clock.Set(now)
		_, err := eng.Refresh(ctx, rel.ID)
		require.NoError(t, err)
		plan, err := eng.Plan(ctx, rel.ID, []trust.PartnerID{a, b}[h%2])
		require.NoError(t, err)
		for i, it := range plan.Items {
			if !it.DueNow || (h+i)%3 == 0 {
				continue // left to expire
			}
			p := it.Assignment.Participants[0]
			if (h+i)%3 == 1 {
				_, err = eng.SkipAssignment(ctx, rel.ID, trust.PartnerActor(p), AssignmentSkipped{Assignment: it.Assignment.ID, Reason: SkipNotNow})
			} else if _, err = eng.StartAssignment(ctx, rel.ID, trust.PartnerActor(p), AssignmentStarted{Assignment: it.Assignment.ID}); err == nil {
				for _, q := range it.Assignment.Participants {
					if _, err = eng.CompleteAssignment(ctx, rel.ID, trust.PartnerActor(q), AssignmentCompleted{Assignment: it.Assignment.ID, Helpful: 4}); err != nil {
						break
					}
				}
			}
			if err == nil {
				closedSome++
			}
		}
		st.mu.Lock()
		got := st.assign.recent(now, false)
		want := st.assign.Recent(now)
		require.Equal(t, st.assign.History(), st.assign.sharedHistory(), "hour %d: the patched history view", h)
		require.Equal(t, recentByBruteForce(st.assign, now), want, "hour %d: Recent", h)
		require.Equal(t, recentByBruteForce(st.assign, now.Add(-20*24*time.Hour)), st.assign.Recent(now.Add(-20*24*time.Hour)), "hour %d: Recent of an earlier instant", h)
		st.mu.Unlock()
		require.Equal(t, want, got, "hour %d", h)
	}
	require.Greater(t, closedSome, 20, "the walk closes assignments")
}

// recentByBruteForce is Recent's definition, from every assignment.
func recentByBruteForce(f *Assignments, now time.Time) []AssignmentSummary {
	since := now.Add(-RecentWindow)
	var out []AssignmentSummary
	for _, id := range f.order {
		a := f.byID[id].a
		if !a.Status.Closed() || !a.DueStart.Before(since) {
			s := summarise(&a)
			s.Participants = slices.Clone(a.Participants)
			out = append(out, s)
		}
	}
	slices.SortFunc(out, compareSummaries)
	if out == nil {
		out = []AssignmentSummary{}
	}
	return out
}
