package progress_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

func TestTwoSetbacksAnalysis(t *testing.T) {
	j := twoSetbacks(t)
	an := analyze(t, j.events, trust.PartnerViewer(j.A), day(85))
	require.Len(t, an.Setbacks, 2, "a drop that comes with an event is part of it")
	assert.Equal(t, progress.SetbackTermBroken, an.Setbacks[0].Kind)
	assert.Equal(t, progress.SetbackDisclosure, an.Setbacks[1].Kind, "the first breach is the start, the second a new disclosure")
	for _, s := range an.Setbacks {
		assert.True(t, s.Recovered)
		require.NotNil(t, s.RecoveryDays)
		assert.Equal(t, 3, *s.RecoveryDays)
	}
	kinds := map[progress.MilestoneKind]int{}
	for _, m := range an.Milestones {
		kinds[m.Kind]++
	}
	assert.Equal(t, 1, kinds[progress.MilestoneAcknowledgementAccepted])
	assert.Equal(t, 1, kinds[progress.MilestoneFirstAgreementSigned], "only the first signature is a milestone")
	assert.Equal(t, 1, kinds[progress.MilestoneFirstAgreementActive])
	assert.Equal(t, 4, kinds[progress.MilestonePhaseAdvanced], "regressions are not milestones")
	assert.Equal(t, 6, kinds[progress.MilestoneCheckInWeeks])
	require.Len(t, an.Phases, 6)
	assert.True(t, an.Phases[3].Regressed)
	assert.Equal(t, 2, an.PhaseTotals[0].Stays, "understand was visited twice")
	var total int64
	for _, p := range an.PhaseTotals {
		total += p.DurationMinutes
	}
	assert.Equal(t, int64(day(85).Sub(t0)/time.Minute), total, "phase time adds up to the journey")
	sam := an.Partners[0]
	require.NotNil(t, sam.Outcome.Change)
	assert.Equal(t, "improved", string(sam.Outcome.Change.Direction))
	assert.Equal(t, 12, sam.Activity.AssignmentsCompleted)
	assert.Equal(t, 6, an.Partners[1].Activity.AssignmentsSkipped)
	require.NotNil(t, an.Gap)
	assert.False(t, an.Gap.Persistent)
}

func TestConsistencyIsForgiving(t *testing.T) {
	j := solo(t)
	an := analyze(t, j.events, trust.PartnerViewer(j.A), day(57))
	act := an.Partners[0].Activity
	assert.Equal(t, 8, act.WeeksShownUp, "a gap never wipes the count")
	assert.False(t, act.WelcomeBack, "the welcome lasts a week")
	back := analyze(t, j.events, trust.PartnerViewer(j.A), day(43))
	assert.True(t, back.Partners[0].Activity.WelcomeBack)
	assert.Equal(t, 20, back.Partners[0].Activity.ReturnGapDays, "away from day 20 to day 40")
	assert.Equal(t, 0, an.Partners[1].Activity.CheckIns, "the other partner has not started; nothing is held against them")
	assert.Nil(t, an.Gap, "no gap without both partners' trust")
	assert.True(t, an.Signs.CommitmentMixed, "Sam's own 'unsure' is visible to Sam")
	b := analyze(t, j.events, trust.PartnerViewer(j.B), day(57))
	assert.False(t, b.Signs.CommitmentMixed, "Sam's private answer is not visible to Alex")
}

func TestPersistentGapAndStall(t *testing.T) {
	j := newJourney(t, 21)
	j.breach(day(0).Add(time.Hour))
	for d := 1; d <= 70; d++ {
		j.checkIn(j.A, day(d), 8, "", "")
		j.checkIn(j.B, day(d).Add(time.Hour), 2+d%2, "", "")
	}
	an := analyze(t, j.events, trust.PartnerViewer(j.B), day(71))
	require.NotNil(t, an.Gap)
	assert.True(t, an.Gap.Persistent)
	assert.True(t, an.Signs.NoReliableImprovement)
	recs := progress.Recommend(an, progress.ReportOptions{})
	require.Len(t, recs, 1)
	assert.Equal(t, progress.SupportCouples, recs[0].Support)
	codes := []string{}
	for _, r := range recs[0].Reasons {
		codes = append(codes, r.Code)
	}
	assert.Equal(t, []string{"no_reliable_improvement", "persistent_gap"}, codes)
	require.NotEmpty(t, recs[0].Modalities)
	assert.Equal(t, progress.ModalityEFT, recs[0].Modalities[0].Modality)
}

