package directconnect

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// The states of a dedicated connection, and what may follow each:
//
//	requested -> pending (AWS approves the request and issues the LOA-CFA)
//	          -> deleted
//	pending   -> available (the cross-connect is completed)
//	          -> deleted
//	available -> deleted
//	deleted   -> (forgotten after DeletedRetention)
const (
	stateRequested = dxapi.ConnectionStateRequested
	statePending   = dxapi.ConnectionStatePending
	stateAvailable = dxapi.ConnectionStateAvailable
	stateDeleted   = dxapi.ConnectionStateDeleted
)

// Steps of a connection's life the facility carries out.
const (
	stepConnectionApprove      = "connection.approve"
	stepConnectionCrossConnect = "connection.cross-connect"
	stepConnectionForget       = "connection.forget"
)

// connection is a connection's document; its id, owner and region are the
// record's (resource.Meta).
type connection struct {
	Name           string                `json:"name"`
	State          dxapi.ConnectionState `json:"state"`
	Location       string                `json:"location"`
	Bandwidth      string                `json:"bandwidth"`
	Device         string                `json:"device"`
	ProviderName   string                `json:"providerName,omitempty"`
	MacSec         bool                  `json:"macSec,omitempty"`
	EncryptionMode string                `json:"encryptionMode,omitempty"`
	Tags           []tag                 `json:"tags"`
	CreatedAt      time.Time             `json:"createdAt"`
}

// connections are dedicated connections (hosted connections and
// interconnects share the dxcon- id space later).
var connections = &resource.Kind[connection]{
	Name:  "dx.connection",
	Noun:  "Connection",
	State: func(c *connection) string { return string(c.State) },
}

func (c *connection) tagList() *[]tag { return &c.Tags }

func resourceOf(kind string, m resource.Meta) facility.Resource {
	return facility.Resource{Kind: kind, ID: m.ID, Account: m.Account, Region: m.Region}
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
		AwsDevice:            smithy.Ptr(c.Device),
		AwsDeviceV2:          smithy.Ptr(c.Device),
		AwsLogicalDeviceId:   smithy.Ptr(c.Device),
		JumboFrameCapable:    smithy.Ptr(true),
		HasLogicalRedundancy: smithy.Ptr(dxapi.HasLogicalRedundancyUnknown),
		MacSecCapable:        smithy.Ptr(c.MacSec),
		Tags:                 apiTags(c.Tags),
	}
	if c.ProviderName != "" {
		out.ProviderName = smithy.Ptr(c.ProviderName)
	}
	if c.MacSec {
		out.EncryptionMode = smithy.Ptr(c.EncryptionMode)
		out.PortEncryptionStatus = smithy.Ptr("Encryption Down")
		out.MacSecKeys = []dxapi.MacSecKey{}
	}
	return out
}

// Dedicated connection speeds, as the API writes them, and as locations
// write their port speeds.
var dedicatedSpeeds = map[string]string{
	"1Gbps":   "1G",
	"10Gbps":  "10G",
	"100Gbps": "100G",
	"400Gbps": "400G",
}

func checkConnectionID(id string) error {
	if !connectionIDPattern.MatchString(id) {
		return invalid("Connection ID %s has an invalid format.", echo(id))
	}
	return nil
}

