//go:build unix

package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// flock takes an exclusive lock on f without waiting. An flock lock belongs
// to the open file, so the kernel drops it when the process dies, even by
// kill -9: a stale lock file never blocks a restart.
func flock(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}
