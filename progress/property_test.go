package progress_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// randomJourney draws a journey mixing every visibility, seals, notes,
// screens, safety flags and clears, consents, commitments, breaches and
// agreement events.
func randomJourney(t *testing.T, rt *rapid.T) *journey {
	j := newJourney(t, rapid.Uint64().Draw(rt, "seed"))
	n := rapid.IntRange(0, 60).Draw(rt, "n")
	at := day(0)
	var flags []struct {
		id trust.SafetyFlagID
		p  trust.PartnerID
	}
	for i := 0; i < n; i++ {
		at = at.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "hours")) * time.Hour)
		p := j.A
		if rapid.Bool().Draw(rt, "b") {
			p = j.B
		}
		switch rapid.IntRange(0, 9).Draw(rt, "kind") {
		case 0, 1, 2:
			vis := rapid.SampledFrom([]trust.Visibility{trust.Shared, trust.Private, trust.Sealed, trust.WithProfessional}).Draw(rt, "vis")
			j.checkIn(p, at, rapid.IntRange(0, 10).Draw(rt, "trust"), vis, "") // a sealed one is sealed by its day
		case 3:
			j.add(&progressNote{CheckIn: mustID[progressCheckIn](t, j.ids), Partner: p, Note: "secret-note-" + p.String(),
				Answers: []progressResponse{{Instrument: "phq-2", Version: "1", Answers: []progressAnswer{{Item: "1", Value: 3}, {Item: "2", Value: 3}}}}},
				at, trust.PartnerActor(p), rapid.SampledFrom([]trust.Visibility{trust.Private, trust.WithProfessional}).Draw(rt, "nvis"), "")
		case 4:
			id := j.safetyFlag(p, at)
			flags = append(flags, struct {
				id trust.SafetyFlagID
				p  trust.PartnerID
			}{id, p})
		case 5:
			if len(flags) > 0 {
				f := flags[0]
				flags = flags[1:]
				j.add(&trust.SafetyFlagCleared{Flag: f.id, Partner: f.p}, at, trust.PartnerActor(f.p), trust.Private, "")
			}
		case 6:
			granted := rapid.Bool().Draw(rt, "granted")
			j.add(&trust.ProfessionalConsent{Partner: p, Professional: j.pro, Granted: granted, IncludeSafety: granted && rapid.Bool().Draw(rt, "safety")},
				at, trust.PartnerActor(p), trust.Private, "")
		case 7:
			j.add(&trust.Commitment{Partner: p, Answer: rapid.SampledFrom([]trust.CommitmentAnswer{trust.CommitYes, trust.CommitUnsure, trust.CommitNo}).Draw(rt, "c")},
				at, trust.PartnerActor(p), rapid.SampledFrom([]trust.Visibility{trust.Private, trust.Shared}).Draw(rt, "cvis"), "")
		case 8:
			j.breach(at)
		case 9:
			switch typ := rapid.SampledFrom([]string{agreement.TypeSigned, agreement.TypeActivated, agreement.TypeTermBroken, "done", "skipped"}).Draw(rt, "typ"); typ {
			case "done", "skipped":
				j.practice(p, at, typ == "done")
			default:
				j.agreementEvent(typ, at, trust.PartnerActor(p))
			}
		}
	}
	return j
}

func viewers(j *journey) []trust.Viewer {
	return []trust.Viewer{trust.PartnerViewer(j.A), trust.PartnerViewer(j.B), trust.ProfessionalViewer(j.pro)}
}

