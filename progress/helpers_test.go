package progress_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// t0 is the fixed start of every test journey: Monday 2 March 2026, 09:00 UTC.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

// journey builds a valid event stream with deterministic IDs.
type journey struct {
	t      testing.TB
	ids    trust.IDSource
	rel    trust.Relationship
	seq    trust.Sequence
	events []trust.Event
	A, B   trust.PartnerID
	pro    trust.ProfessionalID
}

func newJourney(t testing.TB, seed uint64) *journey {
	t.Helper()
	ids := trust.SeededIDs(seed)
	j := &journey{t: t, ids: ids}
	j.A = mustID[trust.Partner](t, ids)
	j.B = mustID[trust.Partner](t, ids)
	j.pro = mustID[trust.Professional](t, ids)
	j.rel = trust.Relationship{ID: mustID[trust.Relationship](t, ids),
		Partners: [2]trust.Partner{{ID: j.A, DisplayName: "Sam", Locale: "en-GB"}, {ID: j.B, DisplayName: "Alex", Locale: "en-GB"}},
		TimeZone: "Europe/London", Started: t0}
	j.add(&trust.JourneyStarted{Relationship: j.rel, Profile: trust.DefaultProfile()}, t0, trust.SystemActor, "", "")
	return j
}

func mustID[T any](t testing.TB, src trust.IDSource) trust.ID[T] {
	t.Helper()
	id, err := trust.NewID[T](src)
	require.NoError(t, err)
	return id
}

func (j *journey) add(p trust.Payload, at time.Time, actor trust.Actor, vis trust.Visibility, seal string) trust.Event {
	j.t.Helper()
	j.seq++
	e, err := trust.NewEvent(p, trust.Header{ID: mustID[trust.Event](j.t, j.ids), Relationship: j.rel.ID, Sequence: j.seq,
		Time: at, Recorded: at, Actor: actor, Visibility: vis, SealKey: seal})
	require.NoError(j.t, err)
	j.events = append(j.events, e)
	return e
}

func (j *journey) checkIn(p trust.PartnerID, at time.Time, trustVal int, vis trust.Visibility, seal string) trust.Event {
	j.t.Helper()
	v := trustVal
	c := &progress.CheckIn{ID: mustID[progress.CheckIn](j.t, j.ids), Partner: p, Day: progress.LocalDay(at, london(j.t)), Trust: &v}
	return j.add(c, at, trust.PartnerActor(p), vis, seal)
}

func (j *journey) note(p trust.PartnerID, at time.Time, text string, vis trust.Visibility) trust.Event {
	j.t.Helper()
	return j.add(&progress.CheckInNote{CheckIn: mustID[progress.CheckIn](j.t, j.ids), Partner: p, Note: text}, at, trust.PartnerActor(p), vis, "")
}

func (j *journey) raw(typ string, at time.Time, actor trust.Actor, data string) trust.Event {
	j.t.Helper()
	return j.add(&trust.RawPayload{Type: typ, JSON: []byte(data)}, at, actor, trust.Shared, "")
}

// Fixed IDs of the test agreement, its boundary term and its text's digest.
const (
	testAgreement = "8485e61a-f0b9-4291-beaa-14370b0b83e6"
	testTerm      = "03c47cf5-17ee-4482-bdaa-c0a05932544c"
	testDigest    = "sha256:3f1c9a0e5b7d2c4486f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6"
)

// agreementEvent adds an agreement event of type typ (signed, activated,
// amended or term_broken), written by actor at at, about one test agreement
// with one boundary term. Its payload is decoded from JSON into the type
// package agreement registers, as a store would read it back.
func (j *journey) agreementEvent(typ string, at time.Time, actor trust.Actor) trust.Event {
	j.t.Helper()
	by, _ := actor.Partner()
	ts := at.UTC().Format(time.RFC3339)
	var data string
	switch typ {
	case agreement.TypeSigned:
		data = fmt.Sprintf(`{"agreement":%q,"version":1,"digest":%q,"partner":%q}`, testAgreement, testDigest, by)
	case agreement.TypeActivated:
		data = fmt.Sprintf(`{"agreement":%q,"version":1,"digest":%q,"signatures":[{"partner":%q,"version":1,"signed_at":%q},{"partner":%q,"version":1,"signed_at":%q}]}`,
			testAgreement, testDigest, j.A, ts, j.B, ts)
	case agreement.TypeTermBroken:
		data = fmt.Sprintf(`{"agreement":%q,"term":%q,"partner":%q,"occurred_at":%q}`, testAgreement, testTerm, by, ts)
	case agreement.TypeAmended:
		data = fmt.Sprintf(`{"agreement":{"id":%q,"version":2,"title":"How we rebuild","purpose":"No more secrets.","terms":[`+
			`{"id":%q,"kind":"boundary","title":"No contact with the third party","committed_by":[%q],"timing":{"kind":"standing"}}],`+
			`"change_note":"Clearer words."},"amended_by":%q}`, testAgreement, testTerm, j.A, by)
	default:
		j.t.Fatalf("no test data for %s", typ)
	}
	spec, ok := trust.LookupEventType(typ)
	require.True(j.t, ok, "%s is registered", typ)
	p := spec.New()
	require.NoError(j.t, json.Unmarshal([]byte(data), p))
	return j.add(p, at, actor, "", "")
}

// practice adds an app's own effort event: partner p did (or skipped) a practice.
func (j *journey) practice(p trust.PartnerID, at time.Time, done bool) trust.Event {
	j.t.Helper()
	return j.add(&practised{Partner: p, Done: done}, at, trust.PartnerActor(p), "", "")
}

func (j *journey) breach(at time.Time) trust.BreachID {
	j.t.Helper()
	id := mustID[trust.Breach](j.t, j.ids)
	j.add(&trust.Breach{ID: id, Kind: "deception", Severity: "serious", Happened: trust.TimeRange{Start: at.Add(-72 * time.Hour)},
		CameToLight: trust.TimeRange{Start: at}, Discovery: "disclosed", RevealedBy: j.A, CausedBy: j.A}, at, trust.PartnerActor(j.A), "", "")
	return id
}

func (j *journey) safetyFlag(p trust.PartnerID, at time.Time) trust.SafetyFlagID {
	j.t.Helper()
	id := mustID[trust.SafetyFlag](j.t, j.ids)
	j.add(&trust.SafetyFlag{ID: id, Partner: p, Kinds: []trust.SafetyKind{trust.SafetyFear}, Note: "private worry"}, at, trust.PartnerActor(p), trust.Private, "")
	return id
}

// analyzer returns an analyzer that has observed events.
func analyzer(t testing.TB, events []trust.Event) *progress.Analyzer {
	t.Helper()
	a, err := progress.NewAnalyzer(progress.Options{})
	require.NoError(t, err)
	require.NoError(t, a.ObserveAll(events))
	return a
}

// analyze returns what viewer v may know of events at now.
func analyze(t testing.TB, events []trust.Event, v trust.Viewer, now time.Time) progress.Analysis {
	t.Helper()
	return analyzer(t, events).Analysis(v, now)
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	return loc
}

func intp(v int) *int { return &v }
