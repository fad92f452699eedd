package exercise_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

// ownedSeed starts couples whose first partner's ID sorts after the second's,
// so that sorting a joint proposal's participants by ID reverses them.
const ownedSeed = 4

// coupleWith starts the test couple of seed ownedSeed, understood, agreed and
// acknowledged, on an engine running sched (the default scheduler when nil).
func coupleWith(t *testing.T, sched exercise.Scheduler) *couple {
	t.Helper()
	c := newCouple(t, trust.DefaultProfile(), nil, ownedSeed)
	eng, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: c.ids, Scheduler: sched})
	require.NoError(t, err)
	c.eng = eng
	c.understand(false)
	c.agree()
	c.acknowledge()
	return c
}

// sortingWrapper sorts each proposal's participants in place, by ID, to key
// the proposals (as a wrapper that logs or deduplicates might), and hands
// them out in relationship order again, in a list of its own.
func sortingWrapper(inner exercise.Scheduler) exercise.Scheduler {
	return exercise.Named("default", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		ps, err := inner.Propose(s)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		out := ps[:0]
		for _, p := range ps {
			slices.SortFunc(p.Participants, func(a, b trust.PartnerID) int { return bytes.Compare(a[:], b[:]) })
			key := p.Exercise
			for _, q := range p.Participants {
				key += "/" + q.String()
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			if len(p.Participants) == 2 {
				p.Participants = []trust.PartnerID{s.Partners[0], s.Partners[1]}
			}
			out = append(out, p)
		}
		return out, nil
	}))
}

// keepingWrapper keeps every snapshot it is handed and every proposal it
// hands out, and scribbles over all of them at each later call.
func keepingWrapper(inner exercise.Scheduler) exercise.Scheduler {
	var snapshots []exercise.Snapshot
	var proposals []exercise.Proposal
	return exercise.Named("default", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		for _, old := range snapshots {
			for i := range old.Gates {
				old.Gates[i].Met = !old.Gates[i].Met
			}
			for i := range old.SteppedBack {
				old.SteppedBack[i] = trust.PartnerID{}
			}
			for i := range old.Occurrences {
				old.Occurrences[i].Ritual, old.Occurrences[i].Start = "gardening", time.Time{}
			}
			for k, h := range old.History {
				h.Completed, h.LastProposed = 0, time.Time{}
				slices.Reverse(h.CompletedBy)
				old.History[k] = h
			}
			old.History["scribbled"] = exercise.History{Exercise: "scribbled"}
			for i := range old.Recent {
				slices.Reverse(old.Recent[i].Participants)
				old.Recent[i].Status, old.Recent[i].Exercise = exercise.StatusExpired, "scribbled"
			}
		}
		for _, p := range proposals {
			slices.Reverse(p.Participants)
			if p.Agreement != nil {
				*p.Agreement = uuid.Nil
			}
		}
		snapshots = append(snapshots, s)
		ps, err := inner.Propose(s)
		proposals = append(proposals, ps...)
		return ps, err
	}))
}

