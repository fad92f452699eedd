package simulate_test

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/trust"
)

// encodeJSON is the reference AppendJSON must match: what the generator
// wrote before, json.NewEncoder(w).Encode(e).
func encodeJSON(t require.TestingT, e simulate.ExportEvent) []byte {
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(e))
	return buf.Bytes()
}

// requireSameJSON checks that AppendJSON writes what encoding/json writes,
// and appends to dst without touching what is already there.
func requireSameJSON(t require.TestingT, e simulate.ExportEvent) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	want := string(encodeJSON(t, e))
	require.Equal(t, want, string(e.AppendJSON(nil)))
	require.Equal(t, "prefix\n"+want, string(e.AppendJSON([]byte("prefix\n"))))
}

func ptr[T any](v T) *T { return &v }

// awkward is a string with everything encoding/json escapes: quotes,
// backslashes, every control character, <, > and &, U+2028 and U+2029,
// invalid UTF-8 (a stray byte, a truncated sequence, an encoded surrogate,
// an overlong encoding), around characters it leaves alone (DEL, a valid
// two-, three- and four-byte rune, U+FFFD itself).
var awkward = func() string {
	var b strings.Builder
	b.WriteString(`"quoted" back\slash <a href='x'>&amp;</a> `)
	for c := range byte(0x20) {
		b.WriteByte(c)
	}
	b.WriteString("\x7f é 日 😀 \ufffd \u2028 \u2029 \xff \xe2\x80 \xed\xa0\x80 \xc0\xaf end\\")
	return b.String()
}()

// full is a record with every field set to a value that is not the zero
// value.
func full() simulate.ExportEvent {
	return simulate.ExportEvent{
		Couple: "c-0123456789abcdef", Seq: 7, Type: simulate.ExportType(trust.TypeBreachRecorded), Day: -3, Minute: 1439,
		Actor: "p-0123456789abcdef", Role: simulate.RoleCaused, Visibility: trust.Visibility("shared"),
		Data: simulate.ExportData{
			Partner: "p-0123456789abcdef", Partners: []string{"p-0123456789abcdef", "p-fedcba9876543210"},
			Profile: "mend", ProfileVersion: 2, Phase: "stabilise", Phases: []string{"stabilise", "repair"},
			Consented: ptr(2), Breach: "b-0123456789abcdef", RelatedTo: "b-fedcba9876543210",
			Kind: trust.BreachKind("affair"), Severity: trust.Severity("severe"), Discovery: trust.Discovery("disclosed"),
			RevealedBy: "p-0123456789abcdef", CausedBy: "p-fedcba9876543210", Ongoing: ptr(true), Mutual: ptr(true),
			HappenedDay: ptr(-400), CameToLightDay: ptr(-2), Acknowledgement: "k-0123456789abcdef",
			Response: trust.AckResponse("accepted"), Request: "n-0123456789abcdef", Category: trust.NeedCategory("reassurance"),
			Reply: trust.NeedsReply("yes"), Outcome: trust.NeedsOutcome("met"), Answer: trust.CommitmentAnswer("yes"),
			Flag: "f-0123456789abcdef", SafetyKinds: []trust.SafetyKind{"self_harm", "violence"},
			Granted: ptr(true), IncludeSafety: ptr(true), Paused: ptr(true), From: "stabilise", To: "repair",
			Direction: trust.Direction("advanced"), Agreement: "a-0123456789abcdef", Version: 3,
			Terms: []simulate.ExportTerm{
				{Term: "t-0123456789abcdef", Kind: agreement.TermKind("ritual"), Ritual: "walk", Timing: agreement.TimingKind("recurring"),
					DurationMinutes: 30, GraceMinutes: 15, Committed: 2},
				{Term: "t-fedcba9876543210", Kind: agreement.TermKind("boundary"), Timing: agreement.TimingKind("standing"), Committed: 1},
			},
			Term: "t-0123456789abcdef", Consents: ptr(1), OccurrenceDay: ptr(12), Trust: ptr(7), Safe: ptr(8), Close: ptr(6),
			Instruments: 4, Assignment: "s-0123456789abcdef", Exercise: "gratitude", Scheduler: "rules",
			DueDay: ptr(5), DueDays: ptr(3), Helpful: 4, SkipReason: exercise.SkipReason("busy"), Step: "reflect",
		},
	}
}

