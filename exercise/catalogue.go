package exercise

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/mendkit/mend/internal/check"
	"github.com/mendkit/mend/internal/jsonvalue"
	"github.com/mendkit/mend/internal/keys"
	"github.com/mendkit/mend/trust"
)

// Mode says how the partners do an exercise.
type Mode string

// Modes of an exercise.
const (
	// Together: both partners at the same time, taking the turns its steps set.
	Together Mode = "together"
	// SeparateThenReveal: each partner answers alone; sealed answers are
	// revealed to both once both have answered.
	SeparateThenReveal Mode = "separate_then_reveal"
	// Solo: one partner alone. Solo exercises are the only ones offered while
	// joint work is paused.
	Solo Mode = "solo"
)

// Values lists the modes.
func (Mode) Values() []string { return []string{"together", "separate_then_reveal", "solo"} }

// Joint reports whether the mode needs both partners.
func (m Mode) Joint() bool { return m != Solo }

// Role says who takes a turn within a step.
type Role string

// Roles of a turn.
const (
	// RoleBoth: both partners together, e.g. reading a prompt aloud.
	RoleBoth Role = "both"
	// RoleEach: each partner in turn, with the same prompt.
	RoleEach Role = "each"
	// RoleSpeaker and RoleListener: the speaker talks, the listener reflects;
	// with [Step.SwapRoles] the turns are played again with roles swapped.
	RoleSpeaker  Role = "speaker"
	RoleListener Role = "listener"
	// RoleHurtPartner: the partner hurt by the breach.
	RoleHurtPartner Role = "hurt_partner"
	// RoleInvolvedPartner: the partner whose actions caused the breach.
	RoleInvolvedPartner Role = "involved_partner"
	// RoleSelf: the one partner of a solo exercise.
	RoleSelf Role = "self"
)

// Values lists the roles.
func (Role) Values() []string {
	return []string{"both", "each", "speaker", "listener", "hurt_partner", "involved_partner", "self"}
}

// AnswerMode says whether a step takes a written answer and who may read it.
type AnswerMode string

// Answer modes of a step.
const (
	// AnswerNone: the step is spoken, nothing is written down.
	AnswerNone AnswerMode = "none"
	// AnswerShared: each partner's answer is seen by both at once.
	AnswerShared AnswerMode = "shared"
	// AnswerPrivate: each answer is seen only by its author (and a
	// professional the author consents to).
	AnswerPrivate AnswerMode = "private"
	// AnswerSealed: each answer is hidden until both partners have answered
	// the step, then revealed to both together (see [StepSealKey]).
	AnswerSealed AnswerMode = "sealed"
)

// Values lists the answer modes.
func (AnswerMode) Values() []string { return []string{"none", "shared", "private", "sealed"} }

// StepGateKind names the condition of a gate between two steps.
type StepGateKind string

// Kinds of step gate.
const (
	// GateEachCanSummarise: each partner has summarised the other's view well
	// enough that the other agrees, before the couple goes on.
	GateEachCanSummarise StepGateKind = "each_can_summarise"
	// GateHeardConfirmed: the speaking partner confirms they feel heard.
	GateHeardConfirmed StepGateKind = "heard_confirmed"
	// GateBothCalm: both partners say they are calm enough to go on; if not,
	// the couple takes a break of at least twenty minutes first.
	GateBothCalm StepGateKind = "both_calm"
	// GateBothReady: both partners say they are ready for the next step.
	GateBothReady StepGateKind = "both_ready"
)

// Values lists the step gate kinds.
func (StepGateKind) Values() []string {
	return []string{"each_can_summarise", "heard_confirmed", "both_calm", "both_ready"}
}

// Contraindication names a state of the couple in which an exercise must not
// be proposed. Every scheduler honours them through [Eligible].
type Contraindication string

// Contraindications.
const (
	// WhileJointWorkPaused: not while joint work is paused, for any reason.
	// Every joint exercise must list it.
	WhileJointWorkPaused Contraindication = "joint_work_paused"
	// WhileBreachOngoing: not while a recorded breach is still going on.
	WhileBreachOngoing Contraindication = "breach_ongoing"
	// WhilePartnerSteppedBack: not while either partner has stepped back from the work.
	WhilePartnerSteppedBack Contraindication = "partner_stepped_back"
	// WhileCommitmentNotAligned: not unless both partners said yes to keep working.
	WhileCommitmentNotAligned Contraindication = "commitment_not_aligned"
	// WhileRecentSetback: not within seven days of a setback.
	WhileRecentSetback Contraindication = "recent_setback"
)

