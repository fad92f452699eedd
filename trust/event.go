package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/mendkit/mend/internal/schemafile"
)

// SpecVersion is the CloudEvents specification version mend events follow.
const SpecVersion = "1.0"

// SchemaBase is the URL prefix of every JSON Schema mend publishes. A schema's
// $id is SchemaBase + "<package>/<name>-<major>.<minor>.json".
const SchemaBase = schemafile.Base

// Payload is the typed data of an event. Each event type has exactly one Go
// payload type, registered with [RegisterEventType].
type Payload interface {
	// EventType returns the namespaced event type, e.g. "trust.breach_recorded".
	EventType() string
	// Validate checks the payload's own fields.
	Validate() error
}

// Sealable is a payload that may be written [Sealed]: it names the subject
// its seal is about, such as the breach an [Account] tells. A payload that
// does not implement it cannot be sealed.
type Sealable interface {
	Payload
	// SealSubject names what the entry is about for its seal: the breach an
	// account tells, the assignment an outcome completes, the step an answer
	// answers. Both partners' entries of one type for one subject share a seal.
	SealSubject() string
}

// SealKeyOf derives the seal key of a sealable payload from what it seals:
// "<event type>:<seal subject>", e.g. "trust.account_given:<breach>". It is
// the only source of seal keys: a sealed event's [Event.SealKey] must equal
// it, and [Access] reveals a sealed entry only to a partner who wrote a
// sealed entry with the same key, so of the same type about the same subject.
// ok is false when the payload cannot be sealed.
func SealKeyOf(p Payload) (key string, ok bool) {
	s, ok := p.(Sealable)
	if !ok || nilPayload(p) {
		return "", false
	}
	return s.EventType() + ":" + s.SealSubject(), true
}

// sealKeyIs reports whether key is the seal key of a sealed payload,
// without building the key: every fold validates every event.
func sealKeyIs(p Payload, key string) (sealable, match bool) {
	s, ok := p.(Sealable)
	if !ok || nilPayload(p) {
		return false, false
	}
	typ, subject := s.EventType(), s.SealSubject()
	return true, len(key) == len(typ)+1+len(subject) && key[:len(typ)] == typ && key[len(typ)] == ':' && key[len(typ)+1:] == subject
}

// RawPayload carries the data of an event type this program has not
// registered. It keeps the exact bytes it was decoded from and re-encodes them
// (compacted, as encoding/json does), so apps' own events pass through mend untouched.
type RawPayload struct {
	Type string
	JSON json.RawMessage
}

// EventType returns the type the event was decoded with.
func (p *RawPayload) EventType() string { return p.Type }

// Validate accepts any JSON object in valid UTF-8 (as JSON must be); the app
// that owns the type validates its fields, including their text.
func (p *RawPayload) Validate() error {
	if !json.Valid(p.JSON) || len(bytes.TrimSpace(p.JSON)) == 0 || bytes.TrimSpace(p.JSON)[0] != '{' {
		return invalid("data", "must be a JSON object")
	}
	if !utf8.Valid(p.JSON) {
		return invalid("data", "is not valid UTF-8")
	}
	return nil
}

// MarshalJSON returns the original bytes.
func (p *RawPayload) MarshalJSON() ([]byte, error) { return p.JSON, nil }

// Visibility says who may read an event through mend's viewer-scoped APIs.
type Visibility string

// Visibilities.
const (
	// Shared events are seen by both partners, and by a professional both consented to.
	Shared Visibility = "shared"
	// Private events are seen only by their owner (normally the author).
	Private Visibility = "private"
	// Sealed events are seen by their owner until the other partner has
	// written a sealed event of the same type about the same subject (the
	// same seal key, derived by [SealKeyOf]); then both partners see both.
	Sealed Visibility = "sealed"
	// WithProfessional events are seen by their owner and by a professional the owner consented to share with.
	WithProfessional Visibility = "professional"
)

// Values lists the visibilities.
func (Visibility) Values() []string { return []string{"shared", "private", "sealed", "professional"} }

