package exercise

import (
	"context"
	"time"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// RecordCheckIn records a partner's check-in, and its private note when
// note is not nil. An empty Day is filled with today's local date in the
// relationship's time zone.
func (e *Engine) RecordCheckIn(ctx context.Context, rel trust.RelationshipID, c progress.CheckIn, note *progress.CheckInNote, opts ...Opt) ([]trust.Event, error) {
	base := Command{Actor: trust.PartnerActor(c.Partner)}
	for _, o := range opts {
		o(&base)
	}
	return e.commit(ctx, rel, base.Actor, base.IdempotencyKey, func(st *journeyState, now time.Time) ([]draft, error) {
		if c.Day == "" {
			loc, err := st.journey.Relationship().Location()
			if err != nil {
				return nil, err
			}
			at := base.Time
			if at.IsZero() {
				at = now
			}
			c.Day = at.In(loc).Format(time.DateOnly)
		}
		cmd := base
		cmd.Data = &c
		drafts := []draft{{cmd: cmd}}
		if note != nil {
			n := *note
			n.CheckIn, n.Partner = c.ID, c.Partner
			nc := base
			nc.Data, nc.Visibility = &n, trust.Private
			drafts = append(drafts, draft{cmd: nc})
		}
		return drafts, nil
	})
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
