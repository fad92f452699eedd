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

// plan brings the journey up to date, as a background job would, and reads
// p's plan.
func (c *couple) plan(p trust.PartnerID) exercise.Plan {
	c.t.Helper()
	_, err := c.eng.Refresh(c.ctx, c.rel.ID)
	require.NoError(c.t, err)
	plan, err := c.eng.Plan(c.ctx, c.rel.ID, p)
	require.NoError(c.t, err)
	return plan
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
	c.breach = trust.Breach{Kind: trust.BreachEmotionalInfidelity, Severity: trust.SeveritySerious,
		Happened: trust.TimeRange{Start: engineT0.AddDate(0, -4, 0)}, CameToLight: trust.TimeRange{Start: engineT0.AddDate(0, 0, -10)},
		Discovery: trust.Discovered, RevealedBy: c.b, CausedBy: c.a, Ongoing: ongoing}
	res, err := c.eng.RecordBreach(c.ctx, c.rel.ID, trust.PartnerActor(c.b), c.breach)
	require.NoError(c.t, err)
	require.False(c.t, res.ID.IsZero(), "the engine fills the breach's ID")
	c.breach.ID = res.ID
	for _, p := range []trust.PartnerID{c.a, c.b} {
		_, err = c.eng.RecordAccount(c.ctx, c.rel.ID, trust.PartnerActor(p), trust.Account{Breach: c.breach.ID,
			WhatHappened: "what I saw", MyPart: "what I did"})
		require.NoError(c.t, err)
		_, err = c.eng.StateCommitment(c.ctx, c.rel.ID, trust.PartnerActor(p), trust.Commitment{Answer: trust.CommitYes})
		require.NoError(c.t, err)
	}
}

func (c *couple) acknowledge() {
	c.t.Helper()
	ack := trust.Acknowledgement{Breach: c.breach.ID, Harm: "h", Responsibility: "r",
		NoBlameShift: true, Feelings: "f", Remorse: "sorry", WillChange: "w", Observable: "o"}
	res, err := c.eng.Acknowledge(c.ctx, c.rel.ID, trust.PartnerActor(c.a), ack)
	require.NoError(c.t, err)
	_, err = c.eng.AnswerAcknowledgement(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.AcknowledgementAnswer{Acknowledgement: res.ID, Response: trust.AckAccepted})
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
	_, err = c.eng.ProposeAgreement(c.ctx, c.rel.ID, trust.PartnerActor(c.a), a)
	require.NoError(c.t, err)
	_, err = c.eng.SignAgreement(c.ctx, c.rel.ID, trust.PartnerActor(c.a), agreement.Signed{Agreement: a.ID})
	require.NoError(c.t, err)
	res, err := c.eng.SignAgreement(c.ctx, c.rel.ID, trust.PartnerActor(c.b), agreement.Signed{Agreement: a.ID})
	require.NoError(c.t, err)
	assert.Equal(c.t, a.ID, res.ID)
	require.GreaterOrEqual(c.t, len(res.Events), 2, "the second signature brings the activation")
	assert.Equal(c.t, agreement.TypeActivated, res.Events[1].Type)
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
		req := trust.NeedsRequest{Category: trust.NeedQualityTime,
			Feeling: "lonely", Situation: "our evenings", Need: "one evening a week without phones"}
		res, err := c.eng.RequestNeed(c.ctx, c.rel.ID, trust.PartnerActor(from), req)
		require.NoError(c.t, err)
		_, err = c.eng.AnswerNeed(c.ctx, c.rel.ID, trust.PartnerActor(to), trust.NeedsAnswer{Request: res.ID, Reply: trust.NeedsAccepted})
		require.NoError(c.t, err)
	}
}

