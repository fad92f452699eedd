package exercise_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

var (
	pA      = mustID[trust.Partner]("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
	pB      = mustID[trust.Partner]("7c9e6679-7425-40de-944b-e07fc1f90ae7")
	relID   = mustID[trust.Relationship]("9b2e4c61-3f7a-4d5e-8c1b-0a2f4e6d8c3a")
	agreeID = uuid.MustParse("3d6f4e2a-1b5c-4e8d-9a7b-2c4d6e8f0a1b")
	both    = []trust.PartnerID{pA, pB}
)

func mustID[T any](s string) trust.ID[T] {
	id, err := trust.ParseID[T](s)
	if err != nil {
		panic(err)
	}
	return id
}

func snap(mods ...func(*exercise.Snapshot)) exercise.Snapshot {
	s := exercise.Snapshot{Now: t0, TimeZone: "Europe/London", Seed: 1, Relationship: relID, Partners: [2]trust.PartnerID{pA, pB},
		Profile: "mend", Phase: "rebuild", PhaseSince: t0.Add(-10 * 24 * time.Hour), Alignment: trust.AlignedYes,
		History: map[string]exercise.History{}}
	for _, m := range mods {
		m(&s)
	}
	return s
}

func keysOf(ps []exercise.Proposal) []string {
	var out []string
	for _, p := range ps {
		who := "both"
		if p.Solo() {
			who = map[trust.PartnerID]string{pA: "A", pB: "B"}[p.Participants[0]]
		}
		out = append(out, p.Exercise+"/"+who)
	}
	return out
}

func completed(key string, at time.Time, streak int) exercise.History {
	return exercise.History{Exercise: key, Proposed: streak, Completed: streak, LastProposed: at.Add(-time.Hour), LastCompleted: at,
		Ratings: 2 * streak, RatingSum: 9 * streak, Helpful: streak, HelpfulStreak: streak, CompletedBy: both}
}

func TestAgreementDriven(t *testing.T) {
	sunday := time.Date(2026, 6, 14, 18, 0, 0, 0, time.UTC) // 19:00 BST
	occ := func(ritual string, start time.Time) exercise.Occurrence {
		return exercise.Occurrence{Agreement: agreeID, AgreementTitle: "Our plan", Term: ritual + "-term", Ritual: ritual, Start: start}
	}
	tests := []struct {
		name, reason string
		mod          func(*exercise.Snapshot)
		opts         exercise.AgreementOptions
		want         []string
		wantEnd      time.Time
	}{
		{"weekly check-in", "the ritual becomes its exercise", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", sunday)}
		}, exercise.AgreementOptions{}, []string{"weekly-checkin/both"}, time.Date(2026, 6, 14, 23, 0, 0, 0, time.UTC)},
		{"date night", "date night becomes planning", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("date_night", sunday)}
		}, exercise.AgreementOptions{}, []string{"date-night-planning/both"}, time.Date(2026, 6, 14, 23, 0, 0, 0, time.UTC)},
		{"explicit end", "an occurrence's own end wins", func(s *exercise.Snapshot) {
			o := occ("daily_reunion", t0.Add(8*time.Hour))
			o.End = t0.Add(9 * time.Hour)
			s.Occurrences = []exercise.Occurrence{o}
		}, exercise.AgreementOptions{}, []string{"daily-reunion/both"}, t0.Add(9 * time.Hour)},
		{"day end after autumn change", "the local day of 25 October has 25 hours", func(s *exercise.Snapshot) {
			s.Now = time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", time.Date(2026, 10, 25, 19, 0, 0, 0, time.UTC))}
		}, exercise.AgreementOptions{}, []string{"weekly-checkin/both"}, time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)},
		{"day end on spring change", "the local day of 29 March has 23 hours", func(s *exercise.Snapshot) {
			s.Now = time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", time.Date(2026, 3, 29, 18, 0, 0, 0, time.UTC))}
		}, exercise.AgreementOptions{}, []string{"weekly-checkin/both"}, time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC)},
		{"override by term", "an app maps a term to its own exercise", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", sunday)}
		}, exercise.AgreementOptions{Exercises: map[string]string{"weekly_checkin-term": "reflect-until-heard"}}, []string{"reflect-until-heard/both"}, time.Time{}},
		{"already scheduled", "one assignment per occurrence", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", sunday)}
			s.Recent = []exercise.AssignmentSummary{{Exercise: "weekly-checkin", Participants: both, Status: exercise.StatusCompleted, DueStart: sunday, DueEnd: sunday.Add(time.Hour)}}
		}, exercise.AgreementOptions{}, nil, time.Time{}},
		{"missed", "a ritual that has ended is not chased", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", t0.Add(-48*time.Hour))}
		}, exercise.AgreementOptions{}, nil, time.Time{}},
		{"beyond horizon", "only the coming week", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", t0.Add(8*24*time.Hour))}
		}, exercise.AgreementOptions{}, nil, time.Time{}},
		{"unknown ritual", "rituals without an exercise are left alone", func(s *exercise.Snapshot) {
			s.Occurrences = []exercise.Occurrence{occ("gardening", sunday)}
		}, exercise.AgreementOptions{}, nil, time.Time{}},
		{"contraindicated", "no date night while the breach goes on", func(s *exercise.Snapshot) {
			s.BreachOngoing = true
			s.Occurrences = []exercise.Occurrence{occ("date_night", sunday), occ("weekly_checkin", sunday)}
		}, exercise.AgreementOptions{}, []string{"weekly-checkin/both"}, time.Time{}},
		{"paused", "rituals are joint work", func(s *exercise.Snapshot) {
			s.JointWorkPaused = true
			s.Occurrences = []exercise.Occurrence{occ("date_night", sunday), occ("weekly_checkin", sunday)}
		}, exercise.AgreementOptions{}, nil, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := exercise.AgreementDriven(tc.opts).Propose(snap(tc.mod))
			require.NoError(t, err)
			assert.Equal(t, tc.want, keysOf(ps), tc.reason)
			for _, p := range ps {
				assert.Equal(t, "agreement", p.Scheduler)
				require.NotNil(t, p.Agreement)
				assert.Equal(t, agreeID, *p.Agreement)
				assert.NotEmpty(t, p.Term)
				if !tc.wantEnd.IsZero() {
					assert.Equal(t, tc.wantEnd, p.DueEnd, tc.reason)
				}
			}
		})
	}
	ps, _ := exercise.AgreementDriven(exercise.AgreementOptions{}).Propose(snap(func(s *exercise.Snapshot) {
		s.Occurrences = []exercise.Occurrence{occ("weekly_checkin", sunday)}
	}))
	assert.Equal(t, `Weekly check-in is part of your agreement "Our plan"; this one is due Sunday 14 June at 19:00.`, ps[0].Reason)
}

