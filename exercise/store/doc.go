// Package store keeps journeys' event streams: one append-only stream of
// [trust.Event] values per relationship, the only authoritative record of a
// journey (its state is always a fold over the stream).
//
// [Store] is the interface the engine uses and apps may implement over their
// own database. Appends use optimistic concurrency: the caller says which
// sequence it believes is last, and a writer that lost a race gets a
// *[ConflictError] (errors.Is(err, trust.ErrConflict)) and re-reads. Event
// IDs are idempotency keys: a retried append whose events are all stored
// already, with identical content, succeeds without storing them twice, so a
// request whose acknowledgement was lost can simply be sent again. Every
// method validates its input and returns typed errors
// (*trust.ValidationError for bad input), honours context cancellation, is
// safe for concurrent use, and changes nothing when it returns an error.
// [Scan] streams a long stream instead of loading it at once. The
// conformance suite in package storetest states the contract as tests.
//
// Events are stored in their JSON form, as trust.DecodeEvent reads it; a
// store refuses an event whose JSON would not decode back, so nothing it
// accepts is unreadable later. Events of app types this program has not
// registered keep their data byte for byte (apart from whitespace around
// the object). Loaded events are decoded afresh and share no memory with the
// store, and appended events are copied, so callers may change either.
//
// # Writing a store
//
// An app that keeps journeys in its own database implements [Store] on the
// checks every store shares. Its Append calls [NewBatch], which validates
// the request and encodes each event as a [Record] (the bytes to put in a
// column), before it takes a lock or opens a transaction; inside it,
// [Batch.Check] compares the batch with what the stream holds, telling a
// new append from an idempotent retry or a conflict; then it writes the
// records. Its reads begin with [CheckRead] and decode each record with
// trust.DecodeEvent. The memory and file stores are built the same way, and
// the custom-store example is a complete store that passes the conformance
// suite, which every store should run:
//
//	storetest.Run(t, func(t *testing.T) store.Store { return openMyStore(t) })
//
// # Stores
//
// [NewMemory] returns the in-memory store, the default: fast and
// dependency-free, and gone when the process ends.
//
// [OpenFile] opens the durable embedded store in a directory. It keeps a
// single append-only log file, events.log, for every relationship, rather
// than a file per relationship: one log means one fsync makes a whole group
// of appends to any number of relationships durable, one file handle and no
// directory growth with the number of couples. An index rebuilt when the
// store opens records where each relationship's events are, so loading a
// journey reads only its own records. Each record is a length, a CRC-32C
// checksum, a commit group number and flags, and the event's JSON.
//
// # What acknowledged means
//
// The file store's Append returns success only after the events are
// written and fsynced: an acknowledged append survives a process crash,
// a machine crash and a power cut, as far as the disk honours fsync.
// Appends waiting at the same time are written together and share one
// fsync (group commit): a committer goroutine takes every waiting append,
// checks each against the stream and the appends before it in the group,
// writes the group, fsyncs once and then answers them all. An append is
// atomic: all its events are stored, or none. A context cancelled while an
// append waits for the committer withdraws it; once the committer has taken
// it, Append waits for the outcome, so an error always means nothing was
// stored. If a write or fsync fails, the group is cut off the log and the
// store refuses further appends ([ErrFailed]); reopen it to recover.
// FileOptions.NoSync drops the durability promise and is for tests only.
//
// # What recovery does
//
// Opening the file store reads the whole log. Because the committer writes a
// group only after the previous one is durable, only the final group can be
// incomplete after a crash. Recovery keeps every complete group, and
// truncates an incomplete or damaged final group (a torn write, which was
// never acknowledged) before anything is appended after it. Damage anywhere
// else, meaning an intact record of a later group follows it, would lose
// acknowledged events if dropped, so the store refuses to open with a
// *[CorruptionError] (errors.Is(err, [ErrCorrupt])) naming the file and
// offset, and leaves the file as it is for an operator. One case cannot be
// told apart: damage confined to the final group looks exactly like a torn
// write and is dropped. Loads check each record's checksum again. With
// FileOptions.Logger set, recovery logs a warning for what it cuts off: the
// offset and length of the torn commit, why it was judged torn, and the
// relationships of its intact records.
//
// Only one store may have a directory open at a time; on Unix systems an
// advisory lock enforces this ([ErrLocked]). The directory is created with
// mode 0700 and the log with 0600, as journeys hold private data.
package store