// ActorKind says what kind of party wrote an event.
type ActorKind string

// Kinds of actor.
const (
	ActorPartner      ActorKind = "partner"
	ActorProfessional ActorKind = "professional"
	ActorSystem       ActorKind = "system"
)

// Actor is who wrote an event: a partner, a consented professional, or the
// system (the engine acting on a schedule). In JSON it is a string:
// "partner:<uuid>", "professional:<uuid>" or "system".
type Actor struct {
	Kind ActorKind
	ID   [16]byte
}

// PartnerActor returns the actor for a partner.
func PartnerActor(id PartnerID) Actor { return Actor{Kind: ActorPartner, ID: id} }

// ProfessionalActor returns the actor for a professional.
func ProfessionalActor(id ProfessionalID) Actor { return Actor{Kind: ActorProfessional, ID: id} }

// SystemActor is the engine acting on its own.
var SystemActor = Actor{Kind: ActorSystem}

// Partner returns the partner ID and true when the actor is a partner.
func (a Actor) Partner() (PartnerID, bool) { return PartnerID(a.ID), a.Kind == ActorPartner }

// Professional returns the professional ID and true when the actor is a professional.
func (a Actor) Professional() (ProfessionalID, bool) {
	return ProfessionalID(a.ID), a.Kind == ActorProfessional
}

// String returns the text form.
func (a Actor) String() string {
	if a.Kind == ActorSystem {
		return "system"
	}
	return string(a.Kind) + ":" + PartnerID(a.ID).String()
}

// MarshalText implements encoding.TextMarshaler.
func (a Actor) MarshalText() ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return []byte(a.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Actor) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "system" {
		*a = SystemActor
		return nil
	}
	kind, id, ok := strings.Cut(s, ":")
	if !ok || (kind != string(ActorPartner) && kind != string(ActorProfessional)) {
		return invalid("actor", "%q is not \"partner:<uuid>\", \"professional:<uuid>\" or \"system\"", s)
	}
	var u PartnerID
	if err := u.UnmarshalText([]byte(id)); err != nil || u.IsZero() {
		return invalid("actor", "%q has no valid UUID", s)
	}
	*a = Actor{Kind: ActorKind(kind), ID: u}
	return nil
}

// Validate checks the actor.
func (a Actor) Validate() error {
	switch a.Kind {
	case ActorSystem:
		if a.ID != ([16]byte{}) {
			return invalid("actor", "the system actor has no ID")
		}
	case ActorPartner, ActorProfessional:
		if a.ID == ([16]byte{}) {
			return invalid("actor", "is missing its ID")
		}
	default:
		return invalid("actor", "kind %q is not partner, professional or system", a.Kind)
	}
	return nil
}

// Sequence is an event's position in its journey, starting at 1. In JSON it is
// a 20-digit zero-padded decimal string, so that, as the CloudEvents sequence
// extension requires, string order is numeric order.
type Sequence uint64

// MarshalText implements encoding.TextMarshaler.
func (s Sequence) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%020d", uint64(s)), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Sequence) UnmarshalText(b []byte) error {
	if len(b) != 20 {
		return invalid("sequence", "must be 20 decimal digits")
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return invalid("sequence", "must be 20 decimal digits")
	}
	*s = Sequence(n)
	return nil
}

