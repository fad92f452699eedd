//go:build unix

package simulate_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used; a rate per
// CPU-second is what other work on a shared machine disturbs least.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
