//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package store

import "os"

// lockFile does nothing on systems without flock: there, the caller must
// make sure only one store opens a directory.
func lockFile(*os.File) error { return nil }
