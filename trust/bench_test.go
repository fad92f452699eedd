package trust_test

import (
	"encoding/json"
	"testing"

	"github.com/mendkit/mend/trust"
)

// benchStream is a journey of n events: a breach, then commitment answers,
// sealed accounts and pauses in rotation.
func benchStream(b *testing.B, n int) *stream {
	s := newStream(b, trust.DefaultProfile())
	br := s.breach(alex)
	s.must(trust.PartnerActor(alex), &br)
	paused := false
	for i := 0; len(s.events) < n; i++ {
		p := []trust.PartnerID{alex, sam}[i%2]
		switch i % 3 {
		case 0:
			s.must(trust.PartnerActor(p), &trust.Commitment{Partner: p, Answer: trust.CommitYes})
		case 1:
			s.must(trust.PartnerActor(p), s.account(br.ID, p), "sealed", trust.AccountSealKey(br.ID))
		case 2:
			paused = !paused
			s.must(trust.PartnerActor(p), &trust.PauseChange{Paused: paused})
		}
	}
	return s
}

// BenchmarkReplay folds a 10,000-event journey.
func BenchmarkReplay(b *testing.B) {
	s := benchStream(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := trust.ReplayJourney(s.events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(s.events))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFilter reads a 10,000-event journey as one partner.
func BenchmarkFilter(b *testing.B) {
	s := benchStream(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = trust.Filter(s.events, trust.PartnerViewer(alex))
	}
	b.ReportMetric(float64(b.N*len(s.events))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeEvent decodes and validates one event from JSON.
func BenchmarkDecodeEvent(b *testing.B) {
	s := benchStream(b, 3)
	raw, err := json.Marshal(s.events[2])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := trust.DecodeEvent(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate validates one envelope and payload: every fold does it
// for every event it applies.
func BenchmarkValidate(b *testing.B) {
	s := benchStream(b, 3)
	e := s.events[2]
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := e.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
