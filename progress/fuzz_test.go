package progress_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// FuzzReadJSONL: the reader never panics, and whatever it accepts writes back
// to JSON Lines that read again to the same events.
func FuzzReadJSONL(f *testing.F) {
	j := newJourney(f, 5)
	j.checkIn(j.A, day(1), 5, trust.Sealed, "")
	j.raw("myapp.thing_done", day(2), trust.PartnerActor(j.B), `{"x":[1,2,{"y":null}]}`)
	var buf bytes.Buffer
	if err := progress.WriteJSONL(&buf, j.events); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"specversion":"1.0","type":"x.y","data":{}}` + "\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		events, err := progress.ReadJSONL(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := progress.WriteJSONL(&out, events); err != nil {
			t.Fatalf("accepted events do not re-encode: %v", err)
		}
		again, err := progress.ReadJSONL(&out)
		if err != nil {
			t.Fatalf("re-encoded events do not read back: %v", err)
		}
		if len(again) != len(events) {
			t.Fatalf("read %d events, then %d", len(events), len(again))
		}
		a, _ := progress.NewAnalyzer(progress.Options{})
		_ = a.ObserveAll(events)
		for _, e := range events {
			if p, ok := e.Owner(); ok {
				_ = a.Report(trust.PartnerViewer(p), day(30), progress.ReportOptions{}).SVG()
			}
		}
	})
}

// FuzzCheckIn: decoding and validating a check-in never panics, and a valid
// one round-trips through JSON unchanged.
func FuzzCheckIn(f *testing.F) {
	f.Add([]byte(`{"id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","partner":"6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b","day":"2026-03-14","trust":6,"feelings":["calm"]}`))
	f.Add([]byte(`{"id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","partner":"6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b","day":"2026-02-30","answers":[{"instrument":"csi-4","version":"1","answers":[{"item":"1","value":9}]}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var c progress.CheckIn
		if json.Unmarshal(in, &c) != nil || c.Validate() != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back progress.CheckIn
		if err := json.Unmarshal(b, &back); err != nil || back.Validate() != nil {
			t.Fatalf("a valid check-in does not round-trip: %v", err)
		}
		b2, _ := json.Marshal(back)
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed %s into %s", b, b2)
		}
	})
}