// A create operation has three parts, each its own function: check the
// request and build the document (nothing stored yet), place it in the
// facility, then store it and schedule its first step in one transaction.
func (s *Service) CreateConnection(ctx context.Context, in *dxapi.CreateConnectionRequest) (*dxapi.Connection, error) {
	c, loc, err := s.connectionRequest(ctx, in)
	if err != nil {
		return nil, err
	}
	if c.Device, err = placePort(loc, c.Bandwidth, c.MacSec); err != nil {
		return nil, err
	}
	var o *resource.Object[connection]
	err = s.update(ctx, func(tx *resource.Tx) error {
		o, err = s.createConnection(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return apiConnection(o), nil
}

// connectionRequest checks a CreateConnection request against the location
// catalog and returns the connection it asks for.
func (s *Service) connectionRequest(ctx context.Context, in *dxapi.CreateConnectionRequest) (*connection, facility.Location, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.ConnectionName)
	if strings.TrimSpace(name) == "" {
		return nil, facility.Location{}, invalid("Connection name must not be empty.")
	}
	if err := errors.Join(checkName("Connection name", name), checkName("Provider name", smithy.Deref(in.ProviderName))); err != nil {
		return nil, facility.Location{}, err
	}
	loc, ok := s.facility.Catalog().Find(who.Region, smithy.Deref(in.Location))
	if !ok {
		return nil, loc, invalid("Location %s is not a valid Direct Connect location in %s.", smithy.Deref(in.Location), who.Region)
	}
	bandwidth := smithy.Deref(in.Bandwidth)
	speed, ok := dedicatedSpeeds[bandwidth]
	if !ok {
		return nil, loc, invalid("Bandwidth %s is not available for dedicated connections. Valid values: 1Gbps, 10Gbps, 100Gbps, 400Gbps.", bandwidth)
	}
	if !slices.Contains(loc.PortSpeeds, speed) {
		return nil, loc, invalid("Bandwidth %s is not available at location %s.", bandwidth, loc.Code)
	}
	macSec := smithy.Deref(in.RequestMACSec)
	if macSec && !slices.Contains(loc.MacSecPortSpeeds, speed) {
		return nil, loc, invalid("MACsec is not available for %s connections at location %s.", bandwidth, loc.Code)
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, loc, err
	}
	if in.LagId != nil {
		// LAGs do not exist yet, so every LAG id is one the caller cannot see.
		if !lagIDPattern.MatchString(*in.LagId) {
			return nil, loc, invalid("Lag ID %s has an invalid format.", *in.LagId)
		}
		return nil, loc, fault.New(fault.NotFound, "Could not find Lag with ID %s", *in.LagId)
	}
	c := &connection{
		Name:         name,
		State:        stateRequested,
		Location:     loc.Code,
		Bandwidth:    bandwidth,
		ProviderName: smithy.Deref(in.ProviderName),
		MacSec:       macSec,
		Tags:         tags,
		CreatedAt:    s.clock.Now(),
	}
	if macSec {
		c.EncryptionMode = "should_encrypt"
	}
	return c, loc, nil
}

// placePort picks the AWS device a new port goes on.
func placePort(loc facility.Location, bandwidth string, macSec bool) (string, error) {
	devices := loc.DevicesFor(dedicatedSpeeds[bandwidth], macSec)
	if len(devices) == 0 {
		return "", fault.New(fault.LimitExceeded, "Location %s has no %s port available.", loc.Code, bandwidth)
	}
	// Ports are not reserved yet: spreading connections over the devices
	// keeps a busy location from running out.
	return devices[rand.IntN(len(devices))].ID, nil
}

// createConnection stores a new connection of the caller's and schedules
// AWS's review of it.
func (s *Service) createConnection(ctx context.Context, tx *resource.Tx, c *connection) (*resource.Object[connection], error) {
	who := caller.From(ctx)
	o, err := connections.Create(ctx, tx, resource.Meta{Account: who.Account, Region: who.Region}, c, func() string { return newID("dxcon") })
	if err != nil {
		return nil, err
	}
	return o, s.facility.Schedule(ctx, tx, resourceOf(connections.Name, o.Meta), stepConnectionApprove)
}

// connectionPages are DescribeConnections' pages: without maxResults it
// returns everything, as it did before AWS added pagination.
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
		err := s.view(ctx, func(r store.Reader) (err error) {
			o, err = connections.Load(ctx, r, id)
			return err
		})
		if err != nil {
			return nil, err
		}
		out.Connections = append(out.Connections, *apiConnection(o))
		return out, nil
	}
	scope := pageScope(ctx, "DescribeConnections", "")
	req, err := page.Read(scope, connectionPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		q := resource.Visible(ctx)
		q.After, q.Limit = req.After, req.Fetch()
		list, err := connections.List(ctx, r, q)
		if err != nil {
			return err
		}
		list, out.NextToken = page.Trim(scope, req, list, func(o *resource.Object[connection]) string { return o.ID })
		for _, o := range list {
			out.Connections = append(out.Connections, *apiConnection(o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pageScope binds a listing's tokens to the caller and the list.
func pageScope(ctx context.Context, list, filter string) page.Scope {
	who := caller.From(ctx)
	return page.Scope{List: "directconnect." + list, Account: who.Account, Region: who.Region, Filter: filter}
}

var encryptionModes = []string{"no_encrypt", "should_encrypt", "must_encrypt"}

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
	if in.EncryptionMode != nil && !slices.Contains(encryptionModes, *in.EncryptionMode) {
		return nil, invalid("Encryption mode %s is not valid. Valid values: %s.", *in.EncryptionMode, strings.Join(encryptionModes, ", "))
	}
	return s.changeConnection(ctx, id, func(tx *resource.Tx, o *resource.Object[connection]) error {
		c := o.Doc
		if err := c.refuseChange(id); err != nil {
			return err
		}
		if in.EncryptionMode != nil {
			if !c.MacSec {
				return invalid("Connection %s does not support MACsec, so it has no encryption mode.", id)
			}
			c.EncryptionMode = *in.EncryptionMode
		}
		if in.ConnectionName != nil {
			c.Name = *in.ConnectionName
		}
		return nil
	})
}

// changeConnection applies change to a connection the caller owns and saves
// it, in one transaction.
func (s *Service) changeConnection(ctx context.Context, id string, change func(tx *resource.Tx, o *resource.Object[connection]) error) (*dxapi.Connection, error) {
	var o *resource.Object[connection]
	err := s.update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = connections.Load(ctx, tx.Reader(), id); err != nil {
			return err
		}
		if err := change(tx, o); err != nil {
			return err
		}
		return connections.Save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return apiConnection(o), nil
}

func (s *Service) DeleteConnection(ctx context.Context, in *dxapi.DeleteConnectionRequest) (*dxapi.Connection, error) {
	id := smithy.Deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	return s.changeConnection(ctx, id, func(tx *resource.Tx, o *resource.Object[connection]) error {
		if o.Doc.State == stateDeleted {
			return fault.New(fault.Conflict, "Connection %s has already been deleted.", id)
		}
		o.Doc.State = stateDeleted
		if err := tx.UnscheduleFor(ctx, connections.Name, id); err != nil {
			return err
		}
		if err := tx.Release(ctx, connections.Name, id); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, resourceOf(connections.Name, o.Meta), stepConnectionForget)
	})
}

// connectionSteps are what the facility does to connections on its own.
func (s *Service) connectionSteps() []facility.Step {
	return []facility.Step{
		{
			Name:  stepConnectionApprove,
			Actor: facility.AWSStaff,
			Note:  "AWS approves the connection request, reserves a port and issues the LOA-CFA (requested -> pending)",
			Apply: s.moveConnection(stateRequested, statePending, stepConnectionCrossConnect),
		},
		{
			Name:  stepConnectionCrossConnect,
			Actor: facility.Technician,
			Note:  "The colocation facility completes the cross-connect and the link comes up (pending -> available)",
			Apply: s.moveConnection(statePending, stateAvailable, ""),
		},
		{
			Name:  stepConnectionForget,
			Actor: facility.Housekeeping,
			Delay: DeletedRetention,
			Note:  "AWS stops listing the deleted connection",
			Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
				o, err := connections.Get(ctx, tx.Reader(), t.ResourceID)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				return connections.Delete(ctx, tx, o)
			},
		},
	}
}

// moveConnection returns a step that moves a connection from one state to
// the next and schedules the step after it. A connection no longer in from
// is left alone: something else moved it first.
func (s *Service) moveConnection(from, to dxapi.ConnectionState, next string) func(context.Context, *resource.Tx, store.Transition) error {
	return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
		o, err := connections.Get(ctx, tx.Reader(), t.ResourceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if o.Doc.State != from {
			return nil
		}
		o.Doc.State = to
		if err := connections.Save(ctx, tx, o); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		return s.facility.Schedule(ctx, tx, resourceOf(connections.Name, o.Meta), next)
	}
}