// TestSchedulersOwnWhatTheyAreHanded runs twenty plans through engines whose
// scheduler sorts its proposals' participants in place, or keeps and later
// changes its snapshots and proposals: every plan succeeds and is what the
// default scheduler alone plans, event for event, joint work and (once
// joint work pauses) solo work alike.
func TestSchedulersOwnWhatTheyAreHanded(t *testing.T) {
	wrappers := []struct {
		name string
		wrap func(exercise.Scheduler) exercise.Scheduler
	}{
		{"sorts participants in place", sortingWrapper},
		{"keeps and changes snapshots and proposals", keepingWrapper},
	}
	for _, w := range wrappers {
		t.Run(w.name, func(t *testing.T) {
			plain := coupleWith(t, nil)
			wrapped := coupleWith(t, w.wrap(exercise.DefaultScheduler(nil)))
			require.Positive(t, bytes.Compare(plain.a[:], plain.b[:]), "the first partner's ID sorts last")
			joint, solo := 0, 0
			for i := range 20 {
				if i == 12 { // joint work pauses: solo work only from here
					for _, c := range []*couple{plain, wrapped} {
						_, err := c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.SafetyFlag{
							Kinds: []trust.SafetyKind{trust.SafetyFear}})
						require.NoError(t, err)
					}
				}
				want, err := plain.eng.Refresh(plain.ctx, plain.rel.ID)
				require.NoError(t, err, "plan %d", i)
				got, err := wrapped.eng.Refresh(wrapped.ctx, wrapped.rel.ID)
				require.NoError(t, err, "plan %d", i)
				assert.Equal(t, jsonOf(t, want), jsonOf(t, got), "plan %d writes what the default scheduler writes", i)
				for _, p := range []trust.PartnerID{plain.a, plain.b} {
					want, err := plain.eng.Plan(plain.ctx, plain.rel.ID, p)
					require.NoError(t, err, "plan %d", i)
					got, err := wrapped.eng.Plan(wrapped.ctx, wrapped.rel.ID, p)
					require.NoError(t, err, "plan %d", i)
					require.Equal(t, want, got, "plan %d", i)
					for _, it := range want.Items {
						if len(it.Assignment.Participants) == 2 {
							joint++
						} else {
							solo++
						}
						if it.DueNow && (i+len(it.Assignment.Exercise))%3 != 0 {
							plain.do(it, p)
							wrapped.do(it, p)
						}
					}
				}
				plain.clock.Advance(19 * time.Hour)
				wrapped.clock.Advance(19 * time.Hour)
			}
			assert.Equal(t, jsonOf(t, plain.events()), jsonOf(t, wrapped.events()), "the two journeys are the same")
			assert.Positive(t, joint, "joint work was planned")
			assert.Positive(t, solo, "solo work was planned")
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestSnapshotOccurrencesAreTheDueRituals checks the occurrences the engine
// hands its scheduler against agreement.Book.Due over the same events: the
// ritual terms' occurrences still due, starting within the coming week, at
// every few hours of three weeks in which the couple keeps some of them
// (the walk crosses the spring clock change in London), with two agreements
// whose rituals start at the same times, one of them amended on the way.
func TestSnapshotOccurrencesAreTheDueRituals(t *testing.T) {
	var got []exercise.Occurrence
	spy := exercise.Named("default", exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		got = s.Occurrences
		return exercise.DefaultScheduler(nil).Propose(s)
	}))
	c := newCouple(t, trust.DefaultProfile(), nil, 7)
	c.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
	eng, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: c.ids, Scheduler: spy})
	require.NoError(t, err)
	c.eng = eng
	c.understand(false)
	fiveTermAgreement(c)
	c.agree() // a second agreement, its rituals at the same times as the first's
	c.acknowledge()
	seen := 0
	for h := 0; h < 21*24; h += 5 {
		if h == 10*24 { // the reunion moves to 20:00, and the check-in gets more grace
			recs, err := c.eng.Agreements(c.ctx, c.rel.ID)
			require.NoError(t, err)
			next := recs[0].Current()
			next.Version, next.ChangeNote = 0, "Later reunions, and more time for the check-in."
			next.Terms = slices.Clone(next.Terms)
			for i, term := range next.Terms {
				switch term.Ritual {
				case "daily_reunion":
					next.Terms[i].Timing.LocalTime = "20:00"
				case "weekly_checkin":
					next.Terms[i].Timing.GraceMinutes = 2 * 24 * 60
				}
			}
			_, err = c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Data: &agreement.ReviewStarted{Agreement: recs[0].ID, Reason: "Evenings are busier now."}})
			require.NoError(t, err)
			_, err = c.eng.AmendAgreement(c.ctx, c.rel.ID, trust.PartnerActor(c.a), next)
			require.NoError(t, err)
			for _, p := range []trust.PartnerID{c.a, c.b} {
				_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, trust.PartnerActor(p), agreement.Signed{Agreement: recs[0].ID})
				require.NoError(t, err)
			}
		}
		_, err := c.eng.Refresh(c.ctx, c.rel.ID)
		require.NoError(t, err)
		book, err := agreement.ReplayBook(c.rel, c.events())
		require.NoError(t, err)
		now := c.clock.Now()
		var want []exercise.Occurrence
		for _, o := range book.Due(now, 7*24*time.Hour) {
			rec, ok := book.Agreement(o.Agreement)
			require.True(t, ok)
			ritual := "" // the term's ritual in the latest version that gives it one
			for _, v := range rec.Versions {
				for _, term := range v.Terms {
					if term.ID == o.Term && term.Ritual != "" {
						ritual = term.Ritual
					}
				}
			}
			if ritual != "" {
				want = append(want, exercise.Occurrence{Agreement: uuid.UUID(o.Agreement), AgreementTitle: rec.Current().Title,
					Term: o.Term.String(), Ritual: ritual, Start: o.Start, End: o.GraceEnd})
			}
		}
		require.Equal(t, want, got, "at %s", now)
		seen += len(got)
		plan, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
		require.NoError(t, err)
		for _, it := range plan.Items {
			if it.DueNow && h%3 != 0 {
				for _, p := range it.Assignment.Participants {
					c.do(it, p)
					it.Assignment.Started = append(it.Assignment.Started, p)
				}
			}
		}
		c.clock.Advance(5 * time.Hour)
	}
	assert.Greater(t, seen, 100, "the walk sees occurrences")
}

