// Package loa renders the Letter of Authorization and Connecting Facility
// Assignment (LOA-CFA): the PDF that DescribeLoa returns, with which a
// customer or its provider orders the cross-connect from the colocation
// facility to an AWS Direct Connect port.
//
// AWS does not publish its template, so the letter carries what an LOA-CFA
// is generally known to carry: who authorises whom, for which account and
// resource, at which facility, the port's place in it (device, cage, rack,
// patch panel, position) and what to plug into it (speed, optic,
// connector), and when the authority lapses. It knows nothing of the
// services, the store or the wire: it turns a Letter into bytes.
package loa

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Validity is how long an LOA-CFA authorises the cross-connect: AWS lets it
// lapse 90 days after issue if the cross-connect is not done, and a new
// download renews it.
const Validity = 90 * 24 * time.Hour

// Title heads every page.
const Title = "LETTER OF AUTHORIZATION AND CONNECTING FACILITY ASSIGNMENT (LOA-CFA)"

// Letter is one LOA-CFA: what AWS authorises a colocation provider to do.
type Letter struct {
	ResourceID   string // dxcon-..., dxlag-..., dxcon-... of an interconnect
	ResourceType string // "Connection", "Interconnect", "LAG"
	Account      string // the AWS account that owns the resource
	// ProviderName, when set, is the party ordering the cross-connect on
	// the account's behalf (DescribeLoa's providerName); the letter names
	// it alongside the account. Empty leaves it out.
	ProviderName string
	Facility     Facility
	// Ports has one page each: a LAG's LOA-CFA has a page per member.
	// A letter without ports authorises nothing, and Render refuses it.
	Ports []Port
	// Issued is the issue date, also the PDF's creation date (so the same
	// letter renders to the same bytes); the authority ends Validity later.
	Issued time.Time
}

// Facility is the colocation facility where the port is.
type Facility struct {
	Code    string // the Direct Connect location code, e.g. EqDC2
	Name    string
	Address string // empty prints the name only
}

// Port is where one AWS port terminates and what connects to it. Empty
// place fields print as "-".
type Port struct {
	// ConnectionID is the member connection on a LAG's page; empty means
	// the letter's resource itself.
	ConnectionID string
	Device       string // the AWS device, e.g. EqDC2-sk5wnwmyt9tc
	Cage         string
	Rack         string
	PatchPanel   string
	Position     string // the port position on the patch panel
	Speed        string // the port speed, e.g. "10Gbps"
	// Optic and Connector default to OpticFor(Speed) when both are empty.
	Optic     string // e.g. "10GBASE-LR"
	Connector string // e.g. "LC"
}

// Expires is the last day the letter authorises the cross-connect.
func (l Letter) Expires() time.Time { return l.Issued.Add(Validity) }

// optics is what AWS plugs into a port of each speed: every dedicated port
// is single-mode fibre with LC connectors (Direct Connect user guide,
// "Network requirements"). Keyed by the speed without "bps", so both the
// API's bandwidth ("10Gbps") and the location's port speed ("10G") find it.
var optics = map[string]struct{ optic, connector string }{
	"1G":   {"1000BASE-LX", "LC"},
	"10G":  {"10GBASE-LR", "LC"},
	"100G": {"100GBASE-LR4", "LC"},
	"400G": {"400GBASE-LR8", "LC"},
}

// OpticFor returns the optic and connector AWS uses for a port speed,
// written "10Gbps" or "10G"; both are empty for a speed with no dedicated
// port (a hosted connection's "50Mbps", say).
func OpticFor(speed string) (optic, connector string) {
	o := optics[strings.TrimSuffix(speed, "bps")]
	return o.optic, o.connector
}

// The page, in points: US Letter, as AWS is a US company.
const (
	pageW, pageH = 612.0, 792.0
	margin       = 54.0
	textW        = pageW - 2*margin
	dateFormat   = "2006-01-02"
)

// Render returns the letter as a PDF, one page per port. The same letter
// always renders to the same bytes: the creation date is Issued and the
// file has no random identifier, so callers and tests can compare runs.
func Render(l Letter) ([]byte, error) {
	if len(l.Ports) == 0 {
		return nil, errors.New("loa: a letter needs at least one port")
	}
	if l.ResourceID == "" {
		return nil, errors.New("loa: a letter needs a resource id")
	}
	d := &doc{}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	d.pdf.SetInfo(gopdf.PdfInfo{
		Title:        "LOA-CFA " + l.ResourceID,
		Author:       "Amazon Web Services (AWS Direct Connect)",
		Creator:      "dxlab",
		CreationDate: l.Issued.UTC(),
	})
	// The Go fonts ship as data in a Go module, so the letter needs no font
	// on the machine; gopdf embeds the subset used, with the map back to
	// Unicode that makes the text extractable.
	d.check(d.pdf.AddTTFFontData(regular, goregular.TTF))
	d.check(d.pdf.AddTTFFontData(bold, gobold.TTF))
	for i, p := range l.Ports {
		d.page(l, p, i+1, len(l.Ports))
	}
	if d.err != nil {
		return nil, fmt.Errorf("loa: %w", d.err)
	}
	b, err := d.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("loa: %w", err)
	}
	return b, nil
}

const (
	regular = "go"
	bold    = "go-bold"
)

// doc keeps the first error of a run of drawing calls, so that the layout
// reads as a layout.
type doc struct {
	pdf gopdf.GoPdf
	err error
}

func (d *doc) check(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *doc) font(family string, size float64) { d.check(d.pdf.SetFont(family, "", size)) }

// text writes s with its top-left corner at x, y.
func (d *doc) text(x, y float64, s string) {
	d.pdf.SetXY(x, y)
	d.check(d.pdf.Cell(nil, s))
}

