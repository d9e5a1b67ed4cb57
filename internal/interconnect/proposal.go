package interconnect

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// A proposal is a connection the partner started (in Google Cloud, Azure,
// ...) for one AWS account in one region; the partner hands the customer an
// activation key. In dxlab the operator API plays the partner
// (POST /_dxlab/v1/interconnect/proposals). Its states:
//
//	open -> accepted   AcceptConnectionProposal consumes the key and
//	                   creates the connection (pending)
//
// The key is single-use: the accept claims it in the store in the
// transaction that creates the connection, so that of any number of
// concurrent accepts exactly one creates a connection.
const (
	proposalOpen     = "open"
	proposalAccepted = "accepted"
)

type proposal struct {
	EnvironmentID string    `json:"environmentId"`
	Bandwidth     string    `json:"bandwidth"`
	SharedID      string    `json:"sharedId"`
	ActivationKey string    `json:"activationKey"`
	State         string    `json:"state"`
	Connection    string    `json:"connection,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

// proposals belong to the account they were made for, in their region.
var proposals = &resource.Kind[proposal]{
	Name:  "ic.proposal",
	Noun:  "Connection proposal",
	State: func(p *proposal) string { return p.State },
	NotFound: func(string) error {
		return fault.New(fault.NotFound, "No connection proposal exists for this activation key in this account and Region.")
	},
}

var proposalAccountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Proposal is what the partner proposes.
type Proposal struct {
	EnvironmentID string `json:"environmentId"`
	Bandwidth     string `json:"bandwidth"`
	Account       string `json:"account"`
	Region        string `json:"region"`
}

// Propose is the partner starting a connection for an account: it answers
// the activation key the customer accepts. For operators.
func (s *Service) Propose(ctx context.Context, p Proposal) (string, error) {
	if !proposalAccountPattern.MatchString(p.Account) {
		return "", invalid("account must be a 12-digit AWS account id, not %q.", p.Account)
	}
	env, err := s.environmentIn(p.Region, p.EnvironmentID)
	if err != nil {
		return "", err
	}
	if err := checkBandwidth(env, p.Bandwidth); err != nil {
		return "", err
	}
	id := strings.ToLower(newUUID())
	sharedID := newUUID()
	doc := &proposal{EnvironmentID: env.EnvironmentID, Bandwidth: p.Bandwidth, SharedID: sharedID, State: proposalOpen,
		ActivationKey: newActivationKey(env, sharedID, p.Bandwidth, keyForProposal+id)}
	ctx = resource.WithCause(ctx, store.Cause{Type: store.CauseOperator})
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		doc.CreatedAt = tx.Now()
		_, err := proposals.Create(ctx, tx, resource.Meta{ID: id, Account: p.Account, Region: p.Region}, doc, nil)
		return err
	})
	if err != nil {
		return "", err
	}
	return doc.ActivationKey, nil
}

// proposalOf loads the caller's proposal behind a key. A key that is not
// one is invalid; one of another account, region, or of a connection
// rather than a proposal, is not found.
func proposalOf(ctx context.Context, r store.Reader, key string) (*resource.Object[proposal], error) {
	k, err := parseActivationKey(key)
	if err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(k.Ref, keyForProposal)
	if !ok {
		return nil, proposals.Missing("")
	}
	o, err := proposals.LoadAs(ctx, r, id, resource.Owner)
	if err != nil {
		return nil, err
	}
	if o.Doc.ActivationKey != key {
		return nil, proposals.Missing("")
	}
	return o, nil
}

func consumed() error {
	return fault.New(fault.Conflict, "This activation key has already been used: the connection proposal was accepted.")
}

func (s *Service) DescribeConnectionProposal(ctx context.Context, in *icapi.DescribeConnectionProposalRequest) (*icapi.DescribeConnectionProposalResponse, error) {
	var o *resource.Object[proposal]
	err := s.view(ctx, func(r store.Reader) (err error) {
		o, err = proposalOf(ctx, r, smithy.Deref(in.ActivationKey))
		return err
	})
	if err != nil {
		return nil, err
	}
	if o.Doc.State != proposalOpen {
		return nil, consumed()
	}
	env, err := s.environmentIn(o.Region, o.Doc.EnvironmentID)
	if err != nil {
		return nil, err
	}
	return &icapi.DescribeConnectionProposalResponse{
		Bandwidth: smithy.Ptr(o.Doc.Bandwidth), EnvironmentId: smithy.Ptr(env.EnvironmentID),
		Provider: provider(env), Location: smithy.Ptr(env.Location),
	}, nil
}

// AcceptConnectionProposal creates the connection the partner proposed, at
// its bandwidth, attached to one of the caller's gateways, and consumes
// the key. Retried with the same clientToken, it answers the same
// connection.
func (s *Service) AcceptConnectionProposal(ctx context.Context, in *icapi.AcceptConnectionProposalRequest) (*icapi.AcceptConnectionProposalResponse, error) {
	who := caller.From(ctx)
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	token := smithy.Deref(in.ClientToken)
	key := smithy.Deref(in.ActivationKey)
	hash := requestHash(key, in.AttachPoint, smithy.Deref(in.Description), tags)
	var c *resource.Object[connection]
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		p, err := proposalOf(ctx, tx.Reader(), key)
		if err != nil {
			return err
		}
		if p.Doc.State != proposalOpen {
			if token != "" {
				if c, err = byClientToken(ctx, tx.Reader(), token); err != nil || c != nil {
					if err == nil && c.Doc.RequestHash != hash {
						err = tokenMismatch(token)
					}
					return err
				}
			}
			return consumed()
		}
		env, err := s.environmentIn(p.Region, p.Doc.EnvironmentID)
		if err != nil {
			return err
		}
		dxgw, err := attachGateway(ctx, tx.Reader(), in.AttachPoint)
		if err != nil {
			return err
		}
		m := resource.Meta{ID: newConnectionID(env)(), Account: who.Account, Region: who.Region, Parent: gateway.Ref(dxgw)}
		// The key's one use, held in the store: a concurrent accept that
		// got this far fails here.
		err = tx.Claim(ctx, store.Claim{Scope: "ic.activation-key", Key: p.ID, OwnerKind: proposals.Name, OwnerID: p.ID})
		if errors.Is(err, store.ErrConflict) {
			return consumed()
		}
		if err != nil {
			return err
		}
		if token != "" {
			if err := claimClientToken(ctx, tx, token, m.ID); err != nil {
				return err
			}
		}
		if err := s.takeQuota(ctx, tx, providerName(env), connectionRef(m.ID)); err != nil {
			return err
		}
		doc := &connection{
			Description: smithy.Deref(in.Description), Bandwidth: p.Doc.Bandwidth, EnvironmentID: env.EnvironmentID,
			Type: env.Type, Provider: env.Provider, Location: env.Location, State: statePending, SharedID: p.Doc.SharedID,
			Proposal: p.ID, Tags: tags, ClientToken: token, RequestHash: hash, CreatedAt: tx.Now(),
		}
		if c, err = connections.Create(ctx, tx, m, doc, nil); err != nil {
			return err
		}
		p.Doc.State, p.Doc.Connection = proposalAccepted, c.ID
		if err := proposals.Save(ctx, tx, p); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, connectionResource(c), stepProvision)
	})
	if err != nil {
		return nil, err
	}
	return &icapi.AcceptConnectionProposalResponse{Connection: apiConnection(c)}, nil
}
