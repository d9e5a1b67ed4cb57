//go:build !unix

package sqlite

import "os"

// flock does nothing where there is no flock: the data directory is not
// guarded against a second dxlab.
func flock(*os.File) error { return nil }
