//go:build !race

package progress_test

const raceEnabled = false
