package trust

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/mendkit/mend/internal/jsonvalue"
	"github.com/mendkit/mend/internal/keys"
)

// GateKind names a predicate over the journey state.
type GateKind string

// Gate kinds. Each is evaluated by [Journey.Gate] at a given time.
const (
	// GateNoSafetyFlag: no safety flag is active.
	GateNoSafetyFlag GateKind = "no_active_safety_flag"
	// GateNotPaused: joint work is not paused, for any reason.
	GateNotPaused GateKind = "not_paused"
	// GateBreachRecorded: at least one breach is recorded.
	GateBreachRecorded GateKind = "breach_recorded"
	// GateBreachNotOngoing: no recorded breach is still going on.
	GateBreachNotOngoing GateKind = "breach_not_ongoing"
	// GateAccountsGiven: both partners gave an account of every breach.
	GateAccountsGiven GateKind = "accounts_given"
	// GateAcknowledgementAccepted: every breach has an acknowledgement its hurt partner accepted.
	GateAcknowledgementAccepted GateKind = "acknowledgement_accepted"
	// GateBothCommitted: both partners' latest commitment answer is yes.
	GateBothCommitted GateKind = "both_committed"
	// GateNeedsAnswered: at least Min needs requests were answered with accepted or a counter-offer.
	GateNeedsAnswered GateKind = "needs_answered"
	// GateEventCount: at least Min events of EventType were recorded since the
	// journey began (or, with InPhase, since the current phase began).
	GateEventCount GateKind = "event_count"
	// GateDaysInPhase: at least Days days have passed since the current phase began.
	GateDaysInPhase GateKind = "days_in_phase"
)

// Values lists the gate kinds.
func (GateKind) Values() []string {
	return []string{"no_active_safety_flag", "not_paused", "breach_recorded", "breach_not_ongoing",
		"accounts_given", "acknowledgement_accepted", "both_committed", "needs_answered",
		"event_count", "days_in_phase"}
}

// String returns the kind.
func (k GateKind) String() string { return string(k) }

// Gate is one condition on entering or leaving a phase. Gates are data, so an
// app can write its own profile in JSON.
type Gate struct {
	// Kind names the predicate.
	Kind GateKind `json:"kind"`
	// Min is the count needed by needs_answered and event_count (default 1).
	Min int `json:"min,omitempty"`
	// Days is the number of days needed by days_in_phase.
	Days int `json:"days,omitempty"`
	// EventType is the event type counted by event_count, e.g. "agreement.activated".
	EventType string `json:"event_type,omitempty"`
	// InPhase restricts event_count to events since the current phase began.
	InPhase bool `json:"in_phase,omitempty"`
	// Why explains the gate to the couple, in the profile's words.
	Why string `json:"why,omitempty"`
}

// Validate checks the gate's parameters.
func (g Gate) Validate() error {
	if !slices.Contains(g.Kind.Values(), string(g.Kind)) {
		return invalid("kind", "%q is not a gate kind", g.Kind)
	}
	if g.Min < 0 || g.Min > 10000 {
		return invalid("min", "must be between 0 and 10000")
	}
	if g.Days < 0 || g.Days > 3650 {
		return invalid("days", "must be between 0 and 3650")
	}
	switch g.Kind {
	case GateEventCount:
		if !typeRE.MatchString(g.EventType) {
			return invalid("event_type", "%q is not a namespaced event type", g.EventType)
		}
	case GateDaysInPhase:
		if g.Days == 0 {
			return invalid("days", "is required for days_in_phase")
		}
	}
	if g.Kind != GateEventCount && (g.EventType != "" || g.InPhase) {
		return invalid("event_type", "is only used by event_count")
	}
	return text("why", g.Why, 0, 500)
}

// Phase is one stage of a journey, with the gates that must hold to enter it
// and to leave it.
type Phase struct {
	// Key is the phase's stable identifier within its profile.
	Key string `json:"key"`
	// Title is the phase's name as shown to the couple.
	Title string `json:"title"`
	// Purpose says what the phase is for.
	Purpose string `json:"purpose"`
	// Entry gates must hold to enter the phase.
	Entry []Gate `json:"entry,omitempty"`
	// Exit gates must hold to leave it for the next phase.
	Exit []Gate `json:"exit,omitempty"`
}

