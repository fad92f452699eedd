package agreement_test

import (
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mendkit/mend/agreement"
	"github.com/mendkit/mend/internal/schemagen"
	"github.com/mendkit/mend/trust"
)

// tighten adds what struct tags cannot say to the agreement package's types
// wherever they appear in a schema.
func tighten(s *jsonschema.Schema) {
	edit := func(name string, fn func(*jsonschema.Schema)) {
		if name == "" {
			fn(s)
			return
		}
		if d, ok := s.Definitions[name]; ok {
			fn(d)
		}
	}
	prop := func(d *jsonschema.Schema, name string, fn func(*jsonschema.Schema)) {
		if d == nil || d.Properties == nil {
			return
		}
		if p, ok := d.Properties.Get(name); ok {
			fn(p)
		}
	}
	date := func(p *jsonschema.Schema) { p.Pattern = `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$` }
	atLeast1 := func(p *jsonschema.Schema) { p.Minimum = "1" }
	digest := func(p *jsonschema.Schema) { p.Pattern = `^sha256:[0-9a-f]{64}$` }
	agreementDef := func(d *jsonschema.Schema) {
		prop(d, "version", atLeast1)
		prop(d, "title", func(p *jsonschema.Schema) { p.MinLength = u(1); p.MaxLength = u(120) })
		prop(d, "purpose", func(p *jsonschema.Schema) { p.MinLength = u(1); p.MaxLength = u(4000) })
		prop(d, "terms", func(p *jsonschema.Schema) { p.MinItems = u(1); p.MaxItems = u(agreement.MaxTerms) })
	}
	termDef := func(d *jsonschema.Schema) {
		prop(d, "title", func(p *jsonschema.Schema) { p.MinLength = u(1); p.MaxLength = u(120) })
		prop(d, "committed_by", func(p *jsonschema.Schema) { p.MinItems = u(1); p.MaxItems = u(2); p.UniqueItems = true })
		prop(d, "review_on", date)
	}
	timingDef := func(d *jsonschema.Schema) {
		prop(d, "starts_on", date)
		prop(d, "local_time", func(p *jsonschema.Schema) { p.Pattern = `^([01][0-9]|2[0-3]):[0-5][0-9]$` })
		prop(d, "rrule", func(p *jsonschema.Schema) {
			p.Pattern = `^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[A-Z0-9,+-]+)*$`
			p.MaxLength = u(300)
		})
		prop(d, "duration_minutes", func(p *jsonschema.Schema) { p.Minimum = "1"; p.Maximum = "1440" })
		prop(d, "grace_minutes", func(p *jsonschema.Schema) { p.Minimum = "0"; p.Maximum = "10080" })
	}
	edit("AgreementAgreement", agreementDef)
	edit("AgreementTerm", termDef)
	edit("AgreementTiming", timingDef)
	if s.Properties != nil {
		if _, ok := s.Properties.Get("terms"); ok {
			agreementDef(s)
		}
		for _, name := range []string{"version", "reviewed_version"} {
			prop(s, name, atLeast1)
		}
		prop(s, "digest", digest)
		prop(s, "review_on", date)
	}
	if d, ok := s.Definitions["AgreementSignature"]; ok {
		prop(d, "version", atLeast1)
	}
	if _, ok := s.Properties.Get("signatures"); ok {
		prop(s, "signatures", func(p *jsonschema.Schema) { p.MinItems = u(2); p.MaxItems = u(2) })
	}
	for _, name := range []string{"reason", "note"} {
		prop(s, name, func(p *jsonschema.Schema) { p.MaxLength = u(2000) })
	}
}

func u(n uint64) *uint64 { return &n }

// schemaEntries lists every schema the agreement package publishes.
var schemaEntries = []schemagen.Entry{
	{Name: "agreement", Version: "1.0", Value: &agreement.Agreement{}, Title: "mend agreement version"},
	{Name: "proposal", Version: "1.0", Value: &agreement.Proposed{}, Extend: func(s *jsonschema.Schema) {
		tighten(s)
		if p, ok := s.Definitions["AgreementAgreement"].Properties.Get("version"); ok {
			p.Minimum, p.Const = "", 1
		}
	}},
	{Name: "signature", Version: "1.0", Value: &agreement.Signed{}},
	{Name: "activation", Version: "1.0", Value: &agreement.Activated{}},
	{Name: "review-started", Version: "1.0", Value: &agreement.ReviewStarted{}},
	{Name: "review-closed", Version: "1.0", Value: &agreement.ReviewClosed{}},
	{Name: "amendment", Version: "1.0", Value: &agreement.Amended{}, Extend: func(s *jsonschema.Schema) {
		tighten(s)
		if p, ok := s.Definitions["AgreementAgreement"].Properties.Get("version"); ok {
			p.Minimum = "2"
		}
	}},
	{Name: "retirement", Version: "1.0", Value: &agreement.Retired{}},
	{Name: "transparency-revocation", Version: "1.0", Value: &agreement.TransparencyRevoked{}},
	{Name: "lapse", Version: "1.0", Value: &agreement.Lapsed{}},
	{Name: "occurrence-kept", Version: "1.0", Value: &agreement.OccurrenceKept{}},
	{Name: "occurrence-missed", Version: "1.0", Value: &agreement.OccurrenceMissed{}},
	{Name: "occurrence-rescheduled", Version: "1.0", Value: &agreement.OccurrenceRescheduled{}},
	{Name: "occurrence-skipped", Version: "1.0", Value: &agreement.OccurrenceSkipped{}},
	{Name: "occurrence-moved", Version: "1.0", Value: &agreement.OccurrenceMoved{}},
	{Name: "term-broken", Version: "1.0", Value: &agreement.TermBroken{}},
	{Name: "term-renegotiated", Version: "1.0", Value: &agreement.TermRenegotiated{}},
	{Name: "occurrence", Version: "1.0", Value: &agreement.Occurrence{}, Title: "mend agreement occurrence"},
	{Name: "compliance", Version: "1.0", Value: &agreement.Compliance{}, Title: "mend agreement compliance report"},
}

func init() {
	for i := range schemaEntries {
		if schemaEntries[i].Extend == nil {
			schemaEntries[i].Extend = tighten
		}
	}
}

func TestSchemasAreCurrent(t *testing.T) {
	schemagen.Check(t, "agreement", "schemas", schemaEntries)
}

func TestSchemaIDsMatchFiles(t *testing.T) {
	schemagen.CheckIDs(t, agreement.Schemas())
}

func TestSchemaSamples(t *testing.T) {
	v := schemagen.NewValidator(t, trust.Schemas(), agreement.Schemas())
	schemagen.CheckSamples(t, v, "agreement", agreement.Schemas(), "testdata/schemas")
}

func TestEveryRegisteredAgreementTypeHasItsSchema(t *testing.T) {
	specs := schemagen.CheckEventTypes(t, "agreement", agreement.Schemas())
	for _, spec := range specs {
		assert.Equal(t, []trust.Visibility{trust.Shared}, spec.Visibilities, spec.Type)
	}
	require.Len(t, specs, len(agreement.EventTypes()))
}
