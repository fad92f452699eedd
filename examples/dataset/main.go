// Command dataset generates a reproducible, de-identified research dataset of
// simulated couples' journeys, driving the real exercise engine on a
// simulated clock (package github.com/mendkit/mend/exercise/simulate).
//
// Usage:
//
//	go run ./examples/dataset -out DIR [-params FILE] [-seed N] [-couples N] [-weeks N]
//	    [-workers N] [-shard i/n | -finalize] [-include-safety] [-baseline]
//	    [-cpuprofile FILE] [-memprofile FILE] [-quiet]
//	go run ./examples/dataset -print-defaults > params.json
//
// One machine: the run generates every part and finalizes the dataset
// (couples.csv, panel.csv, codebook, schemas, manifest.json with the SHA-256
// of every file). Several machines (a cluster's batch scheduler): run
// "-shard i/n" for i = 0..n-1 into the same directory (or copy the outputs
// together), then "-finalize" once. The files are byte-identical whatever
// the number of workers or shards.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/mendkit/mend/exercise/simulate"
	"github.com/mendkit/mend/internal/cputime"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dataset:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dataset", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out           = fs.String("out", "", "output directory (required)")
		paramsFile    = fs.String("params", "", "JSON parameter file; missing fields take the defaults (see -print-defaults)")
		seed          = fs.Uint64("seed", 1, "seed of every draw and of the pseudonymisation key")
		couples       = fs.Int("couples", 0, "override the parameter file's number of couples")
		weeks         = fs.Int("weeks", 0, "override the parameter file's number of weeks")
		workers       = fs.Int("workers", runtime.GOMAXPROCS(0), "couples simulated at once")
		shard         = fs.String("shard", "0/1", "write only shard i of n (\"i/n\"); then run -finalize once all shards are written")
		finalize      = fs.Bool("finalize", false, "assemble a dataset whose shards are all written")
		includeSafety = fs.Bool("include-safety", false, "export safety flags (off by default; the manifest records it)")
		baseline      = fs.Bool("baseline", false, "after generating, measure single-core encoding/json throughput on the same kind of events")
		cpuprofile    = fs.String("cpuprofile", "", "write a CPU profile to this file")
		memprofile    = fs.String("memprofile", "", "write an allocation profile of the generation to this file")
		gcPercent     = fs.Int("gc-percent", 1000, "garbage collector target percentage while generating: the live heap is a few megabytes, so a high target means far fewer collections")
		memoryMiB     = fs.Int("memory-limit", 64, "soft memory limit in MiB while generating (0: none); with -gc-percent it holds the process near this size whatever the number of couples")
		quiet         = fs.Bool("quiet", false, "no progress line on stderr")
		printDefaults = fs.Bool("print-defaults", false, "print the default parameters as JSON and exit")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *printDefaults {
		b, err := json.MarshalIndent(simulate.DefaultParams(), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("-out is required")
	}
	params := simulate.DefaultParams()
	if *paramsFile != "" {
		b, err := os.ReadFile(*paramsFile)
		if err != nil {
			return err
		}
		if params, err = simulate.ParseParams(b); err != nil {
			return err
		}
	}
	if *couples > 0 {
		params.Couples = *couples
	}
	if *weeks > 0 {
		params.Weeks = *weeks
	}
	i, n, err := parseShard(*shard)
	if err != nil {
		return err
	}
	cfg := simulate.Config{Params: params, Seed: *seed, IncludeSafety: *includeSafety, Workers: *workers, Shard: i, Shards: n}
	if *finalize {
		m, err := simulate.Finalize(cfg, *out)
		if err != nil {
			return err
		}
		return report(stdout, m)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	debug.SetGCPercent(*gcPercent)
	if *memoryMiB > 0 {
		debug.SetMemoryLimit(int64(*memoryMiB) << 20)
	}
	if !*quiet {
		cfg.Progress = newBarProgress(stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start, cpu0 := time.Now(), cputime.Used()
	counts, err := simulate.Generate(ctx, cfg, *out)
	elapsed, cpu := time.Since(start), cputime.Used()-cpu0
	if err != nil {
		return err
	}
	if *memprofile != "" {
		if err := writeAllocs(*memprofile); err != nil {
			return err
		}
	}
	rate := float64(counts.JourneyEvents) / elapsed.Seconds()
	fmt.Fprintf(stdout, "generated %d couples (%d exported) in %s (%s of CPU): %d journey events, %d exported events, %.0f events/s with %d workers on %d CPUs\n",
		counts.Couples, counts.Exported, elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond), counts.JourneyEvents, counts.Events, rate, cfg.Workers, runtime.NumCPU())
	if n == 1 {
		m, err := simulate.Finalize(cfg, *out)
		if err != nil {
			return err
		}
		if err := report(stdout, m); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "shard %d/%d written to %s; run -finalize with the same -params, -seed and -include-safety once every shard is\n", i, n, *out)
	}
	if *baseline {
		return measureBaseline(stdout, cfg, float64(counts.JourneyEvents), cpu)
	}
	return nil
}

// writeAllocs writes the allocation profile of everything so far.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("-shard %q: want i/n with 0 <= i < n", s)
	}
	return i, n, nil
}

func report(w io.Writer, m simulate.Manifest) error {
	_, err := fmt.Fprintf(w, "dataset: %d parts, %d couples exported of %d (%d without both consents), %d events, %d panel rows, %d files hashed in manifest.json\n",
		m.Parts, m.Counts.Exported, m.Counts.Couples, m.Counts.NoConsent, m.Counts.Events, m.Counts.PanelRows, len(m.Files))
	return err
}
