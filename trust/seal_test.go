package trust_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/trust"
)

// sealNote is an app's own sealable type (left unregistered, so written by
// either partner), used to post a sealed entry of another type about the
// same subject as an account.
type sealNote struct {
	Partner trust.PartnerID `json:"partner"`
	About   string          `json:"about"`
}

func (sealNote) EventType() string               { return "sealtest.note" }
func (n sealNote) SealSubject() string           { return n.About }
func (n sealNote) OwnerPartner() trust.PartnerID { return n.Partner }
func (sealNote) Validate() error                 { return nil }

// plainNote names no seal subject, so it can never be sealed.
type plainNote struct{}

func (plainNote) EventType() string { return "sealtest.plain" }
func (plainNote) Validate() error   { return nil }

// fieldOf returns the field a validation error names.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ve *trust.ValidationError
	require.True(t, errors.As(err, &ve), "a *trust.ValidationError, got %T %v", err, err)
	return ve.Field
}

// header is the next event's header in s.
func (s *stream) header(actor trust.Actor, vis trust.Visibility, seal string) trust.Header {
	return trust.Header{ID: trust.EventID(s.id()), Relationship: rel.ID, Sequence: trust.Sequence(len(s.events) + 1),
		Recorded: s.now, Actor: actor, Visibility: vis, SealKey: seal}
}

func TestSealKeyIsDerivedFromWhatIsSealed(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b)

	key, ok := trust.SealKeyOf(s.account(b.ID, alex))
	require.True(t, ok)
	assert.Equal(t, "trust.account_given:"+b.ID.String(), key)
	assert.Equal(t, key, trust.AccountSealKey(b.ID))
	_, ok = trust.SealKeyOf(&trust.Acknowledgement{Breach: b.ID})
	assert.False(t, ok, "an acknowledgement names no seal subject")

	// Left empty, the key is filled from the payload.
	e, err := trust.NewEvent(s.account(b.ID, alex), s.header(trust.PartnerActor(alex), trust.Sealed, ""))
	require.NoError(t, err)
	assert.Equal(t, key, e.SealKey)

	// Any other key is refused, naming sealkey; so is a key on an unsealed event.
	for _, k := range []string{"mine", "account:" + b.ID.String(), trust.AccountSealKey(trust.BreachID(s.id())), "sealtest.note:" + b.ID.String()} {
		_, err := trust.NewEvent(s.account(b.ID, alex), s.header(trust.PartnerActor(alex), trust.Sealed, k))
		require.ErrorIs(t, err, trust.ErrInvalid, k)
		assert.Equal(t, "sealkey", fieldOf(t, err), k)
	}
	_, err = trust.NewEvent(s.account(b.ID, alex), s.header(trust.PartnerActor(alex), trust.Private, key))
	assert.Equal(t, "sealkey", fieldOf(t, err))
	_, err = trust.NewEvent(s.account(b.ID, alex), s.header(trust.PartnerActor(alex), trust.Sealed, "bad\x00key"))
	assert.Equal(t, "sealkey", fieldOf(t, err), "hostile text in a seal key")

	// A type that cannot derive a key cannot be sealed, not even an app's raw one.
	raw := &trust.RawPayload{Type: "myapp.note", JSON: []byte(`{"partner":"` + alex.String() + `"}`)}
	_, err = trust.NewEvent(raw, s.header(trust.PartnerActor(alex), trust.Sealed, key))
	assert.Equal(t, "visibility", fieldOf(t, err))

	// The journey fold refuses an envelope whose key was changed after it was built.
	e, err = trust.NewEvent(s.account(b.ID, alex), s.header(trust.PartnerActor(alex), trust.Sealed, ""))
	require.NoError(t, err)
	e.SealKey = "account:" + b.ID.String()
	before := s.j.Clone()
	err = s.j.Apply(e)
	require.ErrorIs(t, err, trust.ErrInvalid)
	assert.Equal(t, "sealkey", fieldOf(t, err))
	assert.Equal(t, before.View(trust.PartnerViewer(alex), s.now), s.j.View(trust.PartnerViewer(alex), s.now), "nothing changed")
}

func TestRegisteringASealedTypeNeedsASealSubject(t *testing.T) {
	err := trust.RegisterEventType(trust.EventSpec{Type: "sealtest.plain", Schema: "https://example.org/plain.json",
		New: func() trust.Payload { return plainNote{} }, Writers: trust.ByEitherPartner, Visibilities: []trust.Visibility{trust.Shared, trust.Sealed}})
	assert.Equal(t, "visibilities", fieldOf(t, err))
	_, registered := trust.LookupEventType("sealtest.plain")
	assert.False(t, registered, "nothing registered")
	spec, _ := trust.LookupEventType(trust.TypeAccountGiven)
	assert.Contains(t, spec.Visibilities, trust.Sealed)
	for _, sp := range trust.EventTypes() {
		if _, sealable := sp.New().(trust.Sealable); !sealable {
			assert.NotContains(t, sp.Visibilities, trust.Sealed, sp.Type)
		}
	}
}

