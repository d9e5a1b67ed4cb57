package directconnect

import (
	"math/rand/v2"
	"regexp"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns prefix + "-" + 8 lowercase alphanumerics. Real ids have all
// begun with "f" for years, so these do too.
func newID(prefix string) string {
	b := make([]byte, 8)
	b[0] = 'f'
	for i := 1; i < len(b); i++ {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return prefix + "-" + string(b)
}

var connectionIDPattern = regexp.MustCompile(`^dxcon-[a-z0-9]{8}$`)
var lagIDPattern = regexp.MustCompile(`^dxlag-[a-z0-9]{8}$`)
var vifIDPattern = regexp.MustCompile(`^dxvif-[a-z0-9]{8}$`)
