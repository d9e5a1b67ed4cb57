package loa_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/loa"
)

var (
	issued   = time.Date(2026, 8, 4, 13, 22, 5, 0, time.UTC)
	ashburn  = loa.Facility{Code: "EqDC2", Name: "Equinix DC1-DC6 & DC10-DC11, Ashburn, VA", Address: "21715 Filigree Court, Ashburn, VA 20147, USA"}
	member   = func(i int) string { return fmt.Sprintf("dxcon-fgm%04d", i) }
	allPorts = []loa.Port{
		{ConnectionID: member(1), Device: "EqDC2-sk5wnwmyt9tc", Cage: "DC2:01:004520", Rack: "R0107", PatchPanel: "CP:0107:1213554", Position: "13", Speed: "10Gbps"},
		{ConnectionID: member(2), Device: "EqDC2-gpdzhi0ir2s3e", Cage: "DC2:01:004520", Rack: "R0108", PatchPanel: "CP:0108:1213555", Position: "14", Speed: "10Gbps"},
		{ConnectionID: member(3), Device: "EqDC2-tuox1q9su7r4h", Cage: "DC2:01:004521", Rack: "R0109", PatchPanel: "CP:0109:1213556", Position: "15", Speed: "10Gbps"},
	}
)

func connectionLetter() loa.Letter {
	return loa.Letter{
		ResourceID:   "dxcon-ffre0ec3",
		ResourceType: "Connection",
		Account:      "111122223333",
		Facility:     ashburn,
		Ports:        []loa.Port{{Device: "EqDC2-02190y6bchk6z", Cage: "DC2:02:000100", Rack: "R0201", PatchPanel: "CP:0201:1000001", Position: "3", Speed: "100Gbps"}},
		Issued:       issued,
	}
}

func lagLetter() loa.Letter {
	return loa.Letter{
		ResourceID:   "dxlag-ffy7zraq",
		ResourceType: "LAG",
		Account:      "444455556666",
		ProviderName: "Megaport",
		Facility:     ashburn,
		Ports:        allPorts,
		Issued:       issued,
	}
}

// poppler skips the test when poppler-utils are missing: the letter is only
// worth checking as a reader sees it, and CI installs them.
func poppler(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install poppler-utils (apt-get install -y poppler-utils) to check the PDF's text", tool)
		}
	}
}

// render renders l and writes it to a file for the poppler tools.
func render(t *testing.T, l loa.Letter) string {
	t.Helper()
	b, err := loa.Render(l)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("Render returned no PDF: %q", b[:min(len(b), 16)])
	}
	path := filepath.Join(t.TempDir(), l.ResourceID+".pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`[ \t]+`)

// pages returns the text of each page as pdftotext -layout extracts it,
// runs of blanks made one space so that label and value read as a pair.
func pages(t *testing.T, path string) []string {
	t.Helper()
	text := run(t, "pdftotext", "-layout", "-enc", "UTF-8", path, "-")
	p := strings.Split(text, "\f")
	if last := len(p) - 1; strings.TrimSpace(p[last]) == "" {
		p = p[:last]
	}
	for i := range p {
		p[i] = spaces.ReplaceAllString(p[i], " ")
	}
	return p
}

// info returns a field of pdfinfo's report.
func info(t *testing.T, path, field string) string {
	t.Helper()
	for _, line := range strings.Split(run(t, "pdfinfo", "-isodates", path), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("pdfinfo reports no %s", field)
	return ""
}

// wantOnPage checks that every line of want appears on a page.
func wantOnPage(t *testing.T, n int, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("page %d lacks %q:\n%s", n, w, page)
		}
	}
}

func TestConnectionLetter(t *testing.T) {
	poppler(t)
	l := connectionLetter()
	path := render(t, l)
	if got := info(t, path, "Pages"); got != "1" {
		t.Errorf("pdfinfo: %s pages, want 1", got)
	}
	if got := info(t, path, "CreationDate"); got != "2026-08-04T13:22:05Z" {
		t.Errorf("creation date %s, want the issue time 2026-08-04T13:22:05Z", got)
	}
	p := pages(t, path)
	if len(p) != 1 {
		t.Fatalf("pdftotext found %d pages, want 1", len(p))
	}
	wantOnPage(t, 1, p[0],
		loa.Title,
		"Date issued: 2026-08-04",
		"Expires: 2026-11-02",
		"Amazon Web Services",
		"AWS Direct Connect",
		"AWS account: 111122223333",
		"Facility: Equinix DC1-DC6 & DC10-DC11, Ashburn, VA (EqDC2)",
		"Facility address: 21715 Filigree Court, Ashburn, VA 20147, USA",
		"Resource: dxcon-ffre0ec3 (Connection)",
		"Connection dxcon-ffre0ec3", // a connection's page names the connection itself
		"AWS device EqDC2-02190y6bchk6z",
		"Cage DC2:02:000100",
		"Rack R0201",
		"Patch panel CP:0201:1000001",
		"Port position 3",
		"Port speed 100Gbps",
		"Optic 100GBASE-LR4", // from OpticFor: the port left them empty
		"Connector LC",
		"authorizes Equinix DC1-DC6 & DC10-DC11, Ashburn, VA to complete a cross-connect",
		"expires on 2026-11-02",
		"Page 1 of 1",
	)
	// No provider: the letter names no ordering party.
	for _, absent := range []string{"Ordering party", "on behalf of", "Megaport"} {
		if strings.Contains(p[0], absent) {
			t.Errorf("a letter without a provider says %q:\n%s", absent, p[0])
		}
	}
}

