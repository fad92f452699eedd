package simulate_test

import (
	"context"
	"fmt"
	"os"

	"github.com/mendkit/mend/exercise/simulate"
)

// Simulate one couple through the real engine, then de-identify its stream.
func ExampleExport() {
	p := simulate.DefaultParams()
	p.Weeks = 4
	for i := 0; ; i++ {
		if !simulate.DrawCouple(p, 1, i).Consented() {
			continue // a couple without both consents is never exported
		}
		c, err := simulate.Simulate(context.Background(), p, 1, i)
		if err != nil {
			panic(err)
		}
		x, ok, err := simulate.Export(c.Events, simulate.ExportOptions{Key: simulate.PseudonymKey(1)})
		if err != nil || !ok {
			panic("not exported")
		}
		first := x.Events[0]
		fmt.Println(first.Seq, first.Type, first.Day, first.Role)
		fmt.Println(len(x.Events) <= len(c.Events))
		return
	}
	// Output:
	// 1 trust.journey_started 0 system
	// true
}

// Generate a small dataset on one machine: parts, CSVs, codebook and manifest.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "mend-dataset")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	p := simulate.DefaultParams()
	p.Couples, p.Weeks, p.CouplesPerPart = 6, 2, 4
	m, err := simulate.Run(context.Background(), simulate.Config{Params: p, Seed: 7}, dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Parts, m.Counts.Couples, m.Counts.Exported+m.Counts.NoConsent == 6, m.IncludeSafety)
	for _, f := range m.Files[:3] {
		fmt.Println(f.Path)
	}
	// Output:
	// 2 6 true false
	// codebook.json
	// codebook.md
	// couples.csv
}

// Print the documented defaults of a parameter file.
func ExampleDefaultParams() {
	p := simulate.DefaultParams()
	fmt.Println(p.Couples, p.Weeks, p.ConsentRate, len(p.Profiles))
	// Output: 1000 26 0.8 4
}
