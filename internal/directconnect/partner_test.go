package directconnect_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// partners is an accounts file declaring account a v1 partner ("Fibre
// Co") and account3 a v2 partner (named after its profile); account2 is a
// plain customer.
// partners is an accounts file declaring a v1 and a v2 partner.
func partners(t *testing.T) string {
	t.Helper()
	return `
[fibre]
aws_access_key_id = AKIAFIBRE00000000001
aws_secret_access_key = x
aws_account_id = ` + account + `
dx_partner_type = v1
dx_partner_name = Fibre Co

[customer]
aws_access_key_id = AKIACUSTOMER00000001
aws_secret_access_key = x
aws_account_id = ` + account2 + `

[bigpipes]
aws_access_key_id = AKIABIGPIPES00000001
aws_secret_access_key = x
aws_account_id = ` + account3 + `
dx_partner_type = v2
`
}

const agreement = "AWS Direct Connect Partner Agreement"

// metadata is DescribeCustomerMetadata as "type agreement=status ...".
func metadata(t *testing.T, c *directconnect.Client) string {
	t.Helper()
	out, err := c.DescribeCustomerMetadata(ctx, &directconnect.DescribeCustomerMetadataInput{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out.NniPartnerType)
	for _, a := range out.Agreements {
		s += " " + aws.ToString(a.AgreementName) + "=" + aws.ToString(a.Status)
	}
	return s
}

func TestCustomerMetadataAndAgreements(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c, other := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	if got := metadata(t, c); got != "nonPartner "+agreement+"=unsigned" {
		t.Errorf("before signing: %q", got)
	}
	out, err := c.ConfirmCustomerAgreement(ctx, &directconnect.ConfirmCustomerAgreementInput{AgreementName: aws.String(agreement)})
	if err != nil || aws.ToString(out.Status) != "signed" {
		t.Fatalf("sign: %+v %v", out, err)
	}
	if got := metadata(t, c); got != "nonPartner "+agreement+"=signed" {
		t.Errorf("after signing: %q", got)
	}
	// Signing twice is fine; signing what does not exist is not.
	if _, err := c.ConfirmCustomerAgreement(ctx, &directconnect.ConfirmCustomerAgreementInput{AgreementName: aws.String(agreement)}); err != nil {
		t.Errorf("signing again: %v", err)
	}
	_, err = c.ConfirmCustomerAgreement(ctx, &directconnect.ConfirmCustomerAgreementInput{AgreementName: aws.String("Terms of the Moon")})
	apiError(t, err, "DirectConnectClientException", `There is no agreement named "Terms of the Moon"`)
	// Another account has signed nothing; the signature lasts a restart.
	if got := metadata(t, other); got != "nonPartner "+agreement+"=unsigned" {
		t.Errorf("another account: %q", got)
	}
	dx.Stop()
	again := dxlabtest.New(t, dxlabtest.Options{DataDir: dx.DataDir, Clock: dx.Clock})
	if got := metadata(t, again.DirectConnect(account, region)); got != "nonPartner "+agreement+"=signed" {
		t.Errorf("after a restart: %q", got)
	}
}

func TestDeclaredPartners(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Accounts: partners(t)})
	for acct, want := range map[string]string{account: "v1", account2: "nonPartner", account3: "v2"} {
		if got := metadata(t, dx.DirectConnect(acct, region)); !strings.HasPrefix(got, want+" ") {
			t.Errorf("%s: %q, want %s", acct, got, want)
		}
	}
	// Open partnering (the default): anyone allocates any bandwidth; a
	// declared partner's customers see its declared name.
	v1, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, v1, "10Gbps").InterconnectId)
	if out := allocate(t, v1, ic, account2, "1Gbps", 1); aws.ToString(out.PartnerName) != "Fibre Co" {
		t.Errorf("partnerName %q, want the declared Fibre Co", aws.ToString(out.PartnerName))
	}
	// An undeclared account names itself by its interconnect's providerName.
	out, err := customer.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"),
		InterconnectName: aws.String("resold"), ProviderName: aws.String("Megaport")})
	if err != nil {
		t.Fatal(err)
	}
	if h := allocate(t, customer, aws.ToString(out.InterconnectId), account3, "500Mbps", 1); aws.ToString(h.PartnerName) != "Megaport" {
		t.Errorf("partnerName %q, want the interconnect's providerName Megaport", aws.ToString(h.PartnerName))
	}
	if l := newLag(t, customer, 1, "1Gbps"); !l.AllowsHostedConnections {
		t.Error("under open partnering any account's LAG allows hosted connections")
	}
}