func TestPhaseSequence(t *testing.T) {
	tests := []struct {
		name, reason string
		mod          func(*exercise.Snapshot)
		want         []string
	}{
		{"start of understand", "the first two of the phase, in order", func(s *exercise.Snapshot) { s.Phase = "understand" },
			[]string{"commitment-check/both", "calming-our-cycle/both"}},
		{"one done", "done in this phase moves on", func(s *exercise.Snapshot) {
			s.Phase = "understand"
			s.History["commitment-check"] = completed("commitment-check", t0.Add(-5*24*time.Hour), 1)
		}, []string{"calming-our-cycle/both", "mapping-the-breach/both"}},
		{"done before the phase", "an exercise done in an earlier phase comes again", func(s *exercise.Snapshot) {
			s.Phase = "understand"
			s.History["commitment-check"] = completed("commitment-check", t0.Add(-40*24*time.Hour), 1)
		}, []string{"commitment-check/both", "calming-our-cycle/both"}},
		{"open counts", "open assignments use up the phase's slots", func(s *exercise.Snapshot) {
			s.Phase = "understand"
			s.Recent = []exercise.AssignmentSummary{{Exercise: "calming-our-cycle", Participants: both, Status: exercise.StatusScheduled, DueStart: t0, DueEnd: t0.Add(time.Hour)}}
		}, []string{"commitment-check/both"}},
		{"cooling down", "recently proposed content rests", func(s *exercise.Snapshot) {
			s.Phase = "understand"
			s.History["commitment-check"] = exercise.History{Exercise: "commitment-check", Proposed: 1, Skipped: 1, LastProposed: t0.Add(-2 * 24 * time.Hour)}
		}, []string{"calming-our-cycle/both", "mapping-the-breach/both"}},
		{"requirements", "an acknowledgement waits for the accounts", func(s *exercise.Snapshot) {
			s.Phase = "acknowledge"
			s.History["questions-answered"] = completed("questions-answered", t0.Add(-time.Hour), 1)
			s.History["next-time"] = completed("next-time", t0.Add(-time.Hour), 1)
		}, []string{"reflect-until-heard/both", "sharing-a-vulnerability/both"}},
		{"requirements met", "once the accounts are done it comes", func(s *exercise.Snapshot) {
			s.Phase = "acknowledge"
			s.History["my-honest-account"] = completed("my-honest-account", t0.Add(-30*24*time.Hour), 1)
			s.History["questions-answered"] = completed("questions-answered", t0.Add(-time.Hour), 1)
			s.History["next-time"] = completed("next-time", t0.Add(-time.Hour), 1)
		}, []string{"acknowledgement-in-parts/both", "reflect-until-heard/both"}},
		{"gottman attune", "another profile's phase", func(s *exercise.Snapshot) {
			s.Profile, s.Phase = "gottman-trust-revival", "attune"
		}, []string{"commitment-check/both", "calming-our-cycle/both"}},
		{"stepped back", "joint work waits, except the commitment check", func(s *exercise.Snapshot) {
			s.SteppedBack = []trust.PartnerID{pB}
		}, []string{"commitment-check/both"}},
		{"paused", "only solo work, for each partner", func(s *exercise.Snapshot) { s.JointWorkPaused = true },
			[]string{"self-soothing-break/A", "self-soothing-break/B"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := exercise.PhaseSequence(exercise.PhaseOptions{}).Propose(snap(tc.mod))
			require.NoError(t, err)
			assert.Equal(t, tc.want, keysOf(ps), tc.reason)
			for _, p := range ps {
				assert.Equal(t, t0, p.DueStart)
				assert.Equal(t, time.Date(2026, 6, 12, 23, 0, 0, 0, time.UTC), p.DueEnd, "the end of the third local day")
			}
		})
	}
	ps, _ := exercise.PhaseSequence(exercise.PhaseOptions{Max: 1}).Propose(snap(func(s *exercise.Snapshot) {
		s.Phase = "understand"
		s.History["commitment-check"] = completed("commitment-check", t0.Add(-5*24*time.Hour), 1)
		s.Gates = []exercise.GateStatus{{Kind: trust.GateNotPaused, Met: true}, {Kind: trust.GateBothCommitted, Met: false, Why: "Both partners want to keep working on the relationship."}}
	}))
	require.Len(t, ps, 1)
	assert.Equal(t, `"Naming the cycle we get caught in" is the next exercise for the phase "Understand what happened". It helps with the next step: Both partners want to keep working on the relationship.`, ps[0].Reason)
}