// Profile is a protocol as data: an ordered list of phases with their gates,
// and where a new disclosure sends the journey back to. mend ships four
// ([Profiles]); an app can load its own with [ParseProfile].
type Profile struct {
	// Key identifies the profile, e.g. "gottman-trust-revival".
	Key string `json:"key"`
	// Version is the profile's version; change it when phases or gates change.
	Version int `json:"version"`
	// Title names the profile.
	Title string `json:"title"`
	// Summary describes the approach in a few sentences.
	Summary string `json:"summary"`
	// Citation names the published protocol the profile follows, if any.
	Citation string `json:"citation,omitempty"`
	// Phases are the phases in order; a journey starts in the first.
	Phases []Phase `json:"phases"`
	// RegressTo is the phase a new disclosure sends the journey back to, when
	// the journey is past it. Empty means the first phase.
	RegressTo string `json:"regress_to,omitempty"`
}

// Validate checks the profile: keys well formed and unique, at least one
// phase, gates valid, RegressTo naming a phase.
func (p Profile) Validate() error {
	if !keys.Is(p.Key) || len(p.Key) > 64 {
		return invalid("key", "%q is not a lower-case key such as \"my-profile\"", p.Key)
	}
	if p.Version < 1 {
		return invalid("version", "must be at least 1")
	}
	if err := firstErr(text("title", p.Title, 1, 120), text("summary", p.Summary, 1, 2000),
		text("citation", p.Citation, 0, 500)); err != nil {
		return err
	}
	if len(p.Phases) == 0 {
		return invalid("phases", "needs at least one phase")
	}
	if len(p.Phases) > 32 {
		return invalid("phases", "has more than 32 phases")
	}
	seen := map[string]bool{}
	for i, ph := range p.Phases {
		at := "phases." + itoa(i)
		if !keys.Is(ph.Key) || len(ph.Key) > 64 {
			return invalid(at+".key", "%q is not a lower-case key", ph.Key)
		}
		if seen[ph.Key] {
			return invalid(at+".key", "%q is used twice", ph.Key)
		}
		seen[ph.Key] = true
		if err := firstErr(text(at+".title", ph.Title, 1, 120), text(at+".purpose", ph.Purpose, 1, 2000)); err != nil {
			return err
		}
		for j, g := range ph.Entry {
			if err := g.Validate(); err != nil {
				return prefix(at+".entry."+itoa(j), err)
			}
		}
		for j, g := range ph.Exit {
			if err := g.Validate(); err != nil {
				return prefix(at+".exit."+itoa(j), err)
			}
		}
	}
	if p.RegressTo != "" && !seen[p.RegressTo] {
		return invalid("regress_to", "%q is not a phase of this profile", p.RegressTo)
	}
	return nil
}

// PhaseIndex returns the index of the phase with the given key, or -1.
func (p Profile) PhaseIndex(key string) int {
	for i, ph := range p.Phases {
		if ph.Key == key {
			return i
		}
	}
	return -1
}

// ParseProfile decodes and validates a profile from JSON. Unknown fields are
// rejected so a typo in a gate is not silently ignored.
func ParseProfile(b []byte) (Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, decodeErr(err)
	}
	if jsonvalue.Trailing(dec, b) {
		return Profile{}, invalid("", "trailing data after the profile")
	}
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Keys of the built-in profiles.
const (
	ProfileMend    = "mend"
	ProfileGottman = "gottman-trust-revival"
	ProfileEFT     = "eft-attachment-injury"
	ProfileGBS     = "gordon-baucom-snyder"
)

//go:embed profiles/*.json
var profileFS embed.FS

var builtinProfiles = func() map[string]Profile {
	out := map[string]Profile{}
	err := fs.WalkDir(profileFS, "profiles", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := profileFS.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := ParseProfile(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out[p.Key] = p
		return nil
	})
	if err != nil {
		panic("trust: built-in profile: " + err.Error())
	}
	return out
}()

// Profiles returns the built-in protocol profiles, sorted by key. Each call
// returns fresh copies the caller may change.
func Profiles() []Profile {
	keys := make([]string, 0, len(builtinProfiles))
	for k := range builtinProfiles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Profile, len(keys))
	for i, k := range keys {
		out[i], _ = LookupProfile(k)
	}
	return out
}

// LookupProfile returns a copy of the built-in profile with the given key.
func LookupProfile(key string) (Profile, bool) {
	p, ok := builtinProfiles[strings.TrimSpace(key)]
	if !ok {
		return Profile{}, false
	}
	b, _ := json.Marshal(p)
	var cp Profile
	_ = json.Unmarshal(b, &cp)
	return cp, true
}

// DefaultProfile returns mend's own profile, built from the source's steps.
func DefaultProfile() Profile {
	p, _ := LookupProfile(ProfileMend)
	return p
}