func TestStrictPartners(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Accounts: partners(t), StrictPartners: true})
	v1, customer, v2 := dx.DirectConnect(account, region), dx.DirectConnect(account2, region), dx.DirectConnect(account3, region)
	const notPartner = "Account " + account2 + " is not a Direct Connect partner"

	// A non-partner creates no interconnect and allocates nothing.
	_, err := customer.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", notPartner)
	if all, err := customer.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{}); err != nil || len(all.Interconnects) != 0 {
		t.Errorf("a refused CreateInterconnect left %d (%v)", len(all.Interconnects), err)
	}
	l := newLag(t, customer, 1, "10Gbps")
	if l.AllowsHostedConnections {
		t.Error("a non-partner's LAG allows hosted connections")
	}
	_, err = customer.AllocateHostedConnection(ctx, allocation(aws.ToString(l.LagId), account3, "500Mbps", 1))
	apiError(t, err, "DirectConnectClientException", notPartner)
	_, err = customer.AllocateConnectionOnInterconnect(ctx, &directconnect.AllocateConnectionOnInterconnectInput{InterconnectId: aws.String("dxcon-fzzzzzzz"),
		OwnerAccount: aws.String(account3), Bandwidth: aws.String("500Mbps"), ConnectionName: aws.String("x"), Vlan: 1})
	apiError(t, err, "DirectConnectClientException", notPartner)

	// A v1 partner: 50 to 500 Mbps.
	ic1 := aws.ToString(newInterconnect(t, v1, "10Gbps").InterconnectId)
	for _, bw := range []string{"50Mbps", "500Mbps"} {
		if out := allocate(t, v1, ic1, account2, bw, int32(len(bw))); out.ConnectionState != types.ConnectionStateOrdering {
			t.Errorf("v1 %s: %s", bw, out.ConnectionState)
		}
	}
	for _, bw := range []string{"1Gbps", "10Gbps"} {
		_, err = v1.AllocateHostedConnection(ctx, allocation(ic1, account2, bw, 100))
		apiError(t, err, "DirectConnectClientException", "A v1 partner allocates hosted connections of [50Mbps 100Mbps 200Mbps 300Mbps 400Mbps 500Mbps], not "+bw+".")
	}
	if l := newLag(t, v1, 1, "10Gbps"); !l.AllowsHostedConnections {
		t.Error("a partner's LAG does not allow hosted connections")
	}

	// A v2 partner: 1 to 25 Gbps.
	ic2 := aws.ToString(newInterconnect(t, v2, "100Gbps").InterconnectId)
	allocate(t, v2, ic2, account2, "1Gbps", 1)
	allocate(t, v2, ic2, account2, "25Gbps", 2)
	_, err = v2.AllocateHostedConnection(ctx, allocation(ic2, account2, "500Mbps", 3))
	apiError(t, err, "DirectConnectClientException", "A v2 partner allocates hosted connections of [1Gbps 2Gbps 5Gbps 10Gbps 25Gbps], not 500Mbps.")

	if got := len(hostedOf(t, v1, ic1)) + len(hostedOf(t, v2, ic2)); got != 4 {
		t.Errorf("%d hosted connections, want the 4 allowed", got)
	}
	// What the customer was given it may still confirm.
	confirm(t, customer, aws.ToString(hostedOf(t, v2, ic2)[0].ConnectionId))
}
