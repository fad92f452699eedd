//go:build race

package progress_test

const raceEnabled = true