// TestComposeHandsEachSchedulerItsOwnSnapshot runs a scheduler that changes
// everything in its snapshot before the built-in ones: they plan as if it
// were not there.
func TestComposeHandsEachSchedulerItsOwnSnapshot(t *testing.T) {
	sunday := time.Date(2026, 6, 14, 18, 0, 0, 0, time.UTC)
	s := snap(func(s *exercise.Snapshot) {
		s.Occurrences = []exercise.Occurrence{{Agreement: agreeID, AgreementTitle: "Our plan", Term: "checkin", Ritual: "weekly_checkin", Start: sunday}}
		s.History = map[string]exercise.History{"appreciation": completed("appreciation", t0.Add(-30*24*time.Hour), 2)}
		s.Recent = []exercise.AssignmentSummary{{Exercise: "reflect-until-heard", Participants: []trust.PartnerID{pA, pB},
			Status: exercise.StatusScheduled, DueStart: t0, DueEnd: t0.Add(24 * time.Hour)}}
	})
	scribbler := exercise.SchedulerFunc(func(s exercise.Snapshot) ([]exercise.Proposal, error) {
		for i := range s.Occurrences {
			s.Occurrences[i].Ritual = "gardening"
		}
		clear(s.History)
		for i := range s.Recent {
			s.Recent[i].Exercise = "scribbled"
			slices.Reverse(s.Recent[i].Participants)
		}
		return nil, nil
	})
	builtIns := []exercise.Scheduler{exercise.AgreementDriven(exercise.AgreementOptions{}), exercise.Adaptive(exercise.AdaptiveOptions{}),
		exercise.PhaseSequence(exercise.PhaseOptions{})}
	want, err := exercise.Compose(exercise.ComposeOptions{}, builtIns...).Propose(s)
	require.NoError(t, err)
	require.NotEmpty(t, want)
	got, err := exercise.Compose(exercise.ComposeOptions{}, append([]exercise.Scheduler{scribbler}, builtIns...)...).Propose(s)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, "weekly_checkin", s.Occurrences[0].Ritual, "the caller's snapshot is untouched")
	assert.Len(t, s.History, 1, "the caller's snapshot is untouched")
	assert.Equal(t, []trust.PartnerID{pA, pB}, s.Recent[0].Participants, "the caller's snapshot is untouched")
}
