package interconnect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// The states of a connection:
//
//	requested -> pending     the partner's portal takes the activation key
//	                         (step ic-connection.activate, the partner; under
//	                         manual, POST /_dxlab/v1/interconnect/portal/activate)
//	requested -> failed      the portal refuses the key (the operator says so)
//	(accept)  -> pending     AcceptConnectionProposal: the partner started it
//	pending   -> available   AWS and the partner provision it
//	                         (ic-connection.provision, automation)
//	available -> updating    UpdateConnection with a new bandwidth
//	updating  -> available   the partner acknowledges the bandwidth
//	                         (ic-connection.update, the partner)
//	any other -> deleting    DeleteConnection
//	deleting  -> deleted     (ic-connection.delete, automation)
//	deleted   -> (forgotten) after DeletedRetention (ic-connection.forget)
//
// "down" is in the model without documentation; dxlab never enters it.
const (
	stateRequested = string(icapi.ConnectionStateRequested)
	statePending   = string(icapi.ConnectionStatePending)
	stateAvailable = string(icapi.ConnectionStateAvailable)
	stateUpdating  = string(icapi.ConnectionStateUpdating)
	stateDeleting  = string(icapi.ConnectionStateDeleting)
	stateDeleted   = string(icapi.ConnectionStateDeleted)
	stateFailed    = string(icapi.ConnectionStateFailed)
)

// DeletedRetention is how long GetConnection still answers a deleted
// connection, in state deleted, before dxlab forgets it.
const DeletedRetention = 15 * time.Minute

const (
	stepActivate  = "ic-connection.activate"
	stepProvision = "ic-connection.provision"
	stepUpdate    = "ic-connection.update"
	stepDelete    = "ic-connection.delete"
	stepForget    = "ic-connection.forget"
)

