package directconnect_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
)

// Test keys: 64 hex characters each.
var (
	ckn1 = strings.Repeat("0123456789abcdef", 4)
	cak1 = strings.Repeat("fedcba9876543210", 4)
	ckn2 = strings.Repeat("aa", 32)
)

// secretARNRE is the ARN AWS gives a key made from a CKN and CAK.
func secretARNRE(ckn string) *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws:secretsmanager:` + region + `:` + account + `:secret:directconnect!prod/` + region + `/directconnect/` + ckn + `-[a-z0-9]{6}$`)
}

func macSecConnection(t *testing.T, c *directconnect.Client, name string) string {
	t.Helper()
	out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String(name), RequestMACSec: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ConnectionId)
}

func associateKey(t *testing.T, c *directconnect.Client, id, ckn, cak string) types.MacSecKey {
	t.Helper()
	out, err := c.AssociateMacSecKey(ctx, &directconnect.AssociateMacSecKeyInput{ConnectionId: aws.String(id), Ckn: aws.String(ckn), Cak: aws.String(cak)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ConnectionId) != id {
		t.Errorf("answered for %q", aws.ToString(out.ConnectionId))
	}
	for _, k := range out.MacSecKeys {
		if strings.EqualFold(aws.ToString(k.Ckn), ckn) {
			return k
		}
	}
	t.Fatalf("the new key is not among %+v", out.MacSecKeys)
	return types.MacSecKey{}
}

func disassociateKey(c *directconnect.Client, id, arn string) (*directconnect.DisassociateMacSecKeyOutput, error) {
	return c.DisassociateMacSecKey(ctx, &directconnect.DisassociateMacSecKeyInput{ConnectionId: aws.String(id), SecretARN: aws.String(arn)})
}

// keyStates maps each key's CKN to its state.
func keyStates(keys []types.MacSecKey) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		out[aws.ToString(k.Ckn)] = aws.ToString(k.State)
	}
	return out
}

// encryption is what a connection reports of its MACsec.
func encryption(c types.Connection) string {
	return aws.ToString(c.EncryptionMode) + "/" + aws.ToString(c.PortEncryptionStatus)
}

func TestMacSecKeysOfAConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	id := macSecConnection(t, c, "secure")

	k1 := associateKey(t, c, id, strings.ToUpper(ckn1), cak1)
	if !secretARNRE(ckn1).MatchString(aws.ToString(k1.SecretARN)) || aws.ToString(k1.State) != "associating" || aws.ToString(k1.StartOn) == "" {
		t.Fatalf("new key: arn %q state %q startOn %q", aws.ToString(k1.SecretARN), aws.ToString(k1.State), aws.ToString(k1.StartOn))
	}
	got := describe(t, c, id)
	if keyStates(got.MacSecKeys)[ckn1] != "associated" || encryption(got) != "should_encrypt/Encryption Up" {
		t.Fatalf("after the key settled: keys %v, %s", keyStates(got.MacSecKeys), encryption(got))
	}

	// By secret ARN: the CKN is the one the secret's name carries.
	arn2 := "arn:aws:secretsmanager:" + region + ":" + account + ":secret:directconnect!prod/" + region + "/directconnect/" + ckn2 + "-AbCdEf"
	out, err := c.AssociateMacSecKey(ctx, &directconnect.AssociateMacSecKeyInput{ConnectionId: aws.String(id), SecretARN: aws.String(arn2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MacSecKeys) != 2 {
		t.Fatalf("keys after the second: %+v", out.MacSecKeys)
	}
	if got := keyStates(describe(t, c, id).MacSecKeys); got[ckn1] != "associated" || got[ckn2] != "associated" {
		t.Errorf("keys: %v", got)
	}

	for _, tc := range []struct {
		name string
		in   directconnect.AssociateMacSecKeyInput
		msg  string
	}{
		{"both", directconnect.AssociateMacSecKeyInput{SecretARN: aws.String(arn2), Ckn: aws.String(ckn1), Cak: aws.String(cak1)}, "Give either secretARN or ckn and cak, not both."},
		{"ckn alone", directconnect.AssociateMacSecKeyInput{Ckn: aws.String(ckn1)}, "Give a secretARN, or both ckn and cak."},
		{"nothing", directconnect.AssociateMacSecKeyInput{}, "Give a secretARN, or both ckn and cak."},
		{"not hex", directconnect.AssociateMacSecKeyInput{Ckn: aws.String(strings.Repeat("g", 64)), Cak: aws.String(cak1)}, "ckn and cak must each be 64 hexadecimal characters."},
		{"short", directconnect.AssociateMacSecKeyInput{Ckn: aws.String(ckn1), Cak: aws.String("abcd")}, "cak"},
		{"not a secret", directconnect.AssociateMacSecKeyInput{SecretARN: aws.String("arn:aws:s3:::bucket")}, "is not the ARN of a Secrets Manager secret"},
		{"twice", directconnect.AssociateMacSecKeyInput{Ckn: aws.String(ckn1), Cak: aws.String(cak1)}, "is already associated with " + id},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.ConnectionId = aws.String(id)
			_, err := c.AssociateMacSecKey(ctx, &tc.in)
			apiError(t, err, "DirectConnectClientException", tc.msg)
		})
	}

	// The key only encrypts while the link is up.
	setPort(t, dx, id, "down", "down")
	if got := encryption(describe(t, c, id)); got != "should_encrypt/Encryption Down" {
		t.Errorf("port down: %s", got)
	}
	setPort(t, dx, id, "up", "available")

	// Keys go one by one; when the last goes, must_encrypt drops to
	// should_encrypt and encryption is down.
	if _, err := c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String(id), EncryptionMode: aws.String("must_encrypt")}); err != nil {
		t.Fatal(err)
	}
	gone, err := disassociateKey(c, id, aws.ToString(k1.SecretARN))
	if err != nil || len(gone.MacSecKeys) != 1 || aws.ToString(gone.MacSecKeys[0].State) != "disassociated" || aws.ToString(gone.MacSecKeys[0].Ckn) != ckn1 {
		t.Fatalf("disassociate: %+v %v", gone, err)
	}
	if got := describe(t, c, id); len(got.MacSecKeys) != 1 || encryption(got) != "must_encrypt/Encryption Up" {
		t.Errorf("one key left: %v, %s", keyStates(got.MacSecKeys), encryption(got))
	}
	_, err = disassociateKey(c, id, aws.ToString(k1.SecretARN))
	apiError(t, err, "DirectConnectClientException", "No MACsec key with secretARN")
	if _, err := disassociateKey(c, id, arn2); err != nil {
		t.Fatal(err)
	}
	if got := describe(t, c, id); len(got.MacSecKeys) != 0 || encryption(got) != "should_encrypt/Encryption Down" {
		t.Errorf("no key left: %v, %s", keyStates(got.MacSecKeys), encryption(got))
	}

	// Not on a connection that is not MACsec-capable, nor on another's.
	plain := aws.ToString(create10G(t, c, "plain").ConnectionId)
	_, err = c.AssociateMacSecKey(ctx, &directconnect.AssociateMacSecKeyInput{ConnectionId: aws.String(plain), Ckn: aws.String(ckn1), Cak: aws.String(cak1)})
	apiError(t, err, "DirectConnectClientException", plain+" is not MACsec capable")
	if got := describe(t, c, plain); got.MacSecKeys != nil && len(got.MacSecKeys) != 0 || got.EncryptionMode != nil || aws.ToBool(got.MacSecCapable) {
		t.Errorf("plain connection reports MACsec: %+v", got)
	}
	other := dx.DirectConnect(account2, region)
	_, err = other.AssociateMacSecKey(ctx, &directconnect.AssociateMacSecKeyInput{ConnectionId: aws.String(id), Ckn: aws.String(ckn1), Cak: aws.String(cak1)})
	notFound(t, err, "Connection", id)
	_, err = other.DisassociateMacSecKey(ctx, &directconnect.DisassociateMacSecKeyInput{ConnectionId: aws.String(id), SecretARN: aws.String(arn2)})
	notFound(t, err, "Connection", id)
}

// A key is associating until AWS has pushed it to the port; only then is
// encryption up.
func TestMacSecKeyTakesEffectAfterAutomation(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic})
	c := dx.DirectConnect(account, region)
	id := macSecConnection(t, c, "secure")
	dx.Advance(facility.RealisticAWSStaff + facility.RealisticTechnician)
	if got := describe(t, c, id); got.ConnectionState != types.ConnectionStateAvailable || encryption(got) != "should_encrypt/Encryption Down" {
		t.Fatalf("available without a key: %s %s", got.ConnectionState, encryption(got))
	}
	associateKey(t, c, id, ckn1, cak1)
	if got := describe(t, c, id); keyStates(got.MacSecKeys)[ckn1] != "associating" || encryption(got) != "should_encrypt/Encryption Down" {
		t.Errorf("associating: %v %s", keyStates(got.MacSecKeys), encryption(got))
	}
	dx.Advance(facility.RealisticAutomation)
	if got := describe(t, c, id); keyStates(got.MacSecKeys)[ckn1] != "associated" || encryption(got) != "should_encrypt/Encryption Up" {
		t.Errorf("associated: %v %s", keyStates(got.MacSecKeys), encryption(got))
	}
}

// A LAG's keys and encryption mode are its members'.
func TestMacSecOnALag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	in := lagInput("EqDC2", "10Gbps", 2)
	in.RequestMACSec = aws.Bool(true)
	l, err := c.CreateLag(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(l.LagId)
	if !aws.ToBool(l.MacSecCapable) || aws.ToString(l.EncryptionMode) != "should_encrypt" {
		t.Fatalf("MACsec LAG: capable %v mode %q", aws.ToBool(l.MacSecCapable), aws.ToString(l.EncryptionMode))
	}
	members := memberIDs(types.Lag{Connections: l.Connections})
	members = append(members, aws.ToString(func() *directconnect.CreateConnectionOutput {
		out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"),
			ConnectionName: aws.String("third"), LagId: aws.String(id), RequestMACSec: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}().ConnectionId))

	key := associateKey(t, c, id, ckn1, cak1)
	if got := keyStates(describeLag(t, c, id).MacSecKeys); got[ckn1] != "associated" {
		t.Errorf("LAG keys: %v", got)
	}
	membersSay := func(when, want string, keys int) {
		t.Helper()
		for _, m := range members {
			got := describe(t, c, m)
			if !aws.ToBool(got.MacSecCapable) || encryption(got) != want || len(got.MacSecKeys) != keys {
				t.Errorf("%s: member %s says %s with %v", when, m, encryption(got), keyStates(got.MacSecKeys))
			}
		}
	}
	membersSay("a LAG key", "should_encrypt/Encryption Up", 1)

	// The LAG's encryption mode applies to all its connections.
	if out, err := c.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(id), EncryptionMode: aws.String("must_encrypt")}); err != nil || aws.ToString(out.EncryptionMode) != "must_encrypt" {
		t.Fatalf("UpdateLag encryptionMode: %+v %v", out, err)
	}
	membersSay("must_encrypt", "must_encrypt/Encryption Up", 1)

	// A new member takes the LAG's keys and mode.
	fourth, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"),
		ConnectionName: aws.String("fourth"), LagId: aws.String(id), RequestMACSec: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	members = append(members, aws.ToString(fourth.ConnectionId))
	membersSay("a new member", "must_encrypt/Encryption Up", 1)

	// A connection that leaves and joins again takes the LAG's keys.
	if _, err := disassociate(c, members[0], id); err != nil {
		t.Fatal(err)
	}
	if _, err := associate(c, members[0], id); err != nil {
		t.Fatal(err)
	}
	if got := keyStates(describe(t, c, members[0]).MacSecKeys); got[ckn1] != "associated" {
		t.Errorf("rejoined member's keys: %v", got)
	}

	// The last key goes: must_encrypt drops to should_encrypt, for all.
	if _, err := disassociateKey(c, id, aws.ToString(key.SecretARN)); err != nil {
		t.Fatal(err)
	}
	if got := describeLag(t, c, id); len(got.MacSecKeys) != 0 || aws.ToString(got.EncryptionMode) != "should_encrypt" {
		t.Errorf("LAG without keys: %v %q", keyStates(got.MacSecKeys), aws.ToString(got.EncryptionMode))
	}
	membersSay("no key", "should_encrypt/Encryption Down", 0)

	// A connection that a new LAG is made from gives up its own keys for
	// the LAG's (none yet).
	own := macSecConnection(t, c, "own-keys")
	associateKey(t, c, own, ckn2, cak1)
	from := lagInput("EqDC2", "10Gbps", 1)
	from.ConnectionId, from.RequestMACSec = aws.String(own), aws.Bool(true)
	if _, err := c.CreateLag(ctx, from); err != nil {
		t.Fatal(err)
	}
	if got := describe(t, c, own); len(got.MacSecKeys) != 0 || encryption(got) != "should_encrypt/Encryption Down" {
		t.Errorf("a LAG's first member kept its keys: %v %s", keyStates(got.MacSecKeys), encryption(got))
	}

	// A LAG that is not MACsec-capable takes no keys.
	plain := aws.ToString(newLag(t, c, 1, "10Gbps").LagId)
	_, err = c.AssociateMacSecKey(ctx, &directconnect.AssociateMacSecKeyInput{ConnectionId: aws.String(plain), Ckn: aws.String(ckn1), Cak: aws.String(cak1)})
	apiError(t, err, "DirectConnectClientException", plain+" is not MACsec capable")
}

// requestMACSec needs a MACsec speed of the location and a MACsec-capable
// device with a free port.
func TestRequestMACSecWhereTheLocationOffersIt(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: smallCatalog(t,
		facility.Device{ID: "TstA1-aaaaaaaaaaaa", Ports: map[string]int{"10G": 1, "100G": 2}, MacSec: true},
		facility.Device{ID: "TstA1-bbbbbbbbbbbb", Ports: map[string]int{"10G": 4}})})
	c := dx.DirectConnect(account, region)
	req := func(bw string) error {
		_, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
			Location: aws.String("TstA1"), Bandwidth: aws.String(bw), ConnectionName: aws.String("m"), RequestMACSec: aws.Bool(true)})
		return err
	}
	// TstA1 offers MACsec at 10G only.
	apiError(t, req("100Gbps"), "DirectConnectClientException", "MACsec is not available for 100Gbps connections at location TstA1.")
	_, err := c.CreateLag(ctx, &directconnect.CreateLagInput{Location: aws.String("TstA1"), ConnectionsBandwidth: aws.String("100Gbps"),
		NumberOfConnections: 1, LagName: aws.String("l"), RequestMACSec: aws.Bool(true)})
	apiError(t, err, "DirectConnectClientException", "MACsec is not available for 100Gbps")
	_, err = c.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{Location: aws.String("TstA1"), Bandwidth: aws.String("100Gbps"),
		InterconnectName: aws.String("i"), RequestMACSec: aws.Bool(true)})
	apiError(t, err, "DirectConnectClientException", "MACsec is not available for 100Gbps")
	// One MACsec-capable 10G port: the first request gets it, on device a.
	if err := req("10Gbps"); err != nil {
		t.Fatal(err)
	}
	if got := ownConnections(t, c); len(got) != 1 || aws.ToString(got[0].AwsDevice) != "TstA1-aaaaaaaaaaaa" || !aws.ToBool(got[0].MacSecCapable) {
		t.Fatalf("MACsec connection: %+v", got)
	}
	apiError(t, req("10Gbps"), "DirectConnectClientException", noFree10G)
	// Without MACsec, device b has room.
	if _, err := createAt(c, "TstA1", "10Gbps"); err != nil {
		t.Error(err)
	}
}
