package directconnect

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// The states of a dedicated connection (and of a LAG's member) follow its
// port, as port.go draws them:
//
//	requested -> pending -> available <-> down
//	any       -> deleted -> (forgotten after DeletedRetention)
//
// A hosted connection's follow its parent, as hosted.go draws them.
const (
	stateOrdering  = dxapi.ConnectionStateOrdering
	stateRequested = dxapi.ConnectionStateRequested
	statePending   = dxapi.ConnectionStatePending
	stateAvailable = dxapi.ConnectionStateAvailable
	stateDown      = dxapi.ConnectionStateDown
	stateDeleted   = dxapi.ConnectionStateDeleted
	stateRejected  = dxapi.ConnectionStateRejected
)

// connection is a connection's document; its id, owner, region and parent
// (a LAG it is a member of, the interconnect or LAG a hosted connection
// rides) are the record's (resource.Meta).
type connection struct {
	Name  string                `json:"name"`
	State dxapi.ConnectionState `json:"state"`
	physical
	// A hosted connection: allocated by a partner on its interconnect or
	// LAG, with a VLAN there.
	Hosted      bool      `json:"hosted,omitempty"`
	Vlan        int       `json:"vlan,omitempty"`
	PartnerName string    `json:"partnerName,omitempty"`
	Tags        []tag     `json:"tags"`
	CreatedAt   time.Time `json:"createdAt"`
	rateUse
}

func (c *connection) phys() *physical   { return &c.physical }
func (c *connection) state() string     { return string(c.State) }
func (c *connection) setState(s string) { c.State = dxapi.ConnectionState(s) }
func (c *connection) TagList() *[]tag   { return &c.Tags }

// connections are dedicated connections, LAG members and hosted
// connections. A hosted connection belongs to its customer and is seen by
// the partner who owns its parent.
var connections = &resource.Kind[connection]{
	Name:    "dx.connection",
	Noun:    "Connection",
	State:   func(c *connection) string { return string(c.State) },
	Sharing: resource.Sharing[connection]{ParentOwner: true},
}

func (s *Service) connectionKind() portKind[connection, *connection] {
	return portKind[connection, *connection]{kind: connections, changed: s.connectionChanged}
}

// connectionChanged carries a connection's change to the virtual
// interfaces on it and, for a member, to its LAG.
func (s *Service) connectionChanged(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
	if err := s.vifsFollow(ctx, tx, resource.Ref{Kind: connections.Name, ID: o.ID}, string(o.Doc.State)); err != nil {
		return err
	}
	if o.Doc.Hosted || o.Parent.Kind != lags.Name {
		return nil
	}
	return s.lagChanged(ctx, tx, o.Parent.ID)
}

// apiConnection renders a connection as clients see it.
func apiConnection(o *resource.Object[connection]) *dxapi.Connection {
	c := o.Doc
	out := &dxapi.Connection{
		OwnerAccount:         smithy.Ptr(o.Account),
		ConnectionId:         smithy.Ptr(o.ID),
		ConnectionName:       smithy.Ptr(c.Name),
		ConnectionState:      smithy.Ptr(c.State),
		Region:               smithy.Ptr(o.Region),
		Location:             smithy.Ptr(c.Location),
		Bandwidth:            smithy.Ptr(c.Bandwidth),
		JumboFrameCapable:    smithy.Ptr(true),
		HasLogicalRedundancy: smithy.Ptr(dxapi.HasLogicalRedundancyUnknown),
		MacSecCapable:        smithy.Ptr(c.MacSec),
		LoaIssueTime:         apiLoaTime(&c.physical),
		Tags:                 apiTags(c.Tags),
	}
	out.AwsDevice, out.AwsDeviceV2, out.AwsLogicalDeviceId = apiDevice(&c.physical)
	if o.Parent.Kind == lags.Name {
		out.LagId = smithy.Ptr(o.Parent.ID)
	}
	if c.ProviderName != "" {
		out.ProviderName = smithy.Ptr(c.ProviderName)
	}
	if c.Hosted {
		out.Vlan = smithy.Ptr(int32(c.Vlan))
		out.PartnerName = smithy.Ptr(c.PartnerName)
	}
	if c.MacSec {
		out.EncryptionMode = smithy.Ptr(c.EncryptionMode)
		out.PortEncryptionStatus = smithy.Ptr(portEncryption(c.State == stateAvailable, c.MacSecKeys))
		out.MacSecKeys = apiMacSecKeys(c.MacSecKeys)
	}
	return out
}

