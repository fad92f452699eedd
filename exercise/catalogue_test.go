package exercise_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/trust"
)

func TestDefaultCatalogueCoversTheJourney(t *testing.T) {
	cat := exercise.DefaultCatalogue()
	require.GreaterOrEqual(t, cat.Len(), 24)
	assert.Equal(t, "en", cat.Locale())

	// Every phase of every built-in profile has joint work and something solo.
	for _, p := range trust.Profiles() {
		for _, ph := range p.Phases {
			keys := cat.ForPhase(p.Key, ph.Key)
			joint, solo := 0, 0
			for _, k := range keys {
				ex, ok := cat.Lookup(k)
				require.True(t, ok)
				if ex.Mode.Joint() {
					joint++
				} else {
					solo++
				}
			}
			assert.Positive(t, joint, "%s/%s has no joint exercise", p.Key, ph.Key)
			assert.Positive(t, solo, "%s/%s has no solo exercise", p.Key, ph.Key)
		}
	}

	// The steps of the domain, each covered by a named exercise.
	for _, tc := range []struct {
		step, key string
		mode      exercise.Mode
	}{
		{"understanding the causes", "mapping-the-breach", exercise.Together},
		{"each partner's honest account", "my-honest-account", exercise.SeparateThenReveal},
		{"answering the hurt partner's questions", "questions-answered", exercise.Together},
		{"transparency about the future", "next-time", exercise.Together},
		{"sharing a vulnerability", "sharing-a-vulnerability", exercise.Together},
		{"owning an error", "owning-an-error", exercise.Together},
		{"asking for help", "asking-for-help", exercise.Together},
		{"acknowledgement and apology in parts", "acknowledgement-in-parts", exercise.Together},
		{"reflecting feelings until heard", "reflect-until-heard", exercise.Together},
		{"a needs request", "needs-request", exercise.Together},
		{"answering a needs request", "answering-a-need", exercise.Together},
		{"drafting an agreement", "drafting-an-agreement", exercise.Together},
		{"weekly check-in", "weekly-checkin", exercise.Together},
		{"date night planning", "date-night-planning", exercise.Together},
		{"daily reunion", "daily-reunion", exercise.Together},
		{"appreciation", "appreciation", exercise.Together},
		{"regrettable incident", "regrettable-incident", exercise.Together},
		{"repair after a setback", "setback-repair", exercise.Together},
		{"extending trust", "extending-trust", exercise.Together},
		{"commitment check", "commitment-check", exercise.SeparateThenReveal},
		{"self-soothing break", "self-soothing-break", exercise.Solo},
		{"readiness for professional help", "professional-help-readiness", exercise.Solo},
		{"solo track", "solo-steady", exercise.Solo},
		{"reaching for comfort", "reaching-for-comfort", exercise.Together},
		{"forgiveness", "forgiveness-reflection", exercise.SeparateThenReveal},
	} {
		ex, ok := cat.Lookup(tc.key)
		if assert.True(t, ok, "%s: %s missing", tc.step, tc.key) {
			assert.Equal(t, tc.mode, ex.Mode, tc.step)
		}
	}

	// The weekly check-in has its four parts and the regrettable incident its
	// five steps, with the summarise gate after the realities.
	wc, _ := cat.Lookup("weekly-checkin")
	assert.Equal(t, []string{"appreciations", "went-well", "one-issue", "for-you"}, stepKeys(wc))
	ri, _ := cat.Lookup("regrettable-incident")
	assert.Equal(t, []string{"feelings", "realities", "triggers", "responsibility", "plans"}, stepKeys(ri))
	assert.Contains(t, ri.Gates, exercise.StepGate{From: "realities", To: "triggers", Kind: exercise.GateEachCanSummarise, Prompt: ri.Gates[1].Prompt})

	// Rituals map to exercises.
	for ritual, key := range map[string]string{"weekly_checkin": "weekly-checkin", "date_night": "date-night-planning",
		"daily_reunion": "daily-reunion", "daily_appreciation": "appreciation"} {
		got, ok := cat.ForRitual(ritual)
		assert.True(t, ok, ritual)
		assert.Equal(t, key, got, ritual)
	}

	// The questions exercise sets graphic detail aside.
	qa, _ := cat.Lookup("questions-answered")
	assert.Contains(t, qa.Purpose, "graphic detail")
}

