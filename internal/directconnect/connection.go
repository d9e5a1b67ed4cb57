package directconnect

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/store"
)

// kindConnection is the store kind of connections (dedicated today; hosted
// connections and interconnects share the dxcon- id space later).
const kindConnection = "dx.connection"

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

// connection is a connection as the store keeps it.
type connection struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	State          dxapi.ConnectionState `json:"state"`
	Owner          string                `json:"owner"`
	Region         string                `json:"region"`
	Location       string                `json:"location"`
	Bandwidth      string                `json:"bandwidth"`
	Device         string                `json:"device"`
	ProviderName   string                `json:"providerName,omitempty"`
	MacSec         bool                  `json:"macSec,omitempty"`
	EncryptionMode string                `json:"encryptionMode,omitempty"`
	Tags           []tag                 `json:"tags"`
	CreatedAt      time.Time             `json:"createdAt"`
}

func (c *connection) resource() facility.Resource {
	return facility.Resource{Kind: kindConnection, ID: c.ID, Account: c.Owner, Region: c.Region}
}

// api renders a connection as clients see it.
func (c *connection) api() *dxapi.Connection {
	out := &dxapi.Connection{
		OwnerAccount:         ptr(c.Owner),
		ConnectionId:         ptr(c.ID),
		ConnectionName:       ptr(c.Name),
		ConnectionState:      ptr(c.State),
		Region:               ptr(c.Region),
		Location:             ptr(c.Location),
		Bandwidth:            ptr(c.Bandwidth),
		AwsDevice:            ptr(c.Device),
		AwsDeviceV2:          ptr(c.Device),
		AwsLogicalDeviceId:   ptr(c.Device),
		JumboFrameCapable:    ptr(true),
		HasLogicalRedundancy: ptr(dxapi.HasLogicalRedundancyUnknown),
		MacSecCapable:        ptr(c.MacSec),
		Tags:                 c.apiTags(),
	}
	if c.ProviderName != "" {
		out.ProviderName = ptr(c.ProviderName)
	}
	if c.MacSec {
		out.EncryptionMode = ptr(c.EncryptionMode)
		out.PortEncryptionStatus = ptr("Encryption Down")
		out.MacSecKeys = []dxapi.MacSecKey{}
	}
	return out
}

