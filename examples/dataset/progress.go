package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/mendkit/mend/exercise/simulate"
)

// barProgress shows the run on stderr with github.com/schollz/progressbar:
// couples done out of the total, and the events written and events/s in the
// description. It implements simulate.Progress; the data written never
// depends on it.
type barProgress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	start  time.Time
	events int
}

var _ simulate.Progress = (*barProgress)(nil)

func newBarProgress(w io.Writer) *barProgress { return &barProgress{w: w} }

func (p *barProgress) Start(couples int) {
	p.start = time.Now()
	p.bar = progressbar.NewOptions64(int64(couples),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetDescription("couples"),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
}

func (p *barProgress) Add(couples, events int) {
	p.events += events
	if el := time.Since(p.start).Seconds(); el > 0 {
		p.bar.Describe(fmt.Sprintf("couples · %d events · %.0f events/s", p.events, float64(p.events)/el))
	}
	_ = p.bar.Add(couples)
}

func (p *barProgress) Finish() { _ = p.bar.Finish() }
