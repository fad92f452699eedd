package trust

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// BreachKind names what kind of trust was broken. The built-in kinds cover the
// common breaches; an app adds its own by using a kind that starts with "x-"
// (for example "x-gambling-debt"), which every validator and schema accepts.
type BreachKind string

// Built-in breach kinds.
const (
	BreachSexualInfidelity    BreachKind = "sexual_infidelity"
	BreachEmotionalInfidelity BreachKind = "emotional_infidelity"
	BreachDeception           BreachKind = "deception"
	BreachBrokenPromise       BreachKind = "broken_promise"
	BreachFinancialSecrecy    BreachKind = "financial_secrecy"
	BreachBetrayedConfidence  BreachKind = "betrayed_confidence"
	BreachHiddenAddiction     BreachKind = "hidden_addiction"
	BreachEmotionalNeglect    BreachKind = "emotional_neglect"
	BreachDigitalSecrecy      BreachKind = "digital_secrecy"
	BreachOther               BreachKind = "other"
)

// Values lists the built-in breach kinds.
func (BreachKind) Values() []string {
	return []string{"sexual_infidelity", "emotional_infidelity", "deception", "broken_promise",
		"financial_secrecy", "betrayed_confidence", "hidden_addiction", "emotional_neglect",
		"digital_secrecy", "other"}
}

// ExtensionPattern is the regular expression app-defined kinds match.
func (BreachKind) ExtensionPattern() string { return `^x-[a-z0-9_-]{1,62}$` }

var extensionKindRE = regexp.MustCompile(BreachKind("").ExtensionPattern())

// Extension reports whether k is an app-defined kind ("x-…").
func (k BreachKind) Extension() bool { return extensionKindRE.MatchString(string(k)) }

// Valid reports whether k is a built-in kind or a well-formed extension kind.
func (k BreachKind) Valid() bool { return slices.Contains(k.Values(), string(k)) || k.Extension() }

// Severity is how grave the breach feels to the couple, on an ordinal scale.
// It is the couple's own rating, not a clinical judgement.
type Severity string

// Severities, from least to most grave.
const (
	SeverityMinor    Severity = "minor"
	SeverityModerate Severity = "moderate"
	SeveritySerious  Severity = "serious"
	SeveritySevere   Severity = "severe"
)

// Values lists the severities in increasing order.
func (Severity) Values() []string { return []string{"minor", "moderate", "serious", "severe"} }

// Rank returns 1..4 for a valid severity, 0 otherwise.
func (s Severity) Rank() int { return index(string(s), s.Values()) + 1 }

// Discovery says how a breach came to light.
type Discovery string

// How a breach came to light.
const (
	// Disclosed: the partner who caused it told the other.
	Disclosed Discovery = "disclosed"
	// Discovered: the hurt partner found out some other way.
	Discovered Discovery = "discovered"
)

// Values lists the discovery modes.
func (Discovery) Values() []string { return []string{"disclosed", "discovered"} }

// TimeRange is a moment or an uncertain span: people often know only "some time
// that spring". End is omitted for a moment; when present it is not before Start.
type TimeRange struct {
	// Start is the earliest the thing may have happened.
	Start time.Time `json:"start"`
	// End is the latest it may have happened; omitted when Start is exact.
	End *time.Time `json:"end,omitempty"`
}

// Latest returns End, or Start when End is absent.
func (r TimeRange) Latest() time.Time {
	if r.End != nil {
		return *r.End
	}
	return r.Start
}

// Validate checks that Start is set and End is not before Start.
func (r TimeRange) Validate() error {
	if r.Start.IsZero() {
		return invalid("start", "is required")
	}
	if r.End != nil && r.End.Before(r.Start) {
		return invalid("end", "is before start")
	}
	return nil
}