// Event is one entry in a journey's append-only stream. Its envelope follows
// CloudEvents 1.0 (specversion, id, source, type, time, subject, dataschema,
// datacontenttype, data) with the extensions a journey needs: relationship,
// sequence, recordedtime (when it was written, which may be later than when it
// happened), actor, visibility and sealkey. A sealed event's sealkey is not
// chosen by its writer: it is derived from what is sealed ([SealKeyOf]), and
// an event whose sealkey differs is refused. State — a journey's phase, open
// requests, active agreements — is always a fold over events.
type Event struct {
	// SpecVersion is always "1.0".
	SpecVersion string `json:"specversion"`
	// ID identifies the event; with Source it is unique, and it is the
	// idempotency key for appends.
	ID EventID `json:"id"`
	// Source is "urn:uuid:<relationship id>".
	Source string `json:"source"`
	// Type is the namespaced event type, e.g. "trust.breach_recorded".
	Type string `json:"type"`
	// Subject names the thing inside the journey the event is about, e.g. a breach ID.
	Subject string `json:"subject,omitempty"`
	// Time is when the fact happened, in UTC.
	Time time.Time `json:"time"`
	// DataContentType is always "application/json".
	DataContentType string `json:"datacontenttype"`
	// DataSchema is the $id of the JSON Schema of Data; empty for unregistered app types.
	DataSchema string `json:"dataschema,omitempty"`
	// Relationship is the journey the event belongs to.
	Relationship RelationshipID `json:"relationship"`
	// Sequence is the event's 1-based position in the journey.
	Sequence Sequence `json:"sequence"`
	// RecordedTime is when the event was written, in UTC; never before Time
	// is required only of the store, not of the fact (a check-in may be back-filled).
	RecordedTime time.Time `json:"recordedtime"`
	// Actor is who wrote the event.
	Actor Actor `json:"actor"`
	// Visibility says who may read it.
	Visibility Visibility `json:"visibility"`
	// SealKey groups sealed answers that are revealed together once both partners answered.
	SealKey string `json:"sealkey,omitempty"`
	// Data is the typed payload.
	Data Payload `json:"data"`
}

// EventSpec describes a registered event type.
type EventSpec struct {
	// Type is the namespaced type string.
	Type string
	// Schema is the $id of the payload's JSON Schema.
	Schema string
	// New returns a pointer to a zero payload to decode into.
	New func() Payload
	// Visibilities lists the visibilities the type allows; the first is the default.
	Visibilities []Visibility
	// Sensitive marks safety data: never exported, never notified, private to its owner.
	Sensitive bool
	// Writers says who may write events of the type; it is required. The
	// journey fold ([Journey.Apply], [Journey.Prepare], [NewJourney]), which
	// every write of every type passes, refuses anyone else.
	Writers Writers
}

// Writers is the set of parties who may write events of a type, combined
// with |, e.g. ByOwner|ByProfessional, and declared by every registered
// type in its [EventSpec]. A writer outside the set is refused with a
// *[TransitionError] that matches [ErrNotWriter] (and so [ErrForbidden])
// and whose Reason begins with the refused field: "actor" for a kind of
// writer the type does not allow, "data" for a partner writing a payload
// about the other partner. Nothing is written.
type Writers uint8

// Kinds of writer.
const (
	// ByOwner is the partner the event is about, as [Event.Owner] names them:
	// the payload's OwnerPartner when it has one, else the partner writing it.
	// A partner may never write a payload whose owner is the other partner.
	ByOwner Writers = 1 << iota
	// ByEitherPartner is either partner of the couple, whoever the payload
	// is about; the type's own fold checks the partners its payload names
	// (a partner proposes an exercise only for themselves or for both).
	ByEitherPartner
	// ByProfessional is a professional that a partner of the couple
	// currently consents to share with (the payload's owner, when it names
	// one).
	ByProfessional
	// BySystem is the engine acting on its own, [SystemActor]: phase
	// changes, scheduled assignments, reminders, activations, lapses.
	BySystem
)

// UnregisteredWriters are the writers of an event type no package
// registered (an app's own type passed through as [RawPayload]): either
// partner, or the app itself as [SystemActor].
const UnregisteredWriters = ByEitherPartner | BySystem

// ErrNotWriter reports an event written by someone its type's [Writers] do
// not include. It matches [ErrForbidden].
var ErrNotWriter = fmt.Errorf("%w: not a writer of this event type", ErrForbidden)

// String names the writers in words, e.g. "the partner it is about or a
// consented professional".
func (w Writers) String() string {
	var parts []string
	for _, k := range []struct {
		w    Writers
		name string
	}{{ByOwner, "the partner it is about"}, {ByEitherPartner, "either partner"}, {ByProfessional, "a consented professional"}, {BySystem, "the engine"}} {
		if w&k.w != 0 {
			parts = append(parts, k.name)
		}
	}
	if len(parts) == 0 {
		return "nobody"
	}
	return strings.Join(parts, " or ")
}

