package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// process is the service binary running as a child process.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	stdout *bufio.Scanner
	exited chan struct{} // closed once the process has been waited for
	err    error         // the exit error, once exited is closed
}

// startProcess runs the binary on a free loopback port and waits for the
// line that says where it listens.
func startProcess(t *testing.T, bin, data string) *process {
	t.Helper()
	cmd := exec.Command(bin, "-data", data, "-addr", "127.0.0.1:0")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &process{t: t, cmd: cmd, stdout: bufio.NewScanner(out), exited: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	addr := make(chan string, 1)
	go func() {
		for p.stdout.Scan() {
			if a, ok := strings.CutPrefix(p.stdout.Text(), "wellness-api: listening on "); ok {
				addr <- a
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
		p.err = cmd.Wait()
		close(p.exited)
	}()
	select {
	case p.base = <-addr:
	case <-p.exited:
		t.Fatalf("the service exited before listening: %v", p.err)
	case <-time.After(30 * time.Second):
		t.Fatal("the service did not start listening within 30s")
	}
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop() {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.exited:
		require.NoError(p.t, p.err, "the service exits cleanly on SIGTERM")
	case <-time.After(30 * time.Second):
		p.t.Fatal("the service did not stop within 30s of SIGTERM")
	}
}

// TestBinarySurvivesRestart builds the service, drives it over real TCP,
// stops it with SIGTERM and starts it again on the same data directory:
// every acknowledged write and both tokens survive, and an idempotent retry
// after the restart still applies once.
func TestBinarySurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wellness-api")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")

	p := startProcess(t, bin, data)
	c := startCouple(t, p.base)
	r := call(t, p.base, "POST", c.path("/events"), c.TokS, breachBody(c))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	checkIn := map[string]any{"checkin": map[string]any{"trust": 5}}
	first := call(t, p.base, "POST", c.path("/checkins"), c.TokA, checkIn, "Idempotency-Key", "restart-1")
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	before := call(t, p.base, "GET", c.path("/timeline"), c.TokA, nil)
	require.Equal(t, http.StatusOK, before.Status)
	p.stop()

	tokens, err := os.ReadFile(filepath.Join(data, "tokens.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(tokens), c.TokA, "tokens are stored hashed")
	assert.NotContains(t, string(tokens), c.TokS)

	p = startProcess(t, bin, data)
	after := call(t, p.base, "GET", c.path("/timeline"), c.TokA, nil)
	require.Equal(t, http.StatusOK, after.Status, "Alex's token survived: %s", after.Body)
	assert.JSONEq(t, string(before.Body), string(after.Body), "every acknowledged write survived")
	assert.Len(t, events(t, call(t, p.base, "GET", c.path("/timeline?type=trust.breach_recorded"), c.TokS, nil)), 1, "Sam's token survived")
	again := call(t, p.base, "POST", c.path("/checkins"), c.TokA, checkIn, "Idempotency-Key", "restart-1")
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
	assert.Equal(t, events(t, first)[0]["id"], events(t, again)[0]["id"], "a retry after the restart applies once")
	assert.Len(t, events(t, call(t, p.base, "GET", c.path("/timeline?type=progress.checkin_recorded"), c.TokA, nil)), 1)
	assert.Equal(t, http.StatusUnauthorized, call(t, p.base, "GET", c.path("/view"), "", nil).Status)
	p.stop()
}