func TestDefaultCatalogueSafetyInvariants(t *testing.T) {
	for _, ex := range exercise.DefaultCatalogue().Exercises() {
		if ex.Mode.Joint() {
			assert.Contains(t, ex.Contraindications, exercise.WhileJointWorkPaused, ex.Key)
		}
		if ex.HasTag(exercise.TagIndividualSupport) || ex.HasTag(exercise.TagSoloTrack) {
			assert.Equal(t, exercise.Solo, ex.Mode, ex.Key)
		}
		for _, s := range ex.Steps {
			if s.Answer == exercise.AnswerSealed {
				assert.True(t, ex.Mode.Joint(), "%s/%s", ex.Key, s.Key)
			}
		}
	}
	fs, ok := exercise.DefaultCatalogue().Lookup("finding-support")
	require.True(t, ok)
	for _, s := range fs.Steps {
		assert.Equal(t, exercise.AnswerNone, s.Answer, "finding support keeps nothing in writing")
	}
}

func TestCatalogueRoundTrip(t *testing.T) {
	cat := exercise.DefaultCatalogue()
	b, err := json.Marshal(cat)
	require.NoError(t, err)
	again, err := exercise.ParseCatalogue(b)
	require.NoError(t, err)
	assert.Equal(t, cat.Data(), again.Data())
	b2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))
}

func TestCatalogueAccessorsReturnCopies(t *testing.T) {
	cat := exercise.DefaultCatalogue()
	ex, _ := cat.Lookup("weekly-checkin")
	ex.Steps[0].Title = "changed"
	ex.Tags[0] = "changed"
	again, _ := cat.Lookup("weekly-checkin")
	assert.NotEqual(t, "changed", again.Steps[0].Title)
	assert.NotEqual(t, "changed", again.Tags[0])
}

func stepKeys(ex exercise.Exercise) []string {
	var out []string
	for _, s := range ex.Steps {
		out = append(out, s.Key)
	}
	return out
}

// minimal returns a valid one-exercise catalogue document to break.
func minimal() map[string]any {
	return map[string]any{
		"version": 1, "locale": "en", "title": "test",
		"exercises": []any{
			map[string]any{
				"key": "talk", "title": "Talk", "purpose": "To talk.", "mode": "together", "minutes": 10,
				"serves":            []any{map[string]any{"profile": "mend", "phases": []any{"rebuild"}}},
				"contraindications": []any{"joint_work_paused"}, "cooldown_days": 1,
				"steps": []any{
					map[string]any{"key": "one", "title": "One", "prompt": "Say it.", "answer": "none",
						"turns": []any{map[string]any{"role": "speaker", "prompt": "Speak."}, map[string]any{"role": "listener", "prompt": "Listen."}}, "swap_roles": true},
					map[string]any{"key": "two", "title": "Two", "prompt": "Answer it.", "answer": "sealed"},
				},
				"gates": []any{map[string]any{"from": "one", "to": "two", "kind": "each_can_summarise", "prompt": "Can you each summarise?"}},
			},
			map[string]any{
				"key": "alone", "title": "Alone", "purpose": "To breathe.", "mode": "solo", "minutes": 5,
				"serves": []any{map[string]any{"profile": "gottman-trust-revival"}}, "cooldown_days": 0,
				"steps": []any{map[string]any{"key": "breathe", "title": "Breathe", "prompt": "Breathe.", "answer": "private", "turns": []any{map[string]any{"role": "self", "prompt": "In and out."}}}},
				"tags":  []any{"individual_support"},
			},
		},
	}
}

func ex0(d map[string]any) map[string]any { return d["exercises"].([]any)[0].(map[string]any) }
func ex1(d map[string]any) map[string]any { return d["exercises"].([]any)[1].(map[string]any) }