// requireNoZeroField fails if a field of v (a struct) or of the first
// element of a struct slice field is the zero value, so that a field added
// to the record cannot be left out of the full case.
func requireNoZeroField(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		require.False(t, f.IsZero(), "%s.%s is not set", v.Type().Name(), v.Type().Field(i).Name)
		switch {
		case f.Kind() == reflect.Struct:
			requireNoZeroField(t, f)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			requireNoZeroField(t, f.Index(0))
		}
	}
}

// TestAppendJSONFullRecordSetsEveryField keeps the full case full: a field
// added to the record must be set there, and so be compared.
func TestAppendJSONFullRecordSetsEveryField(t *testing.T) {
	requireNoZeroField(t, reflect.ValueOf(full()))
}

// TestExportTypesHaveNoMarshalers guards AppendJSON's assumption that every
// field encodes by its kind: a MarshalJSON or MarshalText method added to
// one of the named types (trust.Visibility, trust.BreachKind, ...) would
// change encoding/json's output, and AppendJSON would have to call it.
func TestExportTypesHaveNoMarshalers(t *testing.T) {
	marshalers := []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()}
	seen := map[reflect.Type]bool{}
	var check func(reflect.Type)
	check = func(typ reflect.Type) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		for _, m := range marshalers {
			assert.False(t, typ.Implements(m) || reflect.PointerTo(typ).Implements(m), "%s implements %s", typ, m)
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice:
			check(typ.Elem())
		case reflect.Struct:
			for f := range typ.Fields() {
				check(f.Type)
			}
		}
	}
	check(reflect.TypeFor[simulate.ExportEvent]())
}

