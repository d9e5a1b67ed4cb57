package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockName is the lock file in the data directory. The embedded store is one
// process's: a second dxlab on the same directory would share the database
// file behind the first one's back, so it is refused at once instead.
const LockName = "dxlab.lock"

// ErrLocked means another process has the data directory open.
var ErrLocked = errors.New("sqlite: the data directory is in use by another dxlab")

// lockDir takes an exclusive, non-blocking lock on dir's lock file and
// returns the open file; closing it (or the process ending, however it
// ends) releases the lock.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock file: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s is locked; stop that dxlab, or give this one another --data-dir): %v", ErrLocked, path, err)
	}
	// The holder's pid, for whoever wonders who holds it; nothing reads it.
	if err := f.Truncate(0); err == nil {
		_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	}
	return f, nil
}