func TestAdaptive(t *testing.T) {
	low := 0.2
	tests := []struct {
		name, reason string
		mod          func(*exercise.Snapshot)
		want         []string
	}{
		{"quiet journey", "nothing to adapt to", func(s *exercise.Snapshot) {}, nil},
		{"setback", "a repair made for setbacks comes first", func(s *exercise.Snapshot) { s.Signals.LastSetback = t0.Add(-3 * 24 * time.Hour) },
			[]string{"setback-repair/both"}},
		{"setback already met", "repair is offered once per setback", func(s *exercise.Snapshot) {
			s.Signals.LastSetback = t0.Add(-3 * 24 * time.Hour)
			s.History["setback-repair"] = exercise.History{Exercise: "setback-repair", Proposed: 1, LastProposed: t0.Add(-2 * 24 * time.Hour)}
		}, nil},
		{"old setback", "beyond the repair window", func(s *exercise.Snapshot) { s.Signals.LastSetback = t0.Add(-20 * 24 * time.Hour) }, nil},
		{"helpful returns", "rated helpful a week ago: it comes back", func(s *exercise.Snapshot) {
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 1)
		}, []string{"reflect-until-heard/both"}},
		{"interval grows", "after three helpful rounds the gap is four weeks", func(s *exercise.Snapshot) {
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 3)
		}, nil},
		{"interval grows, due", "and after four weeks it returns", func(s *exercise.Snapshot) {
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-29*24*time.Hour), 3)
		}, []string{"reflect-until-heard/both"}},
		{"already brought back", "a pending return is not repeated", func(s *exercise.Snapshot) {
			h := completed("reflect-until-heard", t0.Add(-20*24*time.Hour), 1)
			h.LastProposed = t0.Add(-2 * 24 * time.Hour)
			s.History["reflect-until-heard"] = h
		}, nil},
		{"unhelpful", "no streak, no return", func(s *exercise.Snapshot) {
			h := completed("reflect-until-heard", t0.Add(-20*24*time.Hour), 1)
			h.HelpfulStreak = 0
			s.History["reflect-until-heard"] = h
		}, nil},
		{"rituals stay with agreements", "the weekly check-in is not brought back here", func(s *exercise.Snapshot) {
			s.History["weekly-checkin"] = completed("weekly-checkin", t0.Add(-20*24*time.Hour), 2)
		}, nil},
		{"most overdue first", "order by how overdue", func(s *exercise.Snapshot) {
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 1)
			s.History["owning-an-error"] = completed("owning-an-error", t0.Add(-30*24*time.Hour), 1)
		}, []string{"owning-an-error/both", "reflect-until-heard/both"}},
		{"low adherence", "one proposal, the light one first", func(s *exercise.Snapshot) {
			s.Signals.Adherence = &low
			s.History["regrettable-incident"] = completed("regrettable-incident", t0.Add(-30*24*time.Hour), 1)
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 1)
		}, []string{"reflect-until-heard/both"}},
		{"solo track", "the partner who stayed gets a track of their own", func(s *exercise.Snapshot) {
			s.SteppedBack = []trust.PartnerID{pB}
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 1)
		}, []string{"solo-steady/A"}},
		{"solo track continues", "cooled-down content is skipped", func(s *exercise.Snapshot) {
			s.SteppedBack = []trust.PartnerID{pA}
			s.History["solo-steady"] = exercise.History{Exercise: "solo-steady", Proposed: 1, Completed: 1, LastProposed: t0.Add(-2 * 24 * time.Hour), LastCompleted: t0.Add(-24 * time.Hour)}
		}, []string{"solo-my-part/B"}},
		{"stuck", "a long phase brings professional help to each partner", func(s *exercise.Snapshot) { s.PhaseSince = t0.Add(-130 * 24 * time.Hour) },
			[]string{"professional-help-readiness/A", "professional-help-readiness/B"}},
		{"paused", "no joint repair while paused", func(s *exercise.Snapshot) {
			s.JointWorkPaused = true
			s.Signals.LastSetback = t0.Add(-3 * 24 * time.Hour)
			s.History["reflect-until-heard"] = completed("reflect-until-heard", t0.Add(-8*24*time.Hour), 1)
			h := completed("self-soothing-break", t0.Add(-8*24*time.Hour), 1)
			h.CompletedBy = []trust.PartnerID{pB}
			s.History["self-soothing-break"] = h
		}, []string{"self-soothing-break/B"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := exercise.Adaptive(exercise.AdaptiveOptions{}).Propose(snap(tc.mod))
			require.NoError(t, err)
			assert.Equal(t, tc.want, keysOf(ps), tc.reason)
		})
	}
}