// Breach is one breach of trust as the couple recorded it: what kind, how grave,
// when it happened and when it came to light, how it came to light, whether it
// is still going on, and who caused it. It holds facts both partners can see;
// each partner's own telling of it is an [Account]. A breach can be mutual, in
// which case each partner both caused it and was hurt by it.
type Breach struct {
	// ID identifies the breach.
	ID BreachID `json:"id"`
	// Kind is a built-in kind or an app kind starting with "x-".
	Kind BreachKind `json:"kind"`
	// Label names the breach in the couple's words; required when Kind is "other".
	Label string `json:"label,omitempty"`
	// Severity is the couple's own rating of how grave it is.
	Severity Severity `json:"severity"`
	// Happened is when the breach happened, possibly a span.
	Happened TimeRange `json:"happened"`
	// CameToLight is when the hurt partner learned of it; never before Happened starts.
	CameToLight TimeRange `json:"came_to_light"`
	// Discovery says whether it was disclosed or discovered.
	Discovery Discovery `json:"discovery"`
	// RevealedBy is the partner who disclosed it, or who discovered it.
	RevealedBy PartnerID `json:"revealed_by"`
	// Ongoing is true while the breach is still happening (e.g. contact not yet ended).
	Ongoing bool `json:"ongoing"`
	// CausedBy is the partner whose actions broke trust. For a mutual breach it
	// is the partner who recorded it and Mutual is true.
	CausedBy PartnerID `json:"caused_by"`
	// Mutual is true when both partners broke trust and both were hurt.
	Mutual bool `json:"mutual"`
	// RelatedTo is an earlier breach this one adds to, such as a further
	// disclosure about the same affair.
	RelatedTo *BreachID `json:"related_to,omitempty"`
}

// Hurt returns the partners hurt by the breach within rel.
func (b Breach) Hurt(rel Relationship) []PartnerID {
	if b.Mutual {
		return []PartnerID{rel.Partners[0].ID, rel.Partners[1].ID}
	}
	other, _ := rel.Other(b.CausedBy)
	return []PartnerID{other}
}

// Caused reports whether p caused (or, for a mutual breach, shares) the breach.
func (b Breach) Caused(p PartnerID) bool { return b.Mutual || b.CausedBy == p }

// IsHurt reports whether p was hurt by the breach.
func (b Breach) IsHurt(rel Relationship, p PartnerID) bool {
	for _, h := range b.Hurt(rel) {
		if h == p {
			return true
		}
	}
	return false
}

// Validate checks the breach's own fields. [Breach.ValidateIn] also checks
// the partners against a relationship.
func (b Breach) Validate() error {
	if b.ID.IsZero() {
		return invalid("id", "is required")
	}
	if !b.Kind.Valid() {
		return invalid("kind", "%q is not a breach kind (use a built-in kind or an \"x-\" prefix)", b.Kind)
	}
	if b.Kind == BreachOther && strings.TrimSpace(b.Label) == "" {
		return invalid("label", "is required when kind is \"other\"")
	}
	if err := text("label", b.Label, 0, 120); err != nil {
		return err
	}
	if b.Severity.Rank() == 0 {
		return invalid("severity", "%q is not one of %s", b.Severity, strings.Join(b.Severity.Values(), ", "))
	}
	if err := b.Happened.Validate(); err != nil {
		return prefix("happened", err)
	}
	if err := b.CameToLight.Validate(); err != nil {
		return prefix("came_to_light", err)
	}
	if b.CameToLight.Latest().Before(b.Happened.Start) {
		return invalid("came_to_light", "is before the breach happened")
	}
	if !slices.Contains(b.Discovery.Values(), string(b.Discovery)) {
		return invalid("discovery", "%q is not one of disclosed, discovered", b.Discovery)
	}
	if b.RevealedBy.IsZero() {
		return invalid("revealed_by", "is required")
	}
	if b.CausedBy.IsZero() {
		return invalid("caused_by", "is required")
	}
	if !b.Mutual {
		if b.Discovery == Disclosed && b.RevealedBy != b.CausedBy {
			return invalid("revealed_by", "a disclosed breach is revealed by the partner who caused it")
		}
		if b.Discovery == Discovered && b.RevealedBy == b.CausedBy {
			return invalid("revealed_by", "a discovered breach is revealed by the partner who was hurt")
		}
	}
	if b.RelatedTo != nil && (b.RelatedTo.IsZero() || *b.RelatedTo == b.ID) {
		return invalid("related_to", "must name another breach")
	}
	return nil
}

// ValidateIn checks the breach and that its partners belong to rel.
func (b Breach) ValidateIn(rel Relationship) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if !rel.Has(b.CausedBy) {
		return invalid("caused_by", "%s is not a partner in this relationship", b.CausedBy)
	}
	if !rel.Has(b.RevealedBy) {
		return invalid("revealed_by", "%s is not a partner in this relationship", b.RevealedBy)
	}
	return nil
}

func index(s string, vals []string) int {
	for i, v := range vals {
		if v == s {
			return i
		}
	}
	return -1
}