var (
	// registry maps a type string to its EventSpec. Registration happens at
	// init; every event a fold checks looks its type up, from every goroutine,
	// and a sync.Map serves those reads without contention.
	registry sync.Map
	typeRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
)

// RegisterEventType registers an event type so events of that type decode to
// a typed payload. mend's packages register their own types; an app registers
// its own (in its own namespace, e.g. "myapp.gratitude_note") to get typed
// decoding, or leaves them unregistered to pass them through as [RawPayload]
// (written by [UnregisteredWriters]). A spec must declare its [Writers];
// registering a type twice is an error.
func RegisterEventType(spec EventSpec) error {
	if !typeRE.MatchString(spec.Type) {
		return invalid("type", "%q is not a namespaced lower-case type such as \"app.thing_done\"", spec.Type)
	}
	if spec.New == nil {
		return invalid("new", "is required")
	}
	if got := spec.New().EventType(); got != spec.Type {
		return invalid("new", "returns a payload of type %q, not %q", got, spec.Type)
	}
	if spec.Writers == 0 || spec.Writers&^(ByOwner|ByEitherPartner|ByProfessional|BySystem) != 0 {
		return invalid("writers", "must name who may write %s (ByOwner, ByEitherPartner, ByProfessional, BySystem)", spec.Type)
	}
	_, sealable := spec.New().(Sealable)
	if len(spec.Visibilities) == 0 {
		spec.Visibilities = []Visibility{Shared, Private, Sealed, WithProfessional}
		if !sealable {
			spec.Visibilities = []Visibility{Shared, Private, WithProfessional}
		}
	}
	for _, v := range spec.Visibilities {
		if !slices.Contains(v.Values(), string(v)) {
			return invalid("visibilities", "%q is not a visibility", v)
		}
		if v == Sealed && !sealable {
			return invalid("visibilities", "%s payloads name no seal subject (Sealable), so they cannot be sealed", spec.Type)
		}
	}
	spec.Visibilities = slices.Clone(spec.Visibilities)
	if _, dup := registry.LoadOrStore(spec.Type, spec); dup {
		return fmt.Errorf("trust: register %s: %w: already registered", spec.Type, ErrConflict)
	}
	return nil
}

// MustRegisterEventType is RegisterEventType for package initialisation; it
// panics on error, which only a programming mistake can cause.
func MustRegisterEventType(spec EventSpec) {
	if err := RegisterEventType(spec); err != nil {
		panic(err)
	}
}

// LookupEventType returns the registered spec of an event type.
func LookupEventType(typ string) (EventSpec, bool) {
	s, ok := lookup(typ)
	s.Visibilities = slices.Clone(s.Visibilities)
	return s, ok
}

// lookup returns the registered spec of typ as the registry keeps it, for
// reads inside this package that hand nothing out.
func lookup(typ string) (EventSpec, bool) {
	s, ok := registry.Load(typ)
	if !ok {
		return EventSpec{}, false
	}
	return s.(EventSpec), true
}

