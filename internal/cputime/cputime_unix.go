//go:build unix

// Package cputime reads the CPU time the process has used: rates per
// CPU-second are what other work on a shared machine disturbs least, so the
// throughput benchmarks and the dataset command's baseline report them.
package cputime

import (
	"syscall"
	"time"
)

// Used returns the CPU time (user and system) this process has used so far,
// or zero where it cannot be read.
func Used() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
