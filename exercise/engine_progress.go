package exercise

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// RecordCheckIn records a partner's check-in, and its private note when
// note is not nil (Partner, in both, is by's). A zero ID is filled in and
// returned, and an empty Day is the local date, in the relationship's time
// zone, of when the check-in happened. The note belongs to the check-in: a
// zero CheckIn is filled in, and one naming another check-in is refused.
func (e *Engine) RecordCheckIn(ctx context.Context, rel trust.RelationshipID, by trust.Actor, c progress.CheckIn, note *progress.CheckInNote, opts ...Opt) (Result[progress.CheckInID], error) {
	if note == nil {
		return record(ctx, e, rel, by, &c, opts, func(c *progress.CheckIn) progress.CheckInID { return c.ID })
	}
	base := Command{}
	for _, o := range opts {
		o(&base)
	}
	if err := by.Validate(); err != nil {
		return Result[progress.CheckInID]{}, err
	}
	events, err := e.commit(ctx, rel, by, base.IdempotencyKey, func(st *journeyState, now time.Time) ([]draft, error) {
		at := base.Time
		if at.IsZero() {
			at = now
		}
		data, err := e.fill(st, by, at, &c)
		if err != nil {
			return nil, err
		}
		ci := data.(*progress.CheckIn)
		n := *note
		switch {
		case n.CheckIn.IsZero():
			n.CheckIn = ci.ID
		case n.CheckIn != ci.ID:
			return nil, check.Invalid("exercise", "note.checkin", "names check-in %s, not the one recorded with it", n.CheckIn)
		}
		nd, err := e.fill(st, by, at, &n)
		if err != nil {
			var ve *trust.ValidationError
			if errors.As(err, &ve) {
				return nil, check.Invalid(ve.Pkg, "note."+strings.TrimPrefix(ve.Field, "data."), "%s", ve.Problem)
			}
			return nil, err
		}
		cmd := base
		cmd.Data = ci
		nc := base
		nc.Data, nc.Visibility, nc.SealKey = nd, trust.Private, ""
		return []draft{{by: by, cmd: cmd}, {by: by, cmd: nc}}, nil
	})
	if err != nil {
		return Result[progress.CheckInID]{}, err
	}
	return resultOf(events, func(c *progress.CheckIn) progress.CheckInID { return c.ID }), nil
}

// Report builds a viewer's progress report from the events that viewer may
// see: a partner's report never shows the other's private entries or safety
// flag. Render it with Report.Text or Report.SVG.
func (e *Engine) Report(ctx context.Context, rel trust.RelationshipID, viewer trust.Viewer, locale string) (progress.Report, error) {
	st, err := e.state(ctx, rel)
	if err != nil {
		return progress.Report{}, err
	}
	events, err := e.store.Load(ctx, rel, 1)
	if err != nil {
		return progress.Report{}, err
	}
	now := e.clock.Now().UTC()
	st.mu.Lock()
	view := st.journey.View(viewer, now)
	st.mu.Unlock()
	a, err := progress.NewAnalyzer(e.analysis)
	if err != nil {
		return progress.Report{}, err
	}
	if err := a.ObserveAll(events); err != nil {
		return progress.Report{}, err
	}
	return a.Report(viewer, now, progress.ReportOptions{Locale: locale, Crisis: e.crisis,
		Alignment: view.Alignment, JointWorkPaused: view.JointWorkPaused}), nil
}

// Recommendations returns the professional-help recommendations of a
// viewer's report, with their reasons: information, never a diagnosis.
func (e *Engine) Recommendations(ctx context.Context, rel trust.RelationshipID, viewer trust.Viewer, locale string) ([]progress.Recommendation, error) {
	r, err := e.Report(ctx, rel, viewer, locale)
	if err != nil {
		return nil, err
	}
	return r.Recommendations, nil
}
