package interconnect

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/dxlab/dxlab/internal/facility"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newConnectionID is "mcc-" (a multicloud connection) or "lmcc-" (last
// mile) and 8 lowercase alphanumerics.
func newConnectionID(e facility.Environment) func() string {
	prefix := "mcc-"
	if e.Type == "LastMile" {
		prefix = "lmcc-"
	}
	return func() string {
		b := make([]byte, 8)
		for i := range b {
			b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
		}
		return prefix + string(b)
	}
}

var connectionIDPattern = regexp.MustCompile(`^(mcc|lmcc)-[a-z0-9]{8}$`)

// newUUID returns a random (version 4) UUID: a connection's sharedId.
func newUUID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ARN is a connection's ARN.
func ARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:interconnect:%s:%s:connection/%s", region, account, id)
}

var arnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:interconnect:([^:]+):([0-9]{12}):connection/((?:mcc|lmcc)-[a-z0-9]{8})$`)

// activationKey is what an activation key carries: base64 of JSON, as real
// keys are (the first members are those seen on real ones). Ref names what
// dxlab keeps behind it: a connection waiting for the partner's portal, or a
// partner's proposal; Nonce makes the key unguessable from the rest.
type activationKey struct {
	Version                   int    `json:"version"`
	DestinationEnvironmentURI string `json:"destinationEnvironmentUri"`
	SharedConnectionUUID      string `json:"sharedConnectionUuid"`
	ConnectionSizeMbps        int    `json:"connectionSizeMbps"`
	Region                    string `json:"region"`
	Ref                       string `json:"ref"`
	Nonce                     string `json:"nonce"`
}

const (
	keyForConnection = "connection/"
	keyForProposal   = "proposal/"
)

func newActivationKey(e facility.Environment, sharedID, bandwidth, ref string) string {
	k := activationKey{
		Version: 1,
		DestinationEnvironmentURI: fmt.Sprintf("https://partner-interconnect.%s.api.aws/providers/%s/environments/%s",
			e.Region, providerName(e), e.EnvironmentID),
		SharedConnectionUUID: sharedID,
		ConnectionSizeMbps:   mbps(bandwidth),
		Region:               e.Region,
		Ref:                  ref,
		Nonce:                crand.Text(),
	}
	data, _ := json.Marshal(k)
	return base64.StdEncoding.EncodeToString(data)
}

// parseActivationKey reads a key dxlab issued; anything else is not one.
func parseActivationKey(key string) (activationKey, error) {
	var k activationKey
	data, err := base64.StdEncoding.DecodeString(key)
	if err == nil {
		err = json.Unmarshal(data, &k)
	}
	if err != nil || k.Version != 1 || k.Ref == "" {
		return activationKey{}, invalid("The activation key is not valid: it is not a key an AWS Interconnect partner issued.")
	}
	return k, nil
}

// mbps reads a bandwidth such as "500Mbps" or "10Gbps".
func mbps(bw string) int {
	if n, ok := strings.CutSuffix(bw, "Gbps"); ok {
		v, _ := strconv.Atoi(n)
		return v * 1000
	}
	n, _ := strings.CutSuffix(bw, "Mbps")
	v, _ := strconv.Atoi(n)
	return v
}
