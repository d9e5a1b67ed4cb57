package directconnect

import (
	crand "crypto/rand"
	"fmt"
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

// newUUID returns a random (version 4) UUID: a Direct Connect gateway's id.
func newUUID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
