package trust

import (
	"strings"
	"sync"
	"time"

	"github.com/mendkit/mend/internal/textrule"
)

// Partner is one person in a relationship. mend assumes nothing about gender,
// marriage or who caused a breach: a partner is an ID, the name the couple
// chose to show, and optional pronouns and locale.
type Partner struct {
	// ID identifies the partner across every relationship they are in.
	ID PartnerID `json:"id"`
	// DisplayName is the name shown to the other partner. Research exports never carry it.
	DisplayName string `json:"display_name"`
	// Pronouns as the partner writes them, e.g. "she/her", "they/them".
	Pronouns string `json:"pronouns,omitempty"`
	// Locale is a BCP 47 language tag such as "en-GB", used to pick wording and crisis resources.
	Locale string `json:"locale,omitempty"`
}

// Validate checks the partner's fields.
func (p Partner) Validate() error {
	if p.ID.IsZero() {
		return invalid("id", "is required")
	}
	if err := text("display_name", p.DisplayName, 1, 80); err != nil {
		return err
	}
	if err := text("pronouns", p.Pronouns, 0, 40); err != nil {
		return err
	}
	if p.Locale != "" && !validLocale(p.Locale) {
		return invalid("locale", "%q is not a BCP 47 language tag", p.Locale)
	}
	return nil
}

// Relationship is the couple a journey belongs to: exactly two distinct
// partners, the IANA time zone their local times are read in (a date night at
// 19:00, the day a check-in belongs to), when the journey began, and each
// partner's research consent. A person may be in several relationships; a
// relationship has one journey.
type Relationship struct {
	// ID identifies the relationship and its journey.
	ID RelationshipID `json:"id"`
	// Partners are the two people in the relationship, in the order they joined.
	Partners [2]Partner `json:"partners"`
	// TimeZone is an IANA time zone name such as "Europe/London".
	TimeZone string `json:"time_zone"`
	// Started is when the couple began their journey with mend.
	Started time.Time `json:"started"`
	// ResearchConsent lists the partners who consented to their journey being
	// part of a de-identified research dataset. Both must consent for it to be exported.
	ResearchConsent []PartnerID `json:"research_consent,omitempty"`
}

// Validate checks the relationship's fields.
func (r Relationship) Validate() error {
	if r.ID.IsZero() {
		return invalid("id", "is required")
	}
	for i, p := range r.Partners {
		if err := p.Validate(); err != nil {
			return prefix("partners."+string(rune('0'+i)), err)
		}
	}
	if r.Partners[0].ID == r.Partners[1].ID {
		return invalid("partners", "the two partners must be different people")
	}
	if _, err := r.Location(); err != nil {
		return err
	}
	if r.Started.IsZero() {
		return invalid("started", "is required")
	}
	seen := map[PartnerID]bool{}
	for i, id := range r.ResearchConsent {
		if !r.Has(id) {
			return invalid("research_consent."+itoa(i), "%s is not a partner in this relationship", id)
		}
		if seen[id] {
			return invalid("research_consent."+itoa(i), "%s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// Location loads the relationship's time zone. Zones are loaded once per
// process and shared: a *time.Location is immutable.
func (r Relationship) Location() (*time.Location, error) {
	return loadLocation(r.TimeZone)
}

var locations sync.Map // IANA name -> *time.Location

// loadLocation loads an IANA time zone by name, caching it, and refuses the
// empty name, "Local" and anything the zone database does not know, with a
// *ValidationError for field "time_zone". Plans read the couple's zone on
// every call, and loading it from the zone database costs more than the rest
// of a plan, so this is the one place mend caches time zones.
func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		return nil, invalid("time_zone", "is required")
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || strings.EqualFold(name, "local") || len(name) > 64 {
		return nil, invalid("time_zone", "%q is not an IANA time zone", name)
	}
	locations.Store(name, loc)
	return loc, nil
}

// Has reports whether id is one of the two partners.
func (r Relationship) Has(id PartnerID) bool {
	return !id.IsZero() && (r.Partners[0].ID == id || r.Partners[1].ID == id)
}

// Other returns the partner who is not id, and false if id is not a partner.
func (r Relationship) Other(id PartnerID) (PartnerID, bool) {
	switch id {
	case r.Partners[0].ID:
		return r.Partners[1].ID, true
	case r.Partners[1].ID:
		return r.Partners[0].ID, true
	}
	return PartnerID{}, false
}

// Partner returns the partner with the given ID.
func (r Relationship) Partner(id PartnerID) (Partner, bool) {
	for _, p := range r.Partners {
		if p.ID == id {
			return p, true
		}
	}
	return Partner{}, false
}

// BothConsentToResearch reports whether both partners consented to research use.
func (r Relationship) BothConsentToResearch() bool {
	n := 0
	for _, p := range r.Partners {
		for _, id := range r.ResearchConsent {
			if id == p.ID {
				n++
				break
			}
		}
	}
	return n == 2
}

// text checks a free-text field of the trust package with the rule every
// mend package shares (see internal/textrule): clean, valid UTF-8 with no
// control character but newline and tab and no bidirectional override,
// embedding or isolate; present (not only white space) when minLen > 0; at
// most maxLen characters.
func text(field, s string, minLen, maxLen int) error {
	if p := textrule.Problem(s, minLen, maxLen); p != "" {
		return invalid(field, "%s", p)
	}
	return nil
}

func validLocale(s string) bool {
	if len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')) {
				return false
			}
		}
	}
	return true
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
