//go:build !unix

// Package cputime reads the CPU time the process has used: rates per
// CPU-second are what other work on a shared machine disturbs least, so the
// throughput benchmarks and the dataset command's baseline report them.
package cputime

import "time"

// Used is zero where the process's CPU time cannot be read.
func Used() time.Duration { return 0 }
