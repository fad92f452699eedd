// Command wellness-api is an HTTP service that embeds mend's exercise engine,
// the way a wellness app would: couples start a journey, each partner gets a
// bearer token, and the service serves the workflow as JSON — recording
// facts, planning exercises, and reading timelines, reports and reminders as
// the calling partner may see them.
//
// Usage:
//
//	wellness-api -data ./wellness-data -addr 127.0.0.1:8080
//
// The data directory holds the engine's durable event log (events/, the file
// store of package store: an acknowledged write survives a crash) and
// tokens.json, the SHA-256 hashes of the partners' bearer tokens, so a
// restart keeps every journey and every token. The tokens file is JSON
// Lines: starting a journey appends (and syncs) one record and never
// rewrites the file; a record torn by a crash was never acknowledged and is
// dropped, with a warning in the log, when the service starts. A tokens
// file of the earlier one-document format is converted once. The event
// log's recovery, likewise, logs any torn final commit it cuts off. SIGINT or SIGTERM stops the
// service gracefully: it stops accepting connections, lets requests in
// flight finish and closes the store.
//
// # Access
//
// POST /journeys returns one token per partner. Being the one route open
// without a token, it is rate-limited for the whole server: 10 journeys at
// once, then one a minute by default (flags -journey-burst and
// -journey-every); beyond that it answers 429 with a Retry-After header, in
// seconds, and starts nothing. Every journey route takes
// "Authorization: Bearer <token>": no token or an unknown one is 401, a
// journey other than the token's own is 404 (whether or not it exists), an
// action the library forbids is 403 (such as an event type only the engine
// writes: a phase change), and a payload in the other partner's name is 400
// naming data.partner. The actor of every write is the token's partner,
// never a field of the body. The start carries no research consent: each
// partner gives their own afterwards (trust.research_consent_changed).
// Reads go through the engine's viewer-scoped methods, so a partner never
// sees the other's private entries, sealed answers before both wrote
// theirs, or a safety flag: while one is active the other partner sees only
// that joint work is on hold, in the same words as for a pause either
// partner asked for.
//
// # Requests
//
// Bodies are JSON, at most 64 KiB by default (413 beyond): one value in UTF-8,
// with nothing but white space after it (otherwise a 400 naming the body,
// the empty field). They are checked against mend's published JSON Schemas
// (with format assertions) and then by the library, which refuses control and
// bidirectional control characters in text; a bad one gets a 400 RFC 9457
// problem document whose "errors" extension names each invalid field, and
// nothing is written. The library's refusals map to 404 (not found), 409
// (conflict, a gate not met, a transition the state does not allow, joint
// work on hold) and 403. An Idempotency-Key header makes a retried write
// apply once: the same request sent again with the key returns the first
// response and writes nothing. Keys are scoped to the calling partner. A key
// reused for a different request (another route or payload) is a 409 whose
// problem document names the Idempotency-Key, and nothing is written.
//
// # Reads and writes
//
// Every GET route only reads: reading a plan, reminders, a timeline, a view
// or a report never writes anything, however much is overdue. Time moves a
// journey on through writes: after each successful write the service
// refreshes the journey (the engine's Refresh: overdue work expires, the
// phase advances when every gate is met, the scheduler's new work is
// proposed), so the next plan shows what the write made due.
//
//   - POST /journeys/{id}/refresh brings the journey up to date now and
//     returns the events it wrote that the caller may read (none when
//     nothing was due). A background job calls it for each journey, say
//     nightly, so that work moves on even when nobody opens the app.
//   - GET /journeys/{id}/reminders returns the reminder due to the caller now,
//     if any, under the quiet hours and rate limit. Once the app has sent
//     it, POST /journeys/{id}/reminders/sent with that reminder as the body
//     records so (an event private to the caller); the rate limit counts
//     those records, so it survives a restart. A partner marks only their
//     own reminders.
//
// GET /schemas lists every published schema and GET /schemas/{package}/{file}
// serves one as application/schema+json, including the service's own request
// schemas under the "wellness-api" package.
package main