func checkConnectionID(id string) error {
	if !connectionIDPattern.MatchString(id) {
		return invalid("Connection ID %s has an invalid format.", limits.Echo(id))
	}
	return nil
}

// A create operation has three parts, each its own function: check the
// request and build the document (nothing stored yet); then, in one
// transaction, place it in the facility and store it with its first step.
func (s *Service) CreateConnection(ctx context.Context, in *dxapi.CreateConnectionRequest) (*dxapi.Connection, error) {
	c, req, err := s.connectionRequest(ctx, in)
	if err != nil {
		return nil, err
	}
	var o *resource.Object[connection]
	err = s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		o, err = s.createConnection(ctx, tx, c, req, smithy.Deref(in.LagId))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.apiConnectionOf(o), nil
}

// connectionRequest checks a CreateConnection request against the location
// catalog and returns the connection it asks for.
func (s *Service) connectionRequest(ctx context.Context, in *dxapi.CreateConnectionRequest) (*connection, portRequest, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.ConnectionName)
	if strings.TrimSpace(name) == "" {
		return nil, portRequest{}, invalid("Connection name must not be empty.")
	}
	if err := errors.Join(checkName("Connection name", name), checkName("Provider name", smithy.Deref(in.ProviderName))); err != nil {
		return nil, portRequest{}, err
	}
	req, err := s.checkPort(who.Region, smithy.Deref(in.Location), smithy.Deref(in.Bandwidth), smithy.Deref(in.RequestMACSec), "dedicated connections")
	if err != nil {
		return nil, req, err
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, req, err
	}
	if in.LagId != nil && !lagIDPattern.MatchString(*in.LagId) {
		return nil, req, invalid("Lag ID %s has an invalid format.", *in.LagId)
	}
	return &connection{
		Name:      name,
		State:     stateRequested,
		physical:  req.physical(smithy.Deref(in.ProviderName)),
		Tags:      tags,
		CreatedAt: s.clock.Now(),
	}, req, nil
}

// createConnection places a new dedicated connection of the caller's (on a
// LAG's device when lagID is set, as its member), stores it and schedules
// AWS's review of it.
func (s *Service) createConnection(ctx context.Context, tx *resource.Tx, c *connection, req portRequest, lagID string) (*resource.Object[connection], error) {
	who := caller.From(ctx)
	m := resource.Meta{ID: newID("dxcon"), Account: who.Account, Region: who.Region}
	if err := s.takeQuota(ctx, tx, quotaConnectionsPerLocation, c.Location, resource.Ref{Kind: connections.Name, ID: m.ID}); err != nil {
		return nil, err
	}
	device := ""
	if lagID != "" {
		l, err := lags.LoadAs(ctx, tx.Reader(), lagID, resource.Owner)
		if err != nil {
			return nil, err
		}
		if err := s.canJoin(ctx, tx.Reader(), l, c.Bandwidth, c.Location, 1); err != nil {
			return nil, err
		}
		device = l.Doc.Device
		m.Parent = resource.Ref{Kind: lags.Name, ID: lagID}
		takeLagKeys(c, l.Doc)
	}
	if err := s.placeOn(ctx, tx, req, device, resource.Ref{Kind: connections.Name, ID: m.ID}, &c.physical); err != nil {
		return nil, err
	}
	o, err := connections.Create(ctx, tx, m, c, nil)
	if err != nil {
		return nil, err
	}
	if err := s.facility.Schedule(ctx, tx, resourceOf(connections.Name, o.Meta), s.connectionKind().step(stepApprove)); err != nil {
		return nil, err
	}
	if lagID != "" {
		return o, s.lagChanged(ctx, tx, lagID)
	}
	return o, nil
}

// connectionPages are DescribeConnections' pages: without maxResults it
// returns everything, as it did before AWS added pagination, up to
// page.MaxWhole (a larger listing is refused, telling the caller to page).
var connectionPages = page.Options{Max: MaxPageSize}

// MaxPageSize is the most a Describe call returns at once; a larger
// maxResults is clamped to it, as AWS does.
const MaxPageSize = 100