// fixed proposes one window starting at start, for the given exercise.
func fixed(key string, start time.Time, d time.Duration) exercise.Scheduler {
	return exercise.Named("fixed", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		return []exercise.Proposal{{Exercise: key, Participants: both, DueStart: start, DueEnd: start.Add(d), Reason: "Fixed."}}, nil
	}))
}

func TestComposeQuietHoursAcrossDST(t *testing.T) {
	night := &exercise.QuietHours{Start: exercise.LocalTime{Hour: 22}, End: exercise.LocalTime{Hour: 7}}
	lunch := &exercise.QuietHours{Start: exercise.LocalTime{Hour: 13}, End: exercise.LocalTime{Hour: 14}}
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name, reason string
		zone         string
		quiet        *exercise.QuietHours
		start, want  time.Time
	}{
		{"daytime", "outside quiet hours nothing moves", "Europe/London", night, utc(2026, 6, 10, 12, 0), utc(2026, 6, 10, 12, 0)},
		{"just before", "21:59 local is not quiet", "Europe/London", night, utc(2026, 6, 10, 20, 59), utc(2026, 6, 10, 20, 59)},
		{"at the start", "22:00 local is quiet: next morning 07:00 BST", "Europe/London", night, utc(2026, 6, 10, 21, 0), utc(2026, 6, 11, 6, 0)},
		{"after midnight", "03:00 local moves to 07:00 the same day", "Europe/London", night, utc(2026, 6, 11, 2, 0), utc(2026, 6, 11, 6, 0)},
		{"night before spring change", "23:30 GMT on 28 March moves to 07:00 BST on 29 March", "Europe/London", night, utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 6, 0)},
		{"in the spring gap", "00:30 GMT, just before the clocks jump, also lands at 07:00 BST", "Europe/London", night, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 6, 0)},
		{"spring morning", "06:30 BST moves to 07:00 BST", "Europe/London", night, utc(2026, 3, 29, 5, 30), utc(2026, 3, 29, 6, 0)},
		{"repeated autumn hour", "01:30 BST on 25 October moves to 07:00 GMT", "Europe/London", night, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 7, 0)},
		{"autumn morning", "06:30 GMT moves to 07:00 GMT", "Europe/London", night, utc(2026, 10, 25, 6, 30), utc(2026, 10, 25, 7, 0)},
		{"new york spring", "01:30 EST on 8 March moves to 07:00 EDT", "America/New_York", night, utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 11, 0)},
		{"same-day span", "a lunch-time quiet span", "Europe/London", lunch, utc(2026, 6, 10, 12, 15), utc(2026, 6, 10, 13, 0)},
		{"same-day span edge", "14:00 local is no longer quiet", "Europe/London", lunch, utc(2026, 6, 10, 13, 0), utc(2026, 6, 10, 13, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := exercise.Compose(exercise.ComposeOptions{QuietHours: tc.quiet}, fixed("weekly-checkin", tc.start, 3*time.Hour))
			ps, err := c.Propose(snap(func(s *exercise.Snapshot) { s.TimeZone = tc.zone; s.Now = tc.start.Add(-time.Hour) }))
			require.NoError(t, err)
			require.Len(t, ps, 1)
			assert.Equal(t, tc.want, ps[0].DueStart, tc.reason)
			assert.Equal(t, 3*time.Hour, ps[0].DueEnd.Sub(ps[0].DueStart), "the window keeps its length")
			assert.Equal(t, time.UTC, ps[0].DueStart.Location())
			assert.Equal(t, "fixed", ps[0].Scheduler)
		})
	}
}

