package directconnect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// A resource on a port of its own (a dedicated connection, an interconnect,
// each member of a LAG) moves through the same physical steps:
//
//	requested -> pending    AWS approves the request and issues the LOA-CFA
//	pending   -> available  the cross-connect is done and the link is up
//	          -> down       ... but the port or its device is down
//	available <-> down      the link goes down and comes back (an operator's
//	                        port down / up, device down / up)
//	any       -> deleted    the owner deletes it; forgotten after DeletedRetention
//
// The step names are per kind ("connection.approve", "interconnect.approve").
const (
	stepApprove      = "approve"
	stepCrossConnect = "cross-connect"
	stepForget       = "forget"
)

// physical is what a resource keeps of its place in the facility.
type physical struct {
	Location  string `json:"location"`
	Bandwidth string `json:"bandwidth"`
	Device    string `json:"device"`
	// Port is the index among the device's ports of the speed; zero for a
	// hosted connection, which rides its parent's port.
	Port int `json:"port,omitempty"`
	// CrossConnected: the technician completed the cross-connect.
	CrossConnected bool `json:"crossConnected,omitempty"`
	// PortDown: an operator took the port down.
	PortDown       bool        `json:"portDown,omitempty"`
	LoaIssued      *time.Time  `json:"loaIssued,omitempty"`
	ProviderName   string      `json:"providerName,omitempty"`
	MacSec         bool        `json:"macSec,omitempty"`
	EncryptionMode string      `json:"encryptionMode,omitempty"`
	MacSecKeys     []macSecKey `json:"macSecKeys,omitempty"`
}

// portHolder is a document of a resource on its own port.
type portHolder interface {
	phys() *physical
	state() string
	setState(string)
	TagList() *[]tag
}

// Dedicated port speeds, as the API writes them, and as locations write
// them.
var dedicatedSpeeds = map[string]string{
	"1Gbps":   "1G",
	"10Gbps":  "10G",
	"100Gbps": "100G",
	"400Gbps": "400G",
}

// portRequest is a checked request for a port of a speed at a location.
type portRequest struct {
	loc       facility.Location
	bandwidth string
	speed     string
	macSec    bool
}

// checkPort checks a location, a bandwidth and a MACsec request against
// the catalog; what names the thing asked for ("dedicated connections").
func (s *Service) checkPort(region, location, bandwidth string, macSec bool, what string) (portRequest, error) {
	loc, ok := s.facility.Catalog().Find(region, location)
	if !ok {
		return portRequest{}, invalid("Location %s is not a valid Direct Connect location in %s.", location, region)
	}
	speed, ok := dedicatedSpeeds[bandwidth]
	if !ok {
		return portRequest{}, invalid("Bandwidth %s is not available for %s. Valid values: 1Gbps, 10Gbps, 100Gbps, 400Gbps.", bandwidth, what)
	}
	if !slices.Contains(loc.PortSpeeds, speed) {
		return portRequest{}, invalid("Bandwidth %s is not available at location %s.", bandwidth, loc.Code)
	}
	if macSec && !slices.Contains(loc.MacSecPortSpeeds, speed) {
		return portRequest{}, invalid("MACsec is not available for %s connections at location %s.", bandwidth, loc.Code)
	}
	return portRequest{loc: loc, bandwidth: bandwidth, speed: speed, macSec: macSec}, nil
}

// physical is the document part of a port the request asks for, before a
// port is placed.
func (p portRequest) physical(providerName string) physical {
	ph := physical{Location: p.loc.Code, Bandwidth: p.bandwidth, ProviderName: providerName, MacSec: p.macSec}
	if p.macSec {
		ph.EncryptionMode = "should_encrypt"
	}
	return ph
}

func noPort(loc, bandwidth string) error {
	return invalid("Location %s has no free %s port on a device that can take this request.", loc, bandwidth)
}

// placeOn claims a port for a resource on one of the request's devices, or
// on exactly one device when only is set (a LAG's).
func (s *Service) placeOn(ctx context.Context, tx *resource.Tx, p portRequest, only string, owner resource.Ref, ph *physical) error {
	devices := p.loc.DevicesFor(p.speed, p.macSec)
	if only != "" {
		devices = slices.DeleteFunc(devices, func(d facility.Device) bool { return d.ID != only })
	}
	port, err := facility.PlacePort(ctx, tx, devices, p.speed, owner)
	if errors.Is(err, facility.ErrNoPort) {
		return noPort(p.loc.Code, p.bandwidth)
	}
	if err != nil {
		return err
	}
	ph.Device, ph.Port = port.Device, port.Index
	return nil
}

// linkUp says whether a port holder's link is up: cross-connected, and
// neither its port nor its device taken down.
func (s *Service) linkUp(ctx context.Context, r store.Reader, ph *physical) (bool, error) {
	if !ph.CrossConnected || ph.PortDown {
		return false, nil
	}
	down, err := facility.DeviceDown(ctx, r, ph.Device)
	return !down, err
}

// linkState is the state a provisioned port holder is in: available while
// its link is up, down otherwise.
func (s *Service) linkState(ctx context.Context, r store.Reader, ph *physical) (string, error) {
	up, err := s.linkUp(ctx, r, ph)
	if up {
		return "available", err
	}
	return "down", err
}