func TestParseCatalogueRejects(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		edit   func(d map[string]any)
		is     error
		field  string
	}{
		{"duplicate exercise", "two exercises share a key", func(d map[string]any) { ex1(d)["key"] = "talk" }, exercise.ErrDuplicateKey, "exercises.1.key"},
		{"duplicate step", "two steps share a key", func(d map[string]any) {
			ex0(d)["steps"].([]any)[1].(map[string]any)["key"] = "one"
		}, exercise.ErrDuplicateKey, "exercises.0.steps.1.key"},
		{"unknown profile", "placement names no profile", func(d map[string]any) {
			ex0(d)["serves"] = []any{map[string]any{"profile": "nope"}}
		}, exercise.ErrUnknownReference, "exercises.0.serves.0.profile"},
		{"unknown phase", "a phase of another profile", func(d map[string]any) {
			ex0(d)["serves"] = []any{map[string]any{"profile": "mend", "phases": []any{"attune"}}}
		}, exercise.ErrUnknownReference, "exercises.0.serves.0.phases.0"},
		{"duplicate placement", "one profile twice", func(d map[string]any) {
			ex0(d)["serves"] = []any{map[string]any{"profile": "mend"}, map[string]any{"profile": "mend"}}
		}, exercise.ErrDuplicateKey, "exercises.0.serves.1.profile"},
		{"unknown gate step", "a gate to no step", func(d map[string]any) {
			ex0(d)["gates"].([]any)[0].(map[string]any)["to"] = "three"
		}, exercise.ErrUnknownReference, "exercises.0.gates.0.to"},
		{"backward gate", "a gate must point forward", func(d map[string]any) {
			g := ex0(d)["gates"].([]any)[0].(map[string]any)
			g["from"], g["to"] = "two", "one"
		}, trust.ErrInvalid, "exercises.0.gates.0.to"},
		{"unknown requirement", "requires names no exercise", func(d map[string]any) { ex0(d)["requires"] = []any{"ghost"} }, exercise.ErrUnknownReference, "exercises.0.requires.0"},
		{"requirement loop", "two exercises requiring each other", func(d map[string]any) {
			ex0(d)["requires"] = []any{"alone"}
			ex1(d)["requires"] = []any{"talk"}
		}, trust.ErrInvalid, "exercises.1.requires.0"},
		{"joint work without pause", "every joint exercise waits while paused", func(d map[string]any) { delete(ex0(d), "contraindications") }, trust.ErrInvalid, "exercises.0.contraindications"},
		{"solo with pause", "solo support must stay available", func(d map[string]any) { ex1(d)["contraindications"] = []any{"joint_work_paused"} }, trust.ErrInvalid, "exercises.1.contraindications"},
		{"sealed solo", "nobody to reveal to", func(d map[string]any) {
			ex1(d)["steps"].([]any)[0].(map[string]any)["answer"] = "sealed"
		}, trust.ErrInvalid, "exercises.1.steps.0.answer"},
		{"self in joint", "role self is for solo", func(d map[string]any) {
			ex0(d)["steps"].([]any)[0].(map[string]any)["turns"].([]any)[0].(map[string]any)["role"] = "self"
		}, trust.ErrInvalid, "exercises.0.steps.0.turns.0.role"},
		{"swap without speakers", "nothing to swap", func(d map[string]any) {
			ex0(d)["steps"].([]any)[0].(map[string]any)["turns"] = []any{map[string]any{"role": "both", "prompt": "Together."}}
		}, trust.ErrInvalid, "exercises.0.steps.0.swap_roles"},
		{"solo track joint", "solo tags on a joint exercise", func(d map[string]any) { ex0(d)["tags"] = []any{"solo_track"} }, trust.ErrInvalid, "exercises.0.tags"},
		{"duplicate ritual", "one ritual, two exercises", func(d map[string]any) {
			ex0(d)["rituals"] = []any{"weekly_checkin"}
			ex1(d)["rituals"] = []any{"weekly_checkin"}
		}, exercise.ErrDuplicateKey, "exercises.1.rituals.0"},
		{"bad mode", "unknown mode", func(d map[string]any) { ex0(d)["mode"] = "whenever" }, trust.ErrInvalid, "exercises.0.mode"},
		{"no steps", "an exercise needs steps", func(d map[string]any) { ex0(d)["steps"] = []any{} }, trust.ErrInvalid, "exercises.0.steps"},
		{"minutes", "too long", func(d map[string]any) { ex0(d)["minutes"] = 600 }, trust.ErrInvalid, "exercises.0.minutes"},
		{"unknown field", "typos are not ignored", func(d map[string]any) { ex0(d)["minuets"] = 5 }, trust.ErrInvalid, ""},
		{"wrong type", "minutes as text", func(d map[string]any) { ex0(d)["minutes"] = "ten" }, trust.ErrInvalid, "exercises.minutes"},
		{"no version", "version is required", func(d map[string]any) { delete(d, "version") }, trust.ErrInvalid, "version"},
		{"advances", "unknown gate kind", func(d map[string]any) { ex0(d)["advances"] = []any{"vibes"} }, trust.ErrInvalid, "exercises.0.advances.0"},
	}
	base, err := json.Marshal(minimal())
	require.NoError(t, err)
	_, err = exercise.ParseCatalogue(base)
	require.NoError(t, err, "the minimal catalogue is valid")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := minimal()
			tc.edit(d)
			b, err := json.Marshal(d)
			require.NoError(t, err)
			cat, err := exercise.ParseCatalogue(b)
			require.Error(t, err, tc.reason)
			assert.Nil(t, cat)
			assert.ErrorIs(t, err, tc.is, tc.reason)
			assert.ErrorIs(t, err, trust.ErrInvalid, "every catalogue error is a validation error")
			assert.Equal(t, tc.field, fieldOf(err), tc.reason)
		})
	}
}

