package vpc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// EC2 serves the slice of EC2 that Direct Connect users' tools call: VPN
// gateways and their VPC attachments, transit gateways, the transit
// gateway attachments of Direct Connect gateway associations, and tags on
// both gateways. Gateways are created available and change at once: EC2's
// own timing is not what dxlab simulates (docs/behavior.md). Everything is
// the caller's own, in the caller's region; answers come in one page.
type EC2 struct {
	Store store.Store
	// Now is dxlab's clock.
	Now func() time.Time
	// DirectConnect tells which Direct Connect gateway associations the
	// caller's transit gateways have: EC2 shows each as an attachment.
	DirectConnect Associations
}

// Associations are Direct Connect's gateway associations, seen from EC2.
type Associations interface {
	// TransitGatewayAssociations lists the live associations with transit
	// gateways in the caller's region whose TGW or Direct Connect gateway
	// the caller owns.
	// It reads through r, so that a caller can read them in its own
	// transaction.
	TransitGatewayAssociations(ctx context.Context, r store.Reader) ([]DXAssociation, error)
}

// DXAssociation is a Direct Connect gateway association with a transit
// gateway, as EC2 shows it: a transit gateway attachment.
type DXAssociation struct {
	ID             string
	DXGateway      string
	DXGatewayOwner string
	TGW            string
	TGWOwner       string
	// State is the association's (associating, associated, updating,
	// disassociating).
	State   string
	Created time.Time
}

var _ ec2api.Handler = (*EC2)(nil)

// maxEC2Tags is EC2's limit of tags a resource.
const maxEC2Tags = 50

var vpcIDPattern = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)

// newEC2ID returns prefix + "-" + 17 hexadecimal digits, EC2's long ids.
func newEC2ID(prefix string) string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

// derivedID is an id that follows from another, the same every time: a
// transit gateway's default route table, an association's attachment.
func derivedID(prefix, from string) string {
	sum := sha256.Sum256([]byte(from))
	return prefix + "-" + hex.EncodeToString(sum[:])[:17]
}

// ec2Kind is how EC2 names a gateway kind: its resource type, the
// parameter that carries an id and the codes of its errors.
type ec2Kind struct {
	kind         *resource.Kind[Gateway]
	resourceType string // "vpn-gateway", as tags name it
	param        string // "VpnGatewayId"
	code         string // "InvalidVpnGatewayID": .NotFound, .Malformed
	prefix       string // "vgw", for the malformed id's message
	notFound     string // the message of an id not found, with %s
}

var (
	ec2VGW = ec2Kind{kind: vgws, resourceType: "vpn-gateway", param: "VpnGatewayId", code: "InvalidVpnGatewayID", prefix: "vgw",
		notFound: "The vpnGateway ID '%s' does not exist"}
	ec2TGW = ec2Kind{kind: tgws, resourceType: "transit-gateway", param: "TransitGatewayId", code: "InvalidTransitGatewayID", prefix: "tgw",
		notFound: "Transit Gateway %s was deleted or does not exist."}
	ec2Kinds = []ec2Kind{ec2VGW, ec2TGW}
)

// is reports whether id is of this kind by its form.
func (k ec2Kind) is(id string) bool {
	kind, err := kindOf(id)
	return err == nil && kind == k.kind
}

// check refuses a missing or malformed id.
func (k ec2Kind) check(id string) error {
	if id == "" {
		return missingParameter(k.param)
	}
	if !k.is(id) {
		return fault.Coded(fault.Invalid, k.code+".Malformed", "Invalid id: \"%s\" (expecting \"%s-...\")", limits.Echo(id), k.prefix)
	}
	return nil
}

// load reads a gateway of the caller's. Who may see it is the one rule of
// resource.LoadAs (its owner, in its region); to anyone else it is not
// found, in EC2's words.
func (k ec2Kind) load(ctx context.Context, r store.Reader, id string) (*resource.Object[Gateway], error) {
	if err := k.check(id); err != nil {
		return nil, err
	}
	o, err := k.kind.LoadAs(ctx, r, id, resource.Owner)
	if f := (*fault.Error)(nil); errors.As(err, &f) && f.Kind == fault.NotFound {
		return nil, fault.Coded(fault.NotFound, k.code+".NotFound", k.notFound, limits.Echo(id))
	}
	return o, err
}