func TestComposeDedupAndLoad(t *testing.T) {
	week := time.Date(2026, 6, 8, 9, 0, 0, 0, time.UTC) // Monday
	openIn := func(n int) []exercise.AssignmentSummary {
		var out []exercise.AssignmentSummary
		for i := range n {
			out = append(out, exercise.AssignmentSummary{Exercise: fmt.Sprintf("other-%d", i), Participants: both, Status: exercise.StatusCompleted,
				DueStart: week.Add(time.Duration(i) * time.Hour), DueEnd: week.Add(time.Duration(i+1) * time.Hour)})
		}
		return out
	}
	a := fixed("reflect-until-heard", t0, time.Hour)
	b := exercise.Named("second", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		return []exercise.Proposal{
			{Exercise: "reflect-until-heard", Participants: both, DueStart: t0, DueEnd: t0.Add(2 * time.Hour), Reason: "Again."},
			{Exercise: "owning-an-error", Participants: both, DueStart: t0, DueEnd: t0.Add(2 * time.Hour), Reason: "Another."},
			{Exercise: "asking-for-help", Participants: both, DueStart: t0.Add(7 * 24 * time.Hour), DueEnd: t0.Add(8 * 24 * time.Hour), Reason: "Next week."},
		}, nil
	}))
	agreement := exercise.Named("agreement", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		return []exercise.Proposal{{Exercise: "weekly-checkin", Participants: both, DueStart: t0.Add(96 * time.Hour), DueEnd: t0.Add(100 * time.Hour), Reason: "Agreed."}}, nil
	}))
	low := 0.3
	tests := []struct {
		name, reason string
		opts         exercise.ComposeOptions
		ss           []exercise.Scheduler
		mod          func(*exercise.Snapshot)
		want         []string
	}{
		{"dedup", "the first scheduler's proposal wins", exercise.ComposeOptions{}, []exercise.Scheduler{a, b}, nil,
			[]string{"reflect-until-heard/both", "owning-an-error/both", "asking-for-help/both"}},
		{"already open", "an open assignment is not proposed again", exercise.ComposeOptions{}, []exercise.Scheduler{a, b}, func(s *exercise.Snapshot) {
			s.Recent = []exercise.AssignmentSummary{{Exercise: "owning-an-error", Participants: both, Status: exercise.StatusStarted, DueStart: t0, DueEnd: t0.Add(time.Hour)}}
		}, []string{"reflect-until-heard/both", "asking-for-help/both"}},
		{"weekly limit", "this week is nearly full; next week has room", exercise.ComposeOptions{WeeklyLimit: 6}, []exercise.Scheduler{a, b}, func(s *exercise.Snapshot) {
			s.Recent = openIn(5)
		}, []string{"reflect-until-heard/both", "asking-for-help/both"}},
		{"skips do not count", "a skipped or expired assignment took no time", exercise.ComposeOptions{WeeklyLimit: 6}, []exercise.Scheduler{a, b}, func(s *exercise.Snapshot) {
			s.Recent = openIn(5)
			s.Recent[0].Status = exercise.StatusSkipped
			s.Recent[1].Status = exercise.StatusExpired
		}, []string{"reflect-until-heard/both", "owning-an-error/both", "asking-for-help/both"}},
		{"protected", "agreed rituals are kept and counted first", exercise.ComposeOptions{WeeklyLimit: 6, Protected: []string{"agreement"}}, []exercise.Scheduler{a, agreement}, func(s *exercise.Snapshot) {
			s.Recent = openIn(6)
		}, []string{"weekly-checkin/both"}},
		{"low adherence halves", "a lighter week", exercise.ComposeOptions{WeeklyLimit: 4, LowAdherence: 0.5}, []exercise.Scheduler{a, b}, func(s *exercise.Snapshot) {
			s.Signals.Adherence = &low
			s.Recent = openIn(1)
		}, []string{"reflect-until-heard/both", "asking-for-help/both"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := exercise.Compose(tc.opts, tc.ss...).Propose(snap(func(s *exercise.Snapshot) {
				s.Now = t0.Add(-time.Hour)
				if tc.mod != nil {
					tc.mod(s)
				}
			}))
			require.NoError(t, err)
			assert.Equal(t, tc.want, keysOf(ps), tc.reason)
		})
	}
}

