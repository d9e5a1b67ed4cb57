package vpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Registration is a VGW or TGW as operators register it (the operator API,
// --gateways-file).
type Registration struct {
	ID         string    `json:"id"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	ASN        int64     `json:"asn"`
	CIDRs      []string  `json:"cidrs"`
	Registered time.Time `json:"registered,omitzero"`
}

// Admin is the operators' hand on the registry: it registers, lists and
// removes gateways of any account.
type Admin struct {
	Store store.Store
	// Now is dxlab's clock.
	Now func() time.Time
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// check fills a registration's defaults (ASN 64512, a VGW's VPC CIDR
// 10.0.0.0/16) and checks it.
func (g *Registration) check() error {
	bad := func(format string, args ...any) error { return fault.New(fault.Invalid, format, args...) }
	k, err := kindOf(g.ID)
	if err != nil {
		return err
	}
	if !accountPattern.MatchString(g.Account) {
		return bad("account %q is not a 12-digit AWS account id.", g.Account)
	}
	if !regionPattern.MatchString(g.Region) {
		return bad("region %q is not a region name such as us-east-1.", g.Region)
	}
	if g.ASN == 0 {
		g.ASN = DefaultASN
	}
	if g.ASN < 1 || g.ASN > 4294967294 {
		return bad("asn %d is not valid: 1-4294967294.", g.ASN)
	}
	if k == tgws && len(g.CIDRs) > 0 {
		return bad("A transit gateway has no VPC CIDRs: leave cidrs out for %s.", g.ID)
	}
	if k == vgws && len(g.CIDRs) == 0 {
		g.CIDRs = []string{DefaultCIDR}
	}
	for i, c := range g.CIDRs {
		p, err := netip.ParsePrefix(c)
		if err != nil || p.Masked() != p {
			return bad("cidr %q is not a CIDR block (without host bits).", c)
		}
		g.CIDRs[i] = p.String()
	}
	return nil
}

func registration(o *resource.Object[Gateway]) Registration {
	return Registration{ID: o.ID, Account: o.Account, Region: o.Region, ASN: o.Doc.ASN, CIDRs: append([]string{}, o.Doc.CIDRs...), Registered: o.Doc.Registered}
}

func (a *Admin) update(ctx context.Context, action string, fn func(tx *resource.Tx) error) error {
	ctx = resource.WithCause(ctx, store.Cause{Type: store.CauseOperator, Operation: action})
	_, err := resource.Update(ctx, a.Store, a.Now(), fn)
	return err
}

// Put registers a gateway, or changes the ASN and CIDRs of one registered
// to the same account and region (so that seeding is idempotent); it
// answers whether it was new. A gateway registered to another account or
// region must be removed first.
func (a *Admin) Put(ctx context.Context, g Registration) (Registration, bool, error) {
	if err := g.check(); err != nil {
		return Registration{}, false, err
	}
	k, _ := kindOf(g.ID)
	var out Registration
	created := false
	err := a.update(ctx, "gateway-register", func(tx *resource.Tx) error {
		o, err := k.Get(ctx, tx.Reader(), g.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			created = true
			o, err = k.Create(ctx, tx, resource.Meta{ID: g.ID, Account: g.Account, Region: g.Region},
				&Gateway{ASN: g.ASN, CIDRs: g.CIDRs, Registered: tx.Now()}, nil)
		case err != nil:
		case o.Account != g.Account || o.Region != g.Region:
			err = fault.New(fault.Conflict, "%s is registered to account %s in %s; remove it first.", g.ID, o.Account, o.Region)
		case o.Doc.ASN == g.ASN && slices.Equal(o.Doc.CIDRs, g.CIDRs):
			// Already so: seeding again changes nothing.
		default:
			o.Doc.ASN, o.Doc.CIDRs = g.ASN, g.CIDRs
			err = k.Save(ctx, tx, o)
		}
		if err == nil {
			out = registration(o)
		}
		return err
	})
	return out, created, err
}

// List lists registered gateways, VGWs then TGWs, of one account and one
// region when given.
func (a *Admin) List(ctx context.Context, account, region string) ([]Registration, error) {
	out := []Registration{}
	err := a.Store.View(ctx, func(r store.Reader) error {
		for _, k := range []*resource.Kind[Gateway]{vgws, tgws} {
			list, err := k.List(ctx, r, store.ListQuery{Account: account, Region: region})
			if err != nil {
				return err
			}
			for _, o := range list {
				out = append(out, registration(o))
			}
		}
		return nil
	})
	return out, err
}

// Remove forgets a gateway. What already uses it keeps what it took from
// it; nothing new can use it unless the registry is lenient.
func (a *Admin) Remove(ctx context.Context, id string) error {
	k, err := kindOf(id)
	if err != nil {
		return err
	}
	return a.update(ctx, "gateway-remove", func(tx *resource.Tx) error {
		o, err := k.Get(ctx, tx.Reader(), id)
		if errors.Is(err, store.ErrNotFound) {
			return k.Missing(id)
		}
		if err != nil {
			return err
		}
		return k.Delete(ctx, tx, o)
	})
}

// Seed registers the gateways of a --gateways-file: a JSON list of
// registrations. Seeding twice changes nothing.
func (a *Admin) Seed(ctx context.Context, path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var list []Registration
	if err := json.Unmarshal(data, &list); err != nil {
		return 0, fmt.Errorf("gateways file %s: %w", path, err)
	}
	for i, g := range list {
		if _, _, err := a.Put(ctx, g); err != nil {
			return i, fmt.Errorf("gateways file %s, entry %d (%s): %w", path, i+1, g.ID, err)
		}
	}
	return len(list), nil
}
