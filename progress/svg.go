package progress

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// Chart geometry.
const (
	chartW, chartH                     = 720.0, 320.0
	marginL, marginR, marginT, marginB = 44.0, 16.0, 40.0, 48.0
)

var (
	partnerColours = [2]string{"#2b6cb0", "#b7791f"}
	bandColours    = [2]string{"#edf2f7", "#f7fafc"}
)

// SVG renders the report's chart as a standalone SVG document: each
// partner's daily trust (dots) and smoothed level (line) on a 0–10 scale over
// time, the journey's phases as background bands, setbacks as red dashed
// markers and agreement events as ticks along the bottom. It shows only what
// the report holds, so it reveals nothing the viewer may not see. The output
// is well-formed XML and byte-identical for the same report.
func (r Report) SVG() []byte {
	an := r.Analysis
	var b bytes.Buffer
	w := func(s ...string) {
		for _, x := range s {
			b.WriteString(x)
		}
	}
	// The x domain runs from the first thing shown to the analysis day.
	today, _ := parseDay(an.Today)
	first := today
	consider := func(day string) {
		if d, err := parseDay(day); err == nil && d < first {
			first = d
		}
	}
	for _, s := range an.Phases {
		consider(s.StartDay)
	}
	for _, p := range an.Partners {
		for _, pt := range p.Outcome.Series {
			consider(pt.Day)
		}
	}
	for _, s := range an.Setbacks {
		consider(s.Day)
	}
	for _, m := range an.Agreements {
		consider(m.Day)
	}
	span := float64(today - first)
	if span < 1 {
		span = 1
	}
	plotW, plotH := chartW-marginL-marginR, chartH-marginT-marginB
	x := func(day int) float64 { return marginL + float64(day-first)/span*plotW }
	xs := func(day string) float64 { d, _ := parseDay(day); return x(d) }
	y := func(v float64) float64 { return marginT + (10-v)/10*plotH }

	w(`<svg xmlns="http://www.w3.org/2000/svg" width="`, f1(chartW), `" height="`, f1(chartH), `" viewBox="0 0 `, f1(chartW), " ", f1(chartH),
		`" role="img" aria-labelledby="title" font-family="sans-serif" font-size="11">`, "\n")
	w(`<title id="title">Trust over time, as of `, esc(an.Today), `</title>`, "\n")
	w(`<rect x="0" y="0" width="`, f1(chartW), `" height="`, f1(chartH), `" fill="#ffffff"/>`, "\n")

	// Phase bands.
	w(`<g class="phases">`, "\n")
	for i, s := range an.Phases {
		x0 := xs(s.StartDay)
		x1 := x(today)
		if s.EndDay != "" {
			x1 = xs(s.EndDay)
		}
		if x1 < x0 {
			x1 = x0
		}
		w(`<rect x="`, f1(x0), `" y="`, f1(marginT), `" width="`, f1(x1-x0), `" height="`, f1(plotH), `" fill="`, bandColours[i%2], `"><title>`,
			esc(s.Title), `</title></rect>`, "\n")
		if x1-x0 >= 6.5*float64(len(s.Title))+6 {
			w(`<text x="`, f1(x0+3), `" y="`, f1(marginT-6), `" fill="#4a5568">`, esc(s.Title), `</text>`, "\n")
		}
	}
	w(`</g>`, "\n")

	// Axes and grid.
	w(`<g class="axes" stroke="#cbd5e0">`, "\n")
	for _, v := range []float64{0, 5, 10} {
		w(`<line x1="`, f1(marginL), `" y1="`, f1(y(v)), `" x2="`, f1(marginL+plotW), `" y2="`, f1(y(v)), `"/>`, "\n")
		w(`<text x="`, f1(marginL-6), `" y="`, f1(y(v)+4), `" text-anchor="end" stroke="none" fill="#4a5568">`, strconv.Itoa(int(v)), `</text>`, "\n")
	}
	w(`<text x="`, f1(marginL), `" y="`, f1(chartH-8), `" stroke="none" fill="#4a5568">`, esc(dayString(first)), `</text>`, "\n")
	w(`<text x="`, f1(marginL+plotW), `" y="`, f1(chartH-8), `" text-anchor="end" stroke="none" fill="#4a5568">`, esc(an.Today), `</text>`, "\n")
	w(`</g>`, "\n")

	// Each partner's series.
	for i, p := range an.Partners {
		if i > 1 {
			break
		}
		col := partnerColours[i]
		w(`<g class="partner" fill="`, col, `" stroke="`, col, `">`, "\n")
		var pts bytes.Buffer
		for _, pt := range p.Outcome.Series {
			if pt.Level == nil {
				continue
			}
			if pts.Len() > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(f1(xs(pt.Day)) + "," + f1(y(*pt.Level)))
		}
		if pts.Len() > 0 {
			w(`<polyline fill="none" stroke-width="2" points="`, pts.String(), `"/>`, "\n")
		}
		for _, pt := range p.Outcome.Series {
			if pt.Trust == nil {
				continue
			}
			w(`<circle cx="`, f1(xs(pt.Day)), `" cy="`, f1(y(*pt.Trust)), `" r="2" stroke="none"><title>`, esc(p.Name), " ", esc(pt.Day), ": ",
				num(*pt.Trust), `</title></circle>`, "\n")
		}
		w(`</g>`, "\n")
		// Legend.
		lx := marginL + float64(i)*160
		w(`<rect x="`, f1(lx), `" y="8" width="10" height="10" fill="`, col, `"/>`, "\n")
		w(`<text x="`, f1(lx+14), `" y="17" fill="#1a202c">`, esc(p.Name), `</text>`, "\n")
	}

	// Setbacks.
	w(`<g class="setbacks" stroke="#c53030" fill="#c53030">`, "\n")
	for _, s := range an.Setbacks {
		sx := xs(s.Day)
		w(`<line x1="`, f1(sx), `" y1="`, f1(marginT), `" x2="`, f1(sx), `" y2="`, f1(marginT+plotH), `" stroke-dasharray="4 3"/>`, "\n")
		w(`<path d="M`, f1(sx-5), " ", f1(marginT), " L", f1(sx+5), " ", f1(marginT), " L", f1(sx), " ", f1(marginT+8), ` Z"><title>`,
			esc(string(s.Kind)), " ", esc(s.Day), `</title></path>`, "\n")
	}
	w(`</g>`, "\n")

	// Agreement ticks.
	w(`<g class="agreements" stroke="#2f855a">`, "\n")
	base := marginT + plotH
	for _, m := range an.Agreements {
		mx := xs(m.Day)
		w(`<line x1="`, f1(mx), `" y1="`, f1(base), `" x2="`, f1(mx), `" y2="`, f1(base+8), `" stroke-width="2"><title>`, esc(m.Type), " ", esc(m.Day),
			`</title></line>`, "\n")
	}
	w(`</g>`, "\n")
	w(`</svg>`, "\n")
	return b.Bytes()
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