// Values lists the contraindications.
func (Contraindication) Values() []string {
	return []string{"joint_work_paused", "breach_ongoing", "partner_stepped_back", "commitment_not_aligned", "recent_setback"}
}

// Tags schedulers look for. Tags are free-form otherwise; an app's catalogue
// uses these to take part in the built-in schedulers' choices.
const (
	// TagRepair marks an exercise the adaptive scheduler offers after a setback.
	TagRepair = "repair"
	// TagSoloTrack marks a solo exercise for a partner whose partner stepped back.
	TagSoloTrack = "solo_track"
	// TagIndividualSupport marks a solo exercise offered to each partner while
	// joint work is paused.
	TagIndividualSupport = "individual_support"
	// TagSetback marks an exercise offered only after a setback: the adaptive
	// scheduler prefers it for repair, and the phase sequence leaves it out.
	TagSetback = "setback"
	// TagLight marks a short, easy exercise the adaptive scheduler prefers when
	// the couple is keeping up with less.
	TagLight = "light"
)

// Placement says which phases of one protocol profile an exercise serves.
type Placement struct {
	// Profile is the key of a protocol profile, e.g. "mend" or "gottman-trust-revival".
	Profile string `json:"profile"`
	// Phases are keys of that profile's phases; empty means every phase.
	Phases []string `json:"phases,omitempty"`
}

// Turn is one partner's part within a step.
type Turn struct {
	// Role is who takes the turn.
	Role Role `json:"role"`
	// Prompt is what they are asked to do or say.
	Prompt string `json:"prompt"`
}

// Step is one ordered part of an exercise.
type Step struct {
	// Key identifies the step within its exercise.
	Key string `json:"key"`
	// Title names the step.
	Title string `json:"title"`
	// Prompt introduces the step to both partners.
	Prompt string `json:"prompt"`
	// Turns are the turns taken within the step, in order.
	Turns []Turn `json:"turns,omitempty"`
	// SwapRoles plays the turns a second time with speaker and listener swapped.
	SwapRoles bool `json:"swap_roles,omitempty"`
	// Answer says whether a written answer is kept and who may read it.
	Answer AnswerMode `json:"answer"`
	// Minutes is the step's expected length.
	Minutes int `json:"minutes,omitempty"`
}

// StepGate is a condition that must hold before the couple moves from one
// step to a later one. If it does not hold, the couple returns to From.
type StepGate struct {
	// From is the key of the step the gate closes.
	From string `json:"from"`
	// To is the key of the later step the gate opens.
	To string `json:"to"`
	// Kind is the condition.
	Kind StepGateKind `json:"kind"`
	// Prompt is the question both partners answer at the gate.
	Prompt string `json:"prompt"`
}

// Exercise is one entry of the catalogue: a structured piece of work with a
// purpose, the protocol phases it serves, a mode, ordered steps with turns and
// gates, and the conditions under which it must not be offered.
type Exercise struct {
	// Key identifies the exercise; it never changes once published.
	Key string `json:"key"`
	// Title names the exercise as the couple sees it.
	Title string `json:"title"`
	// Purpose says what the exercise is for.
	Purpose string `json:"purpose"`
	// Serves lists the profiles and phases the exercise belongs to.
	Serves []Placement `json:"serves"`
	// Mode is together, separate_then_reveal or solo.
	Mode Mode `json:"mode"`
	// Minutes is the expected length of the whole exercise.
	Minutes int `json:"minutes"`
	// Steps are the ordered steps.
	Steps []Step `json:"steps"`
	// Gates are conditions between steps.
	Gates []StepGate `json:"gates,omitempty"`
	// Requires lists exercises the couple completes first.
	Requires []string `json:"requires,omitempty"`
	// Advances lists the phase gates the exercise helps the couple meet.
	Advances []trust.GateKind `json:"advances,omitempty"`
	// Rituals lists the agreement rituals the exercise carries out, e.g.
	// "weekly_checkin": the agreement-driven scheduler assigns it at each
	// occurrence of such a ritual.
	Rituals []string `json:"rituals,omitempty"`
	// Contraindications are states in which the exercise is not offered.
	Contraindications []Contraindication `json:"contraindications,omitempty"`
	// CooldownDays is how long after it was last proposed the exercise is not
	// proposed again by the phase and adaptive schedulers.
	CooldownDays int `json:"cooldown_days"`
	// Tags classify the exercise; see TagRepair and the other well-known tags.
	Tags []string `json:"tags,omitempty"`
	// Citation names the published protocol or instrument the exercise draws on.
	Citation string `json:"citation,omitempty"`
}

