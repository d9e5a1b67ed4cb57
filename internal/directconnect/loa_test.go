package directconnect_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// describeLoa asks for a resource's LOA-CFA and checks it is a PDF.
func describeLoa(t *testing.T, c *directconnect.Client, id, providerName string) []byte {
	t.Helper()
	in := &directconnect.DescribeLoaInput{ConnectionId: aws.String(id)}
	if providerName != "" {
		in.ProviderName = aws.String(providerName)
	}
	out, err := c.DescribeLoa(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	isPDF(t, out.LoaContentType, out.LoaContent)
	return out.LoaContent
}

func isPDF(t *testing.T, contentType types.LoaContentType, content []byte) {
	t.Helper()
	if contentType != types.LoaContentTypePdf || !bytes.HasPrefix(content, []byte("%PDF-")) {
		t.Fatalf("LOA of type %q starting %q", contentType, content[:min(8, len(content))])
	}
}

// poppler runs one of poppler-utils' tools on a PDF, or skips the test
// when it is not installed (.ci/run installs it).
func poppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install poppler-utils)", tool)
	}
	file := filepath.Join(t.TempDir(), "loa.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, append(args, file, "-")...).Output()
	if tool == "pdfinfo" {
		out, err = exec.Command(path, file).Output()
	}
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

// pdfText is the text a person reads in a PDF, each run of blanks one space.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.Join(strings.Fields(poppler(t, "pdftotext", pdf, "-layout")), " ")
}

func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(poppler(t, "pdfinfo", pdf))
	if m == nil {
		t.Fatal("pdfinfo reports no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func mentionsAll(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the LOA does not say %q:\n%s", w, text)
		}
	}
}

const loaNotYet = "is not available yet: AWS has not yet approved the request."

func TestDescribeLoaOfAConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c := dx.DirectConnect(account, region)
	conn := create10G(t, c, "to-be-cabled")
	id := aws.ToString(conn.ConnectionId)

	// No LOA before AWS approves the request.
	_, err := c.DescribeLoa(ctx, &directconnect.DescribeLoaInput{ConnectionId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "The LOA-CFA for "+id+" "+loaNotYet)
	_, err = c.DescribeConnectionLoa(ctx, &directconnect.DescribeConnectionLoaInput{ConnectionId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", loaNotYet)
	if got := describe(t, c, id).LoaIssueTime; got != nil {
		t.Errorf("a refused DescribeLoa set loaIssueTime %v", got)
	}

	fireStep(t, dx, id, "connection.approve")
	dx.Advance(time.Hour)
	issued := dx.Clock.Now()
	pdf := describeLoa(t, c, id, "Zayo")
	if got := describe(t, c, id).LoaIssueTime; got == nil || !got.Equal(issued.Truncate(time.Millisecond)) {
		t.Errorf("loaIssueTime %v, want %v", got, issued)
	}
	text := pdfText(t, pdf)
	expires := issued.Add(90 * 24 * time.Hour).Format("2006-01-02")
	mentionsAll(t, text,
		"LETTER OF AUTHORIZATION AND CONNECTING FACILITY ASSIGNMENT",
		"AWS account: "+account,
		"Ordering party: Zayo, on behalf of AWS account "+account,
		"Equinix DC1-DC6 & DC10-DC11, Ashburn, VA (EqDC2)",
		"21715 Filigree Court, Ashburn, VA 20147, USA",
		"AWS device "+aws.ToString(conn.AwsDevice),
		"Resource: "+id+" (Connection)",
		"Connection "+id,
		"Port speed 10Gbps", "Optic 10GBASE-LR", "Connector LC",
		"Date issued: "+issued.Format("2006-01-02"),
		"Expires: "+expires+" (90 days after issue)",
		"This authorization expires on "+expires,
	)
	for _, field := range []string{"Cage", "Rack", "Patch panel", "Port position"} {
		if !regexp.MustCompile(regexp.QuoteMeta(field) + ` [^-\s]`).MatchString(text) {
			t.Errorf("the LOA has no %s", field)
		}
	}
	if pages := pdfPages(t, pdf); pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}

	// Without providerName the account orders it; asking again renews it.
	dx.Advance(24 * time.Hour)
	wrapped, err := c.DescribeConnectionLoa(ctx, &directconnect.DescribeConnectionLoaInput{ConnectionId: aws.String(id)})
	if err != nil || wrapped.Loa == nil {
		t.Fatalf("DescribeConnectionLoa: %+v %v", wrapped, err)
	}
	isPDF(t, wrapped.Loa.LoaContentType, wrapped.Loa.LoaContent)
	text = pdfText(t, wrapped.Loa.LoaContent)
	if strings.Contains(text, "Zayo") || strings.Contains(text, "Ordering party") {
		t.Error("an LOA asked for without providerName names a provider")
	}
	mentionsAll(t, text, "the holder of AWS account "+account, "Expires: "+dx.Clock.Now().Add(90*24*time.Hour).Format("2006-01-02"))
	if got := describe(t, c, id).LoaIssueTime; got == nil || !got.Equal(dx.Clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("loaIssueTime after the second call %v, want %v", got, dx.Clock.Now())
	}

	// Nobody else gets it.
	_, err = dx.DirectConnect(account2, region).DescribeLoa(ctx, &directconnect.DescribeLoaInput{ConnectionId: aws.String(id)})
	notFound(t, err, "Connection", id)
	_, err = c.DescribeLoa(ctx, &directconnect.DescribeLoaInput{ConnectionId: aws.String("dxcon-fzzzzzzz")})
	notFound(t, err, "Connection", "dxcon-fzzzzzzz")
}

func TestDescribeLoaOfAnInterconnectAndAHostedConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := newInterconnect(t, partner, "100Gbps")
	icID := aws.ToString(ic.InterconnectId)
	out, err := partner.DescribeInterconnectLoa(ctx, &directconnect.DescribeInterconnectLoaInput{InterconnectId: aws.String(icID), ProviderName: aws.String("Megaport")})
	if err != nil || out.Loa == nil {
		t.Fatalf("DescribeInterconnectLoa: %+v %v", out, err)
	}
	isPDF(t, out.Loa.LoaContentType, out.Loa.LoaContent)
	mentionsAll(t, pdfText(t, out.Loa.LoaContent), "Resource: "+icID+" (Interconnect)", "AWS device "+aws.ToString(ic.AwsDevice),
		"Port speed 100Gbps", "Optic 100GBASE-LR4", "Megaport, acting on behalf of AWS account "+account)
	if got := describeInterconnect(t, partner, icID).LoaIssueTime; got == nil {
		t.Error("DescribeInterconnectLoa did not set loaIssueTime")
	}
	// DescribeLoa takes an interconnect too.
	describeLoa(t, partner, icID, "")

	// A hosted connection rides the partner's port: no LOA of its own.
	hosted := aws.ToString(allocate(t, partner, icID, account2, "1Gbps", 5).ConnectionId)
	confirm(t, customer, hosted)
	_, err = customer.DescribeLoa(ctx, &directconnect.DescribeLoaInput{ConnectionId: aws.String(hosted)})
	apiError(t, err, "DirectConnectClientException", "Connection "+hosted+" is a hosted connection")
	_, err = partner.DescribeLoa(ctx, &directconnect.DescribeLoaInput{ConnectionId: aws.String(hosted)})
	notFound(t, err, "Connection", hosted)
	_, err = customer.DescribeInterconnectLoa(ctx, &directconnect.DescribeInterconnectLoaInput{InterconnectId: aws.String(icID)})
	notFound(t, err, "Interconnect", icID)
	// DescribeInterconnectLoa is for interconnects only.
	own := aws.ToString(create(t, partner, "dedicated").ConnectionId)
	_, err = partner.DescribeInterconnectLoa(ctx, &directconnect.DescribeInterconnectLoaInput{InterconnectId: aws.String(own)})
	notFound(t, err, "Interconnect", own)
}

// A LAG's LOA-CFA has a page for each member, each naming its connection
// and port.
func TestDescribeLoaOfALag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	l := newLag(t, c, 3, "10Gbps")
	id := aws.ToString(l.LagId)
	pdf := describeLoa(t, c, id, "")
	if pages := pdfPages(t, pdf); pages != 3 {
		t.Errorf("%d pages, want one per member: 3", pages)
	}
	text := pdfText(t, pdf)
	mentionsAll(t, text, "Resource: "+id+" (LAG)", "Page 1 of 3", "Page 3 of 3", "AWS device "+aws.ToString(l.AwsDevice))
	for _, m := range memberIDs(types.Lag{Connections: l.Connections}) {
		mentionsAll(t, text, "Connection "+m, "LAG "+id+", connection "+m)
		if got := describe(t, c, m).LoaIssueTime; got == nil {
			t.Errorf("member %s has no loaIssueTime", m)
		}
	}
	// Each page is a port of its own.
	positions := regexp.MustCompile(`Patch panel (\S+) Port position (\d+)`).FindAllStringSubmatch(text, -1)
	seen := map[string]bool{}
	for _, p := range positions {
		seen[p[1]+"/"+p[2]] = true
	}
	if len(positions) != 3 || len(seen) != 3 {
		t.Errorf("ports on the pages: %v", positions)
	}
}