// week lives one week day by day: both partners check in, and every due
// assignment is completed by its participants.
func (c *couple) week(trustLevel int) {
	c.t.Helper()
	for range 7 {
		for _, p := range []trust.PartnerID{c.a, c.b} {
			for _, it := range c.plan(p).Items {
				if it.DueNow {
					c.do(it, p)
				}
			}
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{Trust: ptr(trustLevel)}, nil)
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
		_, err := c.eng.StartAssignment(c.ctx, c.rel.ID, trust.PartnerActor(p), exercise.AssignmentStarted{Assignment: it.Assignment.ID})
		require.NoError(c.t, err)
	}
	_, err := c.eng.CompleteAssignment(c.ctx, c.rel.ID, trust.PartnerActor(p), exercise.AssignmentCompleted{Assignment: it.Assignment.ID, Helpful: 4})
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
			_, err := trust.ReplayJourney(c.events())
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
	second := trust.Breach{Kind: trust.BreachDeception, Severity: trust.SeverityModerate,
		Happened: trust.TimeRange{Start: engineT0.AddDate(0, -1, 0)}, CameToLight: trust.TimeRange{Start: c.clock.Now()},
		Discovery: trust.Disclosed, RevealedBy: c.a, CausedBy: c.a, RelatedTo: &c.breach.ID}
	res, err := c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Data: &second})
	require.NoError(t, err)
	require.Len(t, res.Events, 2, "the disclosure and its regression")
	assert.Equal(t, res.Events[0].ID, res.ID, "a command's result names its own event")
	assert.True(t, second.ID.IsZero(), "the caller's payload is left as it was")
	assert.False(t, res.Events[0].Data.(*trust.Breach).ID.IsZero(), "the engine filled the breach's ID")
	pc := res.Events[1].Data.(*trust.PhaseChange)
	assert.Equal(t, trust.Regressed, pc.Direction)
	assert.Equal(t, "understand", c.view().Phase.Key)
	assert.Equal(t, before, checkins(), "history is kept")
}

func TestSafetyFlagPausesJointWorkAtOnceAndNeverLeaks(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 2)
	c.understand(true)
	plan := c.plan(c.a)
	var joint *exercise.PlanItem
	for i, it := range plan.Items {
		if len(it.Assignment.Participants) == 2 {
			joint = &plan.Items[i]
			break
		}
	}
	require.NotNil(t, joint, "a joint exercise is planned before the flag: %+v", plan.Items)

	flag := trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyCoerciveControl}, Note: "he reads my phone"}
	raised, err := c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), flag)
	require.NoError(t, err)
	flag.ID = raised.ID

	// At once: the joint assignment cannot start, for either partner.
	_, err = c.eng.StartAssignment(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.AssignmentStarted{Assignment: joint.Assignment.ID})
	assert.ErrorIs(t, err, trust.ErrPausedForSafety)
	// Plans hold only solo work, for both partners.
	for _, p := range []trust.PartnerID{c.a, c.b} {
		for range 3 {
			plan := c.plan(p)
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
	samPlan := c.plan(c.b)
	assert.True(t, slices.ContainsFunc(samPlan.Items, func(it exercise.PlanItem) bool { return it.Assignment.Scheduler == "support" }))
	alexPlan := c.plan(c.a)
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
	_, err = c.eng.ClearSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.SafetyFlagCleared{Flag: flag.ID})
	require.NoError(t, err)
	assert.False(t, c.view().JointWorkPaused)
}

func TestIdempotencyKeyAppliesOnce(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 3)
	alex := trust.PartnerActor(c.a)
	ci := progress.CheckIn{Trust: ptr(6)}
	first, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	require.False(t, first.ID.IsZero(), "the engine fills the check-in's ID")
	n := len(c.events())
	c.clock.Advance(time.Minute)
	again, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	assert.Equal(t, first, again, "the retry returns the first result, ID included")
	assert.Len(t, c.events(), n, "and writes nothing")

	// The other partner reusing the same key is a different request: it
	// never replays Alex's events.
	other, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(c.b), progress.CheckIn{Trust: ptr(3)}, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	require.Len(t, other.Events, 1)
	assert.NotEqual(t, first.Events[0].ID, other.Events[0].ID)
	assert.NotEqual(t, first.ID, other.ID)
	assert.Equal(t, other.ID, other.Events[0].Data.(*progress.CheckIn).ID)
	assert.Equal(t, c.b, other.Events[0].Data.(*progress.CheckIn).Partner, "the partner field is the writer's")
	n = len(c.events())

	// A fresh engine over the same store still knows the key.
	eng2, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: trust.SeededIDs(99)})
	require.NoError(t, err)
	again2, err := eng2.RecordCheckIn(c.ctx, c.rel.ID, alex, ci, nil, exercise.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	assert.Equal(t, first.Events[0].ID, again2.Events[0].ID)
	assert.Equal(t, first.ID, again2.ID)
	assert.Len(t, c.events(), n)
}

