package exercise_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

// examplePayload decodes the first published passing example of a type's
// schema, with the given fields of its JSON replaced.
func examplePayload(t *testing.T, typ string, patch map[string]any) trust.Payload {
	t.Helper()
	spec, ok := trust.LookupEventType(typ)
	require.True(t, ok, typ)
	rest, _ := strings.CutPrefix(spec.Schema, trust.SchemaBase)
	pkg, file, _ := strings.Cut(strings.TrimSuffix(rest, ".json"), "/")
	i := strings.LastIndex(file, "-")
	dir := filepath.Join("..", pkg, "testdata", "schemas", file[:i], file[i+1:], "pass")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries, dir)
	b, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	for k, v := range patch {
		doc[k] = v
	}
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	p := spec.New()
	require.NoError(t, json.Unmarshal(b, p))
	return p
}

// TestEngineRefusesWhatAWriterMayNotWrite writes through the generic
// command path, Engine.Do, what each type's writers forbid: engine-only
// types from a partner or a professional without consent, refused by the
// journey fold with ErrNotWriter naming "actor"; a payload in the other
// partner's name, which the engine refuses before any fold, as it fills
// the payload, with a *trust.ValidationError naming "data.partner" (the
// fold would refuse it too: see trust's writers matrix). Nothing is written.
func TestEngineRefusesWhatAWriterMayNotWrite(t *testing.T) {
	pro := trust.ProfessionalID{0x5a, 1}
	for _, tt := range []struct {
		name  string
		typ   string
		by    func(c *couple) trust.Actor
		patch func(c *couple) map[string]any
		want  error  // nil: accepted
		field string // the field the refusal names
	}{
		{name: "a partner changes the phase", typ: trust.TypePhaseChanged, want: trust.ErrNotWriter, field: "actor"},
		{name: "a partner starts the journey again", typ: trust.TypeJourneyStarted, want: trust.ErrNotWriter, field: "actor"},
		{name: "a partner activates an agreement", typ: "agreement.activated", want: trust.ErrNotWriter, field: "actor"},
		{name: "a partner lapses a term", typ: "agreement.lapsed", want: trust.ErrNotWriter, field: "actor"},
		{name: "a partner expires an assignment", typ: exercise.TypeAssignmentExpired, want: trust.ErrNotWriter, field: "actor",
			patch: func(c *couple) map[string]any { return map[string]any{"participants": []string{c.a.String()}} }},
		{name: "a partner records their own reminder", typ: exercise.TypeReminderSent, want: trust.ErrNotWriter, field: "actor",
			patch: func(c *couple) map[string]any {
				plan := c.plan(c.a)
				require.NotEmpty(c.t, plan.Items)
				return map[string]any{"partner": c.a.String(), "assignment": plan.Items[0].Assignment.ID.String()}
			}},
		{name: "a check-in in the other's name", typ: "progress.checkin_recorded", want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "a private note in the other's name", typ: "progress.checkin_note_recorded", want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "a commitment in the other's name", typ: trust.TypeCommitmentStated, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "a safety flag in the other's name", typ: trust.TypeSafetyFlagRaised, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "an account in the other's name", typ: trust.TypeAccountGiven, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "a step answered in the other's name", typ: exercise.TypeStepAnswered, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "professional consent in the other's name", typ: trust.TypeProfessionalConsent, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "research consent in the other's name", typ: trust.TypeResearchConsent, want: trust.ErrInvalid, field: "data.partner", patch: aboutB},
		{name: "the app writes a partner's commitment", typ: trust.TypeCommitmentStated, want: trust.ErrInvalid, field: "data.partner",
			by: func(*couple) trust.Actor { return trust.SystemActor }, patch: aboutA},
		{name: "a professional without consent records a breach", typ: trust.TypeBreachRecorded, want: trust.ErrNotWriter, field: "actor",
			by: func(*couple) trust.Actor { return trust.ProfessionalActor(pro) }},
		{name: "a partner's own commitment", typ: trust.TypeCommitmentStated, patch: aboutA},
		{name: "a partner's own research consent", typ: trust.TypeResearchConsent, patch: aboutA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCouple(t, trust.DefaultProfile(), store.NewMemory(), 11)
			by := trust.PartnerActor(c.a)
			if tt.by != nil {
				by = tt.by(c)
			}
			var patch map[string]any
			if tt.patch != nil {
				patch = tt.patch(c)
			}
			before := len(c.events())
			_, err := c.eng.Do(c.ctx, c.rel.ID, by, exercise.Command{Data: examplePayload(t, tt.typ, patch)})
			if tt.want == nil {
				require.NoError(t, err)
				assert.Greater(t, len(c.events()), before)
				return
			}
			require.ErrorIs(t, err, tt.want)
			if ve := (*trust.ValidationError)(nil); errors.As(err, &ve) {
				assert.Equal(t, tt.field, ve.Field)
			} else {
				var te *trust.TransitionError
				require.ErrorAs(t, err, &te)
				assert.True(t, strings.HasPrefix(te.Reason, tt.field+": "), "%q names %s", te.Reason, tt.field)
			}
			assert.Len(t, c.events(), before, "nothing is written")
		})
	}
}

func aboutA(c *couple) map[string]any { return map[string]any{"partner": c.a.String()} }
func aboutB(c *couple) map[string]any { return map[string]any{"partner": c.b.String()} }

// TestAdvancePhaseIsWrittenByTheEngine: a partner asks, the engine writes.
func TestAdvancePhaseIsWrittenByTheEngine(t *testing.T) {
	ids := trust.SeededIDs(12)
	clock := trust.NewManualClock(engineT0)
	eng, err := exercise.NewEngine(exercise.Options{Store: store.NewMemory(), Clock: clock, IDs: ids, ManualPhases: true})
	require.NoError(t, err)
	a, b := mustNew[trust.Partner](t, ids), mustNew[trust.Partner](t, ids)
	rel := trust.Relationship{ID: mustNew[trust.Relationship](t, ids), TimeZone: "Europe/London", Started: engineT0,
		Partners: [2]trust.Partner{{ID: a, DisplayName: "Alex"}, {ID: b, DisplayName: "Sam"}}}
	profile := trust.DefaultProfile()
	profile.Phases[0].Exit, profile.Phases[1].Entry = nil, nil // the first move is free
	require.NoError(t, profile.Validate())
	_, err = eng.StartJourney(t.Context(), rel, profile)
	require.NoError(t, err)
	res, err := eng.AdvancePhase(t.Context(), rel.ID, trust.PartnerActor(a))
	require.NoError(t, err)
	require.NotEmpty(t, res.Events)
	assert.Equal(t, trust.TypePhaseChanged, res.Events[0].Type)
	assert.Equal(t, trust.SystemActor, res.Events[0].Actor)
}