// TestPropertyViewerNeverSeesOthersPrivateOrUnrevealedSealed checks the
// timeline's reads against rules computed here, independently of trust.Access.
func TestPropertyViewerNeverSeesOthersPrivateOrUnrevealedSealed(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		j := randomJourney(t, rt)
		tl := progress.NewTimeline()
		_, err := tl.AppendAll(j.events)
		require.NoError(t, err)
		wrote := map[string]map[trust.PartnerID]bool{}
		for _, e := range j.events {
			if e.Visibility == trust.Sealed {
				o, _ := e.Owner()
				if wrote[e.SealKey] == nil {
					wrote[e.SealKey] = map[trust.PartnerID]bool{}
				}
				wrote[e.SealKey][o] = true
			}
		}
		for _, me := range []trust.PartnerID{j.A, j.B} {
			for _, e := range tl.Read(trust.PartnerViewer(me), progress.Query{}) {
				owner, has := e.Owner()
				if !has || owner == me {
					continue
				}
				if e.Sensitive() || e.Visibility == trust.Private || e.Visibility == trust.WithProfessional {
					rt.Fatalf("partner %s sees %s's %s %s entry", me, owner, e.Visibility, e.Type)
				}
				if e.Visibility == trust.Sealed && !(wrote[e.SealKey][j.A] && wrote[e.SealKey][j.B]) {
					rt.Fatalf("partner %s sees a sealed answer under %q before both answered", me, e.SealKey)
				}
				if n, ok := e.Data.(*progress.CheckInNote); ok {
					rt.Fatalf("partner %s sees a note of %s", me, n.Partner)
				}
			}
		}
	})
}

func analysisJSON(t *testing.T, a *progress.Analyzer, v trust.Viewer, now time.Time) string {
	t.Helper()
	r := a.Report(v, now, progress.ReportOptions{Locale: "en-GB", Crisis: crisis})
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b) + r.Text() + string(r.SVG())
}

// TestPropertySplitAndAppendEqualsWhole: analysing a stream equals analysing
// it in parts (with analyses asked for in between), and the parts written as
// JSON Lines and read back.
func TestPropertySplitAndAppendEqualsWhole(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		j := randomJourney(t, rt)
		now := day(40)
		cut := rapid.IntRange(0, len(j.events)).Draw(rt, "cut")
		whole, err := progress.NewAnalyzer(progress.Options{})
		require.NoError(t, err)
		require.NoError(t, whole.ObserveAll(j.events))

		parts, _ := progress.NewAnalyzer(progress.Options{})
		require.NoError(t, parts.ObserveAll(j.events[:cut]))
		for _, v := range viewers(j) {
			_ = parts.Analysis(v, now)
		}
		require.NoError(t, parts.ObserveAll(j.events[cut:]))
		require.NoError(t, parts.ObserveAll(j.events[:cut]), "repeats are ignored")

		var buf bytes.Buffer
		require.NoError(t, progress.WriteJSONL(&buf, j.events[:cut]))
		require.NoError(t, progress.WriteJSONL(&buf, j.events[cut:]))
		read, err := progress.ReadJSONL(&buf)
		require.NoError(t, err)
		viaJSON, _ := progress.NewAnalyzer(progress.Options{})
		require.NoError(t, viaJSON.ObserveAll(read))

		for _, v := range viewers(j) {
			want := analysisJSON(t, whole, v, now)
			for name, got := range map[string]*progress.Analyzer{"parts": parts, "jsonl": viaJSON} {
				if g := analysisJSON(t, got, v, now); g != want {
					rt.Fatalf("%s differs for %v at cut %d:\nwant %s\ngot  %s", name, v, cut, want, g)
				}
			}
		}
	})
}

// TestPropertyNonInterference: a partner's report is byte-identical whether
// or not the stream holds the events that partner may not see (the other
// partner's private entries, unrevealed sealed answers, safety flags, notes
// and screens). Nothing the library derives can leak them.
func TestPropertyNonInterference(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		j := randomJourney(t, rt)
		now := day(40)
		for _, me := range []trust.PartnerID{j.A, j.B} {
			v := trust.PartnerViewer(me)
			visible := trust.Filter(j.events, v)
			full, _ := progress.NewAnalyzer(progress.Options{})
			require.NoError(t, full.ObserveAll(j.events))
			only, _ := progress.NewAnalyzer(progress.Options{})
			require.NoError(t, only.ObserveAll(visible))
			a, b := analysisJSON(t, full, v, now), analysisJSON(t, only, v, now)
			if a != b {
				rt.Fatalf("%s's report depends on events they cannot see:\nfull %s\nvisible %s", me, a, b)
			}
		}
	})
}