// portKind is what the physical steps need of a kind of port holder.
type portKind[T any, P interface {
	*T
	portHolder
}] struct {
	kind *resource.Kind[T]
	// changed is told when a holder's state changed, to carry it to what
	// hangs off it (a LAG, hosted connections).
	changed func(ctx context.Context, tx *resource.Tx, o *resource.Object[T]) error
}

// step names a kind's step, e.g. "connection.approve".
func (k portKind[T, P]) step(name string) string { return strings.ToLower(k.kind.Noun) + "." + name }

// steps are the physical steps of a kind of port holder.
func (k portKind[T, P]) steps(s *Service) []facility.Step {
	noun := k.kind.Noun
	return []facility.Step{
		{
			Name:  k.step(stepApprove),
			Actor: facility.AWSStaff,
			Note:  fmt.Sprintf("AWS approves the %s request, reserves the port and issues the LOA-CFA (requested -> pending)", noun),
			Apply: k.move(s, func(ctx context.Context, tx *resource.Tx, o *resource.Object[T]) (bool, error) {
				if P(o.Doc).state() != "requested" {
					return false, nil
				}
				P(o.Doc).setState("pending")
				return true, s.facility.Schedule(ctx, tx, resourceOf(k.kind.Name, o.Meta), k.step(stepCrossConnect))
			}),
		},
		{
			Name:  k.step(stepCrossConnect),
			Actor: facility.Technician,
			Note:  fmt.Sprintf("The colocation facility completes the %s's cross-connect and the link comes up (pending -> available, or down if the port is down)", noun),
			Apply: k.move(s, func(ctx context.Context, tx *resource.Tx, o *resource.Object[T]) (bool, error) {
				h := P(o.Doc)
				if h.state() != "pending" {
					return false, nil
				}
				h.phys().CrossConnected = true
				state, err := s.linkState(ctx, tx.Reader(), h.phys())
				h.setState(state)
				return true, err
			}),
		},
		{
			Name:  k.step(stepForget),
			Actor: facility.Housekeeping,
			Delay: DeletedRetention,
			Note:  fmt.Sprintf("AWS stops listing the deleted %s", noun),
			Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
				o, err := k.kind.Get(ctx, tx.Reader(), t.ResourceID)
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				return k.kind.Delete(ctx, tx, o)
			},
		},
	}
}

// move returns a step's Apply: load the resource, let change decide, save
// and pass the change on. A resource gone or moved on is left alone.
func (k portKind[T, P]) move(s *Service, change func(context.Context, *resource.Tx, *resource.Object[T]) (bool, error)) func(context.Context, *resource.Tx, store.Transition) error {
	return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
		o, err := k.kind.Get(ctx, tx.Reader(), t.ResourceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		moved, err := change(ctx, tx, o)
		if err != nil || !moved {
			return err
		}
		return k.save(ctx, tx, o)
	}
}

// save writes a port holder and carries its state to what hangs off it.
func (k portKind[T, P]) save(ctx context.Context, tx *resource.Tx, o *resource.Object[T]) error {
	if err := k.kind.Save(ctx, tx, o); err != nil {
		return err
	}
	if k.changed == nil {
		return nil
	}
	return k.changed(ctx, tx, o)
}

// relink sets a provisioned port holder's state from its link and saves
// it when that changed it, or when dirty (the caller changed it too).
func (k portKind[T, P]) relink(ctx context.Context, s *Service, tx *resource.Tx, o *resource.Object[T], dirty bool) error {
	h := P(o.Doc)
	if st := h.state(); st == "available" || st == "down" {
		state, err := s.linkState(ctx, tx.Reader(), h.phys())
		if err != nil {
			return err
		}
		dirty = dirty || state != st
		h.setState(state)
	}
	if !dirty {
		return nil
	}
	return k.save(ctx, tx, o)
}

// deleteHolder marks a port holder deleted: its steps are called off, its
// port and other claims released, and it is forgotten later.
func (k portKind[T, P]) deleteHolder(ctx context.Context, s *Service, tx *resource.Tx, o *resource.Object[T], deleted string) error {
	P(o.Doc).setState(deleted)
	if err := tx.UnscheduleFor(ctx, k.kind.Name, o.ID); err != nil {
		return err
	}
	if err := tx.Release(ctx, k.kind.Name, o.ID); err != nil {
		return err
	}
	if err := s.facility.Schedule(ctx, tx, resourceOf(k.kind.Name, o.Meta), k.step(stepForget)); err != nil {
		return err
	}
	return k.save(ctx, tx, o)
}

func resourceOf(kind string, m resource.Meta) facility.Resource {
	return facility.Resource{Kind: kind, ID: m.ID, Account: m.Account, Region: m.Region}
}

// apiDevice fills the device fields every port holder reports.
func apiDevice(ph *physical) (dev, v2, logical *string) {
	return smithy.Ptr(ph.Device), smithy.Ptr(ph.Device), smithy.Ptr(ph.Device)
}

func apiLoaTime(ph *physical) *smithy.Timestamp {
	if ph.LoaIssued == nil {
		return nil
	}
	return smithy.NewTimestamp(*ph.LoaIssued)
}
