package exercise_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// couple is an engine-driven test journey with a manual clock.
type couple struct {
	t      testing.TB
	ctx    context.Context
	eng    *exercise.Engine
	clock  *trust.ManualClock
	ids    trust.IDSource
	rel    trust.Relationship
	a, b   trust.PartnerID
	breach trust.Breach
}

var engineT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday

func newCouple(t testing.TB, profile trust.Profile, st store.Store, seed uint64) *couple {
	t.Helper()
	ids := trust.SeededIDs(seed)
	clock := trust.NewManualClock(engineT0)
	eng, err := exercise.NewEngine(exercise.Options{Store: st, Clock: clock, IDs: ids})
	require.NoError(t, err)
	c := &couple{t: t, ctx: context.Background(), eng: eng, clock: clock, ids: ids}
	c.a = mustNew[trust.Partner](t, ids)
	c.b = mustNew[trust.Partner](t, ids)
	c.rel = trust.Relationship{ID: mustNew[trust.Relationship](t, ids), TimeZone: "Europe/London", Started: engineT0,
		Partners: [2]trust.Partner{{ID: c.a, DisplayName: "Alex"}, {ID: c.b, DisplayName: "Sam"}}}
	_, err = eng.StartJourney(c.ctx, c.rel, profile)
	require.NoError(t, err)
	return c
}

func mustNew[T any](t testing.TB, ids trust.IDSource) trust.ID[T] {
	id, err := trust.NewID[T](ids)
	require.NoError(t, err)
	return id
}

func (c *couple) events() []trust.Event {
	evs, err := c.eng.Store().Load(c.ctx, c.rel.ID, 1)
	require.NoError(c.t, err)
	return evs
}

// understand records a breach caused by a, both accounts, and both partners' commitment.
func (c *couple) understand(ongoing bool) {
	c.t.Helper()
	c.breach = trust.Breach{ID: mustNew[trust.Breach](c.t, c.ids), Kind: trust.BreachEmotionalInfidelity, Severity: trust.SeveritySerious,
		Happened: trust.TimeRange{Start: engineT0.AddDate(0, -4, 0)}, CameToLight: trust.TimeRange{Start: engineT0.AddDate(0, 0, -10)},
		Discovery: trust.Discovered, RevealedBy: c.b, CausedBy: c.a, Ongoing: ongoing}
	_, err := c.eng.RecordBreach(c.ctx, c.rel.ID, c.b, c.breach)
	require.NoError(c.t, err)
	for _, p := range []trust.PartnerID{c.a, c.b} {
		_, err = c.eng.RecordAccount(c.ctx, c.rel.ID, trust.Account{ID: mustNew[trust.Account](c.t, c.ids), Breach: c.breach.ID, Partner: p,
			WhatHappened: "what I saw", MyPart: "what I did"})
		require.NoError(c.t, err)
		_, err = c.eng.StateCommitment(c.ctx, c.rel.ID, trust.Commitment{Partner: p, Answer: trust.CommitYes})
		require.NoError(c.t, err)
	}
}

func (c *couple) acknowledge() {
	c.t.Helper()
	ack := trust.Acknowledgement{ID: mustNew[trust.Acknowledgement](c.t, c.ids), Breach: c.breach.ID, Partner: c.a, Harm: "h", Responsibility: "r",
		NoBlameShift: true, Feelings: "f", Remorse: "sorry", WillChange: "w", Observable: "o"}
	_, err := c.eng.Acknowledge(c.ctx, c.rel.ID, ack)
	require.NoError(c.t, err)
	_, err = c.eng.AnswerAcknowledgement(c.ctx, c.rel.ID, trust.AcknowledgementAnswer{Acknowledgement: ack.ID, Partner: c.b, Response: trust.AckAccepted})
	require.NoError(c.t, err)
}

func (c *couple) view() trust.View {
	v, err := c.eng.View(c.ctx, c.rel.ID, trust.PartnerViewer(c.a))
	require.NoError(c.t, err)
	return v
}

