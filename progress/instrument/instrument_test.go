package instrument_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/progress/instrument"
	"github.com/mendkit/mend/trust"
)

func answers(pairs ...any) []instrument.Answer {
	var out []instrument.Answer
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, instrument.Answer{Item: pairs[i].(string), Value: pairs[i+1].(int)})
	}
	return out
}

func TestScore(t *testing.T) {
	rhz, err := instrument.RempelHolmesZanna("predictability_1")
	require.NoError(t, err)
	all18 := func(v int) []instrument.Answer {
		var out []instrument.Answer
		for i := 1; i <= 18; i++ {
			out = append(out, instrument.Answer{Item: fmt.Sprint(i), Value: v})
		}
		return out
	}
	tests := []struct {
		name      string
		id        string
		def       *instrument.Definition
		answers   []instrument.Answer
		total     *float64
		prorated  bool
		subscales map[string]float64
		reason    string
	}{
		{name: "csi-4 sum", id: instrument.CSI4, answers: answers("1", 4, "2", 3, "3", 3, "4", 3), total: f(13), reason: "item 1 runs 0–6, the rest 0–5"},
		{name: "csi-4 skipped", id: instrument.CSI4, answers: answers("1", 4, "2", 3), reason: "require_complete leaves the total missing"},
		{name: "pulse reverse", id: instrument.TrustPulse, answers: answers("follow_through", 6, "honest_with", 6, "open_with_me", 6, "second_guess", 0), total: f(24),
			reason: "the reverse-keyed item scores 6 - 0"},
		{name: "pulse prorate", id: instrument.TrustPulse, answers: answers("follow_through", 4, "honest_with", 5, "second_guess", 2), total: f(17.3333), prorated: true,
			reason: "three of four answered: mean × 4"},
		{name: "pulse too few", id: instrument.TrustPulse, answers: answers("follow_through", 4), reason: "below min_answered"},
		{name: "dts reverse 1 2 6", id: instrument.DTS, answers: answers("1", 7, "2", 7, "3", 7, "4", 7, "5", 7, "6", 7, "7", 7, "8", 7), total: f(38),
			reason: "three reversed items score 1 each: 5×7 + 3×1"},
		{name: "trim-18 subscales", id: instrument.TRIM18, answers: all18(5), total: f(66),
			subscales: map[string]float64{"avoidance": 35, "revenge": 25, "low_benevolence": 6}, reason: "benevolence is reverse-keyed in the unforgiveness total"},
		{name: "phq-2", id: instrument.PHQ2, answers: answers("1", 2, "2", 1), total: f(3)},
		{name: "rhz means", def: &rhz, answers: func() []instrument.Answer {
			var out []instrument.Answer
			for _, d := range rhz.Items {
				out = append(out, instrument.Answer{Item: d.ID, Value: 3})
			}
			return out
		}(), total: f(2.6471), subscales: map[string]float64{"predictability": 1.8, "dependability": 3, "faith": 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := instrument.Lookup(tc.id)
			if tc.def != nil {
				d, ok = *tc.def, true
			}
			require.True(t, ok)
			s, err := d.Score(instrument.Response{Instrument: d.ID, Version: d.Version, Answers: tc.answers})
			require.NoError(t, err)
			if tc.total == nil {
				assert.Nil(t, s.Total, tc.reason)
			} else {
				require.NotNil(t, s.Total, tc.reason)
				assert.InDelta(t, *tc.total, *s.Total, 1e-3, tc.reason)
			}
			assert.Equal(t, tc.prorated, s.Prorated, tc.reason)
			for _, sub := range s.Subscales {
				if want, ok := tc.subscales[sub.Subscale]; ok {
					require.NotNil(t, sub.Value, sub.Subscale)
					assert.InDelta(t, want, *sub.Value, 1e-3, sub.Subscale)
				}
			}
		})
	}
}

func TestResponseValidation(t *testing.T) {
	d, _ := instrument.Lookup(instrument.CSI4)
	tests := []struct {
		name, field string
		r           instrument.Response
	}{
		{name: "wrong instrument", field: "instrument", r: instrument.Response{Instrument: "gad-2", Version: "1"}},
		{name: "wrong version", field: "version", r: instrument.Response{Instrument: "csi-4", Version: "9"}},
		{name: "unknown item", field: "answers.0.item", r: instrument.Response{Instrument: "csi-4", Version: "1", Answers: answers("5", 1)}},
		{name: "out of scale", field: "answers.0.value", r: instrument.Response{Instrument: "csi-4", Version: "1", Answers: answers("2", 6)}},
		{name: "twice", field: "answers.1.item", r: instrument.Response{Instrument: "csi-4", Version: "1", Answers: answers("2", 1, "2", 2)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Score(tc.r)
			var ve *trust.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, trust.ErrInvalid)
		})
	}
}

