package exercise_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/internal/textrule/texttest"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// Every engine command refuses dirty text with a *trust.ValidationError
// naming the field, and writes nothing.
func TestEngineRefusesDirtyTextAndWritesNothing(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 11)
	c.understand(false)
	alex, sam := trust.PartnerActor(c.a), trust.PartnerActor(c.b)
	commands := []struct {
		field string
		run   func(s string) error
	}{
		{"data.what_happened", func(s string) error {
			_, err := c.eng.RecordAccount(c.ctx, c.rel.ID, alex, trust.Account{Breach: c.breach.ID, WhatHappened: s, MyPart: "m"})
			return err
		}},
		{"data.feeling", func(s string) error {
			_, err := c.eng.RequestNeed(c.ctx, c.rel.ID, sam, trust.NeedsRequest{Category: trust.NeedSpace, Feeling: s, Situation: "s", Need: "n"})
			return err
		}},
		{"data.label", func(s string) error {
			b := c.breach
			b.ID, b.Kind, b.Label = trust.BreachID{}, trust.BreachOther, s
			_, err := c.eng.RecordBreach(c.ctx, c.rel.ID, sam, b)
			return err
		}},
		{"data.reason", func(s string) error {
			_, err := c.eng.SetPause(c.ctx, c.rel.ID, alex, trust.PauseChange{Paused: true, Reason: s})
			return err
		}},
		{"data.feelings.0", func(s string) error {
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(5), Feelings: []string{s}}, nil)
			return err
		}},
		{"data.note", func(s string) error { // the note event's own field
			_, err := c.eng.RecordCheckIn(c.ctx, c.rel.ID, alex, progress.CheckIn{Trust: ptr(5)}, &progress.CheckInNote{Note: s})
			return err
		}},
		{"data.my_part", func(s string) error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, sam, exercise.Command{Data: &trust.Account{Breach: c.breach.ID, WhatHappened: "w", MyPart: s}})
			return err
		}},
		{"sealkey", func(s string) error {
			_, err := c.eng.Do(c.ctx, c.rel.ID, sam, exercise.Command{Data: &trust.Account{Breach: c.breach.ID, WhatHappened: "w", MyPart: "m"},
				Visibility: trust.Sealed, SealKey: s})
			return err
		}},
	}
	for _, cmd := range commands {
		for _, h := range texttest.Hostile {
			before := len(c.events())
			err := cmd.run(h.In)
			var ve *trust.ValidationError
			if assert.True(t, errors.As(err, &ve), "%s refuses %q with a *trust.ValidationError, not %v", cmd.field, h.In, err) {
				assert.Equal(t, cmd.field, ve.Field, "%q", h.In)
				assert.Contains(t, ve.Problem, h.Names, "%s: %q", cmd.field, h.In)
			}
			assert.Len(t, c.events(), before, "%s: %q: nothing was written", cmd.field, h.In)
		}
	}
	_, err := c.eng.RecordAccount(c.ctx, c.rel.ID, alex, trust.Account{Breach: c.breach.ID,
		WhatHappened: "Two lines\n\tindented, in any language: mañana, 日本, 🙂", MyPart: "m"})
	assert.NoError(t, err, "newline, tab and any language are fine")
}

// A journey whose partner's name is dirty is not started.
func TestStartJourneyRefusesADirtyName(t *testing.T) {
	c := newCouple(t, trust.DefaultProfile(), nil, 12)
	rel := c.rel
	rel.ID = mustNew[trust.Relationship](t, c.ids)
	rel.Partners[1].DisplayName = "Sam\u202e"
	_, err := c.eng.StartJourney(c.ctx, rel, trust.DefaultProfile())
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "relationship.partners.1.display_name", ve.Field)
	evs, err := c.eng.Store().Load(c.ctx, rel.ID, 1)
	require.NoError(t, err)
	assert.Empty(t, evs, "nothing was written")
}

// The assignment payloads a partner writes check their text too.
func TestAssignmentTextIsClean(t *testing.T) {
	id := exercise.AssignmentID(mustNew[trust.Event](t, trust.SeededIDs(3)))
	p := mustNew[trust.Partner](t, trust.SeededIDs(4))
	type v = interface{ Validate() error }
	for _, tc := range []struct {
		field string
		with  func(s string) v
	}{
		{"answer", func(s string) v { return exercise.StepAnswered{Assignment: id, Step: "share", Partner: p, Answer: s} }},
		{"reflection", func(s string) v {
			return exercise.AssignmentCompleted{Assignment: id, Partner: p, Helpful: 4, Reflection: s}
		}},
		{"note", func(s string) v {
			return exercise.AssignmentSkipped{Assignment: id, Partner: p, Reason: exercise.SkipOther, Note: s}
		}},
	} {
		require.NoError(t, tc.with("two\nlines\tand 日本 🙂").Validate(), tc.field)
		for _, h := range texttest.Hostile {
			var ve *trust.ValidationError
			require.ErrorAs(t, tc.with(h.In).Validate(), &ve, "%s: %q", tc.field, h.In)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Problem, h.Names)
		}
	}
}

// A catalogue whose wording is dirty, or that has anything after its JSON,
// is refused naming the field.
func TestParseCatalogueRefusesDirtyTextAndTrailingData(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(exercise.DefaultJSON(), &doc))
	for _, h := range texttest.Hostile {
		if h.Names == "UTF-8" {
			continue // JSON encoding would replace the bad byte; see below
		}
		ex := doc["exercises"].([]any)[2].(map[string]any)
		old := ex["purpose"]
		ex["purpose"] = "fine " + h.In
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		ex["purpose"] = old
		_, err = exercise.ParseCatalogue(b)
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%q", h.In)
		assert.Equal(t, "exercises.2.purpose", ve.Field)
		assert.Contains(t, ve.Problem, h.Names)
	}
	b := exercise.DefaultJSON()
	_, err := exercise.ParseCatalogue(append(append([]byte(nil), b...), " \n"...))
	require.NoError(t, err)
	for _, tail := range []string{"}", "]", " x", "{}"} {
		_, err := exercise.ParseCatalogue(append(append([]byte(nil), b...), tail...))
		var ve *trust.ValidationError
		require.ErrorAs(t, err, &ve, "%q", tail)
		assert.Contains(t, ve.Problem, "trailing data", "%q", tail)
	}
}