func TestBadInputChangesNothing(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 4)
	c.understand(false)
	before := len(c.events())
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)
	tests := []struct {
		name  string
		run   func() error
		field string
		is    error
	}{
		{"missing data", func() error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, alex, exercise.Command{})
			return err
		}, "data", trust.ErrInvalid},
		{"no writer", func() error {
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, trust.Actor{}, trust.Commitment{Answer: trust.CommitYes})
			return err
		}, "actor", trust.ErrInvalid},
		{"bad trust value", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(11)}, nil)
			return err
		}, "data.trust", trust.ErrInvalid},
		{"acknowledgement by the hurt partner", func() error {
			_, err := c.eng.Acknowledge(c.ctx, c.rel.ID, sam, trust.Acknowledgement{Breach: c.breach.ID,
				Harm: "h", Responsibility: "r", NoBlameShift: true, Feelings: "f", Remorse: "r", WillChange: "w", Observable: "o"})
			return err
		}, "", trust.ErrForbidden},
		{"unknown relationship", func() error {
			_, err := c.eng.StateCommitment(c.ctx, mustNew[trust.Relationship](t, c.ids), alex, trust.Commitment{Answer: trust.CommitYes})
			return err
		}, "", trust.ErrNotFound},
		{"stranger", func() error {
			s := mustNew[trust.Partner](t, c.ids)
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, trust.PartnerActor(s), trust.Commitment{Answer: trust.CommitYes})
			return err
		}, "", trust.ErrForbidden},
		{"a partner writing as the other", func() error {
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, alex, trust.Commitment{Partner: c.b, Answer: trust.CommitNo})
			return err
		}, "data.partner", trust.ErrInvalid},
		{"a needs request from the other", func() error {
			_, err := c.eng.RequestNeed(c.ctx, c.rel.ID, alex, trust.NeedsRequest{From: c.b, Category: trust.NeedSpace, Feeling: "f", Situation: "s", Need: "n"})
			return err
		}, "data.from", trust.ErrInvalid},
		{"the generic path writing as the other", func() error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, sam, exercise.Command{Data: &trust.Account{Breach: c.breach.ID, Partner: c.a, WhatHappened: "w", MyPart: "m"}})
			return err
		}, "data.partner", trust.ErrInvalid},
		{"a professional writing as a partner", func() error {
			pro := trust.ProfessionalActor(mustNew[trust.Professional](t, c.ids))
			_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, pro, trust.Commitment{Partner: c.a, Answer: trust.CommitYes})
			return err
		}, "data.partner", trust.ErrInvalid},
		{"a check-in note of another check-in", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(5)},
				&progress.CheckInNote{CheckIn: mustNew[progress.CheckIn](t, c.ids), Note: "n"})
			return err
		}, "note.checkin", trust.ErrInvalid},
		{"a check-in note of the other partner", func() error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(5)}, &progress.CheckInNote{Partner: c.b, Note: "n"})
			return err
		}, "note.partner", trust.ErrInvalid},
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

