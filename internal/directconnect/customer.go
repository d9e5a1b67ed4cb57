package directconnect

import (
	"context"
	"errors"
	"slices"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// Partners says which accounts are Direct Connect partners, and of which
// type; the --accounts file declares them.
type Partners interface {
	PartnerOf(account string) (accounts.Partner, bool)
}

// partnerBandwidths are the hosted connection bandwidths each partner type
// may allocate, as DescribeCustomerMetadata documents them.
var partnerBandwidths = map[string][]string{
	"v1": {"50Mbps", "100Mbps", "200Mbps", "300Mbps", "400Mbps", "500Mbps"},
	"v2": {"1Gbps", "2Gbps", "5Gbps", "10Gbps", "25Gbps"},
}

// agreementNames are the agreements an account can sign. AWS does not
// publish their names; this one is dxlab's.
var agreementNames = []string{"AWS Direct Connect Partner Agreement"}

// customer is what dxlab keeps of an account: the agreements it signed.
type customer struct {
	Signed []string `json:"signed"`
}

var customers = &resource.Kind[customer]{Name: "dx.customer", Noun: "Customer"}

// checkPartner refuses, under --partners strict, an account that is not a
// declared partner, or a bandwidth its type may not allocate. Under open
// (the default) any account acts as a partner.
func (s *Service) checkPartner(account, bandwidth string) error {
	if !s.strictPartners {
		return nil
	}
	p, ok := s.partnerOf(account)
	if !ok {
		return fault.New(fault.AccessDenied, "Account %s is not a Direct Connect partner: only partners create interconnects and allocate hosted connections.", account)
	}
	if bandwidth != "" && !slices.Contains(partnerBandwidths[p.Type], bandwidth) {
		return invalid("A %s partner allocates hosted connections of %v, not %s.", p.Type, partnerBandwidths[p.Type], bandwidth)
	}
	return nil
}

func (s *Service) partnerOf(account string) (accounts.Partner, bool) {
	if s.partners == nil {
		return accounts.Partner{}, false
	}
	return s.partners.PartnerOf(account)
}

// maySell reports whether an account may allocate hosted connections: its
// LAGs allow them.
func (s *Service) maySell(account string) bool {
	_, ok := s.partnerOf(account)
	return ok || !s.strictPartners
}

// partnerName is the name a customer sees as its hosted connection's
// partnerName: the declared partner's name, else the parent's
// providerName, else the partner's account id.
func (s *Service) partnerName(account, providerName string) string {
	if p, ok := s.partnerOf(account); ok {
		return p.Name
	}
	if providerName != "" {
		return providerName
	}
	return account
}

func (s *Service) DescribeCustomerMetadata(ctx context.Context, _ *dxapi.DescribeCustomerMetadataInput) (*dxapi.DescribeCustomerMetadataResponse, error) {
	who := caller.From(ctx)
	out := &dxapi.DescribeCustomerMetadataResponse{NniPartnerType: smithy.Ptr(dxapi.NniPartnerTypeNonPartner)}
	if p, ok := s.partnerOf(who.Account); ok {
		out.NniPartnerType = smithy.Ptr(dxapi.NniPartnerType(p.Type))
	}
	var signed []string
	err := s.view(ctx, func(r store.Reader) error {
		c, err := customers.Get(ctx, r, who.Account)
		if err == nil {
			signed = c.Doc.Signed
		}
		return ignoreGone(err)
	})
	if err != nil {
		return nil, err
	}
	for _, name := range agreementNames {
		status := "unsigned"
		if slices.Contains(signed, name) {
			status = "signed"
		}
		out.Agreements = append(out.Agreements, dxapi.CustomerAgreement{AgreementName: smithy.Ptr(name), Status: smithy.Ptr(status)})
	}
	return out, nil
}

func (s *Service) ConfirmCustomerAgreement(ctx context.Context, in *dxapi.ConfirmCustomerAgreementRequest) (*dxapi.ConfirmCustomerAgreementResponse, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.AgreementName)
	if !slices.Contains(agreementNames, name) {
		return nil, invalid("There is no agreement named %q. Agreements: %q.", name, agreementNames)
	}
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		c, err := customers.Get(ctx, tx.Reader(), who.Account)
		if errors.Is(err, store.ErrNotFound) {
			_, err = customers.Create(ctx, tx, resource.Meta{ID: who.Account, Account: who.Account}, &customer{Signed: []string{name}}, nil)
			return err
		}
		if err != nil || slices.Contains(c.Doc.Signed, name) {
			return err
		}
		c.Doc.Signed = append(c.Doc.Signed, name)
		return customers.Save(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.ConfirmCustomerAgreementResponse{Status: smithy.Ptr("signed")}, nil
}
