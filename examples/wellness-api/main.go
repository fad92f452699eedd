package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mendkit/mend/exercise"
	"github.com/mendkit/mend/exercise/store"
	"github.com/mendkit/mend/trust"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wellness-api:", err)
		os.Exit(1)
	}
}

// run parses the flags, opens the data directory, serves until SIGINT or
// SIGTERM (or ctx ends), then shuts down gracefully: it stops accepting
// connections, lets requests in flight finish, and closes the store.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wellness-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "wellness-data", "data directory: the event log and the hashed tokens")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	maxBody := fs.Int64("max-body", defaultMaxBody, "largest request body accepted, in bytes")
	journeyBurst := fs.Int("journey-burst", defaultJourneyBurst, "journeys that may start at once (POST /journeys), for the whole server")
	journeyEvery := fs.Duration("journey-every", defaultJourneyEvery, "after a burst, one more journey may start every this long")
	grace := fs.Duration("shutdown-timeout", 15*time.Second, "how long requests in flight may take at shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil))

	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	st, err := store.OpenFile(filepath.Join(*dataDir, "events"), store.FileOptions{Logger: log})
	if err != nil {
		return err
	}
	closeStore := func() error {
		if err := st.Close(); err != nil {
			return fmt.Errorf("closing the store: %w", err)
		}
		return nil
	}
	tok, err := openTokens(filepath.Join(*dataDir, "tokens.json"), log)
	if err != nil {
		return errors.Join(err, closeStore())
	}
	clock := trust.SystemClock{}
	eng, err := exercise.NewEngine(exercise.Options{Store: st, Clock: clock})
	if err != nil {
		return errors.Join(err, closeStore())
	}
	srv, err := newServer(config{Engine: eng, Tokens: tok, Clock: clock, Logger: log, MaxBody: *maxBody,
		JourneyBurst: *journeyBurst, JourneyEvery: *journeyEvery})
	if err != nil {
		return errors.Join(err, closeStore())
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(err, closeStore())
	}
	hs := &http.Server{
		Handler:           srv.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "wellness-api: listening on http://%s\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return errors.Join(err, closeStore())
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	err = hs.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	err = errors.Join(err, closeStore())
	fmt.Fprintln(stdout, "wellness-api: stopped")
	return err
}
