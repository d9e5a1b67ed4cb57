package interconnect

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// The simulated other side: the partner's portal that takes the activation
// key of a connection AWS started, and the routes the other cloud
// announces. Under the instant and realistic profiles the portal takes a
// key by itself (the ic-connection.activate step, at once or after
// facility.RealisticPartner); under manual it waits for an operator, who
// may also make it refuse the key:
//
//	requested -> pending   the portal takes the key (Activate)
//	requested -> failed    the portal refuses it (Activate with refuse)

// View is a connection as the operator API shows it: its state, and both
// sides' routes once it is available.
type View struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Region  string `json:"region"`
	State   string `json:"state"`
	// DirectConnectGateway is the attach point.
	DirectConnectGateway string `json:"directConnectGateway"`
	SharedID             string `json:"sharedId"`
	Bandwidth            string `json:"bandwidth"`
	FailureReason        string `json:"failureReason,omitempty"`
	// RemoteRoutes are the prefixes the other cloud announces (set by the
	// operator); AWS-side they reach the gateway's associated VPCs.
	RemoteRoutes []string `json:"remoteRoutes"`
	// AdvertisedToRemote are the allowed prefixes of the gateway's
	// associations: what the other cloud learns.
	AdvertisedToRemote []string `json:"advertisedToRemote"`
}

func (s *Service) view1(ctx context.Context, r store.Reader, o *resource.Object[connection]) (*View, error) {
	v := &View{ID: o.ID, Account: o.Account, Region: o.Region, State: o.Doc.State, DirectConnectGateway: o.Parent.ID,
		SharedID: o.Doc.SharedID, Bandwidth: o.Doc.Bandwidth, FailureReason: o.Doc.FailureReason,
		RemoteRoutes: []string{}, AdvertisedToRemote: []string{}}
	if o.Doc.State != stateAvailable && o.Doc.State != stateUpdating {
		return v, nil
	}
	v.RemoteRoutes = append(v.RemoteRoutes, o.Doc.RemoteRoutes...)
	adv, err := gateway.AllowedPrefixes(ctx, r, o.Parent.ID)
	if err != nil {
		return nil, err
	}
	v.AdvertisedToRemote = adv
	return v, nil
}

// Connection is the operator's view of a connection, by id.
func (s *Service) Connection(ctx context.Context, id string) (*View, error) {
	var v *View
	err := s.view(ctx, func(r store.Reader) error {
		o, err := connections.Get(ctx, r, id)
		if errors.Is(err, store.ErrNotFound) {
			return connections.Missing(id)
		}
		if err != nil {
			return err
		}
		v, err = s.view1(ctx, r, o)
		return err
	})
	return v, err
}

// SetRemoteRoutes sets the prefixes the other cloud announces over a
// connection.
func (s *Service) SetRemoteRoutes(ctx context.Context, id string, routes []string) (*View, error) {
	clean := make([]string, 0, len(routes))
	for _, r := range routes {
		p, err := netip.ParsePrefix(strings.TrimSpace(r))
		if err != nil || p.Masked() != p {
			return nil, invalid("%q is not a prefix (e.g. 10.128.0.0/20).", r)
		}
		clean = append(clean, p.String())
	}
	slices.Sort(clean)
	clean = slices.Compact(clean)
	ctx = resource.WithCause(ctx, store.Cause{Type: store.CauseOperator})
	var v *View
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := connections.Get(ctx, tx.Reader(), id)
		if errors.Is(err, store.ErrNotFound) {
			return connections.Missing(id)
		}
		if err != nil {
			return err
		}
		o.Doc.RemoteRoutes = clean
		if err := connections.Save(ctx, tx, o); err != nil {
			return err
		}
		v, err = s.view1(ctx, tx.Reader(), o)
		return err
	})
	return v, err
}

// Activate is the partner's portal given a connection's activation key:
// it takes it (the pending activate step fires now, whatever the profile),
// or, with refuse, turns it down and the connection fails.
func (s *Service) Activate(ctx context.Context, key string, refuse bool, reason string) (*View, error) {
	k, err := parseActivationKey(key)
	if err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(k.Ref, keyForConnection)
	if !ok {
		return nil, invalid("This activation key is a partner's proposal: the customer accepts it with AcceptConnectionProposal.")
	}
	missing := fault.New(fault.NotFound, "No connection waits for this activation key.")
	load := func(r store.Reader) (*resource.Object[connection], error) {
		o, err := connections.Get(ctx, r, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && o.Doc.ActivationKey != key) {
			return nil, missing
		}
		if err == nil && o.Doc.State != stateRequested {
			return nil, fault.New(fault.Conflict, "Connection %s is %s: its activation key was already used.", id, o.Doc.State)
		}
		return o, err
	}
	if refuse {
		if reason == "" {
			reason = "The partner refused the activation key."
		}
		ctx = resource.WithCause(ctx, store.Cause{Type: store.CauseOperator})
		err := s.facility.Update(ctx, func(tx *resource.Tx) error {
			o, err := load(tx.Reader())
			if err != nil {
				return err
			}
			o.Doc.State, o.Doc.FailureReason = stateFailed, reason
			if err := tx.UnscheduleFor(ctx, connections.Name, id); err != nil {
				return err
			}
			if err := tx.Release(ctx, connections.Name, id); err != nil {
				return err
			}
			return connections.Save(ctx, tx, o)
		})
		if err != nil {
			return nil, err
		}
		return s.Connection(ctx, id)
	}
	if err := s.view(ctx, func(r store.Reader) error { _, err := load(r); return err }); err != nil {
		return nil, err
	}
	pending, err := s.facility.Pending(ctx, facility.PendingQuery{ResourceID: id, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, t := range pending {
		if t.Step == stepActivate {
			if _, err := s.facility.Fire(ctx, t.ID); err != nil && !errors.Is(err, facility.ErrNoTransition) {
				return nil, err
			}
			return s.Connection(ctx, id)
		}
	}
	return nil, fault.New(fault.Conflict, "Connection %s is not waiting for the portal.", id)
}
