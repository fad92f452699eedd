//go:build !unix

package simulate_test

import "time"

// cpuTime is zero where CPU time cannot be read: no per-CPU-second metric.
func cpuTime() time.Duration { return 0 }