// The engine fills every zero ID a command's payload leaves out, and the
// writer's partner field, and returns the ID the command is about.
func TestEngineFillsIDsAndTheWriter(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 41)
	c.understand(false)
	c.acknowledge()
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)

	req, err := c.eng.RequestNeed(c.ctx, c.rel.ID, sam, trust.NeedsRequest{Category: trust.NeedReassurance, Feeling: "uneasy", Situation: "late evenings", Need: "a text when plans change"})
	require.NoError(t, err)
	require.False(t, req.ID.IsZero())
	made := req.Events[0].Data.(*trust.NeedsRequest)
	assert.Equal(t, req.ID, made.ID)
	assert.Equal(t, c.b, made.From)
	ans, err := c.eng.AnswerNeed(c.ctx, c.rel.ID, alex, trust.NeedsAnswer{Request: req.ID, Reply: trust.NeedsAccepted})
	require.NoError(t, err)
	assert.Equal(t, req.ID, ans.ID, "an answer's result names the request")

	// An agreement with no IDs at all: the agreement's and each term's are filled.
	ag := agreement.Agreement{Version: 1, Title: "Evenings", Purpose: "Time that is ours.", Terms: []agreement.Term{
		{Kind: agreement.Boundary, Title: "No phones at dinner", CommittedBy: agreement.Both(c.rel), Timing: agreement.Timing{Kind: agreement.Standing}},
		{Kind: agreement.Support, Title: "Ask before plans", CommittedBy: []trust.PartnerID{c.a}, Timing: agreement.Timing{Kind: agreement.Standing}},
	}}
	proposed, err := c.eng.ProposeAgreement(c.ctx, c.rel.ID, alex, ag)
	require.NoError(t, err)
	require.False(t, proposed.ID.IsZero())
	got := proposed.Events[0].Data.(*agreement.Proposed)
	assert.Equal(t, c.a, got.ProposedBy)
	assert.Equal(t, proposed.ID, got.Agreement.ID)
	for _, term := range got.Agreement.Terms {
		assert.False(t, term.ID.IsZero(), "term %q", term.Title)
	}
	assert.True(t, ag.Terms[0].ID.IsZero(), "the caller's terms are left as they were")
	ag.Terms[1].CommittedBy[0] = c.b // the caller reuses its value
	recs, err := c.eng.Agreements(c.ctx, c.rel.ID)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, []trust.PartnerID{c.a}, recs[0].Versions[0].Terms[1].CommittedBy, "the recorded agreement shares nothing with the caller's")
	// A counter-proposal's version is one more than the latest; a new term gets an ID.
	next := got.Agreement
	next.Version, next.ChangeNote = 0, "One more boundary."
	next.Terms = append(slices.Clone(next.Terms), agreement.Term{Kind: agreement.Boundary, Title: "Weekends offline", CommittedBy: agreement.Both(c.rel),
		Timing: agreement.Timing{Kind: agreement.Standing}})
	amended, err := c.eng.AmendAgreement(c.ctx, c.rel.ID, sam, next)
	require.NoError(t, err)
	v2 := amended.Events[0].Data.(*agreement.Amended)
	assert.Equal(t, 2, v2.Agreement.Version)
	assert.Equal(t, c.b, v2.AmendedBy)
	assert.Equal(t, got.Agreement.Terms[0].ID, v2.Agreement.Terms[0].ID, "a term keeps its ID")
	assert.False(t, v2.Agreement.Terms[2].ID.IsZero())
	for _, p := range []trust.Actor{alex, sam} {
		signed, err := c.eng.SignAgreement(c.ctx, c.rel.ID, p, agreement.Signed{Agreement: proposed.ID})
		require.NoError(t, err)
		assert.Equal(t, proposed.ID, signed.ID)
		assert.Equal(t, 2, signed.Events[0].Data.(*agreement.Signed).Version, "the version awaiting signatures")
	}

	flag, err := c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, sam, trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyFear}})
	require.NoError(t, err)
	require.False(t, flag.ID.IsZero())
	cleared, err := c.eng.ClearSafetyFlag(c.ctx, c.rel.ID, sam, trust.SafetyFlagCleared{Flag: flag.ID})
	require.NoError(t, err)
	assert.Equal(t, flag.ID, cleared.ID)

	ci, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(6)}, &progress.CheckInNote{Note: "a calmer week"})
	require.NoError(t, err)
	require.Len(t, ci.Events, 2)
	note := ci.Events[1].Data.(*progress.CheckInNote)
	assert.Equal(t, ci.ID, note.CheckIn, "the note belongs to the check-in")
	assert.Equal(t, c.a, note.Partner)
	assert.Equal(t, "2026-03-02", ci.Events[0].Data.(*progress.CheckIn).Day, "today in the couple's time zone")
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
				_, err = eng.RecordCheckIn(c.ctx, c.rel.ID, trust.PartnerActor(p), progress.CheckIn{ID: id, Trust: ptr(5)}, nil)
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
			c.plan(c.a)
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
		c.plan(c.b)
		c.clock.Advance(24 * time.Hour)
	}
	v := schemagen.NewValidator(t, trust.Schemas(), agreement.Schemas(), progress.Schemas(), exercise.Schemas())
	for _, e := range c.events() {
		v.ValidateEvent(t, e)
	}
	c.clock.Set(time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC))
	plan := c.plan(c.a)
	require.NotEmpty(t, plan.Items)
	reminders, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.NotEmpty(t, reminders)
	sent, err := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, reminders)
	require.NoError(t, err)
	for _, e := range sent.Events {
		v.ValidateEvent(t, e)
	}
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
	_, err := c.eng.StateCommitment(c.ctx, c.rel.ID, trust.PartnerActor(c.a), trust.Commitment{Answer: trust.CommitNo})
	require.NoError(t, err)
	v := c.view()
	assert.Equal(t, trust.AlignmentMixed, v.Alignment, "Sam learns only that the answers differ, never Alex's answer")
	for range 5 {
		for _, it := range c.plan(c.b).Items {
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
	// due reads the reminders due now and, like an app that sent them,
	// records them as sent.
	due := func() []exercise.Reminder {
		t.Helper()
		_, err := c.eng.Refresh(c.ctx, c.rel.ID)
		require.NoError(t, err)
		r, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
		require.NoError(t, err)
		if len(r) > 0 {
			again, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
			require.NoError(t, err)
			assert.Equal(t, r, again, "asking is a query: the same reminder until it is marked sent")
			_, err = c.eng.MarkRemindersSent(c.ctx, c.rel.ID, r)
			require.NoError(t, err)
		}
		return r
	}
	// 23:00 in London is inside the default quiet hours.
	c.clock.Set(time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC))
	assert.Empty(t, due(), "no reminder in quiet hours")

	c.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	r := due()
	require.Len(t, r, 1)
	for _, guilt := range []string{"missed", "streak", "behind", "again", "forgot", "still"} {
		assert.NotContains(t, strings.ToLower(r[0].Message), guilt)
	}
	c.clock.Set(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	assert.Empty(t, due(), "at least four hours between reminders")
	c.clock.Set(time.Date(2026, 3, 3, 13, 30, 0, 0, time.UTC))
	assert.Len(t, due(), 1)
	c.clock.Set(time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC))
	assert.Empty(t, due(), "two a day at most")

	// The limit is read from the stored events: an engine started afresh
	// over the same store keeps it.
	restarted, err := exercise.NewEngine(exercise.Options{Store: c.eng.Store(), Clock: c.clock, IDs: trust.SeededIDs(77)})
	require.NoError(t, err)
	r, err = restarted.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Empty(t, r, "two a day at most, after a restart too")
	c.clock.Set(time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC))
	_, err = restarted.Refresh(c.ctx, c.rel.ID)
	require.NoError(t, err)
	r, err = restarted.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Len(t, r, 1, "a new day")
}