// agree proposes and both partners sign an agreement with a weekly check-in
// on Sundays at 19:00 and a Friday date night.
func (c *couple) agree() agreement.ID {
	c.t.Helper()
	d, err := agreement.NewDraft(c.rel, c.ids, c.clock.Now(), "How we reconnect", "Regular time to talk and time to enjoy each other.")
	require.NoError(c.t, err)
	start := c.clock.Now().In(mustLoc(c.t, c.rel.TimeZone)).Format(time.DateOnly)
	_, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Weekly check-in", Ritual: "weekly_checkin", CommittedBy: agreement.Both(c.rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=SU", StartsOn: start, At: "19:00", Duration: time.Hour, Grace: 24 * time.Hour})})
	require.NoError(c.t, err)
	_, err = d.Add(agreement.Term{Kind: agreement.Ritual, Title: "Friday date night", Ritual: "date_night", CommittedBy: agreement.Both(c.rel),
		Timing: agreement.RecurringTiming(agreement.Recurrence{Rule: "FREQ=WEEKLY;BYDAY=FR", StartsOn: start, At: "19:30", Duration: 2 * time.Hour, Grace: 12 * time.Hour})})
	require.NoError(c.t, err)
	a, err := d.Agreement()
	require.NoError(c.t, err)
	_, err = c.eng.ProposeAgreement(c.ctx, c.rel.ID, c.a, a)
	require.NoError(c.t, err)
	_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, c.a, a.ID, false)
	require.NoError(c.t, err)
	evs, err := c.eng.SignAgreement(c.ctx, c.rel.ID, c.b, a.ID, false)
	require.NoError(c.t, err)
	require.GreaterOrEqual(c.t, len(evs), 2, "the second signature brings the activation")
	assert.Equal(c.t, agreement.TypeActivated, evs[1].Type)
	return a.ID
}

func mustLoc(t testing.TB, tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	require.NoError(t, err)
	return loc
}

// needs makes and answers a needs request each way.
func (c *couple) needs() {
	c.t.Helper()
	for _, from := range []trust.PartnerID{c.a, c.b} {
		to, _ := c.rel.Other(from)
		req := trust.NeedsRequest{ID: mustNew[trust.NeedsRequest](c.t, c.ids), From: from, Category: trust.NeedQualityTime,
			Feeling: "lonely", Situation: "our evenings", Need: "one evening a week without phones"}
		_, err := c.eng.RequestNeed(c.ctx, c.rel.ID, req)
		require.NoError(c.t, err)
		_, err = c.eng.AnswerNeed(c.ctx, c.rel.ID, trust.NeedsAnswer{Request: req.ID, Partner: to, Reply: trust.NeedsAccepted})
		require.NoError(c.t, err)
	}
}

// week lives one week day by day: both partners check in, and every due
// assignment is completed by its participants.
func (c *couple) week(trustLevel int) {
	c.t.Helper()
	for range 7 {
		for _, p := range []trust.PartnerID{c.a, c.b} {
			plan, err := c.eng.Plan(c.ctx, c.rel.ID, p)
			require.NoError(c.t, err)
			for _, it := range plan.Items {
				if it.DueNow {
					c.do(it, p)
				}
			}
			_, err = c.eng.RecordCheckIn(c.ctx, c.rel.ID, progress.CheckIn{ID: mustNew[progress.CheckIn](c.t, c.ids), Partner: p, Trust: ptr(trustLevel)}, nil)
			require.NoError(c.t, err)
		}
		c.clock.Advance(24 * time.Hour)
	}
}

// do starts (if needed) and completes an assignment as partner p.
func (c *couple) do(it exercise.PlanItem, p trust.PartnerID) {
	c.t.Helper()
	started := slices.Contains(it.Assignment.Started, p) || (it.Mode == exercise.Together && len(it.Assignment.Started) > 0)
	if !started {
		_, err := c.eng.StartAssignment(c.ctx, c.rel.ID, p, it.Assignment.ID)
		require.NoError(c.t, err)
	}
	_, err := c.eng.CompleteAssignment(c.ctx, c.rel.ID, exercise.AssignmentCompleted{Assignment: it.Assignment.ID, Partner: p, Helpful: 4})
	require.NoError(c.t, err)
}

func phaseChanges(events []trust.Event) []string {
	var out []string
	for _, e := range events {
		if pc, ok := e.Data.(*trust.PhaseChange); ok {
			out = append(out, pc.From+">"+pc.To)
		}
	}
	return out
}

