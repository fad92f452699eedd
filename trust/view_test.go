package trust_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/mendkit/mend/trust"
)

func types(events []trust.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func TestViewersSeeOnlyWhatTheyMay(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b)
	s.must(trust.PartnerActor(alex), s.account(b.ID, alex), "sealed", trust.AccountSealKey(b.ID))
	s.must(trust.PartnerActor(sam), &trust.Commitment{Partner: sam, Answer: trust.CommitUnsure})
	flag := &trust.SafetyFlag{ID: trust.SafetyFlagID(s.id()), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyCoerciveControl}, Note: "he reads my phone"}
	s.must(trust.PartnerActor(sam), flag)
	s.must(trust.PartnerActor(sam), &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: true, IncludeSafety: true})

	alexSees := trust.Filter(s.events, trust.PartnerViewer(alex))
	assert.Equal(t, []string{trust.TypeJourneyStarted, trust.TypeBreachRecorded, trust.TypeAccountGiven}, types(alexSees),
		"alex sees the shared breach and their own sealed account, nothing of sam's private entries")
	samSees := trust.Filter(s.events, trust.PartnerViewer(sam))
	assert.Equal(t, []string{trust.TypeJourneyStarted, trust.TypeBreachRecorded, trust.TypeCommitmentStated, trust.TypeSafetyFlagRaised, trust.TypeProfessionalConsent}, types(samSees),
		"sam does not see alex's sealed account before writing their own")
	assert.Empty(t, trust.Filter(s.events, trust.ProfessionalViewer(pro))[1:],
		"only sam consented: shared entries need both partners' consent")
	proSees := trust.Filter(s.events, trust.ProfessionalViewer(pro))
	assert.Equal(t, []string{trust.TypeSafetyFlagRaised}, types(proSees), "safety consent shows sam's flag to the professional")

	// Sam answers under the same seal: both accounts are revealed to both.
	s.must(trust.PartnerActor(sam), s.account(b.ID, sam), "sealed", trust.AccountSealKey(b.ID))
	alexSees = trust.Filter(s.events, trust.PartnerViewer(alex))
	assert.Equal(t, []string{trust.TypeJourneyStarted, trust.TypeBreachRecorded, trust.TypeAccountGiven, trust.TypeAccountGiven}, types(alexSees))

	// A stranger sees nothing at all.
	assert.Empty(t, trust.Filter(s.events, trust.PartnerViewer(mustID[trust.Partner]("99999999-0000-4000-8000-000000000001"))))

	// The journey view never tells alex why joint work is paused.
	v := s.j.View(trust.PartnerViewer(alex), s.now)
	assert.True(t, v.JointWorkPaused)
	assert.Empty(t, v.MyActiveFlags)
	for _, g := range v.Gates {
		assert.NotEqual(t, trust.GateNoSafetyFlag, g.Gate.Kind, "alex's gates never mention a safety flag")
		assert.NotContains(t, g.Reason, "safety")
	}
	mine := s.j.View(trust.PartnerViewer(sam), s.now)
	assert.Equal(t, []trust.SafetyFlagID{flag.ID}, mine.MyActiveFlags)
	assert.Equal(t, trust.AlignmentUnknown, v.Alignment, "alex learns only that the couple is not aligned yet")
}

func TestSafetyEventsArePrivateWhateverTheEnvelopeSays(t *testing.T) {
	_, err := trust.NewEvent(&trust.SafetyFlag{ID: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000cc"), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}},
		trust.Header{ID: mustID[trust.Event]("e0000000-0000-4000-8000-000000000001"), Relationship: rel.ID, Sequence: 2, Recorded: t0, Actor: trust.PartnerActor(sam), Visibility: trust.Shared})
	var ve *trust.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "visibility", ve.Field)

	// Even an envelope forged as shared (bypassing NewEvent) is treated as private.
	e, err := trust.NewEvent(&trust.SafetyFlag{ID: mustID[trust.SafetyFlag]("a1b2c3d4-0000-4000-8000-0000000000cc"), Partner: sam, Kinds: []trust.SafetyKind{trust.SafetyFear}},
		trust.Header{ID: mustID[trust.Event]("e0000000-0000-4000-8000-000000000001"), Relationship: rel.ID, Sequence: 2, Recorded: t0, Actor: trust.PartnerActor(sam)})
	require.NoError(t, err)
	e.Visibility = trust.Shared
	s := newStream(t, trust.DefaultProfile())
	stream := append(s.events, e)
	assert.Len(t, trust.Filter(stream, trust.PartnerViewer(alex)), 1, "only the journey start")
	assert.True(t, e.Sensitive())
}

// TestPrivacyProperty checks, over random streams, that a partner's view
// never holds the other partner's private or professional-only entries, nor
// their sealed entries before both partners wrote under the same seal.
func TestPrivacyProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := newStream(t, trust.DefaultProfile())
		b := s.breach(alex)
		s.must(trust.PartnerActor(alex), &b)
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		for i := 0; i < n; i++ {
			author := []trust.PartnerID{alex, sam}[rapid.IntRange(0, 1).Draw(rt, "author")]
			switch rapid.IntRange(0, 3).Draw(rt, "kind") {
			case 0:
				vis := rapid.SampledFrom([]string{"shared", "private", "professional"}).Draw(rt, "vis")
				s.must(trust.PartnerActor(author), s.account(b.ID, author), vis)
			case 1:
				s.must(trust.PartnerActor(author), s.account(b.ID, author), "sealed", trust.AccountSealKey(b.ID))
			case 2:
				s.must(trust.PartnerActor(author), &trust.Commitment{Partner: author, Answer: trust.CommitYes})
			case 3:
				s.must(trust.PartnerActor(author), &trust.SafetyFlag{ID: trust.SafetyFlagID(s.id()), Partner: author, Kinds: []trust.SafetyKind{trust.SafetyOther}})
			}
		}
		for _, viewer := range []trust.PartnerID{alex, sam} {
			other, _ := rel.Other(viewer)
			otherSealed, viewerSealed := false, false
			for _, e := range s.events {
				if e.Visibility == trust.Sealed {
					if o, _ := e.Owner(); o == other {
						otherSealed = true
					} else {
						viewerSealed = true
					}
				}
			}
			for _, e := range trust.Filter(s.events, trust.PartnerViewer(viewer)) {
				owner, hasOwner := e.Owner()
				if !hasOwner || owner == viewer {
					continue
				}
				if e.Sensitive() || e.Visibility == trust.Private || e.Visibility == trust.WithProfessional {
					rt.Fatalf("%s sees %s's %s %s", viewer, other, e.Visibility, e.Type)
				}
				if e.Visibility == trust.Sealed && !(otherSealed && viewerSealed) {
					rt.Fatalf("%s sees a sealed entry before both wrote", viewer)
				}
			}
		}
	})
}
