package trust_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	// Imported for their registrations: the matrix covers every event type
	// mend registers, not only trust's.
	_ "github.com/mendkit/mend/agreement"
	_ "github.com/mendkit/mend/exercise"
	_ "github.com/mendkit/mend/progress"
	"github.com/mendkit/mend/trust"
)

// Writers of the matrix: who writes the event under test, relative to the
// partner the payload is about ("self").
const (
	wSelf        = "self"
	wOther       = "other partner"
	wProConsent  = "professional with consent"
	wProNoAccess = "professional without consent"
	wStranger    = "another couple's partner"
	wSystem      = "system"
)

var matrixWriters = []string{wSelf, wOther, wProConsent, wProNoAccess, wStranger, wSystem}

var (
	wOtherID    = mustID[trust.Partner]("5a5a5a5a-0000-4000-8000-00000000000b")
	wStrangerID = mustID[trust.Partner]("5a5a5a5a-0000-4000-8000-00000000000c")
	wSelfID     = mustID[trust.Partner]("5a5a5a5a-0000-4000-8000-00000000000a")
	wPro        = mustID[trust.Professional]("5a5a5a5a-0000-4000-8000-00000000000d")
	wProOther   = mustID[trust.Professional]("5a5a5a5a-0000-4000-8000-00000000000e")
	wRelID      = mustID[trust.Relationship]("5a5a5a5a-0000-4000-8000-00000000000f")
)

// examplePayload decodes the first published passing example of the type's
// schema, so every case carries a payload that validates.
func examplePayload(t *testing.T, spec trust.EventSpec) trust.Payload {
	t.Helper()
	rest, ok := strings.CutPrefix(spec.Schema, trust.SchemaBase)
	require.True(t, ok, "%s: schema %s", spec.Type, spec.Schema)
	pkg, file, _ := strings.Cut(strings.TrimSuffix(rest, ".json"), "/")
	i := strings.LastIndex(file, "-")
	dir := filepath.Join("..", pkg, "testdata", "schemas", file[:i], file[i+1:], "pass")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries, dir)
	b, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	require.NoError(t, err)
	p := spec.New()
	require.NoError(t, json.Unmarshal(b, p), "%s", dir)
	require.NoError(t, p.Validate(), "%s", dir)
	return p
}

// visibilityFor picks a visibility the type allows that needs no seal key.
func visibilityFor(spec trust.EventSpec) trust.Visibility {
	for _, v := range []trust.Visibility{trust.Shared, trust.Private, trust.WithProfessional} {
		for _, ok := range spec.Visibilities {
			if ok == v {
				return v
			}
		}
	}
	return spec.Visibilities[0]
}

// writerCase is one event of a type written by one writer, on a journey of
// self and the other partner in which self consents to share with wPro.
type writerCase struct {
	journey *trust.Journey
	event   trust.Event
	owned   bool // the payload names the partner it is about
}

func newWriterCase(t *testing.T, typ string, p trust.Payload, vis trust.Visibility, writer string) writerCase {
	t.Helper()
	self := wSelfID
	owner, owned := p.(interface{ OwnerPartner() trust.PartnerID })
	if owned {
		self = owner.OwnerPartner()
	}
	other := wOtherID
	require.NotEqual(t, self, other)
	rel := trust.Relationship{ID: wRelID, TimeZone: "Europe/London", Started: t0,
		Partners: [2]trust.Partner{{ID: self, DisplayName: "Self"}, {ID: other, DisplayName: "Other"}}}
	ids := trust.SeededIDs(7)
	build := func(seq trust.Sequence, actor trust.Actor, p trust.Payload, vis trust.Visibility) trust.Event {
		id, err := trust.NewID[trust.Event](ids)
		require.NoError(t, err)
		e, err := trust.NewEvent(p, trust.Header{ID: id, Relationship: rel.ID, Sequence: seq, Recorded: t0, Actor: actor, Visibility: vis})
		require.NoError(t, err, "%s", typ)
		return e
	}
	j, err := trust.NewJourney(build(1, trust.SystemActor, &trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()}, ""))
	require.NoError(t, err)
	require.NoError(t, j.Apply(build(2, trust.PartnerActor(self),
		&trust.ProfessionalConsent{Partner: self, Professional: wPro, Granted: true, IncludeSafety: true}, "")))
	actor := map[string]trust.Actor{
		wSelf: trust.PartnerActor(self), wOther: trust.PartnerActor(other),
		wProConsent: trust.ProfessionalActor(wPro), wProNoAccess: trust.ProfessionalActor(wProOther),
		wStranger: trust.PartnerActor(wStrangerID), wSystem: trust.SystemActor,
	}[writer]
	return writerCase{journey: j, event: build(3, actor, p, vis), owned: owned}
}

// allowed is what the declared writers say of a writer.
func allowed(w trust.Writers, writer string, owned bool) bool {
	switch writer {
	case wSelf:
		return w&(trust.ByOwner|trust.ByEitherPartner) != 0
	case wOther:
		// A payload that names no owner is about whoever writes it.
		return w&trust.ByEitherPartner != 0 || (!owned && w&trust.ByOwner != 0)
	case wProConsent:
		return w&trust.ByProfessional != 0
	case wSystem:
		return w&trust.BySystem != 0
	}
	return false // a professional without consent, a stranger
}

