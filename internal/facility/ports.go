package facility

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Port is one physical port of an AWS device: the n-th of its ports of one
// speed. A resource holds it through a store claim taken in the transaction
// that creates the resource, so two requests can never get the same port.
type Port struct {
	Device string `json:"device"`
	Speed  string `json:"speed"`
	Index  int    `json:"index"`
}

// Position is where a port terminates in the colocation facility, as an
// LOA-CFA names it. It is derived from the device and port, so it is the
// same every time it is asked for.
type Position struct {
	Cage, Rack, PatchPanel, Port string
}

// Position says where the port is: each device has its own rack in AWS's
// cage, and a patch panel of 24 positions per group of ports.
func (p Port) Position(dev int) Position {
	return Position{
		Cage:       "AWS Direct Connect cage",
		Rack:       fmt.Sprintf("R%02d", dev+1),
		PatchPanel: fmt.Sprintf("PP-%s-%02d", p.Speed, (p.Index-1)/24+1),
		Port:       strconv.Itoa((p.Index-1)%24 + 1),
	}
}

// DeviceIndex is a device's place at its location, for positions.
func (l Location) DeviceIndex(device string) int {
	for i, d := range l.Devices {
		if d.ID == device {
			return i
		}
	}
	return 0
}

func portScope(device, speed string) string { return "port:" + device + ":" + speed }

// ErrNoPort means no device offers a free port of what was asked.
var ErrNoPort = errors.New("facility: no free port")

// ClaimPort takes a free port of speed on device for owner, in tx.
func ClaimPort(ctx context.Context, tx *resource.Tx, d Device, speed string, owner resource.Ref) (Port, error) {
	i, err := tx.ClaimNext(ctx, portScope(d.ID, speed), d.Ports[speed], owner)
	if errors.Is(err, resource.ErrNoSlot) {
		return Port{}, ErrNoPort
	}
	return Port{Device: d.ID, Speed: speed, Index: i}, err
}

// PlacePort claims a port of speed for owner on one of devices, trying them
// in random order so that load spreads.
func PlacePort(ctx context.Context, tx *resource.Tx, devices []Device, speed string, owner resource.Ref) (Port, error) {
	for _, i := range rand.Perm(len(devices)) {
		p, err := ClaimPort(ctx, tx, devices[i], speed, owner)
		if !errors.Is(err, ErrNoPort) {
			return p, err
		}
	}
	return Port{}, ErrNoPort
}

// PlaceTogether claims one port of speed for each owner, all on one device
// (a LAG's members), or none: claims made on a device that turns out too
// full are released before the next is tried.
func PlaceTogether(ctx context.Context, tx *resource.Tx, devices []Device, speed string, owners []resource.Ref) ([]Port, error) {
	for _, i := range rand.Perm(len(devices)) {
		ports, err := placeAll(ctx, tx, devices[i], speed, owners)
		if !errors.Is(err, ErrNoPort) {
			return ports, err
		}
	}
	return nil, ErrNoPort
}

func placeAll(ctx context.Context, tx *resource.Tx, d Device, speed string, owners []resource.Ref) ([]Port, error) {
	var ports []Port
	for _, o := range owners {
		p, err := ClaimPort(ctx, tx, d, speed, o)
		if errors.Is(err, ErrNoPort) {
			for _, done := range owners[:len(ports)] {
				if err := tx.Release(ctx, done.Kind, done.ID); err != nil {
					return nil, err
				}
			}
			return nil, ErrNoPort
		}
		if err != nil {
			return nil, err
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// device is what the facility keeps of a device beside the catalog: whether
// an operator took it down (maintenance).
type device struct {
	Down bool `json:"down"`
}

var devices = &resource.Kind[device]{
	Name: "facility.device",
	Noun: "Device",
	State: func(d *device) string {
		if d.Down {
			return "down"
		}
		return "up"
	},
}

// DeviceDown reports whether an operator took a device down.
func DeviceDown(ctx context.Context, r store.Reader, id string) (bool, error) {
	o, err := devices.Get(ctx, r, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return o.Doc.Down, nil
}

// SetDeviceDown takes a device down or brings it back, in tx.
func SetDeviceDown(ctx context.Context, tx *resource.Tx, region, id string, down bool) error {
	o, err := devices.Get(ctx, tx.Reader(), id)
	if errors.Is(err, store.ErrNotFound) {
		_, err = devices.Create(ctx, tx, resource.Meta{ID: id, Region: region}, &device{Down: down}, nil)
		return err
	}
	if err != nil {
		return err
	}
	o.Doc.Down = down
	return devices.Save(ctx, tx, o)
}

// FindDevice returns the location a device is at, in a region.
func (c *Catalog) FindDevice(region, id string) (Location, Device, bool) {
	for _, l := range c.InRegion(region) {
		for _, d := range l.Devices {
			if d.ID == id {
				return l, d, true
			}
		}
	}
	return Location{}, Device{}, false
}