func (c *connection) apiTags() []dxapi.Tag {
	out := make([]dxapi.Tag, len(c.Tags))
	for i, t := range c.Tags {
		out[i] = t.api()
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

func connectionNotFound(id string) func() error {
	return func() error { return fault.New(fault.NotFound, "Could not find Connection with ID %s", id) }
}

func checkConnectionID(id string) error {
	if !connectionIDPattern.MatchString(id) {
		return invalid("Connection ID %s has an invalid format.", id)
	}
	return nil
}

func (s *Service) CreateConnection(ctx context.Context, in *dxapi.CreateConnectionRequest) (*dxapi.Connection, error) {
	who := caller.From(ctx)
	name := deref(in.ConnectionName)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("Connection name must not be empty.")
	}
	loc, ok := s.facility.Catalog().Find(who.Region, deref(in.Location))
	if !ok {
		return nil, invalid("Location %s is not a valid Direct Connect location in %s.", deref(in.Location), who.Region)
	}
	bandwidth := deref(in.Bandwidth)
	speed, ok := dedicatedSpeeds[bandwidth]
	if !ok {
		return nil, invalid("Bandwidth %s is not available for dedicated connections. Valid values: 1Gbps, 10Gbps, 100Gbps, 400Gbps.", bandwidth)
	}
	if !slices.Contains(loc.PortSpeeds, speed) {
		return nil, invalid("Bandwidth %s is not available at location %s.", bandwidth, loc.Code)
	}
	macSec := deref(in.RequestMACSec)
	if macSec && !slices.Contains(loc.MacSecPortSpeeds, speed) {
		return nil, invalid("MACsec is not available for %s connections at location %s.", bandwidth, loc.Code)
	}
	devices := loc.DevicesFor(speed, macSec)
	if len(devices) == 0 {
		return nil, fault.New(fault.LimitExceeded, "Location %s has no %s port available.", loc.Code, bandwidth)
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.LagId != nil {
		// LAGs do not exist yet, so every LAG id is one the caller cannot see.
		if !lagIDPattern.MatchString(*in.LagId) {
			return nil, invalid("Lag ID %s has an invalid format.", *in.LagId)
		}
		return nil, fault.New(fault.NotFound, "Could not find Lag with ID %s", *in.LagId)
	}

	c := &connection{
		Name:         name,
		State:        stateRequested,
		Owner:        who.Account,
		Region:       who.Region,
		Location:     loc.Code,
		Bandwidth:    bandwidth,
		Device:       devices[rand.IntN(len(devices))].ID,
		ProviderName: deref(in.ProviderName),
		MacSec:       macSec,
		Tags:         tags,
		CreatedAt:    s.clock.Now(),
	}
	if macSec {
		c.EncryptionMode = "should_encrypt"
	}
	err = s.update(ctx, func(w store.Writer) error {
		for {
			c.ID = newID("dxcon")
			data, err := json.Marshal(c)
			if err != nil {
				return err
			}
			err = w.Insert(ctx, store.Record{Kind: kindConnection, ID: c.ID, Account: c.Owner, Region: c.Region, Data: data})
			if errors.Is(err, store.ErrExists) {
				continue
			}
			if err != nil {
				return err
			}
			return s.facility.Schedule(ctx, w, c.resource(), stepConnectionApprove)
		}
	})
	if err != nil {
		return nil, err
	}
	return c.api(), nil
}

func (s *Service) DescribeConnections(ctx context.Context, in *dxapi.DescribeConnectionsRequest) (*dxapi.Connections, error) {
	who := caller.From(ctx)
	out := &dxapi.Connections{Connections: []dxapi.Connection{}}
	if in.ConnectionId != nil {
		id := *in.ConnectionId
		if err := checkConnectionID(id); err != nil {
			return nil, err
		}
		var c connection
		err := s.view(ctx, func(r store.Reader) error {
			_, err := load(ctx, r, kindConnection, id, &c, connectionNotFound(id))
			return err
		})
		if err != nil {
			return nil, err
		}
		out.Connections = append(out.Connections, *c.api())
		return out, nil
	}
	page, err := readPage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		recs, err := r.List(ctx, store.ListQuery{Kind: kindConnection, Account: who.Account, Region: who.Region, After: page.after, Limit: page.fetch()})
		if err != nil {
			return err
		}
		recs, out.NextToken = page.trim(recs)
		for _, rec := range recs {
			var c connection
			if err := json.Unmarshal(rec.Data, &c); err != nil {
				return err
			}
			out.Connections = append(out.Connections, *c.api())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var encryptionModes = []string{"no_encrypt", "should_encrypt", "must_encrypt"}

func (s *Service) UpdateConnection(ctx context.Context, in *dxapi.UpdateConnectionRequest) (*dxapi.Connection, error) {
	id := deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	if in.ConnectionName != nil && strings.TrimSpace(*in.ConnectionName) == "" {
		return nil, invalid("Connection name must not be empty.")
	}
	if in.EncryptionMode != nil && !slices.Contains(encryptionModes, *in.EncryptionMode) {
		return nil, invalid("Encryption mode %s is not valid. Valid values: %s.", *in.EncryptionMode, strings.Join(encryptionModes, ", "))
	}
	return s.changeConnection(ctx, id, func(w store.Writer, c *connection) error {
		if c.State == stateDeleted {
			return fault.New(fault.Conflict, "Connection %s is deleted and cannot be updated.", id)
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

// changeConnection applies change to a connection the caller can see and
// saves it, in one transaction.
func (s *Service) changeConnection(ctx context.Context, id string, change func(w store.Writer, c *connection) error) (*dxapi.Connection, error) {
	var c connection
	err := s.update(ctx, func(w store.Writer) error {
		rec, err := load(ctx, w, kindConnection, id, &c, connectionNotFound(id))
		if err != nil {
			return err
		}
		if err := change(w, &c); err != nil {
			return err
		}
		return save(ctx, w, rec, &c)
	})
	if err != nil {
		return nil, err
	}
	return c.api(), nil
}

func (s *Service) DeleteConnection(ctx context.Context, in *dxapi.DeleteConnectionRequest) (*dxapi.Connection, error) {
	id := deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	return s.changeConnection(ctx, id, func(w store.Writer, c *connection) error {
		if c.State == stateDeleted {
			return fault.New(fault.Conflict, "Connection %s has already been deleted.", id)
		}
		c.State = stateDeleted
		if err := w.UnscheduleFor(ctx, kindConnection, id); err != nil {
			return err
		}
		if err := w.Release(ctx, kindConnection, id); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, w, c.resource(), stepConnectionForget)
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
			Apply: func(ctx context.Context, w store.Writer, t store.Transition) error {
				err := w.Delete(ctx, kindConnection, t.ResourceID)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			},
		},
	}
}

// moveConnection returns a step that moves a connection from one state to
// the next and schedules the step after it. A connection no longer in from
// is left alone: something else moved it first.
func (s *Service) moveConnection(from, to dxapi.ConnectionState, next string) func(context.Context, store.Writer, store.Transition) error {
	return func(ctx context.Context, w store.Writer, t store.Transition) error {
		rec, err := w.Get(ctx, kindConnection, t.ResourceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var c connection
		if err := json.Unmarshal(rec.Data, &c); err != nil {
			return err
		}
		if c.State != from {
			return nil
		}
		c.State = to
		if err := save(ctx, w, rec, &c); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		return s.facility.Schedule(ctx, w, c.resource(), next)
	}
}