func TestParseCatalogueTypedErrors(t *testing.T) {
	d := minimal()
	ex0(d)["serves"] = []any{map[string]any{"profile": "mend", "phases": []any{"attune"}}}
	b, _ := json.Marshal(d)
	_, err := exercise.ParseCatalogue(b)
	var re *exercise.ReferenceError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, exercise.RefPhase, re.Kind)
	assert.Equal(t, "attune", re.Ref)
	assert.Equal(t, "profile mend", re.Scope)
	assert.Equal(t, `exercise: exercises.0.serves.0.phases.0: phase "attune" is not in profile mend`, err.Error())

	d = minimal()
	ex1(d)["key"] = "talk"
	b, _ = json.Marshal(d)
	_, err = exercise.ParseCatalogue(b)
	var de *exercise.DuplicateKeyError
	require.True(t, errors.As(err, &de))
	assert.Equal(t, "talk", de.Key)
}

func TestParseCatalogueWithAppProfile(t *testing.T) {
	own := trust.Profile{Key: "our-way", Version: 1, Title: "Our way", Summary: "An app's own profile.",
		Phases: []trust.Phase{{Key: "begin", Title: "Begin", Purpose: "Start."}}}
	d := minimal()
	ex0(d)["serves"] = []any{map[string]any{"profile": "our-way", "phases": []any{"begin"}}}
	b, _ := json.Marshal(d)
	_, err := exercise.ParseCatalogue(b)
	assert.ErrorIs(t, err, exercise.ErrUnknownReference, "unknown to the built-ins")
	cat, err := exercise.ParseCatalogue(b, append(trust.Profiles(), own)...)
	require.NoError(t, err)
	assert.Equal(t, []string{"talk"}, cat.ForPhase("our-way", "begin"))
	assert.Equal(t, []string{"alone"}, cat.ForPhase("gottman-trust-revival", "attach"), "no phases means every phase")
}

func TestParseCatalogueTrailingData(t *testing.T) {
	b, _ := json.Marshal(minimal())
	_, err := exercise.ParseCatalogue(append(b, []byte(" {}")...))
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func fieldOf(err error) string {
	var ve *trust.ValidationError
	var de *exercise.DuplicateKeyError
	var re *exercise.ReferenceError
	switch {
	case errors.As(err, &de):
		return de.Field
	case errors.As(err, &re):
		return re.Field
	case errors.As(err, &ve):
		return ve.Field
	}
	return "?" + err.Error()
}

func FuzzParseCatalogue(f *testing.F) {
	b, _ := json.Marshal(minimal())
	f.Add(b)
	f.Add(exercise.DefaultJSON()[:2000])
	f.Add([]byte(`{"version":1,"locale":"en","title":"x","exercises":[]}`))
	f.Add([]byte(`{"exercises":[{"key":"a","gates":[{"from":"x"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cat, err := exercise.ParseCatalogue(b)
		if err != nil {
			assert.Nil(t, cat)
			assert.ErrorIs(t, err, trust.ErrInvalid)
			assert.True(t, strings.HasPrefix(err.Error(), "exercise: "), err.Error())
			return
		}
		out, err := json.Marshal(cat)
		require.NoError(t, err)
		again, err := exercise.ParseCatalogue(out)
		require.NoError(t, err, "a valid catalogue re-encodes to a valid catalogue")
		assert.Equal(t, cat.Data(), again.Data())
	})
}