// A reminder sent is private to the reminded partner: the other partner's
// timeline, report and reminders never show it. Only a participant of an
// existing assignment is reminded, only the system records it, and support
// after a safety flag is never notified.
func TestRemindersSentArePrivateAndChecked(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 12)
	c.understand(false)
	c.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	c.plan(c.a)
	r, err := c.eng.RemindersDue(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	require.Len(t, r, 1)
	sent, err := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, r)
	require.NoError(t, err)
	require.Len(t, sent.Events, 1)
	ev := sent.Events[0]
	assert.Equal(t, exercise.TypeReminderSent, ev.Type)
	assert.Equal(t, trust.Private, ev.Visibility)
	assert.Equal(t, trust.SystemActor, ev.Actor)
	assert.Equal(t, sent.ID, ev.ID)

	mine, err := c.eng.Timeline(c.ctx, c.rel.ID, trust.PartnerViewer(c.a), exercise.TypeReminderSent)
	require.NoError(t, err)
	assert.Len(t, mine, 1, "Alex reads his own")
	theirs, err := c.eng.Timeline(c.ctx, c.rel.ID, trust.PartnerViewer(c.b))
	require.NoError(t, err)
	raw, err := json.Marshal(theirs)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), exercise.TypeReminderSent, "Sam never learns Alex was reminded")
	assert.NotContains(t, string(raw), ev.ID.String())

	before := len(c.events())
	stranger := mustNew[trust.Partner](t, c.ids)
	for _, tt := range []struct {
		name string
		r    exercise.Reminder
		is   error
	}{
		{"unknown assignment", exercise.Reminder{Partner: c.a, Assignment: mustNew[exercise.Assignment](t, c.ids)}, trust.ErrNotFound},
		// Not taking part answers as not existing: no one learns of another's private work.
		{"not a participant", exercise.Reminder{Partner: stranger, Assignment: r[0].Assignment}, trust.ErrNotFound},
		{"no partner", exercise.Reminder{Assignment: r[0].Assignment}, trust.ErrInvalid},
	} {
		_, err := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, []exercise.Reminder{tt.r})
		assert.ErrorIs(t, err, tt.is, tt.name)
	}
	unknownID := mustNew[exercise.Assignment](t, c.ids)
	_, errUnknown := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, []exercise.Reminder{{Partner: stranger, Assignment: unknownID}})
	_, errHidden := c.eng.MarkRemindersSent(c.ctx, c.rel.ID, []exercise.Reminder{{Partner: stranger, Assignment: r[0].Assignment}})
	require.Error(t, errUnknown)
	require.Error(t, errHidden)
	assert.Equal(t, strings.ReplaceAll(errUnknown.Error(), unknownID.String(), "<id>"),
		strings.ReplaceAll(errHidden.Error(), r[0].Assignment.String(), "<id>"), "an existing assignment one does not take part in reads as unknown")
	_, err = c.eng.MarkRemindersSent(c.ctx, c.rel.ID, nil)
	assert.ErrorIs(t, err, trust.ErrInvalid, "nothing to mark")
	_, err = c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Data: &exercise.ReminderSent{Partner: c.a, Assignment: r[0].Assignment}, Visibility: trust.Private})
	assert.ErrorIs(t, err, trust.ErrForbidden, "only the system records a reminder")
	_, err = c.eng.Do(c.ctx, c.rel.ID, trust.SystemActor, exercise.Command{Data: &exercise.ReminderSent{Partner: c.a, Assignment: r[0].Assignment}, Visibility: trust.Shared})
	assert.ErrorIs(t, err, trust.ErrInvalid, "a reminder is never shared")
	assert.Len(t, c.events(), before, "nothing refused was written")

	flag, err := c.eng.RaiseSafetyFlag(c.ctx, c.rel.ID, trust.PartnerActor(c.b), trust.SafetyFlag{Kinds: []trust.SafetyKind{trust.SafetyFear}})
	require.NoError(t, err)
	require.False(t, flag.ID.IsZero())
	var support exercise.AssignmentID
	for _, it := range c.plan(c.b).Items {
		if it.Assignment.Scheduler == exercise.SupportScheduler {
			support = it.Assignment.ID
		}
	}
	require.False(t, support.IsZero(), "Sam is offered support")
	before = len(c.events())
	_, err = c.eng.MarkRemindersSent(c.ctx, c.rel.ID, []exercise.Reminder{{Partner: c.b, Assignment: support}})
	assert.ErrorIs(t, err, trust.ErrForbidden, "support after a flag is never notified")
	assert.Len(t, c.events(), before, "nothing was written")
}