func TestEngineWalksEveryProfile(t *testing.T) {
	for _, p := range trust.Profiles() {
		t.Run(p.Key, func(t *testing.T) {
			c := newCouple(t, p, nil, 1)
			assert.Equal(t, p.Phases[0].Key, c.view().Phase.Key)
			c.understand(false)
			c.agree()
			c.acknowledge()
			c.needs()
			for w := range 12 {
				c.week(5 + w/3)
			}
			last := p.Phases[len(p.Phases)-1].Key
			assert.Equal(t, last, c.view().Phase.Key, "the journey reached its last phase: %v", phaseChanges(c.events()))
			assert.Len(t, phaseChanges(c.events()), len(p.Phases)-1, "one advance per phase, no skips")
			_, err := trust.Replay(c.events())
			require.NoError(t, err, "the stream replays")
			completed := 0
			for _, e := range c.events() {
				if e.Type == exercise.TypeAssignmentCompleted {
					completed++
				}
			}
			assert.Greater(t, completed, 10, "the couple did exercises every week")
			comp, err := c.eng.Compliance(c.ctx, c.rel.ID, engineT0, c.clock.Now())
			require.NoError(t, err)
			require.Len(t, comp.Agreements, 1)
			occ := comp.Agreements[0].Occurrences
			assert.Greater(t, occ.Kept, 10, "completing a ritual's assignment is evidence the occurrence was kept")
			assert.GreaterOrEqual(t, occ.Due, occ.Kept)
		})
	}
}

func TestNewDisclosureRegressesWithoutResettingEffort(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 8)
	c.understand(false)
	c.acknowledge()
	require.Equal(t, "rebuild", c.view().Phase.Key)
	checkins := func() int {
		n := 0
		for _, e := range c.events() {
			if e.Type == progress.TypeCheckInRecorded {
				n++
			}
		}
		return n
	}
	c.week(6)
	before := checkins()
	second := trust.Breach{ID: mustNew[trust.Breach](t, c.ids), Kind: trust.BreachDeception, Severity: trust.SeverityModerate,
		Happened: trust.TimeRange{Start: engineT0.AddDate(0, -1, 0)}, CameToLight: trust.TimeRange{Start: c.clock.Now()},
		Discovery: trust.Disclosed, RevealedBy: c.a, CausedBy: c.a, RelatedTo: &c.breach.ID}
	evs, err := c.eng.Do(c.ctx, c.rel.ID, exercise.Command{Actor: trust.PartnerActor(c.a), Data: &second})
	require.NoError(t, err)
	require.Len(t, evs, 2, "the disclosure and its regression")
	pc := evs[1].Data.(*trust.PhaseChange)
	assert.Equal(t, trust.Regressed, pc.Direction)
	assert.Equal(t, "understand", c.view().Phase.Key)
	assert.Equal(t, before, checkins(), "history is kept")
}