func TestComposeErrors(t *testing.T) {
	bad := func(p exercise.Proposal) exercise.Scheduler {
		return exercise.SchedulerFunc(func(exercise.Snapshot) ([]exercise.Proposal, error) { return []exercise.Proposal{p}, nil })
	}
	stranger := mustID[trust.Partner]("11111111-2222-4333-8444-555555555555")
	tests := []struct {
		name, reason string
		s            exercise.Scheduler
		mod          func(*exercise.Snapshot)
		want         error
	}{
		{"unknown exercise", "a proposal names a catalogue exercise", bad(exercise.Proposal{Exercise: "juggling", Participants: both, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r"}), nil, exercise.ErrUnknownReference},
		{"stranger", "participants are the couple", bad(exercise.Proposal{Exercise: "solo-steady", Participants: []trust.PartnerID{stranger}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r"}), nil, trust.ErrInvalid},
		{"joint for one", "joint work is for both", bad(exercise.Proposal{Exercise: "weekly-checkin", Participants: []trust.PartnerID{pA}, DueStart: t0, DueEnd: t0.Add(time.Hour), Reason: "r"}), nil, trust.ErrInvalid},
		{"empty window", "a window ends after it starts", bad(exercise.Proposal{Exercise: "weekly-checkin", Participants: both, DueStart: t0, DueEnd: t0, Reason: "r"}), nil, trust.ErrInvalid},
		{"no reason", "every proposal says why", bad(exercise.Proposal{Exercise: "weekly-checkin", Participants: both, DueStart: t0, DueEnd: t0.Add(time.Hour)}), nil, trust.ErrInvalid},
		{"failing scheduler", "errors are passed on", exercise.SchedulerFunc(func(exercise.Snapshot) ([]exercise.Proposal, error) { return nil, trust.ErrConflict }), nil, trust.ErrConflict},
		{"bad zone", "the snapshot's time zone must load", exercise.PhaseSequence(exercise.PhaseOptions{}), func(s *exercise.Snapshot) { s.TimeZone = "Mars/Olympus" }, trust.ErrInvalid},
		{"no partners", "a snapshot names the couple", exercise.PhaseSequence(exercise.PhaseOptions{}), func(s *exercise.Snapshot) { s.Partners[1] = trust.PartnerID{} }, trust.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, sc := range []exercise.Scheduler{exercise.Compose(exercise.ComposeOptions{}, tc.s), exercise.Guard(tc.s),
				exercise.Guard(exercise.Compose(exercise.ComposeOptions{}, tc.s)), exercise.Guard(exercise.Guard(tc.s))} {
				mods := []func(*exercise.Snapshot){}
				if tc.mod != nil {
					mods = append(mods, tc.mod)
				}
				ps, err := sc.Propose(snap(mods...))
				assert.ErrorIs(t, err, tc.want, tc.reason)
				assert.Nil(t, ps)
			}
		})
	}
}

// Guard is idempotent: what already guards its proposals is not wrapped
// again (the engine guards every scheduler it is given).
func TestGuardIsIdempotent(t *testing.T) {
	g := exercise.Guard(exercise.PhaseSequence(exercise.PhaseOptions{}))
	assert.Equal(t, g, exercise.Guard(g))
	c := exercise.Compose(exercise.ComposeOptions{}, exercise.PhaseSequence(exercise.PhaseOptions{}))
	assert.Equal(t, c, exercise.Guard(c))
	d := exercise.DefaultScheduler(nil)
	assert.Equal(t, d, exercise.Guard(d))
	raw := exercise.SchedulerFunc(rogue)
	assert.NotEqual(t, fmt.Sprintf("%T", raw), fmt.Sprintf("%T", exercise.Guard(raw)), "a plain scheduler is wrapped")
}

// builtins returns every built-in scheduler, alone and composed.
func builtins() map[string]exercise.Scheduler {
	return map[string]exercise.Scheduler{
		"agreement": exercise.AgreementDriven(exercise.AgreementOptions{}),
		"phase":     exercise.PhaseSequence(exercise.PhaseOptions{Max: 5}),
		"adaptive":  exercise.Adaptive(exercise.AdaptiveOptions{Max: 10}),
		"compose": exercise.Compose(exercise.ComposeOptions{WeeklyLimit: 20}, exercise.AgreementDriven(exercise.AgreementOptions{}),
			exercise.Adaptive(exercise.AdaptiveOptions{}), exercise.PhaseSequence(exercise.PhaseOptions{})),
		"default": exercise.DefaultScheduler(nil),
		// A rogue scheduler proposing every joint exercise, wrapped as an app must.
		"guarded rogue": exercise.Compose(exercise.ComposeOptions{}, exercise.SchedulerFunc(rogue)),
	}
}

func rogue(s exercise.Snapshot) ([]exercise.Proposal, error) {
	var out []exercise.Proposal
	for _, ex := range exercise.DefaultCatalogue().Exercises() {
		ps := []trust.PartnerID{s.Partners[0], s.Partners[1]}
		if !ex.Mode.Joint() {
			ps = ps[:1]
		}
		out = append(out, exercise.Proposal{Exercise: ex.Key, Participants: ps, DueStart: s.Now, DueEnd: s.Now.Add(time.Hour), Reason: "Everything at once."})
	}
	return out, nil
}

// genSnapshot draws an adversarial snapshot: any profile and phase, any
// history, every ritual due, setbacks, stepped-back partners, low adherence.
func genSnapshot(t *rapid.T, paused bool) exercise.Snapshot {
	cat := exercise.DefaultCatalogue()
	profiles := trust.Profiles()
	prof := rapid.SampledFrom(profiles).Draw(t, "profile")
	phase := rapid.SampledFrom(prof.Phases).Draw(t, "phase")
	now := t0.Add(time.Duration(rapid.IntRange(0, 400*24).Draw(t, "hours")) * time.Hour)
	s := snap(func(s *exercise.Snapshot) {
		s.Now = now
		s.Profile, s.Phase = prof.Key, phase.Key
		s.PhaseSince = now.Add(-time.Duration(rapid.IntRange(0, 200).Draw(t, "daysInPhase")) * 24 * time.Hour)
		s.JointWorkPaused = paused
		s.Seed = rapid.Uint64().Draw(t, "seed")
		s.BreachOngoing = rapid.Bool().Draw(t, "ongoing")
		s.Alignment = rapid.SampledFrom([]trust.Alignment{trust.AlignedYes, trust.AlignmentMixed, trust.AlignmentUnknown}).Draw(t, "alignment")
		if rapid.Bool().Draw(t, "steppedBack") {
			s.SteppedBack = []trust.PartnerID{rapid.SampledFrom(both).Draw(t, "who")}
		}
		if rapid.Bool().Draw(t, "setback") {
			s.Signals.LastSetback = now.Add(-time.Duration(rapid.IntRange(0, 20).Draw(t, "setbackDays")) * 24 * time.Hour)
			s.Signals.Setbacks = rapid.IntRange(1, 5).Draw(t, "setbacks")
		}
		if rapid.Bool().Draw(t, "lowAdherence") {
			a := rapid.Float64Range(0, 1).Draw(t, "adherence")
			s.Signals.Adherence = &a
		}
		for _, key := range cat.Keys() {
			if rapid.Bool().Draw(t, "has-"+key) {
				s.History[key] = completed(key, now.Add(-time.Duration(rapid.IntRange(1, 120).Draw(t, "ago-"+key))*24*time.Hour), rapid.IntRange(0, 5).Draw(t, "streak-"+key))
			}
		}
		for _, r := range []string{"weekly_checkin", "date_night", "daily_reunion", "daily_appreciation"} {
			s.Occurrences = append(s.Occurrences, exercise.Occurrence{Agreement: agreeID, Term: r, Ritual: r, Start: now.Add(time.Duration(rapid.IntRange(0, 100).Draw(t, "occ-"+r)) * time.Hour)})
		}
	})
	return s
}

func TestEverySchedulerProposesOnlySoloWorkWhilePaused(t *testing.T) {
	for name, sc := range builtins() {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := genSnapshot(t, true)
				ps, err := sc.Propose(s)
				if err != nil {
					t.Fatalf("propose: %v", err)
				}
				for _, p := range ps {
					ex, _ := exercise.DefaultCatalogue().Lookup(p.Exercise)
					if ex.Mode.Joint() || !p.Solo() {
						t.Fatalf("%s proposed joint exercise %s while joint work is paused", name, p.Exercise)
					}
					for _, word := range []string{"safety", "flag", "unsafe", "danger"} {
						if strings.Contains(strings.ToLower(p.Reason), word) {
							t.Fatalf("reason %q mentions %q", p.Reason, word)
						}
					}
				}
			})
		})
	}
}

func TestSchedulersAreDeterministicAndHonourContraindications(t *testing.T) {
	for name, sc := range builtins() {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := genSnapshot(t, rapid.Bool().Draw(t, "paused"))
				first, err := sc.Propose(s)
				if err != nil {
					t.Fatalf("propose: %v", err)
				}
				again, _ := sc.Propose(s)
				if fmt.Sprint(first) != fmt.Sprint(again) {
					t.Fatalf("not deterministic:\n%v\n%v", first, again)
				}
				for _, p := range first {
					ex, _ := exercise.DefaultCatalogue().Lookup(p.Exercise)
					if ok, why := exercise.Eligible(ex, s); !ok {
						t.Fatalf("%s proposed %s although %s", name, p.Exercise, why)
					}
					if err := p.Validate(); err != nil {
						t.Fatalf("invalid proposal: %v", err)
					}
				}
			})
		})
	}
}