// HasTag reports whether the exercise carries tag.
func (e Exercise) HasTag(tag string) bool { return e.has(tag) }

// has is HasTag without copying the exercise, for the schedulers' loops.
func (e *Exercise) has(tag string) bool { return slices.Contains(e.Tags, tag) }

// Step returns the step with the given key.
func (e Exercise) Step(key string) (Step, bool) {
	for _, s := range e.Steps {
		if s.Key == key {
			return s, true
		}
	}
	return Step{}, false
}

// Clone returns a deep copy of the exercise.
func (e Exercise) Clone() Exercise {
	c := e
	c.Serves = make([]Placement, len(e.Serves))
	for i, p := range e.Serves {
		c.Serves[i] = Placement{Profile: p.Profile, Phases: slices.Clone(p.Phases)}
	}
	c.Steps = make([]Step, len(e.Steps))
	for i, s := range e.Steps {
		c.Steps[i] = s
		c.Steps[i].Turns = slices.Clone(s.Turns)
	}
	c.Gates = slices.Clone(e.Gates)
	c.Requires = slices.Clone(e.Requires)
	c.Advances = slices.Clone(e.Advances)
	c.Rituals = slices.Clone(e.Rituals)
	c.Contraindications = slices.Clone(e.Contraindications)
	c.Tags = slices.Clone(e.Tags)
	return c
}

// CatalogueData is the JSON document of a catalogue, as published by the
// "catalogue" schema. Load one with [ParseCatalogue].
type CatalogueData struct {
	// Version is the catalogue's own version; raise it when content changes.
	Version int `json:"version"`
	// Locale is the BCP 47 language tag of the catalogue's wording, e.g. "en".
	Locale string `json:"locale"`
	// Title names the catalogue.
	Title string `json:"title"`
	// Exercises are the exercises, in the order the phase scheduler offers them.
	Exercises []Exercise `json:"exercises"`
}

// Catalogue is a validated, immutable set of exercises, safe to share between
// goroutines. Build one with [ParseCatalogue] or [NewCatalogue], or use
// [DefaultCatalogue].
type Catalogue struct {
	data    CatalogueData
	byKey   map[string]int
	byPhase map[string][]int
	ritual  map[string]int
}

// Limits of a catalogue.
const (
	maxExercises = 1000
	maxSteps     = 24
	maxTurns     = 12
)

