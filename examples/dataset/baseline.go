package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/internal/cputime"
	"github.com/mendkit/mend/trust"
)

// measureBaseline measures encoding/json alone on one core over events of
// the same run: the journey events of the dataset's first consenting couples
// (simulated again, unmeasured) and their exported records. Both rates are
// per CPU-second, like the generator's (events over the CPU time the
// generation used), so that other work on a shared machine, which steals
// wall time, moves neither; it prints them side by side.
func measureBaseline(w io.Writer, cfg simulate.Config, events float64, cpu time.Duration) error {
	var journey []trust.Event
	var exported []simulate.ExportEvent
	key := simulate.PseudonymKey(cfg.Seed)
	for i := 0; i < cfg.Params.Couples && len(journey) < 20000; i++ {
		if !simulate.DrawCouple(cfg.Params, cfg.Seed, i).Consented() {
			continue
		}
		c, err := simulate.Simulate(context.Background(), cfg.Params, cfg.Seed, i)
		if err != nil {
			return err
		}
		x, _, err := simulate.Export(c.Events, simulate.ExportOptions{Key: key, IncludeSafety: cfg.IncludeSafety})
		if err != nil {
			return err
		}
		journey = append(journey, c.Events...)
		exported = append(exported, x.Events...)
	}
	// The baseline gets the runtime's defaults, not the generator's GC
	// settings, and the better of two rounds: the bar is set by encoding at
	// its fastest.
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	runtime.GC()
	var a, b float64
	for range 2 {
		x, err := encodeRate(journey)
		if err != nil {
			return err
		}
		y, err := encodeRate(exported)
		if err != nil {
			return err
		}
		a, b = max(a, x), max(b, y)
	}
	fmt.Fprintf(w, "baseline (GOMAXPROCS=1, encoding/json only, %d events): journey events %.0f events per CPU-second, export records %.0f\n", len(journey), a, b)
	if cpu <= 0 {
		fmt.Fprintln(w, "generator: this platform does not report CPU time")
		return nil
	}
	generated := events / cpu.Seconds()
	fmt.Fprintf(w, "generator end to end: %.0f events per CPU-second = %.2fx the journey-event encode-only rate\n", generated, generated/a)
	return nil
}

// encodeRate marshals the events repeatedly for about a second and
// returns events per CPU-second (per wall second where CPU time cannot be
// read).
func encodeRate[T any](events []T) (float64, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n := 0
	start, cpu0 := time.Now(), cputime.Used()
	for time.Since(start) < time.Second {
		for _, e := range events {
			if _, err := json.Marshal(e); err != nil {
				return 0, err
			}
		}
		n += len(events)
	}
	if cpu := cputime.Used() - cpu0; cpu > 0 {
		return float64(n) / cpu.Seconds(), nil
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