func TestDefinitionValidation(t *testing.T) {
	base, _ := instrument.Lookup(instrument.TrustPulse)
	tests := []struct {
		name, field string
		mod         func(*instrument.Definition)
	}{
		{name: "range", field: "range", mod: func(d *instrument.Definition) { d.Range.Max = 30 }},
		{name: "subscale item", field: "subscales.0.items.0", mod: func(d *instrument.Definition) {
			d.Subscales = []instrument.Subscale{{ID: "x", Title: "X", Items: []string{"nope"}, Aggregate: instrument.Sum, Direction: instrument.HigherIsBetter}}
		}},
		{name: "text required", field: "items.0.text", mod: func(d *instrument.Definition) {
			d.Items = append([]instrument.Item(nil), d.Items...)
			d.Items[0].Text = ""
		}},
		{name: "min answered", field: "min_answered", mod: func(d *instrument.Definition) { d.MinAnswered = 9 }},
		{name: "cutoff outside", field: "cutoffs.0.score", mod: func(d *instrument.Definition) {
			d.Cutoffs = []instrument.Cutoff{{Score: 99, Label: "x"}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.mod(&d)
			var ve *trust.ValidationError
			require.ErrorAs(t, d.Validate(), &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	_, err := instrument.RempelHolmesZanna("faith_9")
	assert.ErrorIs(t, err, trust.ErrInvalid)
}

func TestReliableChange(t *testing.T) {
	c, ok := instrument.ReliableChange(3, 7, 2, 0.8, instrument.HigherIsBetter)
	require.True(t, ok)
	assert.InDelta(t, 4/(1.4142135*2*0.4472136), c.Index, 1e-3)
	assert.Equal(t, instrument.Improved, c.Direction)
	c, _ = instrument.ReliableChange(10, 16, 3, 0.9, instrument.HigherIsWorse)
	assert.Equal(t, instrument.Worsened, c.Direction, "a rise on a higher-is-worse scale is worse")
	c, _ = instrument.ReliableChange(5, 5.5, 2, 0.8, instrument.HigherIsBetter)
	assert.Equal(t, instrument.NoReliableChange, c.Direction)
	_, ok = instrument.ReliableChange(1, 2, 0, 0.8, instrument.HigherIsBetter)
	assert.False(t, ok, "no SD, no index")
}

func TestBandsAreForProfessionals(t *testing.T) {
	d, _ := instrument.Lookup(instrument.CSI4)
	assert.Len(t, d.Bands(13), 1)
	assert.Empty(t, d.Bands(14))
	assert.True(t, instrument.IsScreen(instrument.GAD2))
	assert.False(t, instrument.IsScreen(instrument.CSI4))
}

func FuzzScore(f *testing.F) {
	f.Add([]byte(`{"instrument":"csi-4","version":"1","answers":[{"item":"1","value":3}]}`), uint8(0))
	f.Add([]byte(`{"instrument":"mend-trust-pulse","version":"1","answers":[{"item":"second_guess","value":9}]}`), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, which uint8) {
		defs := instrument.Builtins()
		d := defs[int(which)%len(defs)]
		var r instrument.Response
		if json.Unmarshal(in, &r) != nil {
			return
		}
		s, err := d.Score(r)
		if err != nil || s.Total == nil {
			return
		}
		if *s.Total < d.Range.Min-1e-9 || *s.Total > d.Range.Max+1e-9 {
			t.Fatalf("%s total %v outside %v", d.ID, *s.Total, d.Range)
		}
	})
}

func f(v float64) *float64 { return &v }

// Score a CSI-4 response; the cut-off bands stay with professionals.
func ExampleDefinition_Score() {
	d, _ := instrument.Lookup(instrument.CSI4)
	s, err := d.Score(instrument.Response{Instrument: "csi-4", Version: "1", Answers: []instrument.Answer{
		{Item: "1", Value: 4}, {Item: "2", Value: 4}, {Item: "3", Value: 3}, {Item: "4", Value: 4}}})
	fmt.Println(*s.Total, err)
	// Output: 15 <nil>
}

// The Reliable Change Index tells a real change from measurement noise.
func ExampleReliableChange() {
	c, _ := instrument.ReliableChange(12, 18, 4.5, 0.9, instrument.HigherIsBetter)
	fmt.Println(c.Index, c.Direction)
	// Output: 2.981 improved
}