func TestLAGLetterHasAPagePerMember(t *testing.T) {
	poppler(t)
	l := lagLetter()
	path := render(t, l)
	if got := info(t, path, "Pages"); got != "3" {
		t.Errorf("pdfinfo: %s pages, want 3", got)
	}
	p := pages(t, path)
	if len(p) != len(l.Ports) {
		t.Fatalf("pdftotext found %d pages, want one per member: %d", len(p), len(l.Ports))
	}
	for i, port := range l.Ports {
		wantOnPage(t, i+1, p[i],
			loa.Title,
			"Date issued: 2026-08-04",
			"Expires: 2026-11-02",
			"AWS account: 444455556666",
			"Ordering party: Megaport, on behalf of AWS account 444455556666",
			"ordered by Megaport",
			"Facility: Equinix DC1-DC6 & DC10-DC11, Ashburn, VA (EqDC2)",
			"Facility address: 21715 Filigree Court, Ashburn, VA 20147, USA",
			"Resource: dxlag-ffy7zraq (LAG)",
			"Connection "+port.ConnectionID,
			"AWS device "+port.Device,
			"Cage "+port.Cage,
			"Rack "+port.Rack,
			"Patch panel "+port.PatchPanel,
			"Port position "+port.Position,
			"Port speed 10Gbps",
			"Optic 10GBASE-LR",
			"Connector LC",
			fmt.Sprintf("Page %d of 3", i+1),
		)
		// Each page is its member's only.
		for j, other := range l.Ports {
			if j != i && strings.Contains(p[i], other.ConnectionID) {
				t.Errorf("page %d names member %s of page %d", i+1, other.ConnectionID, j+1)
			}
		}
	}
}

// The expiry is the issue date plus Validity, across a month and a year.
func TestExpiry(t *testing.T) {
	poppler(t)
	for _, at := range []time.Time{
		time.Date(2026, 12, 15, 23, 59, 0, 0, time.UTC),
		time.Date(2028, 1, 31, 0, 0, 0, 0, time.UTC),
	} {
		l := connectionLetter()
		l.Issued = at
		want := at.Add(90 * 24 * time.Hour).Format("2006-01-02")
		if got := l.Expires().Format("2006-01-02"); got != want {
			t.Errorf("Expires() for %s = %s, want %s", at, got, want)
		}
		p := pages(t, render(t, l))
		wantOnPage(t, 1, p[0], "Date issued: "+at.Format("2006-01-02"), "Expires: "+want, "expires on "+want)
	}
}

// Without an address the letter prints the facility's name only.
func TestNoAddress(t *testing.T) {
	poppler(t)
	l := connectionLetter()
	l.Facility.Address = ""
	p := pages(t, render(t, l))
	wantOnPage(t, 1, p[0], "Facility: Equinix DC1-DC6 & DC10-DC11, Ashburn, VA (EqDC2)")
	if strings.Contains(p[0], "Facility address") {
		t.Errorf("a facility without an address prints one:\n%s", p[0])
	}
}

// The same letter renders to the same bytes; a different one does not.
func TestDeterministic(t *testing.T) {
	for _, l := range []loa.Letter{connectionLetter(), lagLetter()} {
		a, err := loa.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		b, err := loa.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders differ", l.ResourceID)
		}
		l.Issued = l.Issued.Add(24 * time.Hour)
		c, err := loa.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: letters issued on different days render the same", l.ResourceID)
		}
	}
}

func TestRefusesALetterThatAuthorisesNothing(t *testing.T) {
	noPorts := connectionLetter()
	noPorts.Ports = nil
	noResource := connectionLetter()
	noResource.ResourceID = ""
	for name, l := range map[string]loa.Letter{"no ports": noPorts, "no resource": noResource} {
		if b, err := loa.Render(l); err == nil {
			t.Errorf("%s: Render returned %d bytes and no error", name, len(b))
		}
	}
}

func TestOpticFor(t *testing.T) {
	for _, c := range []struct{ speed, optic, connector string }{
		{"1Gbps", "1000BASE-LX", "LC"},
		{"10Gbps", "10GBASE-LR", "LC"},
		{"100Gbps", "100GBASE-LR4", "LC"},
		{"400Gbps", "400GBASE-LR8", "LC"},
		{"10G", "10GBASE-LR", "LC"}, // a location's port speed
		{"50Mbps", "", ""},          // hosted: no port of its own
		{"", "", ""},
	} {
		optic, connector := loa.OpticFor(c.speed)
		if optic != c.optic || connector != c.connector {
			t.Errorf("OpticFor(%q) = %q, %q; want %q, %q", c.speed, optic, connector, c.optic, c.connector)
		}
	}
}