// TestAnotherTypeUnderAnAccountsSealOpensNothing is the attack: Sam posts a
// sealed entry of another type under the seal of Alex's sealed account, to
// read it without writing his own.
func TestAnotherTypeUnderAnAccountsSealOpensNothing(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b)
	s.must(trust.PartnerActor(alex), s.account(b.ID, alex), "sealed")
	accountKey := trust.AccountSealKey(b.ID)

	// Refused: another type cannot carry the account's key.
	note := &sealNote{Partner: sam, About: b.ID.String()}
	_, err := trust.NewEvent(note, s.header(trust.PartnerActor(sam), trust.Sealed, accountKey))
	require.ErrorIs(t, err, trust.ErrInvalid)
	assert.Equal(t, "sealkey", fieldOf(t, err))

	// Written under its own seal, about the same subject, it opens nothing.
	s.must(trust.PartnerActor(sam), note, "sealed")
	assert.NotContains(t, types(trust.Filter(s.events, trust.PartnerViewer(sam))), trust.TypeAccountGiven)

	// Even an envelope forged past validation, carrying the account's key, opens nothing.
	forged, err := trust.NewEvent(&sealNote{Partner: sam, About: "x"}, s.header(trust.PartnerActor(sam), trust.Sealed, ""))
	require.NoError(t, err)
	forged.SealKey = accountKey
	events := append(append([]trust.Event(nil), s.events...), forged)
	assert.NotContains(t, types(trust.Filter(events, trust.PartnerViewer(sam))), trust.TypeAccountGiven)
	a := trust.NewAccess()
	for _, e := range events {
		a.Observe(e)
	}
	assert.False(t, a.Revealed(accountKey))
	assert.True(t, a.Sealed(accountKey, alex), "alex waits")

	// A sealed account of another breach does not open it either.
	other := s.breach(sam)
	s.must(trust.PartnerActor(sam), &other)
	s.must(trust.PartnerActor(sam), s.account(other.ID, sam), "sealed")
	for _, e := range trust.Filter(s.events, trust.PartnerViewer(sam)) {
		if acc, ok := e.Data.(*trust.Account); ok {
			assert.Equal(t, sam, acc.Partner, "sam reads only his own account")
		}
	}

	// Sam's own account of the same breach opens it, to both.
	s.must(trust.PartnerActor(sam), s.account(b.ID, sam), "sealed")
	for _, p := range []trust.PartnerID{alex, sam} {
		var authors []trust.PartnerID
		for _, e := range trust.Filter(s.events, trust.PartnerViewer(p)) {
			if acc, ok := e.Data.(*trust.Account); ok && acc.Breach == b.ID {
				authors = append(authors, acc.Partner)
			}
		}
		assert.ElementsMatch(t, []trust.PartnerID{alex, sam}, authors, "both accounts of the breach, to %s", p)
	}
}

func TestProfessionalSeesSealedEntriesOnlyAsConsented(t *testing.T) {
	s := newStream(t, trust.DefaultProfile())
	b := s.breach(alex)
	s.must(trust.PartnerActor(alex), &b)
	s.must(trust.PartnerActor(alex), &trust.ProfessionalConsent{Partner: alex, Professional: pro, Granted: true})
	s.must(trust.PartnerActor(sam), &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: true})
	s.must(trust.PartnerActor(alex), s.account(b.ID, alex), "sealed")
	accounts := func() int {
		n := 0
		for _, e := range trust.Filter(s.events, trust.ProfessionalViewer(pro)) {
			if e.Type == trust.TypeAccountGiven {
				n++
			}
		}
		return n
	}
	assert.Zero(t, accounts(), "an unopened seal stays closed to the professional too")
	s.must(trust.PartnerActor(sam), &sealNote{Partner: sam, About: b.ID.String()}, "sealed")
	assert.Zero(t, accounts(), "another type does not open it for the professional")
	s.must(trust.PartnerActor(sam), s.account(b.ID, sam), "sealed")
	assert.Equal(t, 2, accounts(), "open, and both partners consent")
	s.must(trust.PartnerActor(sam), &trust.ProfessionalConsent{Partner: sam, Professional: pro, Granted: false})
	assert.Zero(t, accounts(), "one partner withdrew")
}
