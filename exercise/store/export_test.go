package store

import "os"

// WithSync returns o with fsync replaced by fn, so tests can count, block or
// fail group commits.
func WithSync(o FileOptions, fn func(*os.File) error) FileOptions {
	o.sync = fn
	return o
}

// LogName is the log file's name inside a store's directory.
const LogName = logName

// RecordHeaderSize is the size of a log record's header, before its JSON.
const RecordHeaderSize = recHeaderSize