// find reads the gateways a Describe names (each once; every one must be
// there), or with none named the caller's of its region.
func (k ec2Kind) find(ctx context.Context, r store.Reader, ids []string) ([]*resource.Object[Gateway], error) {
	if len(ids) == 0 {
		who := caller.From(ctx)
		return k.kind.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region})
	}
	var out []*resource.Object[Gateway]
	for _, id := range dedupe(ids) {
		o, err := k.load(ctx, r, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// describeQuery is what a Describe of gateways asks.
type describeQuery struct {
	ids        []string
	filters    filterSet
	maxResults *int32
	dryRun     bool
}

// describe answers a Describe of this kind: the gateways find reads that
// match the filters, which may name the attributes in names (what attrs
// gives each gateway) and its tags.
func (k ec2Kind) describe(ctx context.Context, st store.Store, q describeQuery, names []string,
	attrs func(*resource.Object[Gateway]) map[string][]string) ([]*resource.Object[Gateway], error) {
	if err := q.filters.check(append(names, "tag-key")...); err != nil {
		return nil, err
	}
	if err := checkMaxResults(q.maxResults); err != nil {
		return nil, err
	}
	if err := dryRun(q.dryRun); err != nil {
		return nil, err
	}
	var list []*resource.Object[Gateway]
	err := st.View(ctx, func(r store.Reader) (err error) {
		list, err = k.find(ctx, r, q.ids)
		return err
	})
	return slices.DeleteFunc(list, func(o *resource.Object[Gateway]) bool { return !q.filters.match(attrs(o), o.Doc.Tags) }), err
}

// dedupe keeps each id once, in the order given.
func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func invalidValue(format string, args ...any) error {
	return fault.Coded(fault.Invalid, ec2api.ErrInvalidParameterValue, format, args...)
}

func missingParameter(name string) error {
	return fault.Coded(fault.Invalid, ec2api.ErrMissingParameter, "The request must contain the parameter %s.", name)
}

func dryRun(flag bool) error {
	if flag {
		return fault.Coded(fault.Invalid, ec2api.ErrDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
	}
	return nil
}

func (e *EC2) update(ctx context.Context, fn func(tx *resource.Tx) error) error {
	_, err := resource.Update(ctx, e.Store, e.Now(), fn)
	return err
}

// creationTags reads the tags of the TagSpecification of a resource type.
func creationTags(specs []ec2api.TagSpecification, resourceType string) ([]Tag, error) {
	var out []Tag
	for _, s := range specs {
		if s.ResourceType != resourceType {
			return nil, invalidValue("'%s' is not a valid taggable resource type for this operation.", limits.Echo(s.ResourceType))
		}
		for _, t := range s.Tags {
			var err error
			if out, err = putTag(out, t.Key, t.Value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// checkTagKey refuses the keys AWS keeps for itself.
func checkTagKey(key string) error {
	if strings.HasPrefix(strings.ToLower(key), "aws:") {
		return invalidValue("Tag keys starting with 'aws:' are reserved for internal use.")
	}
	return nil
}

// putTag sets a tag, checking EC2's rules.
func putTag(tags []Tag, key, value string) ([]Tag, error) {
	switch {
	case key == "":
		return nil, invalidValue("Tag keys must not be empty.")
	case len(key) > 127:
		return nil, invalidValue("Tag key exceeds the maximum length of 127 characters.")
	case len(value) > 255:
		return nil, invalidValue("Tag value exceeds the maximum length of 255 characters.")
	}
	if err := checkTagKey(key); err != nil {
		return nil, err
	}
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags, nil
		}
	}
	if len(tags) >= maxEC2Tags {
		return nil, fault.Coded(fault.LimitExceeded, ec2api.ErrTagLimitExceeded, "The maximum number of tags (%d) for a resource has been reached.", maxEC2Tags)
	}
	return append(tags, Tag{Key: key, Value: value}), nil
}

func apiTags(tags []Tag) []ec2api.Tag {
	out := make([]ec2api.Tag, len(tags))
	for i, t := range tags {
		out[i] = ec2api.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// filterSet matches EC2 filters against a resource's attributes: every
// filter must match, a filter matching when any of its values equals any of
// the attribute's.
type filterSet []ec2api.Filter

// check refuses filters the resource type does not have.
func (fs filterSet) check(known ...string) error {
	for _, f := range fs {
		if strings.HasPrefix(f.Name, "tag:") && slices.Contains(known, "tag-key") {
			continue
		}
		if !slices.Contains(known, f.Name) {
			return invalidValue("The filter '%s' is invalid", limits.Echo(f.Name))
		}
	}
	return nil
}

func (fs filterSet) match(attrs map[string][]string, tags []Tag) bool {
	for _, f := range fs {
		var have []string
		if k, ok := strings.CutPrefix(f.Name, "tag:"); ok {
			for _, t := range tags {
				if t.Key == k {
					have = append(have, t.Value)
				}
			}
		} else if f.Name == "tag-key" {
			for _, t := range tags {
				have = append(have, t.Key)
			}
		} else {
			have = attrs[f.Name]
		}
		if !anyEqual(f.Values, have) {
			return false
		}
	}
	return true
}

func anyEqual(want, have []string) bool {
	for _, w := range want {
		for _, h := range have {
			if w == h || wildcard(w, h) {
				return true
			}
		}
	}
	return false
}

// wildcard matches EC2's filter wildcards: * any run, ? one character.
func wildcard(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return false
	}
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, _ := regexp.MatchString(re, s)
	return ok
}