// TestAppendJSONMatchesEncodingJSON compares AppendJSON with encoding/json
// on hand-built records: fields set and unset, pointers to zero values, nil
// and empty slices, strings needing escapes, negative and extreme ints.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	withData := func(d simulate.ExportData) simulate.ExportEvent {
		e := full()
		e.Data = d
		return e
	}
	withAwkwardStrings := func() simulate.ExportEvent {
		e := full()
		e.Couple, e.Type, e.Actor, e.Role, e.Visibility = awkward, simulate.ExportType(awkward), awkward, simulate.Role(awkward), trust.Visibility(awkward)
		e.Data.Partner, e.Data.Partners = awkward, []string{awkward, "", awkward}
		e.Data.Kind, e.Data.SafetyKinds = trust.BreachKind(awkward), []trust.SafetyKind{trust.SafetyKind(awkward)}
		e.Data.Terms[0].Term, e.Data.Terms[0].Kind, e.Data.Terms[0].Ritual = awkward, agreement.TermKind(awkward), awkward
		e.Data.Step, e.Data.SkipReason = awkward, exercise.SkipReason(awkward)
		return e
	}
	tests := []struct {
		name string
		e    simulate.ExportEvent
	}{
		{"zero record", simulate.ExportEvent{}},
		{"every field set", full()},
		{"empty data", withData(simulate.ExportData{})},
		{"pointers to zero values", withData(simulate.ExportData{
			Consented: ptr(0), Ongoing: ptr(false), Mutual: ptr(false), HappenedDay: ptr(0), CameToLightDay: ptr(0),
			Granted: ptr(false), IncludeSafety: ptr(false), Paused: ptr(false), Consents: ptr(0), OccurrenceDay: ptr(0),
			Trust: ptr(0), Safe: ptr(0), Close: ptr(0), DueDay: ptr(0), DueDays: ptr(0),
		})},
		{"empty non-nil slices", withData(simulate.ExportData{
			Partners: []string{}, Phases: []string{}, SafetyKinds: []trust.SafetyKind{}, Terms: []simulate.ExportTerm{},
		})},
		{"slices of zero values", withData(simulate.ExportData{
			Partners: []string{"", ""}, Phases: []string{""}, SafetyKinds: []trust.SafetyKind{""}, Terms: []simulate.ExportTerm{{}, {}},
		})},
		{"one element slices", withData(simulate.ExportData{
			Partners: []string{"p-0123456789abcdef"}, Phases: []string{"repair"}, SafetyKinds: []trust.SafetyKind{"violence"},
			Terms: []simulate.ExportTerm{{Term: "t-0123456789abcdef", Kind: "support", Timing: "once", Committed: 1}},
		})},
		{"negative and extreme ints", func() simulate.ExportEvent {
			e := full()
			e.Seq, e.Day, e.Minute = -1, math.MinInt, math.MaxInt
			e.Data.ProfileVersion, e.Data.Version, e.Data.Instruments, e.Data.Helpful = -1, math.MinInt, -10, math.MaxInt
			e.Data.HappenedDay, e.Data.DueDays, e.Data.Trust = ptr(math.MinInt), ptr(-1), ptr(math.MaxInt)
			e.Data.Terms[0].DurationMinutes, e.Data.Terms[0].GraceMinutes, e.Data.Terms[0].Committed = -5, math.MinInt, 0
			return e
		}()},
		{"strings needing escapes", withAwkwardStrings()},
		{"only escapes", func() simulate.ExportEvent {
			e := full()
			e.Couple, e.Actor, e.Data.Partner, e.Data.Step = `"`, `\`, "<>&", "\u2028\u2029"
			e.Data.Profile, e.Data.Phase, e.Data.Exercise = "\x00", "\xff", "\n\r\t\b\f"
			return e
		}()},
		{"escapes at the edges", func() simulate.ExportEvent {
			e := full()
			e.Couple, e.Actor, e.Data.Partner, e.Data.Step = `"start`, `end"`, "<mid>dle", "é\xe2\x80"
			return e
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireSameJSON(t, tt.e)
		})
	}
}

// TestAppendJSONEscapesLikeEncodingJSON pins a few of the escapes to their
// bytes, so a change in the reference would show here too.
func TestAppendJSONEscapesLikeEncodingJSON(t *testing.T) {
	e := simulate.ExportEvent{Couple: "<a&b>\u2028\"\\\x01\xff", Data: simulate.ExportData{Paused: ptr(false), Trust: ptr(0)}}
	assert.Equal(t,
		`{"couple":"\u003ca\u0026b\u003e\u2028\"\\\u0001\ufffd","seq":0,"type":"","day":0,"minute":0,"actor":"","role":"","visibility":"","data":{"paused":false,"trust":0}}`+"\n",
		string(e.AppendJSON(nil)))
}

// exportedRecords simulates and exports the consenting couples among the
// first n of p.
func exportedRecords(t testing.TB, p simulate.Params, n int, includeSafety bool) []simulate.ExportEvent {
	t.Helper()
	var out []simulate.ExportEvent
	for i := range n {
		if !simulate.DrawCouple(p, 1, i).Consented() {
			continue
		}
		c, err := simulate.Simulate(context.Background(), p, 1, i)
		require.NoError(t, err)
		x, ok, err := simulate.Export(c.Events, simulate.ExportOptions{Key: simulate.PseudonymKey(1), IncludeSafety: includeSafety})
		require.NoError(t, err)
		require.True(t, ok)
		out = append(out, x.Events...)
	}
	return out
}

// TestAppendJSONMatchesEncodingJSONOnExportedRecords compares AppendJSON with
// encoding/json on every record a few simulated couples export, one by one
// and as the stream the generator writes.
func TestAppendJSONMatchesEncodingJSONOnExportedRecords(t *testing.T) {
	p := simulate.DefaultParams()
	p.Couples = 12
	// Raise the safety incidence so that safety flags, exported here, occur.
	p.SafetyIncidence = simulate.Triangular{Min: 0.5, Mode: 0.8, Max: 1}
	for _, includeSafety := range []bool{false, true} {
		records := exportedRecords(t, p, p.Couples, includeSafety)
		require.NotEmpty(t, records)
		var got []byte
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		for _, e := range records {
			requireSameJSON(t, e)
			got = e.AppendJSON(got)
			require.NoError(t, enc.Encode(e))
		}
		// The stream as the generator writes it, before and after.
		require.Equal(t, want.String(), string(got))
		t.Logf("include safety %v: %d records, %d bytes", includeSafety, len(records), len(got))
	}
}

// drawString draws strings from pieces encoding/json treats specially,
// plain pseudonym-like text and arbitrary runes and bytes.
func drawString(t *rapid.T, label string) string {
	piece := rapid.OneOf(
		rapid.SampledFrom([]string{
			"p-0123456789abcdef", "repair", `"`, `\`, "/", "<", ">", "&", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f",
			"\x7f", "é", "日", "😀", "\ufffd", "\u2028", "\u2029", "\xff", "\xe2\x80", "\xed\xa0\x80", "\xc0\xaf",
		}),
		rapid.Map(rapid.Rune(), func(r rune) string { return string(r) }),
		rapid.Map(rapid.Byte(), func(b byte) string { return string([]byte{b}) }),
	)
	return strings.Join(rapid.SliceOfN(piece, 0, 6).Draw(t, label), "")
}

