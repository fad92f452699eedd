// Package trust is mend's shared vocabulary: the couple, what broke trust,
// each partner's own account, the acknowledgement of the harm and the hurt
// partner's answer to it, needs requests, commitment, safety, and the journey
// through the phases of a repair protocol.
//
// # Events, not records
//
// Every change to a journey is an [Event] appended to the relationship's
// stream. The envelope follows CloudEvents 1.0 (specversion, id, source, type,
// time, dataschema, data) with the extensions a journey needs (relationship,
// sequence, recordedtime, actor, visibility, sealkey); the data is a typed
// [Payload]. Each event type has one payload type and one JSON Schema
// ([Schemas]); apps may register their own types with [RegisterEventType],
// and unregistered types pass through as [RawPayload].
//
// Who may write what is data too: every registered type declares its
// [Writers] in its [EventSpec] — the partner it is about ([ByOwner]),
// either partner, a professional the partner consented to, the engine
// alone ([BySystem]: journey starts, phase changes, agreement activations
// and lapses, expiries, reminders) — and the journey fold, which every
// write of every type passes, refuses anyone else with [ErrNotWriter]
// before anything is written. A partner never writes in the other's name,
// and consent (research or professional) is given only by the partner it
// belongs to. An app's unregistered types are written by either partner or
// by the app as [SystemActor] ([UnregisteredWriters]).
//
// State is a fold over the stream: [Journey] applies events in sequence order
// and refuses, with a typed error and no change, anything its state does not
// allow — an acknowledgement by the partner who was hurt, a needs request while
// joint work is paused, a phase change whose gates are not met. A regression
// (a new disclosure sending the couple back) is an event too; effort counters
// are never reset.
//
// # Protocol profiles
//
// A [Profile] is a protocol as data: phases with entry and exit [Gate]s that
// are predicates over the journey (no active safety flag, accounts given by
// both, an acknowledgement accepted, the breach no longer ongoing, both
// committed, N events of a type, days in the phase). Four are built in
// ([Profiles]): mend's own (understand → acknowledge → rebuild → sustain), the
// Gottman atone/attune/attach sequence, the steps of EFT's attachment-injury
// resolution model, and Gordon–Baucom–Snyder's impact/meaning/moving on. An app
// writes its own in JSON and loads it with [ParseProfile].
//
// # Privacy and safety
//
// Every event has a visibility: shared, private to its owner, sealed until the
// other partner has written the same kind of entry about the same subject, or
// shared with a professional the owner consented to. A seal is derived from
// what is sealed ([Sealable], [SealKeyOf]: the breach an account is about),
// never chosen by the writer; an event whose sealkey is not the derived one
// is refused. [Access] and [Filter] apply these rules; they are
// the only read path mend's packages use. A [SafetyFlag] is always private:
// it pauses joint work the moment it is applied, only its owner (or a
// professional they consented to share safety data with) can clear it, and a
// partner's [Journey.View] never reveals the other's flag — only that joint
// work is paused, exactly as for a pause either partner asked for.
//
// Nothing here judges free text or diagnoses anyone: the library records what
// each partner says, and the hurt partner's answer decides whether an
// acknowledgement landed. It does refuse text that could show one partner
// something other than what the other wrote: every free-text field and name
// (and an event's subject and seal key) must be valid UTF-8 with no control
// character but newline and tab (no NUL, carriage return, escape, DEL or C1
// control) and none of the bidirectional embedding, override and isolate
// controls U+202A–U+202E and U+2066–U+2069, or validation fails with a
// [*ValidationError] naming the field. The direction marks U+200E, U+200F and
// U+061C are allowed: right-to-left writing needs them.
//
// # Determinism
//
// IDs come from an injected [IDSource] ([SeededIDs] for reproducible runs)
// and time from explicit parameters or an injected [Clock]; the same inputs
// give byte-identical events.
package trust