func TestReminderPolicyValidates(t *testing.T) {
	_, err := exercise.NewEngine(exercise.Options{Reminders: exercise.ReminderPolicy{QuietStart: "25:00", QuietEnd: "08:00", MaxPerDay: 1}})
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "reminders.quiet_start", ve.Field)
}

// Queries read: Plan, RemindersDue, View, Timeline, Report, Agreements,
// Compliance and Calendar never append, however much is overdue or due.
// Refresh is the command that writes; a second refresh at the same instant
// writes nothing.
func TestQueriesNeverWriteAndRefreshDoes(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 21)
	c.understand(false)
	id := c.agree()
	for day := range 10 {
		c.clock.Set(engineT0.Add(time.Duration(day) * 36 * time.Hour))
		before := len(c.events())
		for _, p := range []trust.PartnerID{c.a, c.b} {
			_, err := c.eng.Plan(c.ctx, c.rel.ID, p)
			require.NoError(t, err)
			_, err = c.eng.RemindersDue(c.ctx, c.rel.ID, p)
			require.NoError(t, err)
			_, err = c.eng.View(c.ctx, c.rel.ID, trust.PartnerViewer(p))
			require.NoError(t, err)
			_, err = c.eng.Timeline(c.ctx, c.rel.ID, trust.PartnerViewer(p))
			require.NoError(t, err)
			_, err = c.eng.Report(c.ctx, c.rel.ID, trust.PartnerViewer(p), "en")
			require.NoError(t, err)
		}
		_, err := c.eng.Agreements(c.ctx, c.rel.ID)
		require.NoError(t, err)
		_, err = c.eng.Compliance(c.ctx, c.rel.ID, engineT0, c.clock.Now().Add(time.Hour))
		require.NoError(t, err)
		_, err = c.eng.Calendar(c.ctx, c.rel.ID, id)
		require.NoError(t, err)
		require.Len(t, c.events(), before, "day %d: the queries wrote nothing", day)

		wrote, err := c.eng.Refresh(c.ctx, c.rel.ID)
		require.NoError(t, err)
		assert.Len(t, c.events(), before+len(wrote.Events))
		if len(wrote.Events) > 0 {
			assert.Equal(t, wrote.Events[0].ID, wrote.ID)
		}
		for _, e := range wrote.Events {
			assert.Equal(t, trust.SystemActor, e.Actor, "a refresh is written by the system")
		}
		again, err := c.eng.Refresh(c.ctx, c.rel.ID)
		require.NoError(t, err)
		assert.Empty(t, again.Events, "day %d: nothing more is due at the same instant", day)
		if day == 0 {
			assert.NotEmpty(t, wrote.Events, "the first refresh proposes work")
		}
		// After a refresh the plan holds no overdue work.
		plan, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
		require.NoError(t, err)
		for _, it := range plan.Items {
			assert.True(t, c.clock.Now().Before(it.Assignment.DueEnd), "day %d: %s is overdue", day, it.Title)
		}
	}
	_, err := c.eng.Refresh(c.ctx, mustNew[trust.Relationship](t, c.ids))
	assert.ErrorIs(t, err, trust.ErrNotFound, "an unknown journey")
	_, err = c.eng.Plan(c.ctx, c.rel.ID, mustNew[trust.Partner](t, c.ids))
	assert.ErrorIs(t, err, trust.ErrForbidden, "a stranger has no plan")
}

// Plan is read from the folded state: overdue work is not shown before a
// refresh expires it, and is never due.
func TestPlanLeavesOverdueWorkOut(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 22)
	c.understand(false)
	first := c.plan(c.a)
	require.NotEmpty(t, first.Items)
	c.clock.Advance(30 * 24 * time.Hour)
	late, err := c.eng.Plan(c.ctx, c.rel.ID, c.a)
	require.NoError(t, err)
	assert.Empty(t, late.Items, "everything planned a month ago is overdue, and no refresh ran")
	assert.NotEmpty(t, c.plan(c.a).Items, "a refresh expires it and proposes new work")
}

// A command without a payload (nil, or a nil pointer) is refused naming the
// field, writes nothing and never panics.
func TestCommandWithoutPayloadIsRefused(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 31)
	before := len(c.events())
	for _, data := range []trust.Payload{nil, (*trust.Commitment)(nil)} {
		_, err := c.eng.Do(c.ctx, c.rel.ID, trust.PartnerActor(c.a), exercise.Command{Data: data})
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%T", data)
		assert.Equal(t, "data", ve.Field)
	}
	assert.Len(t, c.events(), before, "nothing is written")
}
