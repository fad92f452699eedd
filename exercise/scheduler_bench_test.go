package exercise_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

// benchFold folds n assignments, a year's worth of varied history, through
// the Assignments fold.
func benchFold(b *testing.B, n int) (*fixture, time.Time) {
	t := &testing.T{}
	f := newFixture(t)
	keys := []string{}
	for _, ex := range exercise.DefaultCatalogue().Exercises() {
		if ex.Mode.Joint() {
			keys = append(keys, ex.Key)
		}
	}
	start := t0.Add(-time.Duration(n) * 4 * time.Hour)
	apply := func(p trust.Payload, actor trust.Actor, at time.Time) {
		e := f.build(p, actor, at, "", "")
		require.NoError(b, f.fold.Apply(e))
		f.seq++
	}
	for i := range n {
		at := start.Add(time.Duration(i) * 4 * time.Hour)
		id := f.newAssignmentID()
		apply(&exercise.AssignmentProposed{Assignment: id, Exercise: keys[i%len(keys)], Participants: f.both(), DueStart: at, DueEnd: at.Add(3 * time.Hour),
			Reason: "r", Scheduler: "bench"}, trust.SystemActor, at)
		apply(&exercise.AssignmentScheduled{Assignment: id, Participants: f.both(), DueStart: at, DueEnd: at.Add(3 * time.Hour)}, trust.SystemActor, at)
		switch i % 4 {
		case 0, 1:
			apply(&exercise.AssignmentStarted{Assignment: id, Partner: f.p1}, trust.PartnerActor(f.p1), at)
			apply(&exercise.AssignmentCompleted{Assignment: id, Partner: f.p1, Helpful: 3 + i%3}, trust.PartnerActor(f.p1), at.Add(time.Hour))
			apply(&exercise.AssignmentCompleted{Assignment: id, Partner: f.p2, Helpful: 4}, trust.PartnerActor(f.p2), at.Add(time.Hour))
		case 2:
			apply(&exercise.AssignmentSkipped{Assignment: id, Partner: f.p2, Reason: exercise.SkipNotNow}, trust.PartnerActor(f.p2), at)
		case 3:
			if i < n-8 {
				apply(&exercise.AssignmentExpired{Assignment: id, Participants: f.both()}, trust.SystemActor, at.Add(3*time.Hour))
			}
		}
	}
	return f, t0
}

func benchSnapshot(f *fixture, now time.Time) exercise.Snapshot {
	return exercise.Snapshot{Now: now, TimeZone: f.rel.TimeZone, Seed: 7, Relationship: f.rel.ID,
		Partners: [2]trust.PartnerID{f.p1, f.p2}, Profile: "mend", Phase: "rebuild", PhaseSince: now.AddDate(0, 0, -30),
		Alignment: trust.AlignedYes, History: f.fold.History(), Recent: f.fold.Recent(now),
		Signals:     exercise.Signals{LastSetback: now.AddDate(0, 0, -3), Setbacks: 1},
		Occurrences: []exercise.Occurrence{{Agreement: agreeID, Term: "checkin", Ritual: "weekly_checkin", Start: now.Add(48 * time.Hour)}}}
}

// BenchmarkCompose runs the default composition over a snapshot built from
// 2,000 assignments (history summarised per exercise, four weeks of recent
// assignments).
func BenchmarkCompose(b *testing.B) {
	f, now := benchFold(b, 2000)
	s := benchSnapshot(f, now)
	sc := exercise.DefaultScheduler(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.Propose(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComposeRecent2000 is the worst case: 2,000 entries in Recent.
func BenchmarkComposeRecent2000(b *testing.B) {
	f, now := benchFold(b, 2000)
	s := benchSnapshot(f, now)
	var all []exercise.AssignmentSummary
	for _, key := range exercise.DefaultCatalogue().Keys() {
		for _, a := range f.fold.ForExercise(key) {
			all = append(all, exercise.AssignmentSummary{ID: a.ID, Exercise: a.Exercise, Participants: a.Participants, Status: a.Status,
				DueStart: a.DueStart, DueEnd: a.DueEnd, Scheduler: a.Scheduler, ClosedAt: a.ClosedAt})
		}
	}
	s.Recent = all
	if len(s.Recent) != 2000 {
		b.Fatalf("recent has %d entries", len(s.Recent))
	}
	sc := exercise.DefaultScheduler(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.Propose(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotFromFold measures what the engine does before each plan.
func BenchmarkSnapshotFromFold(b *testing.B) {
	f, now := benchFold(b, 2000)
	b.ReportAllocs()
	for b.Loop() {
		_ = benchSnapshot(f, now)
	}
}

func FuzzAssignmentEvent(f *testing.F) {
	for _, s := range []string{
		`{"assignment":"0f8fad5b-d9cb-469f-a165-70867728950e","exercise":"weekly-checkin","participants":["6ba7b810-9dad-41d1-80b4-00c04fd430c8","7c9e6679-7425-40de-944b-e07fc1f90ae7"],"due_start":"2026-06-14T18:00:00Z","due_end":"2026-06-14T23:00:00Z","reason":"r","scheduler":"agreement"}`,
		`{"assignment":"0f8fad5b-d9cb-469f-a165-70867728950e","partner":"6ba7b810-9dad-41d1-80b4-00c04fd430c8","helpful":9}`,
		`{"assignment":"0f8fad5b-d9cb-469f-a165-70867728950e","step":"healthy-means","partner":"6ba7b810-9dad-41d1-80b4-00c04fd430c8","answer":""}`,
	} {
		for typ := range 8 {
			f.Add(uint8(typ), []byte(s))
		}
	}
	types := []string{exercise.TypeAssignmentProposed, exercise.TypeAssignmentScheduled, exercise.TypeAssignmentStarted,
		exercise.TypeAssignmentCompleted, exercise.TypeAssignmentSkipped, exercise.TypeAssignmentSnoozed,
		exercise.TypeAssignmentExpired, exercise.TypeStepAnswered}
	t := &testing.T{}
	fx := newFixture(t)
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		env := map[string]any{"specversion": "1.0", "id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
			"source": "urn:uuid:" + fx.rel.ID.String(), "type": types[int(typ)%len(types)], "time": "2026-06-14T18:00:00Z",
			"datacontenttype": "application/json", "relationship": fx.rel.ID.String(), "sequence": "00000000000000000002",
			"recordedtime": "2026-06-14T18:00:00Z", "actor": "system", "visibility": "shared", "data": json.RawMessage(data)}
		b, err := json.Marshal(env)
		if err != nil {
			return // data was not valid JSON
		}
		e, err := trust.DecodeEvent(b)
		if err != nil {
			return
		}
		c := fx.fold.Clone()
		before := c.Len()
		if err := c.Check(e); err == nil {
			require.NoError(t, c.Apply(e), "Check and Apply agree")
		} else {
			require.Error(t, c.Apply(e), "Check and Apply agree")
			require.Equal(t, before, c.Len(), "a refused event changes nothing")
		}
	})
}