func TestSafetyFlagPausesJointWorkAtOnceAndNeverLeaks(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 2)
	c.understand(true)
	plan, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	var joint *exercise.PlanItem
	for i, it := range plan.Items {
		if len(it.Assignment.Participants) == 2 {
			joint = &plan.Items[i]
			break
		}
	}
	require.NotNil(t, joint, "a joint exercise is planned before the flag: %+v", plan.Items)

	flag := trust.SafetyFlag{ID: mustNew[trust.SafetyFlag](t, c.ids), Partner: c.b, Kinds: []trust.SafetyKind{trust.SafetyCoerciveControl}, Note: "he reads my phone"}
	_, err = c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, flag)
	require.NoError(t, err)

	// At once: the joint assignment cannot start, for either partner.
	_, err = c.eng.StartAssignment(c.ctx, c.rel.ID, c.a, joint.Assignment.ID)
	assert.ErrorIs(t, err, trust.ErrPausedForSafety)
	// Plans hold only solo work, for both partners.
	for _, p := range []trust.PartnerID{c.a, c.b} {
		for range 3 {
			plan, err := c.eng.Plan(c.ctx, c.rel.ID, p)
			require.NoError(t, err)
			assert.True(t, plan.JointWorkPaused)
			for _, it := range plan.Items {
				assert.Len(t, it.Assignment.Participants, 1, "only solo work while paused")
				assert.NotContains(t, strings.ToLower(it.Reason), "safety")
				assert.NotContains(t, strings.ToLower(it.Reason), "flag")
			}
			c.clock.Advance(24 * time.Hour)
		}
	}
	// Sam, and only Sam, is offered individual support.
	samPlan, err := c.eng.Plan(c.ctx, c.rel.ID, c.b)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(samPlan.Items, func(it exercise.PlanItem) bool { return it.Assignment.Scheduler == "support" }))
	alexPlan, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(alexPlan.Items, func(it exercise.PlanItem) bool { return it.Assignment.Scheduler == "support" }))
	// The support offered to Sam is never notified.
	for range 3 {
		rs, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.b)
		require.NoError(t, err)
		for _, r := range rs {
			a := slices.IndexFunc(samPlan.Items, func(it exercise.PlanItem) bool { return it.Assignment.ID == r.Assignment })
			if a >= 0 {
				assert.NotEqual(t, "support", samPlan.Items[a].Assignment.Scheduler, "support after a flag is never notified")
			}
		}
		c.clock.Advance(5 * time.Hour)
	}
	// Nothing the other partner can read mentions the flag.
	alexSees, err := c.eng.Timeline(c.ctx, c.rel.ID, trust.PartnerViewer(c.a))
	require.NoError(t, err)
	for _, e := range alexSees {
		assert.False(t, e.Sensitive(), "alex never reads a safety event")
	}
	raw, err := json.Marshal(alexSees)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), flag.ID.String())
	assert.NotContains(t, string(raw), "coercive")
	assert.NotContains(t, string(raw), "reads my phone")
	report, err := c.eng.Report(c.ctx, c.rel.ID, trust.PartnerViewer(c.a), "en-GB")
	require.NoError(t, err)
	text := report.Text() + string(report.SVG())
	assert.NotContains(t, strings.ToLower(text), "safety flag")
	reminders, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	for _, r := range reminders {
		assert.NotContains(t, strings.ToLower(r.Message), "safety")
	}
	// Sam's own report routes to individual and crisis support, never couples work.
	mine, err := c.eng.Recommendations(c.ctx, c.rel.ID, trust.PartnerViewer(c.b), "en-GB")
	require.NoError(t, err)
	require.NotEmpty(t, mine)
	for _, r := range mine {
		assert.NotEqual(t, progress.Support("couples_therapy"), r.Support)
	}
	// Only Sam clears it; then joint work resumes.
	_, err = c.eng.ClearSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.a), trust.SafetyFlagCleared{Flag: flag.ID, Partner: c.b})
	assert.ErrorIs(t, err, trust.ErrForbidden)
	_, err = c.eng.ClearSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.SafetyFlagCleared{Flag: flag.ID, Partner: c.b})
	require.NoError(t, err)
	assert.False(t, c.view().JointWorkPaused)
}

func TestIdempotencyKeyAppliesOnce(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 3)
	ci := progress.CheckIn{ID: mustNew[progress.CheckIn](t, c.ids), Partner: c.a, Trust: ptr(6)}
	first, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	n := len(c.events())
	c.clock.Advance(time.Minute)
	again, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	assert.Equal(t, first, again, "the retry returns the first result")
	assert.Len(t, c.events(), n, "and writes nothing")

	// The other partner reusing the same key is a different request: it
	// never replays Alex's events.
	ciB := progress.CheckIn{ID: mustNew[progress.CheckIn](t, c.ids), Partner: c.b, Trust: ptr(3)}
	other, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, ciB, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	require.Len(t, other, 1)
	assert.NotEqual(t, first[0].ID, other[0].ID)
	assert.Equal(t, ciB.ID, other[0].Data.(*progress.CheckIn).ID)
	n = len(c.events())

	// A fresh engine over the same store still knows the key.
	eng2, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: trust.SeededIDs(99)})
	require.NoError(t, err)
	again2, err := eng2.RecordCheckIn(c.ctx, c.rel.ID, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	assert.Equal(t, first[0].ID, again2[0].ID)
	assert.Len(t, c.events(), n)
}

