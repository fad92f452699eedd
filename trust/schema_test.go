package trust_test

import (
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

// schemaEntries lists every schema the trust package publishes.
var schemaEntries = []schemagen.Entry{
	{Name: "event", Version: "1.0", Value: &trust.Event{}, Title: "mend journey event",
		Extend: func(s *jsonschema.Schema) {
			p, _ := s.Properties.Get("specversion")
			p.Const = "1.0"
			p, _ = s.Properties.Get("datacontenttype")
			p.Const = "application/json"
			p, _ = s.Properties.Get("source")
			p.Pattern = "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
			p, _ = s.Properties.Get("type")
			p.Pattern = `^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`
			// Apps' own event types pass through, so the envelope stays open to
			// extension attributes a bus may add.
			s.AdditionalProperties = nil
		}},
	{Name: "relationship", Version: "1.0", Value: &trust.Relationship{}},
	{Name: "profile", Version: "1.0", Value: &trust.Profile{}},
	{Name: "journey-started", Version: "1.0", Value: &trust.JourneyStarted{}},
	{Name: "breach", Version: "1.0", Value: &trust.Breach{}},
	{Name: "breach-ended", Version: "1.0", Value: &trust.BreachEnded{}},
	{Name: "account", Version: "1.0", Value: &trust.Account{}},
	{Name: "acknowledgement", Version: "1.0", Value: &trust.Acknowledgement{}, Extend: func(s *jsonschema.Schema) {
		p, _ := s.Properties.Get("no_blame_shift")
		p.Const = true
	}},
	{Name: "acknowledgement-answer", Version: "1.0", Value: &trust.AcknowledgementAnswer{}},
	{Name: "needs-request", Version: "1.0", Value: &trust.NeedsRequest{}},
	{Name: "needs-answer", Version: "1.0", Value: &trust.NeedsAnswer{}},
	{Name: "needs-closed", Version: "1.0", Value: &trust.NeedsClosed{}},
	{Name: "commitment", Version: "1.0", Value: &trust.Commitment{}},
	{Name: "safety-flag", Version: "1.0", Value: &trust.SafetyFlag{}},
	{Name: "safety-flag-cleared", Version: "1.0", Value: &trust.SafetyFlagCleared{}},
	{Name: "professional-consent", Version: "1.0", Value: &trust.ProfessionalConsent{}},
	{Name: "research-consent", Version: "1.0", Value: &trust.ResearchConsent{}},
	{Name: "pause-change", Version: "1.0", Value: &trust.PauseChange{}},
	{Name: "phase-change", Version: "1.0", Value: &trust.PhaseChange{}},
}

func TestSchemasAreCurrent(t *testing.T) {
	schemagen.Check(t, "trust", "schemas", schemaEntries)
}

func TestSchemaIDsMatchFiles(t *testing.T) {
	schemagen.CheckIDs(t, trust.Schemas())
}

func TestSchemaSamples(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas())
	schemagen.CheckSamples(t, v, "trust", trust.Schemas(), "testdata/schemas")
}

func TestEveryRegisteredTrustTypeHasItsSchema(t *testing.T) {
	require.Len(t, schemagen.CheckEventTypes(t, "trust", trust.Schemas()), 16)
}

// Each call hands out its own copy of the embedded schemas.
func TestEmbeddedSchemas(t *testing.T) {
	a := trust.Schemas()
	require.NotEmpty(t, a)
	first := a[0].JSON[0]
	a[0].JSON[0] = 'x'
	a[0].Name = "changed"
	b := trust.Schemas()
	assert.Equal(t, first, b[0].JSON[0], "a caller's change never reaches the next caller")
	assert.NotEqual(t, "changed", b[0].Name)
}