// drawInto fills v, field by field, with values that are often the zero
// value (so omitempty fields come and go), nil or not, empty or not.
func drawInto(t *rapid.T, v reflect.Value, label string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(drawString(t, label))
	case reflect.Int:
		v.SetInt(int64(rapid.OneOf(rapid.Just(0), rapid.IntRange(-2, 2), rapid.Int()).Draw(t, label)))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, label))
	case reflect.Pointer:
		if rapid.Bool().Draw(t, label+"!=nil") {
			p := reflect.New(v.Type().Elem())
			drawInto(t, p.Elem(), label)
			v.Set(p)
		}
	case reflect.Slice:
		if n := rapid.IntRange(-1, 3).Draw(t, label+".len"); n >= 0 { // -1: nil
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				drawInto(t, s.Index(i), label+"[]")
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			drawInto(t, v.Field(i), label+"."+v.Type().Field(i).Name)
		}
	default:
		t.Fatalf("%s: cannot draw a %s", label, v.Type())
	}
}

// TestAppendJSONMatchesEncodingJSONOnRandomRecords compares AppendJSON with
// encoding/json on random records, every field drawn.
func TestAppendJSONMatchesEncodingJSONOnRandomRecords(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var e simulate.ExportEvent
		drawInto(t, reflect.ValueOf(&e).Elem(), "e")
		requireSameJSON(t, e)
	})
}

// FuzzAppendJSON checks that AppendJSON writes what encoding/json writes
// for records made of arbitrary strings and ints.
func FuzzAppendJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b, c string, n, m int, set bool) {
		e := simulate.ExportEvent{
			Couple: a, Seq: n, Type: simulate.ExportType(b), Day: m, Minute: -n, Actor: c, Role: simulate.Role(a),
			Visibility: trust.Visibility(b),
			Data: simulate.ExportData{
				Partner: a, Partners: []string{b, c}, Kind: trust.BreachKind(c), Version: m, Step: b,
				SafetyKinds: []trust.SafetyKind{trust.SafetyKind(a)},
				Terms: []simulate.ExportTerm{{Term: a, Kind: agreement.TermKind(b), Ritual: c, Timing: agreement.TimingKind(a),
					DurationMinutes: n, GraceMinutes: m, Committed: n}},
			},
		}
		if set {
			e.Data.Ongoing, e.Data.HappenedDay, e.Data.Trust = &set, &n, &m
		} else {
			e.Data.Paused, e.Data.Partners, e.Data.Terms = &set, []string{}, nil
		}
		requireSameJSON(t, e)
	})
}

// BenchmarkAppendJSON measures AppendJSON on the records the generator
// exports, one record per op, into a reused buffer.
func BenchmarkAppendJSON(b *testing.B) {
	records := exportedRecords(b, benchParams(40), 40, false)
	var buf []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = records[i%len(records)].AppendJSON(buf[:0])
		i++
	}
}

// BenchmarkEncodeJSONExport measures what AppendJSON replaces, a
// json.Encoder writing into a reused buffer, on the same records.
func BenchmarkEncodeJSONExport(b *testing.B) {
	records := exportedRecords(b, benchParams(40), 40, false)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(records[i%len(records)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
