package directconnect

import (
	"context"
	"errors"
	"fmt"
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

// A LAG's state follows its members: it is not a port of its own.
//
//	pending   while no member has come up yet (members requested/pending)
//	available while at least max(minimumLinks, 1) members are available
//	down      otherwise (a member's port went down, minimumLinks not met)
//	deleted   the owner deleted it (no hosted connections left on it); its
//	          members stay, as standalone connections; forgotten later
const (
	lagPending   = dxapi.LagStatePending
	lagAvailable = dxapi.LagStateAvailable
	lagDown      = dxapi.LagStateDown
	lagDeleted   = dxapi.LagStateDeleted
)

const stepLagForget = "lag.forget"

type lag struct {
	Name           string         `json:"name"`
	State          dxapi.LagState `json:"state"`
	Location       string         `json:"location"`
	Bandwidth      string         `json:"bandwidth"`
	Device         string         `json:"device"`
	MinimumLinks   int            `json:"minimumLinks"`
	ProviderName   string         `json:"providerName,omitempty"`
	MacSec         bool           `json:"macSec,omitempty"`
	EncryptionMode string         `json:"encryptionMode,omitempty"`
	MacSecKeys     []macSecKey    `json:"macSecKeys,omitempty"`
	AllowsHosted   bool           `json:"allowsHosted,omitempty"`
	Tags           []tag          `json:"tags"`
	CreatedAt      time.Time      `json:"createdAt"`
	rateUse
}

func (l *lag) TagList() *[]tag { return &l.Tags }

var lags = &resource.Kind[lag]{
	Name:  "dx.lag",
	Noun:  "Lag",
	State: func(l *lag) string { return string(l.State) },
}

func checkLagID(id string) error {
	if !lagIDPattern.MatchString(id) {
		return invalid("Lag ID %s has an invalid format.", id)
	}
	return nil
}

func lagRef(id string) resource.Ref { return resource.Ref{Kind: lags.Name, ID: id} }

// maxMembers is how many connections a LAG of a bandwidth may have: the
// quota for 1 and 10 Gbps, two for 100 and 400 Gbps, as AWS documents.
func (s *Service) maxMembers(bandwidth string) int {
	if bandwidth == "100Gbps" || bandwidth == "400Gbps" {
		return 2
	}
	return s.quota(quotaConnectionsPerLag)
}

// member is a LAG member of either kind, as the LAG sees it.
type member struct {
	id, state string
	// api renders the member as DescribeLags lists it: a connection, or
	// an interconnect in a connection's shape (a partner's LAG).
	api func() dxapi.Connection
}

// members lists a LAG's members: connections and interconnects that are
// not hosted and not deleted.
func (s *Service) members(ctx context.Context, r store.Reader, lagID string) ([]member, []*resource.Object[connection], error) {
	q := store.ListQuery{Parent: lagRef(lagID).String()}
	conns, err := connections.List(ctx, r, q)
	if err != nil {
		return nil, nil, err
	}
	var out []member
	var own []*resource.Object[connection]
	for _, o := range conns {
		if !o.Doc.Hosted && live(string(o.Doc.State)) {
			out = append(out, member{o.ID, string(o.Doc.State), func() dxapi.Connection { return *apiConnection(o) }})
			own = append(own, o)
		}
	}
	ics, err := interconnects.List(ctx, r, q)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range ics {
		if live(string(o.Doc.State)) {
			out = append(out, member{o.ID, string(o.Doc.State), func() dxapi.Connection { return interconnectAsMember(o) }})
		}
	}
	return out, own, nil
}

// interconnectAsMember renders an interconnect in a LAG as the LAG lists
// its members: in a connection's shape, as AWS shows a partner's LAG.
func interconnectAsMember(o *resource.Object[interconnect]) dxapi.Connection {
	i := apiInterconnect(o)
	return dxapi.Connection{
		ConnectionId: i.InterconnectId, ConnectionName: i.InterconnectName, ConnectionState: smithy.Ptr(dxapi.ConnectionState(o.Doc.State)),
		OwnerAccount: smithy.Ptr(o.Account), Region: i.Region, Location: i.Location, Bandwidth: i.Bandwidth,
		AwsDevice: i.AwsDevice, AwsDeviceV2: i.AwsDeviceV2, AwsLogicalDeviceId: i.AwsLogicalDeviceId, LagId: i.LagId,
		JumboFrameCapable: i.JumboFrameCapable, HasLogicalRedundancy: i.HasLogicalRedundancy, MacSecCapable: i.MacSecCapable,
		EncryptionMode: i.EncryptionMode, PortEncryptionStatus: i.PortEncryptionStatus, MacSecKeys: i.MacSecKeys,
		LoaIssueTime: i.LoaIssueTime, ProviderName: i.ProviderName, Tags: i.Tags,
	}
}

// lagState is the state a LAG's members give it.
func lagState(l *lag, members []member) dxapi.LagState {
	up, waiting := 0, 0
	for _, m := range members {
		switch m.state {
		case "available":
			up++
		case "requested", "pending":
			waiting++
		}
	}
	switch {
	case len(members) > 0 && up >= max(l.MinimumLinks, 1):
		return lagAvailable
	case len(members) > 0 && waiting == len(members):
		return lagPending
	case len(members) == 0 && l.State == lagPending:
		return lagPending
	}
	return lagDown
}

// lagChanged sets a LAG's state from its members and carries a change on
// to the hosted connections on it.
func (s *Service) lagChanged(ctx context.Context, tx *resource.Tx, lagID string) error {
	l, err := lags.Get(ctx, tx.Reader(), lagID)
	if err != nil {
		return err
	}
	if l.Doc.State == lagDeleted {
		return nil
	}
	members, _, err := s.members(ctx, tx.Reader(), lagID)
	if err != nil {
		return err
	}
	state := lagState(l.Doc, members)
	if state == l.Doc.State {
		return nil
	}
	l.Doc.State = state
	if err := lags.Save(ctx, tx, l); err != nil {
		return err
	}
	if err := s.vifsFollow(ctx, tx, lagRef(lagID), string(state)); err != nil {
		return err
	}
	return s.parentChanged(ctx, tx, lagRef(lagID), string(state))
}

// canJoin checks that n more connections of a bandwidth at a location may
// join a LAG.
func (s *Service) canJoin(ctx context.Context, r store.Reader, l *resource.Object[lag], bandwidth, location string, n int) error {
	if l.Doc.State == lagDeleted {
		return fault.New(fault.Conflict, "Lag %s is deleted.", l.ID)
	}
	if bandwidth != l.Doc.Bandwidth || location != l.Doc.Location {
		return invalid("Lag %s takes %s connections at %s, not %s at %s.", l.ID, l.Doc.Bandwidth, l.Doc.Location, bandwidth, location)
	}
	members, _, err := s.members(ctx, r, l.ID)
	if err != nil {
		return err
	}
	if limit := s.maxMembers(l.Doc.Bandwidth); len(members)+n > limit {
		return quotaError(quotaConnectionsPerLag, limit, fmt.Sprintf("Lag %s has %d connections; %d more", l.ID, len(members), n))
	}
	return nil
}

func (s *Service) apiLag(ctx context.Context, r store.Reader, o *resource.Object[lag]) (*dxapi.Lag, error) {
	l := o.Doc
	out := &dxapi.Lag{
		LagId:                   smithy.Ptr(o.ID),
		LagName:                 smithy.Ptr(l.Name),
		LagState:                smithy.Ptr(l.State),
		OwnerAccount:            smithy.Ptr(o.Account),
		Region:                  smithy.Ptr(o.Region),
		Location:                smithy.Ptr(l.Location),
		ConnectionsBandwidth:    smithy.Ptr(l.Bandwidth),
		MinimumLinks:            smithy.Ptr(int32(l.MinimumLinks)),
		AwsDevice:               smithy.Ptr(l.Device),
		AwsDeviceV2:             smithy.Ptr(l.Device),
		AwsLogicalDeviceId:      smithy.Ptr(l.Device),
		AllowsHostedConnections: smithy.Ptr(l.AllowsHosted),
		JumboFrameCapable:       smithy.Ptr(true),
		HasLogicalRedundancy:    smithy.Ptr(dxapi.HasLogicalRedundancyUnknown),
		MacSecCapable:           smithy.Ptr(l.MacSec),
		Connections:             []dxapi.Connection{},
		Tags:                    apiTags(l.Tags),
	}
	if l.ProviderName != "" {
		out.ProviderName = smithy.Ptr(l.ProviderName)
	}
	if l.MacSec {
		out.EncryptionMode = smithy.Ptr(l.EncryptionMode)
		out.MacSecKeys = apiMacSecKeys(l.MacSecKeys)
	}
	if l.State != lagDeleted {
		members, _, err := s.members(ctx, r, o.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			out.Connections = append(out.Connections, m.api())
		}
	}
	out.NumberOfConnections = smithy.Ptr(int32(len(out.Connections)))
	out.RateLimiterStatus = s.rateLimiterStatus(lags.Name, l.rateUse)
	return out, nil
}

func (s *Service) CreateLag(ctx context.Context, in *dxapi.CreateLagRequest) (*dxapi.Lag, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.LagName)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("LAG name must not be empty.")
	}
	req, err := s.checkPort(who.Region, smithy.Deref(in.Location), smithy.Deref(in.ConnectionsBandwidth), smithy.Deref(in.RequestMACSec), "LAGs")
	if err != nil {
		return nil, err
	}
	n := int(smithy.Deref(in.NumberOfConnections))
	if limit := s.maxMembers(req.bandwidth); n < 1 || n > limit {
		return nil, invalid("numberOfConnections must be between 1 and %d for a LAG of %s connections.", limit, req.bandwidth)
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	childTags, err := newTags(in.ChildConnectionTags)
	if err != nil {
		return nil, err
	}
	if in.ConnectionId != nil {
		if err := checkConnectionID(*in.ConnectionId); err != nil {
			return nil, err
		}
	}
	l := &lag{
		Name: name, State: lagPending, Location: req.loc.Code, Bandwidth: req.bandwidth,
		ProviderName: smithy.Deref(in.ProviderName), MacSec: req.macSec, AllowsHosted: s.maySell(who.Account),
		Tags: tags, CreatedAt: s.clock.Now(),
	}
	if req.macSec {
		l.EncryptionMode = "should_encrypt"
	}
	var out *dxapi.Lag
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := s.createLag(ctx, tx, l, req, n, smithy.Deref(in.ConnectionId), childTags)
		if err != nil {
			return err
		}
		out, err = s.apiLag(ctx, tx.Reader(), o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createLag stores a LAG of n members: the existing connection (when
// given) and new ones, all on one device, or nothing at all.
func (s *Service) createLag(ctx context.Context, tx *resource.Tx, l *lag, req portRequest, n int, existing string, childTags []tag) (*resource.Object[lag], error) {
	who := caller.From(ctx)
	m := resource.Meta{ID: newID("dxlag"), Account: who.Account, Region: who.Region}
	if err := s.takeQuota(ctx, tx, quotaLagsPerRegion, "", lagRef(m.ID)); err != nil {
		return nil, err
	}
	devices := req.loc.DevicesFor(req.speed, req.macSec)
	var joining *resource.Object[connection]
	if existing != "" {
		c, err := connections.LoadAs(ctx, tx.Reader(), existing, resource.Owner)
		if err != nil {
			return nil, err
		}
		if err := checkCanBundle(c, req.bandwidth, req.loc.Code); err != nil {
			return nil, err
		}
		joining, n = c, n-1
		l.Device = c.Doc.Device
		devices = []facility.Device{}
		for _, d := range req.loc.DevicesFor(req.speed, req.macSec) {
			if d.ID == c.Doc.Device {
				devices = append(devices, d)
			}
		}
	}
	owners := make([]resource.Ref, n)
	for i := range owners {
		owners[i] = resource.Ref{Kind: connections.Name, ID: newID("dxcon")}
	}
	ports, err := facility.PlaceTogether(ctx, tx, devices, req.speed, owners)
	if err != nil {
		if err == facility.ErrNoPort {
			return nil, invalid("Location %s has no device with %d free %s ports for the LAG; no LAG was created.", l.Location, n, req.bandwidth)
		}
		return nil, err
	}
	// Quota units are claims too, taken once the ports are: placing on a
	// device that turns out too full releases the members' claims.
	for _, o := range owners {
		if err := s.takeQuota(ctx, tx, quotaConnectionsPerLocation, l.Location, o); err != nil {
			return nil, err
		}
	}
	if len(ports) > 0 {
		l.Device = ports[0].Device
	}
	o, err := lags.Create(ctx, tx, m, l, nil)
	if err != nil {
		return nil, err
	}
	if joining != nil {
		joining.Parent = lagRef(o.ID)
		takeLagKeys(joining.Doc, l)
		if err := connections.Save(ctx, tx, joining); err != nil {
			return nil, err
		}
	}
	for i, p := range ports {
		c := &connection{
			Name:      fmt.Sprintf("Requested Connection %d for Lag %s", i+1, o.ID),
			State:     stateRequested,
			physical:  req.physical(l.ProviderName),
			Tags:      append([]tag{}, childTags...),
			CreatedAt: l.CreatedAt,
		}
		c.Device, c.Port = p.Device, p.Index
		cm := resource.Meta{ID: owners[i].ID, Account: who.Account, Region: who.Region, Parent: lagRef(o.ID)}
		co, err := connections.Create(ctx, tx, cm, c, nil)
		if err != nil {
			return nil, err
		}
		if err := s.facility.Schedule(ctx, tx, resourceOf(connections.Name, co.Meta), s.connectionKind().step(stepApprove)); err != nil {
			return nil, err
		}
	}
	return o, s.lagChanged(ctx, tx, o.ID)
}

// takeLagKeys gives a MACsec connection joining a LAG the LAG's MACsec keys
// in place of its own, and its encryption mode, as AWS does.
func takeLagKeys(c *connection, l *lag) {
	if !c.MacSec {
		return
	}
	c.MacSecKeys = append([]macSecKey{}, l.MacSecKeys...)
	if l.MacSec {
		c.EncryptionMode = l.EncryptionMode
	}
}

// checkCanBundle checks that a connection may join a LAG.
func checkCanBundle(c *resource.Object[connection], bandwidth, location string) error {
	switch {
	case c.Doc.Hosted:
		return invalid("Connection %s is a hosted connection and cannot join a LAG.", c.ID)
	case !live(string(c.Doc.State)):
		return fault.New(fault.Conflict, "Connection %s is %s.", c.ID, c.Doc.State)
	case c.Parent.Kind == lags.Name:
		return fault.New(fault.Conflict, "Connection %s is already a member of Lag %s.", c.ID, c.Parent.ID)
	case c.Doc.Bandwidth != bandwidth || c.Doc.Location != location:
		return invalid("Connection %s is %s at %s; the LAG takes %s connections at %s.", c.ID, c.Doc.Bandwidth, c.Doc.Location, bandwidth, location)
	}
	return nil
}

var lagPages = page.Options{Max: MaxPageSize}

func (s *Service) DescribeLags(ctx context.Context, in *dxapi.DescribeLagsRequest) (*dxapi.Lags, error) {
	out := &dxapi.Lags{Lags: []dxapi.Lag{}}
	if in.LagId != nil {
		if err := checkLagID(*in.LagId); err != nil {
			return nil, err
		}
		err := s.view(ctx, func(r store.Reader) error {
			o, err := lags.LoadAs(ctx, r, *in.LagId, resource.Owner)
			if err != nil {
				return err
			}
			l, err := s.apiLag(ctx, r, o)
			if err == nil {
				out.Lags = append(out.Lags, *l)
			}
			return err
		})
		return out, err
	}
	scope := pageScope(ctx, "DescribeLags", "")
	req, err := page.Read(scope, lagPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		who := caller.From(ctx)
		list, err := lags.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region, After: req.After, Limit: req.Fetch()})
		if err != nil {
			return err
		}
		if err := req.Whole(len(list), "LAGs"); err != nil {
			return err
		}
		list, out.NextToken = page.Trim(scope, req, list, objectID[lag])
		for _, o := range list {
			l, err := s.apiLag(ctx, r, o)
			if err != nil {
				return err
			}
			out.Lags = append(out.Lags, *l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changeLag applies change to a LAG of the caller's and answers it.
func (s *Service) changeLag(ctx context.Context, id string, change func(tx *resource.Tx, o *resource.Object[lag]) error) (*dxapi.Lag, error) {
	if err := checkLagID(id); err != nil {
		return nil, err
	}
	var out *dxapi.Lag
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := lags.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		if err := change(tx, o); err != nil {
			return err
		}
		out, err = s.apiLag(ctx, tx.Reader(), o)
		return err
	})
	return out, err
}

func (s *Service) UpdateLag(ctx context.Context, in *dxapi.UpdateLagRequest) (*dxapi.Lag, error) {
	if in.LagName != nil && strings.TrimSpace(*in.LagName) == "" {
		return nil, invalid("LAG name must not be empty.")
	}
	if err := checkEncryptionMode(in.EncryptionMode); err != nil {
		return nil, err
	}
	id := smithy.Deref(in.LagId)
	return s.changeLag(ctx, id, func(tx *resource.Tx, o *resource.Object[lag]) error {
		if err := refuseGone("Lag", id, string(o.Doc.State)); err != nil {
			return err
		}
		if in.LagName != nil {
			o.Doc.Name = *in.LagName
		}
		if in.MinimumLinks != nil {
			members, _, err := s.members(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			if n := int(*in.MinimumLinks); n < 0 || n > len(members) {
				return invalid("minimumLinks must be between 0 and the LAG's %d connections.", len(members))
			}
			o.Doc.MinimumLinks = int(*in.MinimumLinks)
		}
		if in.EncryptionMode != nil {
			if !o.Doc.MacSec {
				return invalid("Lag %s does not support MACsec, so it has no encryption mode.", id)
			}
			o.Doc.EncryptionMode = *in.EncryptionMode
			_, members, err := s.members(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			for _, m := range members {
				m.Doc.EncryptionMode = o.Doc.EncryptionMode
				if err := connections.Save(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		if err := lags.Save(ctx, tx, o); err != nil {
			return err
		}
		if err := s.lagChanged(ctx, tx, id); err != nil {
			return err
		}
		fresh, err := lags.Get(ctx, tx.Reader(), id)
		*o = *fresh
		return err
	})
}

// DeleteLag deletes a LAG that carries no hosted connections. Its members
// are not deleted: they stay as standalone connections, as AWS does.
func (s *Service) DeleteLag(ctx context.Context, in *dxapi.DeleteLagRequest) (*dxapi.Lag, error) {
	id := smithy.Deref(in.LagId)
	return s.changeLag(ctx, id, func(tx *resource.Tx, o *resource.Object[lag]) error {
		if o.Doc.State == lagDeleted {
			return fault.New(fault.Conflict, "Lag %s has already been deleted.", id)
		}
		if err := s.checkNoHosted(ctx, tx.Reader(), lagRef(id), lags.Noun); err != nil {
			return err
		}
		if err := s.checkNoVifs(ctx, tx.Reader(), lagRef(id)); err != nil {
			return err
		}
		_, members, err := s.members(ctx, tx.Reader(), id)
		if err != nil {
			return err
		}
		for _, m := range members {
			m.Parent = resource.Ref{}
			if err := connections.Save(ctx, tx, m); err != nil {
				return err
			}
		}
		ics, err := interconnects.List(ctx, tx.Reader(), store.ListQuery{Parent: lagRef(id).String()})
		if err != nil {
			return err
		}
		for _, i := range ics {
			i.Parent = resource.Ref{}
			if err := interconnects.Save(ctx, tx, i); err != nil {
				return err
			}
		}
		o.Doc.State = lagDeleted
		if err := lags.Save(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.Release(ctx, lags.Name, id); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, resourceOf(lags.Name, o.Meta), stepLagForget)
	})
}

func (s *Service) AssociateConnectionWithLag(ctx context.Context, in *dxapi.AssociateConnectionWithLagRequest) (*dxapi.Connection, error) {
	cid, lid := smithy.Deref(in.ConnectionId), smithy.Deref(in.LagId)
	if err := checkConnectionID(cid); err != nil {
		return nil, err
	}
	if err := checkLagID(lid); err != nil {
		return nil, err
	}
	return s.changeConnection(ctx, cid, resource.Owner, func(tx *resource.Tx, c *resource.Object[connection]) error {
		l, err := lags.LoadAs(ctx, tx.Reader(), lid, resource.Owner)
		if err != nil {
			return err
		}
		if err := checkCanBundle(c, l.Doc.Bandwidth, l.Doc.Location); err != nil {
			return err
		}
		// A LAG that carries nothing (no member, hosted connection or
		// virtual interface) holds no port: the first connection to join
		// brings its device. Terraform's aws_dx_lag leaves a LAG so, then
		// aws_dx_connection_association adds connections made apart.
		empty, err := s.carriesNothing(ctx, tx.Reader(), l.ID)
		if err != nil {
			return err
		}
		if empty {
			l.Doc.Device = ""
		}
		if c.Doc.Device != l.Doc.Device && l.Doc.Device != "" {
			return invalid("Connection %s is on device %s; Lag %s is on %s. A LAG's connections share one device.", cid, c.Doc.Device, lid, l.Doc.Device)
		}
		if err := s.canJoin(ctx, tx.Reader(), l, c.Doc.Bandwidth, c.Doc.Location, 1); err != nil {
			return err
		}
		if l.Doc.Device == "" {
			l.Doc.Device = c.Doc.Device
			if err := lags.Save(ctx, tx, l); err != nil {
				return err
			}
		}
		takeLagKeys(c.Doc, l.Doc)
		c.Parent = lagRef(lid)
		return nil
	})
}

// carriesNothing reports whether a LAG has no member, and nothing the
// checks before deleting it find: no live hosted connection or virtual
// interface.
func (s *Service) carriesNothing(ctx context.Context, r store.Reader, lagID string) (bool, error) {
	members, _, err := s.members(ctx, r, lagID)
	if err != nil || len(members) > 0 {
		return false, err
	}
	ref := lagRef(lagID)
	for _, check := range []func() error{
		func() error { return s.checkNoHosted(ctx, r, ref, lags.Noun) },
		func() error { return s.checkNoVifs(ctx, r, ref) },
	} {
		err := check()
		if f := (*fault.Error)(nil); errors.As(err, &f) && f.Kind == fault.Conflict {
			return false, nil // it carries something
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Service) DisassociateConnectionFromLag(ctx context.Context, in *dxapi.DisassociateConnectionFromLagRequest) (*dxapi.Connection, error) {
	cid, lid := smithy.Deref(in.ConnectionId), smithy.Deref(in.LagId)
	if err := checkConnectionID(cid); err != nil {
		return nil, err
	}
	if err := checkLagID(lid); err != nil {
		return nil, err
	}
	var o *resource.Object[connection]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = connections.LoadAs(ctx, tx.Reader(), cid, resource.Owner); err != nil {
			return err
		}
		l, err := lags.LoadAs(ctx, tx.Reader(), lid, resource.Owner)
		if err != nil {
			return err
		}
		if o.Parent != lagRef(lid) {
			return invalid("Connection %s is not a member of Lag %s.", cid, lid)
		}
		members, _, err := s.members(ctx, tx.Reader(), lid)
		if err != nil {
			return err
		}
		if len(members) > 1 && len(members)-1 < l.Doc.MinimumLinks {
			return invalid("Disassociating connection %s would leave Lag %s with fewer connections than its minimumLinks (%d).", cid, lid, l.Doc.MinimumLinks)
		}
		o.Parent = resource.Ref{}
		if err := connections.Save(ctx, tx, o); err != nil {
			return err
		}
		return s.lagChanged(ctx, tx, lid)
	})
	if err != nil {
		return nil, err
	}
	return apiConnection(o), nil
}

// lagSteps are what the facility does to LAGs on its own.
func (s *Service) lagSteps() []facility.Step {
	return []facility.Step{{
		Name:  stepLagForget,
		Actor: facility.Housekeeping,
		Delay: DeletedRetention,
		Note:  "AWS stops listing the deleted LAG",
		Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := lags.Get(ctx, tx.Reader(), t.ResourceID)
			if err != nil {
				return ignoreGone(err)
			}
			return lags.Delete(ctx, tx, o)
		},
	}}
}