// NewCatalogue validates data against the given protocol profiles and
// returns the catalogue. With no profiles it checks against mend's built-in
// profiles ([trust.Profiles]); an app with its own profile passes the
// built-ins and its own. Every reference must resolve: a placement's profile
// and phases, a gate's steps, a required exercise. Errors are
// *trust.ValidationError, *DuplicateKeyError or *ReferenceError, each naming
// the JSON path of the field. data is copied.
func NewCatalogue(data CatalogueData, profiles ...trust.Profile) (*Catalogue, error) {
	if len(profiles) == 0 {
		profiles = trust.Profiles()
	}
	known := map[string]trust.Profile{}
	for _, p := range profiles {
		known[p.Key] = p
	}
	if data.Version < 1 {
		return nil, invalid("version", "must be at least 1")
	}
	if err := text("locale", data.Locale, 1, 35); err != nil {
		return nil, err
	}
	if err := text("title", data.Title, 1, 120); err != nil {
		return nil, err
	}
	if len(data.Exercises) == 0 {
		return nil, invalid("exercises", "needs at least one exercise")
	}
	if len(data.Exercises) > maxExercises {
		return nil, invalid("exercises", "has more than %d exercises", maxExercises)
	}
	c := &Catalogue{byKey: map[string]int{}, byPhase: map[string][]int{}, ritual: map[string]int{}}
	c.data = CatalogueData{Version: data.Version, Locale: data.Locale, Title: data.Title,
		Exercises: make([]Exercise, len(data.Exercises))}
	for i, e := range data.Exercises {
		at := "exercises." + strconv.Itoa(i)
		if err := e.validate(known); err != nil {
			return nil, prefix(at, err)
		}
		if _, dup := c.byKey[e.Key]; dup {
			return nil, &DuplicateKeyError{Field: at + ".key", Key: e.Key}
		}
		c.byKey[e.Key] = i
		c.data.Exercises[i] = e.Clone()
		for j, r := range e.Rituals {
			if _, dup := c.ritual[r]; dup {
				return nil, &DuplicateKeyError{Field: at + ".rituals." + strconv.Itoa(j), Key: r}
			}
			c.ritual[r] = i
		}
		for _, p := range e.Serves {
			phases := p.Phases
			if len(phases) == 0 {
				for _, ph := range known[p.Profile].Phases {
					phases = append(phases, ph.Key)
				}
			}
			for _, ph := range phases {
				k := p.Profile + "/" + ph
				c.byPhase[k] = append(c.byPhase[k], i)
			}
		}
	}
	for i, e := range c.data.Exercises {
		for j, r := range e.Requires {
			if _, ok := c.byKey[r]; !ok {
				return nil, &ReferenceError{Field: "exercises." + strconv.Itoa(i) + ".requires." + strconv.Itoa(j), Kind: RefExercise, Ref: r}
			}
		}
	}
	if err := c.checkCycles(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkCycles refuses requirements that can never be met because they loop.
func (c *Catalogue) checkCycles() error {
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(c.data.Exercises))
	var visit func(i int) error
	visit = func(i int) error {
		state[i] = visiting
		for j, r := range c.data.Exercises[i].Requires {
			k := c.byKey[r]
			switch state[k] {
			case visiting:
				return invalid("exercises."+strconv.Itoa(i)+".requires."+strconv.Itoa(j),
					"requiring %q makes a loop: these exercises could never be offered", r)
			case unseen:
				if err := visit(k); err != nil {
					return err
				}
			}
		}
		state[i] = done
		return nil
	}
	for i := range c.data.Exercises {
		if state[i] == unseen {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e Exercise) validate(profiles map[string]trust.Profile) error {
	if !keys.Is(e.Key) || len(e.Key) > 64 {
		return invalid("key", "%q is not a lower-case key such as \"weekly-checkin\"", e.Key)
	}
	if err := firstErr(text("title", e.Title, 1, 120), text("purpose", e.Purpose, 1, 2000),
		text("citation", e.Citation, 0, 500)); err != nil {
		return err
	}
	if !slices.Contains(e.Mode.Values(), string(e.Mode)) {
		return invalid("mode", "%q is not together, separate_then_reveal or solo", e.Mode)
	}
	if e.Minutes < 1 || e.Minutes > 240 {
		return invalid("minutes", "must be between 1 and 240")
	}
	if e.CooldownDays < 0 || e.CooldownDays > 365 {
		return invalid("cooldown_days", "must be between 0 and 365")
	}
	if len(e.Serves) == 0 {
		return invalid("serves", "needs at least one profile")
	}
	seenProfile := map[string]bool{}
	for i, p := range e.Serves {
		at := "serves." + strconv.Itoa(i)
		prof, ok := profiles[p.Profile]
		if !ok {
			return &ReferenceError{Field: at + ".profile", Kind: RefProfile, Ref: p.Profile}
		}
		if seenProfile[p.Profile] {
			return &DuplicateKeyError{Field: at + ".profile", Key: p.Profile}
		}
		seenProfile[p.Profile] = true
		seenPhase := map[string]bool{}
		for j, ph := range p.Phases {
			if prof.PhaseIndex(ph) < 0 {
				return &ReferenceError{Field: at + ".phases." + strconv.Itoa(j), Kind: RefPhase, Ref: ph, Scope: "profile " + p.Profile}
			}
			if seenPhase[ph] {
				return &DuplicateKeyError{Field: at + ".phases." + strconv.Itoa(j), Key: ph}
			}
			seenPhase[ph] = true
		}
	}
	if len(e.Steps) == 0 {
		return invalid("steps", "needs at least one step")
	}
	if len(e.Steps) > maxSteps {
		return invalid("steps", "has more than %d steps", maxSteps)
	}
	stepAt := map[string]int{}
	for i, s := range e.Steps {
		at := "steps." + strconv.Itoa(i)
		if err := s.validate(e.Mode); err != nil {
			return prefix(at, err)
		}
		if _, dup := stepAt[s.Key]; dup {
			return &DuplicateKeyError{Field: at + ".key", Key: s.Key}
		}
		stepAt[s.Key] = i
	}
	for i, g := range e.Gates {
		at := "gates." + strconv.Itoa(i)
		from, ok := stepAt[g.From]
		if !ok {
			return &ReferenceError{Field: at + ".from", Kind: RefStep, Ref: g.From, Scope: "exercise " + e.Key}
		}
		to, ok := stepAt[g.To]
		if !ok {
			return &ReferenceError{Field: at + ".to", Kind: RefStep, Ref: g.To, Scope: "exercise " + e.Key}
		}
		if to <= from {
			return invalid(at+".to", "step %q does not come after %q", g.To, g.From)
		}
		if !slices.Contains(g.Kind.Values(), string(g.Kind)) {
			return invalid(at+".kind", "%q is not a step gate kind", g.Kind)
		}
		if !e.Mode.Joint() && (g.Kind == GateEachCanSummarise || g.Kind == GateHeardConfirmed) {
			return invalid(at+".kind", "%s needs two partners; this exercise is solo", g.Kind)
		}
		if err := text(at+".prompt", g.Prompt, 1, 1000); err != nil {
			return err
		}
	}
	for i, r := range e.Requires {
		if !keys.Is(r) {
			return invalid("requires."+strconv.Itoa(i), "%q is not an exercise key", r)
		}
		if r == e.Key {
			return invalid("requires."+strconv.Itoa(i), "an exercise cannot require itself")
		}
	}
	for i, g := range e.Advances {
		if !slices.Contains(g.Values(), string(g)) {
			return invalid("advances."+strconv.Itoa(i), "%q is not a gate kind", g)
		}
	}
	for i, r := range e.Rituals {
		if !keys.IsSnake(r, 40) {
			return invalid("rituals."+strconv.Itoa(i), "%q is not a ritual key such as \"weekly_checkin\"", r)
		}
	}
	seenCI := map[Contraindication]bool{}
	for i, ci := range e.Contraindications {
		if !slices.Contains(ci.Values(), string(ci)) {
			return invalid("contraindications."+strconv.Itoa(i), "%q is not a contraindication", ci)
		}
		if seenCI[ci] {
			return &DuplicateKeyError{Field: "contraindications." + strconv.Itoa(i), Key: string(ci)}
		}
		seenCI[ci] = true
	}
	if e.Mode.Joint() && !seenCI[WhileJointWorkPaused] {
		return invalid("contraindications", "a %s exercise must list %q: joint work waits while it is paused", e.Mode, WhileJointWorkPaused)
	}
	if !e.Mode.Joint() && seenCI[WhileJointWorkPaused] {
		return invalid("contraindications", "a solo exercise must stay available while joint work is paused")
	}
	if len(e.Tags) > 20 {
		return invalid("tags", "has more than 20 tags")
	}
	seenTag := map[string]bool{}
	for i, t := range e.Tags {
		if !keys.IsSnake(t, 40) {
			return invalid("tags."+strconv.Itoa(i), "%q is not a lower-case tag", t)
		}
		if seenTag[t] {
			return &DuplicateKeyError{Field: "tags." + strconv.Itoa(i), Key: t}
		}
		seenTag[t] = true
	}
	if e.Mode.Joint() && (seenTag[TagSoloTrack] || seenTag[TagIndividualSupport]) {
		return invalid("tags", "%q and %q are for solo exercises", TagSoloTrack, TagIndividualSupport)
	}
	return nil
}

func (s Step) validate(mode Mode) error {
	if !keys.Is(s.Key) || len(s.Key) > 64 {
		return invalid("key", "%q is not a lower-case key", s.Key)
	}
	if err := firstErr(text("title", s.Title, 1, 120), text("prompt", s.Prompt, 1, 2000)); err != nil {
		return err
	}
	if !slices.Contains(s.Answer.Values(), string(s.Answer)) {
		return invalid("answer", "%q is not none, shared, private or sealed", s.Answer)
	}
	if s.Answer == AnswerSealed && !mode.Joint() {
		return invalid("answer", "a solo exercise has no one to reveal a sealed answer to; use private")
	}
	if s.Minutes < 0 || s.Minutes > 240 {
		return invalid("minutes", "must be between 0 and 240")
	}
	if len(s.Turns) > maxTurns {
		return invalid("turns", "has more than %d turns", maxTurns)
	}
	speakers := false
	for i, t := range s.Turns {
		at := "turns." + strconv.Itoa(i)
		if !slices.Contains(t.Role.Values(), string(t.Role)) {
			return invalid(at+".role", "%q is not a role", t.Role)
		}
		if (t.Role == RoleSelf) == mode.Joint() {
			if mode.Joint() {
				return invalid(at+".role", "%q is only for solo exercises", RoleSelf)
			}
			return invalid(at+".role", "a solo exercise has only the role %q", RoleSelf)
		}
		speakers = speakers || t.Role == RoleSpeaker || t.Role == RoleListener
		if err := text(at+".prompt", t.Prompt, 1, 1000); err != nil {
			return err
		}
	}
	if s.SwapRoles && !speakers {
		return invalid("swap_roles", "needs speaker or listener turns to swap")
	}
	return nil
}

// ParseCatalogue decodes and validates a catalogue from JSON, against the
// given profiles (mend's built-ins when none are given). Unknown fields are
// rejected so that a misspelt field is not silently ignored.
func ParseCatalogue(b []byte, profiles ...trust.Profile) (*Catalogue, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var data CatalogueData
	if err := dec.Decode(&data); err != nil {
		return nil, decodeErr(err)
	}
	if jsonvalue.Trailing(dec, b) {
		return nil, invalid("", "trailing data after the catalogue")
	}
	return NewCatalogue(data, profiles...)
}

func decodeErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return invalid(te.Field, "has the wrong JSON type (%s where %s was expected)", te.Value, te.Type)
	}
	return invalid("", "malformed JSON: %v", err)
}

//go:embed catalogue/*.json
var catalogueFS embed.FS

var defaultCatalogue = sync.OnceValue(func() *Catalogue {
	b, err := catalogueFS.ReadFile("catalogue/default.json")
	if err != nil {
		panic("exercise: embedded catalogue: " + err.Error())
	}
	c, err := ParseCatalogue(b)
	if err != nil {
		panic("exercise: embedded catalogue: " + err.Error())
	}
	return c
})

// DefaultCatalogue returns mend's own catalogue (English), embedded in the library
// and checked against the built-in profiles. The catalogue is immutable and
// shared; its accessors return copies.
func DefaultCatalogue() *Catalogue { return defaultCatalogue() }

// DefaultJSON returns the JSON of the default catalogue, as a starting point
// for a translated or extended catalogue.
func DefaultJSON() []byte {
	b, _ := catalogueFS.ReadFile("catalogue/default.json")
	return b
}

// Version returns the catalogue's version.
func (c *Catalogue) Version() int { return c.data.Version }

// Locale returns the language tag of the catalogue's wording.
func (c *Catalogue) Locale() string { return c.data.Locale }

// Title returns the catalogue's title.
func (c *Catalogue) Title() string { return c.data.Title }

// Len returns the number of exercises.
func (c *Catalogue) Len() int { return len(c.data.Exercises) }

// Keys returns the exercise keys in catalogue order.
func (c *Catalogue) Keys() []string {
	out := make([]string, len(c.data.Exercises))
	for i, e := range c.data.Exercises {
		out[i] = e.Key
	}
	return out
}

// Exercises returns copies of the exercises in catalogue order.
func (c *Catalogue) Exercises() []Exercise {
	out := make([]Exercise, len(c.data.Exercises))
	for i, e := range c.data.Exercises {
		out[i] = e.Clone()
	}
	return out
}

// Lookup returns a copy of the exercise with the given key.
func (c *Catalogue) Lookup(key string) (Exercise, bool) {
	e := c.get(key)
	if e == nil {
		return Exercise{}, false
	}
	return e.Clone(), true
}

// get returns the shared exercise; callers must not modify it.
func (c *Catalogue) get(key string) *Exercise {
	i, ok := c.byKey[key]
	if !ok {
		return nil
	}
	return &c.data.Exercises[i]
}

// ForPhase returns the keys of the exercises serving a phase of a profile,
// in catalogue order.
func (c *Catalogue) ForPhase(profile, phase string) []string {
	idx := c.byPhase[profile+"/"+phase]
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = c.data.Exercises[j].Key
	}
	return out
}

// ForRitual returns the key of the exercise that carries out an agreement
// ritual such as "weekly_checkin".
func (c *Catalogue) ForRitual(ritual string) (string, bool) {
	i, ok := c.ritual[ritual]
	if !ok {
		return "", false
	}
	return c.data.Exercises[i].Key, true
}

// Data returns a deep copy of the catalogue's document.
func (c *Catalogue) Data() CatalogueData {
	d := c.data
	d.Exercises = c.Exercises()
	return d
}

// MarshalJSON encodes the catalogue as its document.
func (c *Catalogue) MarshalJSON() ([]byte, error) { return json.Marshal(c.data) }

// text checks a free-text field with the shared rule of [check.Text]: clean
// text (no control character but newline and tab, no bidirectional
// override, valid UTF-8), present when minLen > 0, at most maxLen characters.
func text(field, s string, minLen, maxLen int) error {
	return check.Text("exercise", field, s, minLen, maxLen)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
