package progress_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// secrets are strings that only Alex (and a professional with safety consent) may ever see.
func secrets(j *journey) []string {
	var out []string
	for _, e := range j.events {
		switch d := e.Data.(type) {
		case *trust.SafetyFlag:
			out = append(out, d.ID.String(), d.Note)
		case *progress.CheckInNote:
			out = append(out, d.Note)
		}
	}
	return append(out, "trust.safety_flag", `"safety_flag"`, "safety_flags_active", "phq-2", "crisis", "I am scared")
}

func TestSafetyFlagNeverReachesTheOtherPartner(t *testing.T) {
	j := withSafetyFlag(t)
	now := day(36)
	tl := progress.NewTimeline()
	_, err := tl.AppendAll(j.events)
	require.NoError(t, err)
	sam := trust.PartnerViewer(j.A)

	a, err := progress.NewAnalyzer(progress.Options{})
	require.NoError(t, err)
	require.NoError(t, a.ObserveAll(j.events))
	r := a.Report(sam, now, progress.ReportOptions{Locale: "en-GB", Crisis: crisis})
	js, err := json.Marshal(r)
	require.NoError(t, err)
	var export bytes.Buffer
	require.NoError(t, progress.WriteJSONL(&export, tl.Read(sam, progress.Query{})))
	sig, ok := r.Analysis.Signals(j.A)
	require.True(t, ok)
	sigJSON, _ := json.Marshal(sig)

	for name, out := range map[string]string{"report json": string(js), "text": r.Text(), "svg": string(r.SVG()),
		"export": export.String(), "signals": string(sigJSON)} {
		for _, s := range secrets(j) {
			assert.False(t, strings.Contains(out, s), "%s of the other partner leaks %q", name, s)
		}
	}
	assert.Empty(t, r.Analysis.Setbacks, "no setback of any kind is visible to Sam")
	assert.Empty(t, r.Analysis.Signs.SafetyFlagsActive)
	assert.Empty(t, r.Analysis.Signs.Distress, "Alex's screen is private")
	for _, rec := range r.Recommendations {
		assert.NotEqual(t, progress.SupportCrisis, rec.Support)
	}
	assert.Empty(t, sig.LastSetback)

	// Sam's view is exactly what it would be if the flag had never been raised.
	var without []trust.Event
	for _, e := range j.events {
		if e.Sensitive() {
			continue
		}
		if _, ok := e.Data.(*progress.CheckInNote); ok {
			continue
		}
		without = append(without, e)
	}
	r2 := analyzer(t, without).Report(sam, now, progress.ReportOptions{Locale: "en-GB", Crisis: crisis})
	js2, _ := json.Marshal(r2)
	assert.Equal(t, string(js2), string(js))
}

func TestSafetyFlagRoutesOnlyToIndividualAndCrisisSupport(t *testing.T) {
	j := withSafetyFlag(t)
	now := day(36)
	// Even with every stall sign, a visible active flag never yields couples or discernment work.
	an := analyze(t, j.events, trust.PartnerViewer(j.B), now)
	an.Signs.CommitmentMixed, an.Signs.PersistentGap, an.Signs.RepeatedSetbacks = true, true, true
	recs := progress.Recommend(an, progress.ReportOptions{Locale: "en-GB", Crisis: crisis, Alignment: trust.AlignmentMixed})
	require.Len(t, recs, 2)
	assert.Equal(t, progress.SupportCrisis, recs[0].Support)
	assert.Equal(t, "Example crisis line (test data)", recs[0].Resources[0].Name)
	assert.Equal(t, progress.SupportIndividual, recs[1].Support)
	assert.Equal(t, j.B, *recs[0].For)
}

func TestProfessionalSeesSafetyOnlyWithSafetyConsent(t *testing.T) {
	now := day(36)
	pro := func(includeSafety bool) progress.Analysis {
		j := withSafetyFlag(t)
		for _, p := range []trust.PartnerID{j.A, j.B} {
			j.add(&trust.ProfessionalConsent{Partner: p, Professional: j.pro, Granted: true, IncludeSafety: includeSafety && p == j.B},
				day(35), trust.PartnerActor(p), trust.Private, "")
		}
		return analyze(t, j.events, trust.ProfessionalViewer(j.pro), now)
	}
	with, without := pro(true), pro(false)
	require.Len(t, with.Setbacks, 1)
	assert.Equal(t, progress.SetbackSafety, with.Setbacks[0].Kind)
	assert.Len(t, with.Signs.SafetyFlagsActive, 1)
	assert.Equal(t, progress.SupportCrisis, progress.Recommend(with, progress.ReportOptions{})[0].Support)
	assert.Empty(t, without.Setbacks, "consent without safety hides the flag")
	assert.Empty(t, without.Signs.SafetyFlagsActive)
	assert.NotEmpty(t, without.Partners[0].Outcome.Series, "shared check-ins are visible with both consents")
}

func TestPausedJointWorkSuggestsNoJointHelp(t *testing.T) {
	j := twoSetbacks(t)
	an := analyze(t, j.events, trust.PartnerViewer(j.A), day(85))
	an.Signs.PersistentGap = true
	for _, rec := range progress.Recommend(an, progress.ReportOptions{JointWorkPaused: true}) {
		assert.Equal(t, progress.SupportIndividual, rec.Support)
		assert.Equal(t, "joint_work_paused", rec.Reasons[0].Code)
	}
}