// connection is a connection's document. Its id, owner and region are its
// record's; its parent is its attach point, a Direct Connect gateway.
type connection struct {
	Description   string            `json:"description"`
	Bandwidth     string            `json:"bandwidth"`
	NewBandwidth  string            `json:"newBandwidth,omitempty"`
	EnvironmentID string            `json:"environmentId"`
	Type          string            `json:"type"`
	Provider      map[string]string `json:"provider"`
	Location      string            `json:"location"`
	State         string            `json:"state"`
	SharedID      string            `json:"sharedId"`
	// ActivationKey is the key an AWS-initiated connection waits for the
	// partner's portal to take; Proposal the partner's proposal accepted.
	ActivationKey string            `json:"activationKey,omitempty"`
	Proposal      string            `json:"proposal,omitempty"`
	RemoteAccount string            `json:"remoteAccount,omitempty"`
	BillingTier   *int32            `json:"billingTier,omitempty"`
	Tags          map[string]string `json:"tags"`
	// ClientToken and RequestHash make creates idempotent.
	ClientToken string `json:"clientToken,omitempty"`
	RequestHash string `json:"requestHash,omitempty"`
	// RemoteRoutes are the prefixes the other cloud announces, as the
	// operator sets them.
	RemoteRoutes  []string  `json:"remoteRoutes,omitempty"`
	FailureReason string    `json:"failureReason,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
}

var connections = &resource.Kind[connection]{
	Name:  gateway.InterconnectKind,
	Noun:  "Connection",
	State: func(c *connection) string { return c.State },
	NotFound: func(id string) error {
		return fault.New(fault.NotFound, "Connection %s does not exist.", id)
	},
}

// inspectConnection is what operators see of a connection: its place,
// its Direct Connect gateway (its parent) and its Describe view.
func inspectConnection(_ context.Context, _ store.Reader, o *resource.Object[connection]) (resource.Inspection, error) {
	c := o.Doc
	return resource.Inspection{Name: c.Description, Location: c.Location, Bandwidth: c.Bandwidth, View: apiConnection(o)}, nil
}

func connectionResource(o *resource.Object[connection]) facility.Resource {
	return facility.Resource{Kind: connections.Name, ID: o.ID, Account: o.Account, Region: o.Region}
}

func connectionRef(id string) resource.Ref { return resource.Ref{Kind: connections.Name, ID: id} }

// billingTiers: dxlab's tier is the bandwidth's place in this list (AWS
// does not document the mapping).
var billingTiers = []string{"500Mbps", "1Gbps", "2Gbps", "5Gbps", "10Gbps", "20Gbps", "50Gbps", "100Gbps", "400Gbps"}

func billingTier(bw string) *int32 {
	if i := slices.Index(billingTiers, bw); i >= 0 {
		return smithy.Ptr(int32(i))
	}
	return nil
}

func apiProvider(p map[string]string) *icapi.Provider {
	out := &icapi.Provider{}
	if v, ok := p["cloudServiceProvider"]; ok {
		out.CloudServiceProvider = smithy.Ptr(v)
	}
	if v, ok := p["lastMileProvider"]; ok {
		out.LastMileProvider = smithy.Ptr(v)
	}
	return out
}

// apiConnection renders a connection. The activation key is shown while
// the connection waits for the partner's portal to take it.
func apiConnection(o *resource.Object[connection]) *icapi.Connection {
	c := o.Doc
	out := &icapi.Connection{
		Id:            smithy.Ptr(o.ID),
		Arn:           smithy.Ptr(ARN(o.Region, o.Account, o.ID)),
		Description:   smithy.Ptr(c.Description),
		Bandwidth:     smithy.Ptr(c.Bandwidth),
		AttachPoint:   &icapi.AttachPoint{DirectConnectGateway: smithy.Ptr(o.Parent.ID)},
		EnvironmentId: smithy.Ptr(c.EnvironmentID),
		Provider:      apiProvider(c.Provider),
		Location:      smithy.Ptr(c.Location),
		Type:          smithy.Ptr(c.Type),
		State:         smithy.Ptr(icapi.ConnectionState(c.State)),
		SharedId:      smithy.Ptr(c.SharedID),
		OwnerAccount:  smithy.Ptr(o.Account),
		BillingTier:   c.BillingTier,
		Tags:          maps(c.Tags),
	}
	if c.State == stateRequested && c.ActivationKey != "" {
		out.ActivationKey = smithy.Ptr(c.ActivationKey)
	}
	return out
}

func apiSummary(o *resource.Object[connection]) icapi.ConnectionSummary {
	c := apiConnection(o)
	return icapi.ConnectionSummary{
		Id: c.Id, Arn: c.Arn, Description: c.Description, Bandwidth: c.Bandwidth, AttachPoint: c.AttachPoint,
		EnvironmentId: c.EnvironmentId, Provider: c.Provider, Location: c.Location, Type: c.Type, State: c.State,
		SharedId: c.SharedId, BillingTier: c.BillingTier,
	}
}

// checkBandwidth: the environment must offer the bandwidth now.
func checkBandwidth(e facility.Environment, bw string) error {
	if e.State == string(icapi.EnvironmentStateUnavailable) {
		return fault.New(fault.Conflict, "Environment %s is unavailable: it takes no new connections.", e.EnvironmentID)
	}
	if !slices.Contains(e.Bandwidths.Available, bw) {
		return invalid("Bandwidth %s is not available in environment %s; available: %s.", bw, e.EnvironmentID,
			strings.Join(e.Bandwidths.Available, ", "))
	}
	return nil
}

// attachGateway checks an attach point: one of the caller's Direct Connect
// gateways, not being deleted. The arn member names Interconnect
// connections only (the model's pattern), which are no attach points.
func attachGateway(ctx context.Context, r store.Reader, ap *icapi.AttachPoint) (string, error) {
	if ap == nil {
		return "", invalid("attachPoint is required.")
	}
	if ap.Arn != nil {
		return "", invalid("attachPoint.arn %s is not an attach point: attach connections to a Direct Connect gateway with attachPoint.directConnectGateway.", *ap.Arn)
	}
	id := strings.ToLower(smithy.Deref(ap.DirectConnectGateway))
	g, err := gateway.Kind.LoadAs(ctx, r, id, resource.Owner)
	if err != nil {
		return "", err
	}
	if g.Doc.State != gateway.StateAvailable && g.Doc.State != gateway.StatePending {
		return "", fault.New(fault.Conflict, "Direct Connect Gateway %s is %s: it cannot be an attach point.", id, g.Doc.State)
	}
	return id, nil
}

var (
	emailPattern   = regexp.MustCompile(`^[-a-zA-Z0-9_.]+@[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)+$`)
	accountPattern = regexp.MustCompile(`^[-a-zA-Z0-9_.]+$`)
)

// checkRemoteAccount checks remoteAccount.identifier against what the
// environment asks for: an account (a Google Cloud project, an Azure or
// OCI tenancy: no "@") or an email address.
func checkRemoteAccount(e facility.Environment, ra *icapi.RemoteAccountIdentifier) (string, error) {
	if ra == nil {
		return "", nil
	}
	id := smithy.Deref(ra.Identifier)
	switch e.RemoteIdentifierType {
	case string(icapi.RemoteAccountIdentifierTypeEmail):
		if !emailPattern.MatchString(id) {
			return "", invalid("remoteAccount.identifier %s is not an email address, which environment %s takes.", id, e.EnvironmentID)
		}
	case string(icapi.RemoteAccountIdentifierTypeAccount):
		if !accountPattern.MatchString(id) {
			return "", invalid("remoteAccount.identifier %s is not an account identifier, which environment %s takes.", id, e.EnvironmentID)
		}
	}
	return id, nil
}

// requestHash fingerprints a create's parameters, for clientToken.
func requestHash(parts ...any) string {
	data, _ := json.Marshal(parts)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// byClientToken finds the caller's connection made with token.
func byClientToken(ctx context.Context, r store.Reader, token string) (*resource.Object[connection], error) {
	who := caller.From(ctx)
	list, err := connections.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region})
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		if o.Doc.ClientToken == token {
			return o, nil
		}
	}
	return nil, nil
}

// claimClientToken holds a token for the connection made with it, so that
// two concurrent requests with one token cannot both create.
func claimClientToken(ctx context.Context, tx *resource.Tx, token, id string) error {
	who := caller.From(ctx)
	err := tx.Claim(ctx, store.Claim{Scope: "ic.client-token:" + who.Account + ":" + who.Region, Key: token,
		OwnerKind: connections.Name, OwnerID: id})
	if errors.Is(err, store.ErrConflict) {
		return fault.New(fault.Conflict, "Another request with clientToken %s is in progress.", token)
	}
	return err
}

func tokenMismatch(token string) error {
	return fault.New(fault.Conflict, "clientToken %s was already used with different parameters; use a new clientToken for a new request.", token)
}

func (s *Service) CreateConnection(ctx context.Context, in *icapi.CreateConnectionRequest) (*icapi.CreateConnectionResponse, error) {
	who := caller.From(ctx)
	env, err := s.environmentIn(who.Region, smithy.Deref(in.EnvironmentId))
	if err != nil {
		return nil, err
	}
	bw := smithy.Deref(in.Bandwidth)
	if err := checkBandwidth(env, bw); err != nil {
		return nil, err
	}
	remote, err := checkRemoteAccount(env, in.RemoteAccount)
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	token := smithy.Deref(in.ClientToken)
	hash := requestHash(env.EnvironmentID, bw, in.AttachPoint, remote, smithy.Deref(in.Description), tags)
	var o *resource.Object[connection]
	err = s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if token != "" {
			if o, err = byClientToken(ctx, tx.Reader(), token); err != nil || o != nil {
				if err == nil && o.Doc.RequestHash != hash {
					err = tokenMismatch(token)
				}
				return err
			}
		}
		dxgw, err := attachGateway(ctx, tx.Reader(), in.AttachPoint)
		if err != nil {
			return err
		}
		sharedID := newUUID()
		c := &connection{
			Description: smithy.Deref(in.Description), Bandwidth: bw, EnvironmentID: env.EnvironmentID, Type: env.Type,
			Provider: env.Provider, Location: env.Location, State: stateRequested, SharedID: sharedID,
			RemoteAccount: remote, Tags: tags, ClientToken: token, RequestHash: hash, CreatedAt: tx.Now(),
		}
		m := resource.Meta{ID: newConnectionID(env)(), Account: who.Account, Region: who.Region, Parent: gateway.Ref(dxgw)}
		c.ActivationKey = newActivationKey(env, sharedID, bw, keyForConnection+m.ID)
		if token != "" {
			if err := claimClientToken(ctx, tx, token, m.ID); err != nil {
				return err
			}
		}
		if err := s.takeQuota(ctx, tx, providerName(env), connectionRef(m.ID)); err != nil {
			return err
		}
		if o, err = connections.Create(ctx, tx, m, c, nil); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, connectionResource(o), stepActivate)
	})
	if err != nil {
		return nil, err
	}
	return &icapi.CreateConnectionResponse{Connection: apiConnection(o)}, nil
}

func (s *Service) GetConnection(ctx context.Context, in *icapi.GetConnectionRequest) (*icapi.GetConnectionResponse, error) {
	id := smithy.Deref(in.Identifier)
	var o *resource.Object[connection]
	err := s.view(ctx, func(r store.Reader) (err error) {
		o, err = connections.LoadAs(ctx, r, id, resource.Owner)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &icapi.GetConnectionResponse{Connection: apiConnection(o)}, nil
}

var connectionPages = page.Options{Default: 100, Max: 100}

func (s *Service) ListConnections(ctx context.Context, in *icapi.ListConnectionsRequest) (*icapi.ListConnectionsResponse, error) {
	who := caller.From(ctx)
	var dxgw string
	if in.AttachPoint != nil {
		dxgw = strings.ToLower(smithy.Deref(in.AttachPoint.DirectConnectGateway))
		if in.AttachPoint.Arn != nil {
			dxgw = *in.AttachPoint.Arn
		}
	}
	var prov *icapi.Provider = in.Provider
	filter := requestHash(in.State, in.EnvironmentId, prov, dxgw)
	scope := page.Scope{List: "interconnect.ListConnections", Account: who.Account, Region: who.Region, Filter: filter}
	req, err := page.Read(scope, connectionPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	var list []*resource.Object[connection]
	err = s.view(ctx, func(r store.Reader) (err error) {
		list, err = connections.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region})
		return err
	})
	if err != nil {
		return nil, err
	}
	list = slices.DeleteFunc(list, func(o *resource.Object[connection]) bool {
		c := o.Doc
		switch {
		case in.State != nil && c.State != string(*in.State),
			in.EnvironmentId != nil && c.EnvironmentID != *in.EnvironmentId,
			prov != nil && prov.CloudServiceProvider != nil && c.Provider["cloudServiceProvider"] != *prov.CloudServiceProvider,
			prov != nil && prov.LastMileProvider != nil && c.Provider["lastMileProvider"] != *prov.LastMileProvider,
			in.AttachPoint != nil && o.Parent.ID != dxgw:
			return true
		}
		return false
	})
	list, next := page.Slice(scope, req, list, func(o *resource.Object[connection]) string { return o.ID })
	out := &icapi.ListConnectionsResponse{Connections: []icapi.ConnectionSummary{}, NextToken: next}
	for _, o := range list {
		out.Connections = append(out.Connections, apiSummary(o))
	}
	return out, nil
}

// change applies fn to the caller's connection and saves it, in one
// transaction.
func (s *Service) change(ctx context.Context, id string, fn func(tx *resource.Tx, o *resource.Object[connection]) error) (*resource.Object[connection], error) {
	var o *resource.Object[connection]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = connections.LoadAs(ctx, tx.Reader(), id, resource.Owner); err != nil {
			return err
		}
		if err := fn(tx, o); err != nil {
			return err
		}
		return connections.Save(ctx, tx, o)
	})
	return o, err
}

// UpdateConnection changes the description at once; a new bandwidth (one
// the environment offers) takes the connection through updating until the
// partner acknowledges it.
func (s *Service) UpdateConnection(ctx context.Context, in *icapi.UpdateConnectionRequest) (*icapi.UpdateConnectionResponse, error) {
	id := smithy.Deref(in.Identifier)
	o, err := s.change(ctx, id, func(tx *resource.Tx, o *resource.Object[connection]) error {
		c := o.Doc
		switch c.State {
		case stateDeleting, stateDeleted, stateFailed:
			return fault.New(fault.Conflict, "Connection %s is %s and cannot be updated.", id, c.State)
		}
		if in.Bandwidth != nil && *in.Bandwidth != c.Bandwidth {
			if c.State != stateAvailable {
				return fault.New(fault.Conflict, "Connection %s is %s: its bandwidth can be changed only when it is available.", id, c.State)
			}
			env, err := s.environmentIn(o.Region, c.EnvironmentID)
			if err != nil {
				return err
			}
			if err := checkBandwidth(env, *in.Bandwidth); err != nil {
				return err
			}
			c.NewBandwidth, c.State = *in.Bandwidth, stateUpdating
			if err := s.facility.Schedule(ctx, tx, connectionResource(o), stepUpdate); err != nil {
				return err
			}
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &icapi.UpdateConnectionResponse{Connection: apiConnection(o)}, nil
}

// DeleteConnection marks a connection for deletion and tells the partner;
// one already deleting or deleted is answered as it is.
func (s *Service) DeleteConnection(ctx context.Context, in *icapi.DeleteConnectionRequest) (*icapi.DeleteConnectionResponse, error) {
	id := smithy.Deref(in.Identifier)
	o, err := s.change(ctx, id, func(tx *resource.Tx, o *resource.Object[connection]) error {
		if o.Doc.State == stateDeleting || o.Doc.State == stateDeleted {
			return nil
		}
		o.Doc.State, o.Doc.NewBandwidth = stateDeleting, ""
		if err := tx.UnscheduleFor(ctx, connections.Name, o.ID); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, connectionResource(o), stepDelete)
	})
	if err != nil {
		return nil, err
	}
	return &icapi.DeleteConnectionResponse{Connection: apiConnection(o)}, nil
}

// connectionSteps are what the partner and AWS do to connections.
func (s *Service) connectionSteps() []facility.Step {
	move := func(from, to string, then func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error) func(context.Context, *resource.Tx, store.Transition) error {
		return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := connections.Get(ctx, tx.Reader(), t.ResourceID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil || o.Doc.State != from {
				return err
			}
			o.Doc.State = to
			if then != nil {
				if err := then(ctx, tx, o); err != nil {
					return err
				}
			}
			return connections.Save(ctx, tx, o)
		}
	}
	return []facility.Step{
		{Name: stepActivate, Actor: facility.Partner,
			Note: "the partner's portal takes the activation key (requested -> pending)",
			Apply: move(stateRequested, statePending, func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
				return s.facility.Schedule(ctx, tx, connectionResource(o), stepProvision)
			})},
		{Name: stepProvision, Actor: facility.Automation,
			Note: "AWS and the partner provision the connection (pending -> available)",
			Apply: move(statePending, stateAvailable, func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
				o.Doc.BillingTier = billingTier(o.Doc.Bandwidth)
				return nil
			})},
		{Name: stepUpdate, Actor: facility.Partner,
			Note: "the partner acknowledges the new bandwidth (updating -> available)",
			Apply: move(stateUpdating, stateAvailable, func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
				o.Doc.Bandwidth, o.Doc.NewBandwidth = o.Doc.NewBandwidth, ""
				o.Doc.BillingTier = billingTier(o.Doc.Bandwidth)
				return nil
			})},
		{Name: stepDelete, Actor: facility.Automation,
			Note: "AWS and the partner tear the connection down (deleting -> deleted)",
			Apply: move(stateDeleting, stateDeleted, func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
				// The quota unit goes back now; the record stays to be
				// answered as deleted for a while.
				if err := tx.Release(ctx, connections.Name, o.ID); err != nil {
					return err
				}
				return s.facility.Schedule(ctx, tx, connectionResource(o), stepForget)
			})},
		{Name: stepForget, Actor: facility.Housekeeping, Delay: DeletedRetention,
			Note: "AWS stops answering the deleted connection",
			Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
				o, err := connections.Get(ctx, tx.Reader(), t.ResourceID)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				if err != nil || o.Doc.State != stateDeleted {
					return err
				}
				return connections.Delete(ctx, tx, o)
			}},
	}
}