func TestDistressRoutesToIndividualTherapyFirst(t *testing.T) {
	j := newJourney(t, 22)
	j.add(&progressNote{CheckIn: mustID[progressCheckIn](t, j.ids), Partner: j.A, Answers: []progressResponse{
		{Instrument: "gad-2", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 2}, {Item: "2", Value: 2}}}}},
		day(3), trust.PartnerActor(j.A), trust.Private, "")
	an := analyze(t, j.events, trust.PartnerViewer(j.A), day(4))
	require.Len(t, an.Signs.Distress, 1)
	recs := progress.Recommend(an, progress.ReportOptions{})
	require.NotEmpty(t, recs)
	assert.Equal(t, progress.SupportIndividual, recs[0].Support)
	assert.Equal(t, j.A, *recs[0].For)
	r := analyzer(t, j.events).Report(trust.PartnerViewer(j.A), day(4), progress.ReportOptions{})
	assert.NotContains(t, r.Text(), "cut-off")
	assert.NotContains(t, r.Text(), "gad")
	later := analyze(t, j.events, trust.PartnerViewer(j.A), day(60))
	assert.Empty(t, later.Signs.Distress, "old screens no longer count")
}

func TestAnalyzerRefusesAnotherRelationship(t *testing.T) {
	a, err := progress.NewAnalyzer(progress.Options{})
	require.NoError(t, err)
	require.NoError(t, a.Observe(newJourney(t, 1).events[0]))
	assert.ErrorIs(t, a.Observe(newJourney(t, 2).events[0]), trust.ErrConflict)
	_, err = progress.NewAnalyzer(progress.Options{TrustReliability: 1.5})
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func TestMemoryDirectoryMatches(t *testing.T) {
	ids := trust.SeededIDs(31)
	pro := func(name string, mods []progress.Modality, lang string, f progress.Format, free time.Time) progress.Professional {
		return progress.Professional{ID: mustID[trust.Professional](t, ids), Name: name, Offers: []progress.Support{progress.SupportCouples, progress.SupportIndividual},
			Modalities: mods, Languages: []string{lang}, Formats: []progress.Format{f}, NextAvailable: free}
	}
	dir, err := progress.NewMemoryDirectory(
		pro("Ada", []progress.Modality{progress.ModalityGottman}, "en", progress.Video, day(3)),
		pro("Bo", []progress.Modality{progress.ModalityEFT, progress.ModalityGottman}, "en-GB", progress.Video, day(9)),
		pro("Cy", []progress.Modality{progress.ModalityEFT}, "fr", progress.Video, day(1)),
		pro("Di", []progress.Modality{progress.ModalityEFT}, "en", progress.InPerson, day(1)),
	)
	require.NoError(t, err)
	tests := []struct {
		name string
		req  progress.MatchRequest
		want []string
	}{
		{name: "modalities rank first", req: progress.MatchRequest{Support: progress.SupportCouples, Modalities: []progress.Modality{progress.ModalityEFT, progress.ModalityGottman}, Language: "en", Format: progress.Video},
			want: []string{"Bo", "Ada"}},
		{name: "availability", req: progress.MatchRequest{Support: progress.SupportCouples, Language: "en-US", AvailableBy: day(5)}, want: []string{"Di", "Ada"}},
		{name: "language", req: progress.MatchRequest{Support: progress.SupportIndividual, Language: "fr"}, want: []string{"Cy"}},
		{name: "nobody", req: progress.MatchRequest{Support: progress.SupportDiscernment}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dir.Match(context.Background(), tc.req)
			require.NoError(t, err)
			var names []string
			for _, m := range got {
				names = append(names, m.Professional.Name)
			}
			assert.Equal(t, tc.want, names)
		})
	}
	_, err = dir.Match(context.Background(), progress.MatchRequest{Support: progress.SupportCrisis})
	assert.ErrorIs(t, err, trust.ErrInvalid, "crisis support comes from crisis resources")
	assert.Equal(t, "Example international directory (test data)", crisis.For("fr-FR")[0].Name)
}

func TestStalledProgressSuggestsCouplesTherapyWithReasons(t *testing.T) {
	an := progress.Analysis{Signs: progress.Signs{BreachRecorded: true, AcknowledgementNotYet: true, PersistentGap: true}}
	recs := progress.Recommend(an, progress.ReportOptions{})
	require.Len(t, recs, 1)
	assert.Equal(t, progress.SupportCouples, recs[0].Support)
	assert.Len(t, recs[0].Reasons, 2)
	require.NotEmpty(t, recs[0].Modalities)
	assert.Equal(t, progress.ModalityEFT, recs[0].Modalities[0].Modality, "EFT answers an attachment injury")
}