func (s *Service) DescribeConnections(ctx context.Context, in *dxapi.DescribeConnectionsRequest) (*dxapi.Connections, error) {
	out := &dxapi.Connections{Connections: []dxapi.Connection{}}
	if in.ConnectionId != nil {
		id := *in.ConnectionId
		if err := checkConnectionID(id); err != nil {
			return nil, err
		}
		var o *resource.Object[connection]
		err := s.peek(ctx, func(r store.Reader) (err error) {
			// The partner sees a hosted connection through its parent's
			// listings, not here: DescribeConnections is the owner's.
			o, err = connections.LoadAs(ctx, r, id, resource.Owner)
			return err
		})
		if err != nil {
			return nil, err
		}
		out.Connections = append(out.Connections, *s.apiConnectionOf(o))
		return out, nil
	}
	scope := pageScope(ctx, "DescribeConnections", "")
	req, err := page.Read(scope, connectionPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		who := caller.From(ctx)
		list, err := connections.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region, After: req.After, Limit: req.Fetch()})
		if err != nil {
			return err
		}
		if err := req.Whole(len(list), "connections"); err != nil {
			return err
		}
		list, out.NextToken = page.Trim(scope, req, list, objectID[connection])
		for _, o := range list {
			out.Connections = append(out.Connections, *s.apiConnectionOf(o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func objectID[T any](o *resource.Object[T]) string { return o.ID }

// pageScope binds a listing's tokens to the caller and the list.
func pageScope(ctx context.Context, list, filter string) page.Scope {
	who := caller.From(ctx)
	return page.Scope{List: "directconnect." + list, Account: who.Account, Region: who.Region, Filter: filter}
}

func (s *Service) UpdateConnection(ctx context.Context, in *dxapi.UpdateConnectionRequest) (*dxapi.Connection, error) {
	id := smithy.Deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	if in.ConnectionName != nil && strings.TrimSpace(*in.ConnectionName) == "" {
		return nil, invalid("Connection name must not be empty.")
	}
	if in.ConnectionName != nil {
		if err := checkName("Connection name", *in.ConnectionName); err != nil {
			return nil, err
		}
	}
	if err := checkEncryptionMode(in.EncryptionMode); err != nil {
		return nil, err
	}
	return s.changeConnection(ctx, id, resource.Owner, func(tx *resource.Tx, o *resource.Object[connection]) error {
		c := o.Doc
		if err := refuseGone("Connection", id, string(c.State)); err != nil {
			return err
		}
		if in.EncryptionMode != nil {
			if err := setEncryptionMode(&c.physical, "Connection", id, *in.EncryptionMode); err != nil {
				return err
			}
		}
		if in.ConnectionName != nil {
			c.Name = *in.ConnectionName
		}
		return nil
	})
}

// changeConnection applies change to a connection the caller stands to as
// at least least and saves it, in one transaction.
func (s *Service) changeConnection(ctx context.Context, id string, least resource.Role, change func(tx *resource.Tx, o *resource.Object[connection]) error) (*dxapi.Connection, error) {
	var o *resource.Object[connection]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = connections.LoadAs(ctx, tx.Reader(), id, least); err != nil {
			return err
		}
		if err := change(tx, o); err != nil {
			return err
		}
		return s.connectionKind().save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return s.apiConnectionOf(o), nil
}

// DeleteConnection deletes a connection. Its owner deletes a dedicated
// connection, a LAG member or a hosted connection (one still ordering is
// rejected, as AWS documents); the partner deletes a hosted connection on
// its parent.
func (s *Service) DeleteConnection(ctx context.Context, in *dxapi.DeleteConnectionRequest) (*dxapi.Connection, error) {
	id := smithy.Deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	var o *resource.Object[connection]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = connections.Load(ctx, tx.Reader(), id); err != nil {
			return err
		}
		if o.Doc.State == stateDeleted || o.Doc.State == stateRejected {
			return fault.New(fault.Conflict, "Connection %s has already been deleted.", id)
		}
		if err := s.checkNoVifs(ctx, tx.Reader(), resource.Ref{Kind: connections.Name, ID: id}); err != nil {
			return err
		}
		if o.Doc.Hosted {
			return s.deleteHosted(ctx, tx, o)
		}
		if err := s.checkNoHosted(ctx, tx.Reader(), resource.Ref{Kind: connections.Name, ID: id}, connections.Noun); err != nil {
			return err
		}
		return s.connectionKind().deleteHolder(ctx, s, tx, o, string(stateDeleted))
	})
	if err != nil {
		return nil, err
	}
	out := s.apiConnectionOf(o)
	if o.RoleOf(caller.From(ctx)) != resource.Owner {
		out.Tags = []dxapi.Tag{} // a hosted connection's tags are its customer's alone
	}
	return out, nil
}

// connectionSteps are what the facility does to connections on its own.
func (s *Service) connectionSteps() []facility.Step {
	return append(s.connectionKind().steps(s), s.hostedSteps()...)
}
