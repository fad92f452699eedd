//go:build !unix

package main

import "time"

// cpuTime is zero where the process's CPU time cannot be read; the rates
// per CPU-second are then not printed.
func cpuTime() time.Duration { return 0 }
