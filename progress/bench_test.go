package progress_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/schemafile"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// streamGen produces a long, valid-shaped journey stream without holding it
// in memory: one event a minute, mostly check-ins from both partners (some
// sealed per day, some private), exercise completions and skips, and now and
// then an agreement event or a broken term. Sealed check-ins are opened
// in weekly rounds.
type streamGen struct {
	j      *journey
	cached [2]struct {
		day  int
		c    *progress.CheckIn
		seal string
	}
	raws   map[string]*trust.RawPayload
	effort [2][2]practised // per partner: skipped, done
	schema string
	n      int
}

func newStreamGen(t testing.TB) *streamGen {
	g := &streamGen{j: newJourney(t, 77), raws: map[string]*trust.RawPayload{}, schema: schemafile.ID("progress", "checkin", "1.0")}
	for _, typ := range []string{agreement.TypeTermBroken, agreement.TypeSigned} {
		g.raws[typ] = &trust.RawPayload{Type: typ, JSON: []byte(`{"ref":"x"}`)}
	}
	for i, p := range []trust.PartnerID{g.j.A, g.j.B} {
		g.cached[i].day = -1
		g.effort[i] = [2]practised{{Partner: p}, {Partner: p, Done: true}}
	}
	return g
}

func (g *streamGen) first() trust.Event { return g.j.events[0] }

func (g *streamGen) next() trust.Event {
	g.n++
	i := g.n
	at := t0.Add(time.Duration(i) * time.Minute)
	d := i / 1440
	e := trust.Event{SpecVersion: trust.SpecVersion, Source: g.j.events[0].Source, Relationship: g.j.rel.ID,
		Sequence: trust.Sequence(i + 1), Time: at, RecordedTime: at, DataContentType: "application/json", Visibility: trust.Shared}
	var id [16]byte
	binary.BigEndian.PutUint64(id[8:], uint64(i))
	id[6], id[8] = 0x40, 0x80|id[8]&0x3f
	e.ID = trust.EventID(id)
	p := g.j.A
	pi := i % 2
	if pi == 1 {
		p = g.j.B
	}
	e.Actor = trust.PartnerActor(p)
	switch {
	case i%50000 == 0:
		e.Type = agreement.TypeTermBroken
	case i%20000 == 0:
		e.Type = agreement.TypeSigned
	case i%10 == 0:
		e.Type, e.Data = typePractised, &g.effort[pi][min(i%30, 1)]
		return e
	}
	if e.Type != "" {
		e.Data = g.raws[e.Type]
		return e
	}
	{
		cc := &g.cached[pi]
		if cc.day != d {
			v := 3 + (d/30+pi)%6
			cc.day = d
			cc.c = &progress.CheckIn{ID: progress.CheckInID(id), Partner: p, Day: progress.LocalDay(at, time.UTC), Trust: &v}
			cc.seal, _ = trust.SealKeyOf(cc.c) // sealed by its day
		}
		e.Type, e.Data, e.DataSchema = progress.TypeCheckInRecorded, cc.c, g.schema
		switch i % 7 {
		case 3:
			e.Visibility, e.SealKey = trust.Sealed, cc.seal
		case 5:
			e.Visibility = trust.Private
		}
	}
	return e
}

func analyseStream(tb testing.TB, n int) progress.Analysis {
	g := newStreamGen(tb)
	a, err := progress.NewAnalyzer(progress.Options{})
	require.NoError(tb, err)
	require.NoError(tb, a.Observe(g.first()))
	for i := 0; i < n-1; i++ {
		if err := a.Observe(g.next()); err != nil {
			tb.Fatal(err)
		}
	}
	end := t0.Add(time.Duration(n) * time.Minute)
	return a.Analysis(trust.PartnerViewer(g.j.A), end)
}

// benchmarkAnalyse measures the analysis of a stream of n events, from the
// first Observe to the viewer's Analysis. The work is linear in the number of
// events: BenchmarkAnalyze10M reports about the same events/s as
// BenchmarkAnalyze1M (compare them in one run; the machine may be shared).
func benchmarkAnalyse(b *testing.B, n int) {
	b.ReportAllocs()
	for b.Loop() {
		an := analyseStream(b, n)
		if len(an.Partners) != 2 {
			b.Fatal("no partners")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkAnalyze1M(b *testing.B)  { benchmarkAnalyse(b, 1_000_000) }
func BenchmarkAnalyze10M(b *testing.B) { benchmarkAnalyse(b, 10_000_000) }

func BenchmarkTimelineAppend(b *testing.B) {
	g := newStreamGen(b)
	tl := progress.NewTimeline()
	_, _ = tl.Append(g.first())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := g.next()
		e.Data = &progress.CheckIn{ID: progress.CheckInID(e.ID), Partner: g.j.A, Day: "2026-03-02"}
		e.Type, e.DataSchema, e.Actor, e.Visibility, e.SealKey = progress.TypeCheckInRecorded, schemafile.ID("progress", "checkin", "1.0"), trust.PartnerActor(g.j.A), trust.Shared, ""
		if _, err := tl.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}
