package simulate_test

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/internal/cputime"
	"github.com/mendkit/mend/trust"
)

// benchParams is the workload of the throughput benchmarks: the default
// model, 26 weeks.
func benchParams(couples int) simulate.Params {
	p := simulate.DefaultParams()
	p.Couples, p.CouplesPerPart = couples, 250
	return p
}

// BenchmarkGenerate measures the generator end to end (simulate, export,
// summarise, encode and write) with every core, in journey events per
// second and per CPU-second, with the garbage collector set as
// examples/dataset sets it. Run it beside BenchmarkEncodeOnly in the same go
// test run and compare the events/cpu-s columns:
//
//	go test ./exercise/simulate -run '^$' -bench 'Generate|EncodeOnly' -benchtime 3s
func BenchmarkGenerate(b *testing.B) {
	p := benchParams(1000)
	defer debug.SetGCPercent(debug.SetGCPercent(1000))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
	events := 0
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		c, err := simulate.Generate(context.Background(), simulate.Config{Params: p, Seed: 1, Workers: runtime.GOMAXPROCS(0)}, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		events += c.JourneyEvents
	}
	reportRates(b, events, cputime.Used()-cpu0)
}

// reportRates reports events per second and, where CPU time can be read,
// per CPU-second.
func reportRates(b *testing.B, events int, cpu time.Duration) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	}
}

// BenchmarkEncodeOnly measures encoding/json alone, on one goroutine, over
// the events the generator makes: the engine's journey events and the
// exported records.
func BenchmarkEncodeOnly(b *testing.B) {
	p := benchParams(40)
	var journey []trust.Event
	var exported []simulate.ExportEvent
	for i := range p.Couples {
		if !simulate.DrawCouple(p, 1, i).Consented() {
			continue
		}
		c, err := simulate.Simulate(context.Background(), p, 1, i)
		if err != nil {
			b.Fatal(err)
		}
		x, _, err := simulate.Export(c.Events, simulate.ExportOptions{Key: simulate.PseudonymKey(1)})
		if err != nil {
			b.Fatal(err)
		}
		journey = append(journey, c.Events...)
		exported = append(exported, x.Events...)
	}
	b.Run("journey-events", func(b *testing.B) { encode(b, journey) })
	b.Run("export-records", func(b *testing.B) { encode(b, exported) })
}

func encode[T any](b *testing.B, events []T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	n := 0
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		for _, e := range events {
			if _, err := json.Marshal(e); err != nil {
				b.Fatal(err)
			}
		}
		n += len(events)
	}
	reportRates(b, n, cputime.Used()-cpu0)
}

// BenchmarkSimulate measures simulating one couple's 26 weeks through the
// engine on one goroutine, without export: the engine's share of the
// generator's time.
func BenchmarkSimulate(b *testing.B) {
	p := benchParams(64)
	events, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		c, err := simulate.Simulate(context.Background(), p, 1, i%p.Couples)
		if err != nil {
			b.Fatal(err)
		}
		events += len(c.Events)
		i++
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