func TestBadInputChangesNothing(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 4)
	c.understand(false)
	before := len(c.events())
	tests := []struct {
		name  string
		run   func() error
		field string
		is    error
	}{
		{"missing data", func() error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, exercise.Command{Actor: trust.PartnerActor(c.a)})
			return err
		}, "data", trust.ErrInvalid},
		{"bad trust value", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, progress.CheckIn{ID: mustNew[progress.CheckIn](t, c.ids), Partner: c.a, Trust: ptr(11)}, nil)
			return err
		}, "data.trust", trust.ErrInvalid},
		{"acknowledgement by the hurt partner", func() error {
			_, err := c.eng.Acknowledge(c.ctx, c.rel.ID, trust.Acknowledgement{ID: mustNew[trust.Acknowledgement](t, c.ids), Breach: c.breach.ID, Partner: c.b,
				Harm: "h", Responsibility: "r", NoBlameShift: true, Feelings: "f", Remorse: "r", WillChange: "w", Observable: "o"})
			return err
		}, "", trust.ErrForbidden},
		{"unknown relationship", func() error {
			_, err := c.eng.StateCommitment(c.ctx, mustNew[trust.Relationship](t, c.ids), trust.Commitment{Partner: c.a, Answer: trust.CommitYes})
			return err
		}, "", trust.ErrNotFound},
		{"stranger", func() error {
			s := mustNew[trust.Partner](t, c.ids)
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, trust.Commitment{Partner: s, Answer: trust.CommitYes})
			return err
		}, "", trust.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is, "%v", err)
			if tt.field != "" {
				var ve *trust.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			}
			assert.Len(t, c.events(), before, "nothing was written")
		})
	}
}

func TestConcurrentWritersAcrossEngines(t *testing.T) {
	st := store.NewMemory()
	c := newCouple(t, trust.DefaultProfile(), st, 5)
	other, err := exercise.NewEngine(exercise.Options{Store: st, Clock: c.clock, IDs: trust.SeededIDs(55)})
	require.NoError(t, err)
	var wg sync.WaitGroup
	const per = 25
	for w, eng := range []*exercise.Engine{c.eng, other, c.eng, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := c.rel.Partners[w%2].ID
			for i := range per {
				id, err := trust.ParseID[progress.CheckIn](fmt.Sprintf("%08d-0000-4000-8000-%012d", w, i))
				require.NoError(t, err)
				_, err = eng.RecordCheckIn(c.ctx, c.rel.ID, progress.CheckIn{ID: id, Partner: p, Trust: ptr(5)}, nil)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	evs := c.events()
	assert.Len(t, evs, 1+4*per)
	for i, e := range evs {
		assert.Equal(t, trust.Sequence(i+1), e.Sequence)
	}
}

func TestSameInputsGiveByteIdenticalStreams(t *testing.T) {
	run := func() []byte {
		c := newCouple(t, trust.DefaultProfile(), nil, 6)
		c.understand(false)
		c.acknowledge()
		for range 5 {
			_, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
			require.NoError(t, err)
			c.clock.Advance(36 * time.Hour)
		}
		b, err := json.Marshal(c.events())
		require.NoError(t, err)
		return b
	}
	assert.Equal(t, string(run()), string(run()))
}

func TestEngineEventsValidateAgainstPublishedSchemas(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 7)
	c.understand(false)
	c.agree()
	c.acknowledge()
	c.needs()
	c.week(6)
	for range 4 {
		_, err := c.eng.Plan(c.ctx, c.rel.ID, c.b)
		require.NoError(t, err)
		c.clock.Advance(24 * time.Hour)
	}
	v := schemagen.NewValidator(t, trust.Schemas(), agreement.Schemas(), progress.Schemas(), exercise.Schemas())
	for _, e := range c.events() {
		v.ValidateEvent(t, e)
	}
	c.clock.Set(time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC))
	plan, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.NotEmpty(t, plan.Items)
	reminders, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.NotEmpty(t, reminders)
	report, err := c.eng.Report(c.ctx, c.rel.ID, trust.PartnerViewer(c.a), "en-GB")
	require.NoError(t, err)
	for id, doc := range map[string]any{
		schemafile.ID("exercise", "plan", "1.0"):       plan,
		schemafile.ID("exercise", "assignment", "1.0"): plan.Items[0].Assignment,
		schemafile.ID("exercise", "reminder", "1.0"):   reminders[0],
		schemafile.ID("progress", "report", "1.0"):     report,
	} {
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		assert.NoError(t, v.Validate(id, b), "%s: %s", id, b)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSoloJourneyWhenAPartnerStepsBack(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 9)
	c.understand(false)
	_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, trust.Commitment{Partner: c.a, Answer: trust.CommitNo})
	require.NoError(t, err)
	v := c.view()
	assert.Equal(t, trust.AlignmentMixed, v.Alignment, "Sam learns only that the answers differ, never Alex's answer")
	for range 5 {
		plan, err := c.eng.Plan(c.ctx, c.rel.ID, c.b)
		require.NoError(t, err)
		for _, it := range plan.Items {
			if it.DueNow {
				c.do(it, c.b)
			}
		}
		c.clock.Advance(24 * time.Hour)
	}
	solo := map[string]bool{}
	for _, e := range c.events() {
		if p, ok := e.Data.(*exercise.AssignmentProposed); ok && e.Time.After(engineT0) {
			if len(p.Participants) == 1 {
				solo[p.Exercise] = true
			}
		}
	}
	assert.NotEmpty(t, solo, "the partner who stays gets a solo track")
	recs, err := c.eng.Recommendations(c.ctx, c.rel.ID, trust.PartnerViewer(c.b), "en-GB")
	require.NoError(t, err)
	supports := []progress.Support{}
	for _, r := range recs {
		supports = append(supports, r.Support)
	}
	assert.NotContains(t, supports, progress.Support("couples_therapy"), "mixed commitment is not a couples-therapy case")
}