// right writes s ending at x.
func (d *doc) right(x, y float64, s string) {
	w, err := d.pdf.MeasureTextWidth(s)
	d.check(err)
	d.text(x-w, y, s)
}

// wrap writes s in lines no wider than w from x, y, and returns the y below.
func (d *doc) wrap(x, y, w, lineH float64, s string) float64 {
	lines, err := d.pdf.SplitTextWithWordWrap(s, w)
	d.check(err)
	for _, line := range lines {
		d.text(x, y, strings.TrimSpace(line))
		y += lineH
	}
	return y
}

// fit writes s in family at size, or smaller if s would be wider than w.
func (d *doc) fit(x, y, w float64, family string, size float64, s string) {
	d.font(family, size)
	if tw, err := d.pdf.MeasureTextWidth(s); err == nil && tw > w {
		size = size * w / tw
		d.font(family, size)
	}
	d.text(x, y, s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// page draws the page of one port: the header, the parties, the facility
// and resource, the port assignment table, the authorisation and the
// footer.
func (d *doc) page(l Letter, p Port, n, of int) {
	d.pdf.AddPage()
	issued, expires := l.Issued.UTC().Format(dateFormat), l.Expires().UTC().Format(dateFormat)
	connection := p.ConnectionID
	if connection == "" {
		connection = l.ResourceID
	}
	if p.Optic == "" && p.Connector == "" {
		p.Optic, p.Connector = OpticFor(p.Speed)
	}
	x, y := margin, margin

	// Header: who writes, and a rule under it.
	d.font(bold, 11)
	d.text(x, y, "Amazon Web Services")
	d.font(regular, 9)
	d.right(pageW-margin, y+1, "AWS Direct Connect")
	y += 18
	d.pdf.SetLineWidth(1)
	d.pdf.Line(margin, y, pageW-margin, y)
	y += 18

	d.fit(x, y, textW, bold, 13, Title)
	y += 30

	// The facts, as label: value lines.
	label := func(name, value string) {
		d.font(bold, 9.5)
		d.text(x, y, name)
		d.font(regular, 9.5)
		y = d.wrap(x+130, y, textW-130, 13, value)
		y += 2
	}
	label("Date issued:", issued)
	label("Expires:", expires+" (90 days after issue)")
	label("Authorizing party:", "Amazon Web Services (AWS Direct Connect)")
	label("AWS account:", l.Account)
	if l.ProviderName != "" {
		label("Ordering party:", l.ProviderName+", on behalf of AWS account "+l.Account)
	}
	label("Facility:", l.Facility.Name+" ("+l.Facility.Code+")")
	if l.Facility.Address != "" {
		label("Facility address:", l.Facility.Address)
	}
	label("Resource:", l.ResourceID+" ("+l.ResourceType+")")
	y += 12

	// The port assignment, as a two-column table with borders.
	d.font(bold, 11)
	d.text(x, y, "Port assignment")
	y += 18
	rows := [][2]string{
		{"Connection", connection},
		{"AWS device", p.Device},
		{"Cage", p.Cage},
		{"Rack", p.Rack},
		{"Patch panel", p.PatchPanel},
		{"Port position", p.Position},
		{"Port speed", p.Speed},
		{"Optic", p.Optic},
		{"Connector", p.Connector},
	}
	const rowH, labelW = 20.0, 150.0
	d.pdf.SetLineWidth(0.5)
	d.pdf.SetFillColor(235, 238, 242)
	d.pdf.RectFromUpperLeftWithStyle(x, y, labelW, rowH*float64(len(rows)), "F")
	// PDF paints text with the fill colour: back to black before writing.
	d.pdf.SetFillColor(0, 0, 0)
	for i, r := range rows {
		top := y + rowH*float64(i)
		d.pdf.RectFromUpperLeftWithStyle(x, top, labelW, rowH, "D")
		d.pdf.RectFromUpperLeftWithStyle(x+labelW, top, textW-labelW, rowH, "D")
		d.font(bold, 9.5)
		d.text(x+6, top+5.5, r[0])
		d.font(regular, 9.5)
		d.text(x+labelW+6, top+5.5, orDash(r[1]))
	}
	y += rowH*float64(len(rows)) + 22

	// The authorisation itself.
	d.font(bold, 11)
	d.text(x, y, "Authorization")
	y += 18
	d.font(regular, 9.5)
	orderedBy := "the holder of AWS account " + l.Account
	if l.ProviderName != "" {
		orderedBy = l.ProviderName + ", acting on behalf of AWS account " + l.Account
	}
	resource := orDash(l.ResourceType) + " " + l.ResourceID
	if connection != l.ResourceID {
		resource += ", connection " + connection
	}
	y = d.wrap(x, y, textW, 13.5, fmt.Sprintf(
		"Amazon Web Services authorizes %s to complete a cross-connect, ordered by %s, "+
			"between the customer's equipment and the AWS Direct Connect port assigned above "+
			"(%s), at the cage, rack, patch panel and port position shown. "+
			"The customer side must present %s optics with %s connectors at %s.",
		l.Facility.Name, orderedBy, resource, orDash(p.Optic), orDash(p.Connector), orDash(p.Speed)))
	y += 8
	d.wrap(x, y, textW, 13.5, "This authorization expires on "+expires+
		". If the cross-connect is not complete by then, download the LOA-CFA again to renew it.")

	// Footer.
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(margin, pageH-margin-6, pageW-margin, pageH-margin-6)
	d.font(regular, 8.5)
	d.text(margin, pageH-margin, "LOA-CFA "+l.ResourceID+" issued "+issued)
	d.right(pageW-margin, pageH-margin, fmt.Sprintf("Page %d of %d", n, of))
}