// TestWritersMatrix writes every registered event type as every kind of
// writer and checks the journey fold, which every write path passes,
// accepts or refuses the writer exactly as the type's Writers declare. A
// refused writer gets ErrNotWriter naming the field ("actor", or "data" for
// a payload about the other partner); another couple's partner is refused
// as a stranger. Whether the state then allows the event (a breach must be
// recorded before its account) is the fold's next question, not this one's.
func TestWritersMatrix(t *testing.T) {
	specs := trust.EventTypes()
	require.Greater(t, len(specs), 40, "agreement, exercise and progress types are registered too")
	type row struct {
		spec    trust.EventSpec
		payload trust.Payload
	}
	var rows []row
	for _, spec := range specs {
		require.NotZero(t, spec.Writers, "%s declares no writers", spec.Type)
		rows = append(rows, row{spec, examplePayload(t, spec)})
	}
	raw := &trust.RawPayload{Type: "myapp.gratitude_note", JSON: json.RawMessage(`{"note":"thanks"}`)}
	rows = append(rows, row{trust.EventSpec{Type: raw.Type, Writers: trust.UnregisteredWriters, Visibilities: []trust.Visibility{trust.Shared}}, raw})

	cases := 0
	for _, r := range rows {
		for _, writer := range matrixWriters {
			cases++
			t.Run(r.spec.Type+"/"+writer, func(t *testing.T) {
				c := newWriterCase(t, r.spec.Type, r.payload, visibilityFor(r.spec), writer)
				before := c.journey.Sequence()
				err := c.journey.Check(c.event)
				assert.Equal(t, before, c.journey.Sequence())
				switch {
				case writer == wStranger:
					assert.ErrorIs(t, err, trust.ErrForbidden)
				case allowed(r.spec.Writers, writer, c.owned):
					assert.NotErrorIs(t, err, trust.ErrNotWriter, "%s declares %s", r.spec.Type, r.spec.Writers)
				default:
					require.ErrorIs(t, err, trust.ErrNotWriter, "%s declares %s", r.spec.Type, r.spec.Writers)
					assert.ErrorIs(t, err, trust.ErrForbidden)
					var te *trust.TransitionError
					require.ErrorAs(t, err, &te)
					field := "actor"
					if writer == wOther && r.spec.Writers&trust.ByOwner != 0 {
						field = "data" // a partner may write it, about themselves
					}
					assert.True(t, strings.HasPrefix(te.Reason, field+": "), "%q names %s", te.Reason, field)
					assert.Equal(t, r.spec.Type, te.Event)
					assert.ErrorIs(t, c.journey.Apply(c.event), trust.ErrNotWriter)
					assert.Equal(t, before, c.journey.Sequence(), "nothing is folded")
				}
			})
		}
	}
	t.Logf("writers matrix: %d event types (and one unregistered) x %d writers = %d cases", len(specs), len(matrixWriters), cases)
}

// TestEngineOnlyTypes pins the types only the engine writes, and the
// consents only their own partner gives.
func TestEngineOnlyTypes(t *testing.T) {
	for typ, want := range map[string]trust.Writers{
		trust.TypeJourneyStarted:         trust.BySystem,
		trust.TypePhaseChanged:           trust.BySystem,
		"agreement.activated":            trust.BySystem,
		"agreement.lapsed":               trust.BySystem,
		"exercise.assignment_expired":    trust.BySystem,
		"exercise.reminder_sent":         trust.BySystem,
		trust.TypeResearchConsent:        trust.ByOwner,
		trust.TypeProfessionalConsent:    trust.ByOwner,
		"progress.checkin_recorded":      trust.ByOwner,
		"progress.checkin_note_recorded": trust.ByOwner,
	} {
		spec, ok := trust.LookupEventType(typ)
		require.True(t, ok, typ)
		assert.Equal(t, want, spec.Writers, "%s: %s", typ, spec.Writers)
	}
}

// TestJourneyStartedOnlyBySystem: the first event, which no fold prepares,
// is held to its writers too.
func TestJourneyStartedOnlyBySystem(t *testing.T) {
	for _, actor := range []trust.Actor{trust.PartnerActor(alex), trust.ProfessionalActor(pro)} {
		e, err := trust.NewEvent(&trust.JourneyStarted{Relationship: rel, Profile: trust.DefaultProfile()},
			trust.Header{ID: mustID[trust.Event]("5a5a5a5a-0000-4000-8000-000000000010"), Relationship: rel.ID, Sequence: 1, Recorded: t0, Actor: actor})
		require.NoError(t, err)
		_, err = trust.NewJourney(e)
		assert.True(t, errors.Is(err, trust.ErrNotWriter), "%v: %v", actor, err)
	}
}

// TestResearchConsentIsGivenByItsPartner: a partner cannot consent, or
// withdraw consent, in the other's name.
func TestResearchConsentIsGivenByItsPartner(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	err := s.try(trust.PartnerActor(alex), &trust.ResearchConsent{Partner: sam, Granted: true}, "", "")
	assert.ErrorIs(t, err, trust.ErrForbidden)
	require.NoError(t, s.try(trust.PartnerActor(sam), &trust.ResearchConsent{Partner: sam, Granted: true}, "", ""))
	err = s.try(trust.PartnerActor(alex), &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: true}, "", "")
	assert.ErrorIs(t, err, trust.ErrNotWriter)
}