func TestRemindersRespectQuietHoursAndTheRateLimit(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 10)
	c.understand(false)
	// 23:00 in London is inside the default quiet hours.
	c.clock.Set(time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC))
	r, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Empty(t, r, "no reminder in quiet hours")

	c.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	r, err = c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.Len(t, r, 1)
	for _, guilt := range []string{"missed", "streak", "behind", "again", "forgot", "still"} {
		assert.NotContains(t, strings.ToLower(r[0].Message), guilt)
	}
	c.clock.Set(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	r, err = c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Empty(t, r, "at least four hours between reminders")
	c.clock.Set(time.Date(2026, 3, 3, 13, 30, 0, 0, time.UTC))
	r, err = c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Len(t, r, 1)
	c.clock.Set(time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC))
	r, err = c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Empty(t, r, "two a day at most")
}

func TestReminderPolicyValidates(t *testing.T) {
	_, err := exercise.NewEngine(exercise.Options{Reminders: exercise.ReminderPolicy{QuietStart: "25:00", QuietEnd: "08:00", MaxPerDay: 1}})
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "reminders.quiet_start", ve.Field)
}

// Refresh writes exactly what Plan writes, without a viewer; a second
// refresh at the same instant writes nothing.
func TestRefreshWritesWhatPlanWrites(t *testing.T) {
	planned := newCouple(t, trust.DefaultProfile(), store.NewMemory(), 21)
	refreshed := newCouple(t, trust.DefaultProfile(), store.NewMemory(), 21)
	for day := range 10 {
		at := engineT0.Add(time.Duration(day) * 36 * time.Hour)
		planned.clock.Set(at)
		refreshed.clock.Set(at)
		_, err := planned.eng.Plan(planned.ctx, planned.rel.ID, planned.a)
		require.NoError(t, err)
		wrote, err := refreshed.eng.Refresh(refreshed.ctx, refreshed.rel.ID)
		require.NoError(t, err)
		again, err := refreshed.eng.Refresh(refreshed.ctx, refreshed.rel.ID)
		require.NoError(t, err)
		assert.Empty(t, again, "day %d: nothing more is due at the same instant", day)
		if day == 0 {
			assert.NotEmpty(t, wrote, "the first refresh proposes work")
		}
	}
	p, r := planned.events(), refreshed.events()
	require.Equal(t, len(p), len(r))
	for i := range p {
		assert.Equal(t, p[i].Type, r[i].Type, "event %d", i)
		assert.Equal(t, p[i].Data, r[i].Data, "event %d", i)
	}
	_, err := planned.eng.Refresh(planned.ctx, mustNew[trust.Relationship](t, planned.ids))
	assert.ErrorIs(t, err, trust.ErrNotFound, "an unknown journey")
}

// A command without a payload (nil, or a nil pointer) is refused naming the
// field, writes nothing and never panics.
func TestCommandWithoutPayloadIsRefused(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 31)
	before := len(c.events())
	for _, data := range []trust.Payload{nil, (*trust.Commitment)(nil)} {
		_, err := c.eng.Do(c.ctx, c.rel.ID, exercise.Command{Actor: trust.PartnerActor(c.a), Data: data})
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%T", data)
		assert.Equal(t, "data", ve.Field)
	}
	assert.Len(t, c.events(), before, "nothing is written")
}
