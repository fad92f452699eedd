//go:build unix

package progress_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used, which other
// processes on a shared machine disturb far less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