// EventTypes lists the registered event types in sorted order.
func EventTypes() []EventSpec {
	var out []EventSpec
	registry.Range(func(_, v any) bool {
		s := v.(EventSpec)
		s.Visibilities = slices.Clone(s.Visibilities)
		out = append(out, s)
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// sourceOf returns the CloudEvents source of a relationship's events,
// "urn:uuid:<relationship>".
func sourceOf(id RelationshipID) string { return id.UUID().URN() }

// isSourceOf reports whether s is sourceOf(id), in the canonical lower-case
// form, without building the string: every fold validates every event.
func isSourceOf(s string, id RelationshipID) bool {
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || len(rest) != 36 || strings.ContainsAny(rest, "ABCDEF") {
		return false
	}
	u, err := uuid.Parse(rest)
	return err == nil && RelationshipID(u) == id
}

// Sensitive reports whether the event carries safety data, which is private to
// its owner, never notified and never exported.
func (e Event) Sensitive() bool {
	s, ok := lookup(e.Type)
	return ok && s.Sensitive
}

// Owner returns the partner an event belongs to for visibility: the payload's
// owner if it names one (a safety flag cleared by a professional still belongs
// to the partner who raised it), else the authoring partner.
func (e Event) Owner() (PartnerID, bool) {
	if o, ok := e.Data.(interface{ OwnerPartner() PartnerID }); ok {
		return o.OwnerPartner(), true
	}
	return e.Actor.Partner()
}

// Header is what a writer says about an event beyond its payload.
type Header struct {
	ID           EventID
	Relationship RelationshipID
	Sequence     Sequence
	Time         time.Time // when it happened; defaults to Recorded
	Recorded     time.Time // when it was written
	Actor        Actor
	Visibility   Visibility // defaults to the type's default visibility
	SealKey      string     // a sealed event's defaults to [SealKeyOf] its payload, the only key it may have
	Subject      string
}

// NewEvent builds a complete envelope around a payload: it fills the
// CloudEvents fields from the header and the registered type, normalises times
// to UTC and validates the result. A sensitive (safety) event is always private.
func NewEvent(data Payload, h Header) (Event, error) {
	if nilPayload(data) {
		return Event{}, invalid("data", "is required")
	}
	e := buildEvent(data, h)
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// nilPayload reports whether p is nil or a nil pointer: no payload at all.
func nilPayload(p Payload) bool {
	if p == nil {
		return true
	}
	v := reflect.ValueOf(p)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// buildEvent fills in the envelope without validating it.
func buildEvent(data Payload, h Header) Event {
	e := Event{
		SpecVersion:     SpecVersion,
		ID:              h.ID,
		Source:          sourceOf(h.Relationship),
		Type:            data.EventType(),
		Subject:         h.Subject,
		Time:            h.Time.UTC(),
		DataContentType: "application/json",
		Relationship:    h.Relationship,
		Sequence:        h.Sequence,
		RecordedTime:    h.Recorded.UTC(),
		Actor:           h.Actor,
		Visibility:      h.Visibility,
		SealKey:         h.SealKey,
		Data:            data,
	}
	if h.Time.IsZero() {
		e.Time = e.RecordedTime
	}
	if spec, ok := lookup(e.Type); ok {
		e.DataSchema = spec.Schema
		if e.Visibility == "" {
			e.Visibility = spec.Visibilities[0]
		}
	}
	if e.Visibility == Sealed && e.SealKey == "" {
		e.SealKey, _ = SealKeyOf(data)
	}
	if e.Subject == "" {
		if s, ok := data.(interface{ EventSubject() string }); ok {
			e.Subject = s.EventSubject()
		}
	}
	return e
}

// Validate checks the envelope and the payload. Errors name the field by its
// JSON path, e.g. "data.severity".
func (e Event) Validate() error {
	spec, registered := lookup(e.Type)
	switch {
	case e.SpecVersion != SpecVersion:
		return invalid("specversion", "must be %q", SpecVersion)
	case e.ID.IsZero():
		return invalid("id", "is required")
	case e.Relationship.IsZero():
		return invalid("relationship", "is required")
	case !isSourceOf(e.Source, e.Relationship):
		return invalid("source", "must be \"urn:uuid:<relationship>\"")
	case !registered && !typeRE.MatchString(e.Type): // registered types were checked when they were registered
		return invalid("type", "%q is not a namespaced event type", e.Type)
	case e.Time.IsZero():
		return invalid("time", "is required")
	case e.RecordedTime.IsZero():
		return invalid("recordedtime", "is required")
	case e.DataContentType != "application/json":
		return invalid("datacontenttype", "must be \"application/json\"")
	case e.Sequence == 0:
		return invalid("sequence", "must be at least 1")
	case len(e.Subject) > 200:
		return invalid("subject", "is longer than 200 bytes")
	case len(e.SealKey) > 200:
		return invalid("sealkey", "is longer than 200 bytes")
	case nilPayload(e.Data):
		return invalid("data", "is required")
	case e.Data.EventType() != e.Type:
		return invalid("type", "is %q but data is a %q payload", e.Type, e.Data.EventType())
	}
	if err := firstErr(text("subject", e.Subject, 0, 200), text("sealkey", e.SealKey, 0, 200)); err != nil {
		return err
	}
	if err := e.Actor.Validate(); err != nil {
		return err
	}
	if !slices.Contains(e.Visibility.Values(), string(e.Visibility)) {
		return invalid("visibility", "%q is not shared, private, sealed or professional", e.Visibility)
	}
	if registered {
		if e.DataSchema != spec.Schema {
			return invalid("dataschema", "must be %q for %s", spec.Schema, e.Type)
		}
		allowed := false
		for _, v := range spec.Visibilities {
			allowed = allowed || v == e.Visibility
		}
		if !allowed {
			return invalid("visibility", "%s events may not be %s", e.Type, e.Visibility)
		}
	}
	if e.Visibility == Sealed {
		switch sealable, match := sealKeyIs(e.Data, e.SealKey); {
		case !sealable:
			return invalid("visibility", "%s events cannot be sealed: the payload names no seal subject", e.Type)
		case !match:
			key, _ := SealKeyOf(e.Data)
			return invalid("sealkey", "a sealed %s is sealed with %q, derived from what it seals", e.Type, key)
		}
	} else if e.SealKey != "" {
		return invalid("sealkey", "is only for sealed events")
	}
	if e.Visibility != Shared {
		if _, ok := e.Owner(); !ok {
			return invalid("visibility", "a %s event needs a partner who owns it", e.Visibility)
		}
	}
	return prefix("data", e.Data.Validate())
}

type eventJSON struct {
	SpecVersion     string          `json:"specversion"`
	ID              EventID         `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            time.Time       `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	DataSchema      string          `json:"dataschema,omitempty"`
	Relationship    RelationshipID  `json:"relationship"`
	Sequence        Sequence        `json:"sequence"`
	RecordedTime    time.Time       `json:"recordedtime"`
	Actor           Actor           `json:"actor"`
	Visibility      Visibility      `json:"visibility"`
	SealKey         string          `json:"sealkey,omitempty"`
	Data            json.RawMessage `json:"data"`
}

// UnmarshalJSON decodes an event, decoding Data into the payload type
// registered for Type, or into a [RawPayload] for an unregistered type. It
// does not validate; call [Event.Validate] or use [DecodeEvent].
func (e *Event) UnmarshalJSON(b []byte) error {
	var raw eventJSON
	if err := json.Unmarshal(b, &raw); err != nil {
		return decodeErr(err)
	}
	if len(raw.Data) == 0 || string(raw.Data) == "null" {
		return invalid("data", "is required")
	}
	var data Payload
	if spec, ok := lookup(raw.Type); ok {
		data = spec.New()
		if err := json.Unmarshal(raw.Data, data); err != nil {
			return prefix("data", decodeErr(err))
		}
	} else {
		data = &RawPayload{Type: raw.Type, JSON: append(json.RawMessage(nil), raw.Data...)}
	}
	*e = Event{
		SpecVersion: raw.SpecVersion, ID: raw.ID, Source: raw.Source, Type: raw.Type,
		Subject: raw.Subject, Time: raw.Time, DataContentType: raw.DataContentType,
		DataSchema: raw.DataSchema, Relationship: raw.Relationship, Sequence: raw.Sequence,
		RecordedTime: raw.RecordedTime, Actor: raw.Actor, Visibility: raw.Visibility,
		SealKey: raw.SealKey, Data: data,
	}
	return nil
}

// DecodeEvent decodes and validates one JSON event.
func DecodeEvent(b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, decodeErr(err)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// decodeErr turns encoding/json errors into ValidationErrors naming the field.
func decodeErr(err error) error {
	if _, ok := err.(*ValidationError); ok {
		return err
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return invalid(te.Field, "has the wrong JSON type (%s where %s was expected)", te.Value, te.Type)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return invalid("", "malformed JSON: %v", err)
}
