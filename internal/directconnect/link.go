package directconnect

import (
	"context"
	"errors"
	"slices"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Operator actions on the physical world: a port or a whole device (its
// maintenance) goes down or comes back. Each is one transaction that moves
// everything it touches: the connection or interconnect on the port, the
// LAG it is a member of, the hosted connections riding either.

// operatorCause records an operator's action on the timeline.
func operatorCause(ctx context.Context, action string) context.Context {
	return resource.WithCause(ctx, store.Cause{Type: store.CauseOperator, Operation: action})
}

// SetPortDown takes the port of a connection or interconnect down, or
// brings it back, and answers the resource's state.
func (s *Service) SetPortDown(ctx context.Context, id string, down bool) (string, error) {
	action := "port-up"
	if down {
		action = "port-down"
	}
	ctx = operatorCause(ctx, action)
	var state string
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		if c, err := connections.Get(ctx, tx.Reader(), id); err == nil {
			if c.Doc.Hosted {
				return fault.New(fault.Invalid, "%s is a hosted connection: it has no port of its own; take its parent's port down.", id)
			}
			c.Doc.PortDown = down
			if err := s.connectionKind().relink(ctx, s, tx, c, true); err != nil {
				return err
			}
			state = string(c.Doc.State)
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		i, err := interconnects.Get(ctx, tx.Reader(), id)
		if errors.Is(err, store.ErrNotFound) {
			return fault.New(fault.NotFound, "No connection or interconnect %s holds a port.", id)
		}
		if err != nil {
			return err
		}
		i.Doc.PortDown = down
		if err := s.interconnectKind().relink(ctx, s, tx, i, true); err != nil {
			return err
		}
		state = string(i.Doc.State)
		return nil
	})
	return state, err
}

// SetDeviceDown takes every port of a device down (maintenance), or brings
// them back, and answers how many resources it moved.
func (s *Service) SetDeviceDown(ctx context.Context, device string, down bool) (int, error) {
	action := "device-up"
	if down {
		action = "device-down"
	}
	ctx = operatorCause(ctx, action)
	region := ""
	for _, l := range s.facility.Catalog().Locations {
		if _, _, ok := s.facility.Catalog().FindDevice(l.Region, device); ok {
			region = l.Region
			break
		}
	}
	if region == "" {
		return 0, fault.New(fault.NotFound, "No device %s in the location catalog.", device)
	}
	moved := 0
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		moved = 0
		if err := facility.SetDeviceDown(ctx, tx, region, device, down); err != nil {
			return err
		}
		onDevice := store.ListQuery{Region: region}
		conns, err := connections.List(ctx, tx.Reader(), onDevice)
		if err != nil {
			return err
		}
		for _, c := range conns {
			if c.Doc.Hosted || c.Doc.Device != device {
				continue
			}
			before := c.Doc.State
			if err := s.connectionKind().relink(ctx, s, tx, c, false); err != nil {
				return err
			}
			if c.Doc.State != before {
				moved++
			}
		}
		ics, err := interconnects.List(ctx, tx.Reader(), onDevice)
		if err != nil {
			return err
		}
		for _, i := range ics {
			if i.Doc.Device != device {
				continue
			}
			before := i.Doc.State
			if err := s.interconnectKind().relink(ctx, s, tx, i, false); err != nil {
				return err
			}
			if i.Doc.State != before {
				moved++
			}
		}
		return nil
	})
	return moved, err
}

// CrossConnect is "the cross-connect is done" (operator): it fires the
// pending cross-connect step of a connection, interconnect or LAG member,
// once AWS has approved the request.
func (s *Service) CrossConnect(ctx context.Context, id string) (store.Transition, error) {
	pending, err := s.facility.Pending(ctx, facility.PendingQuery{ResourceID: id, Limit: 100})
	if err != nil {
		return store.Transition{}, err
	}
	cross := []string{s.connectionKind().step(stepCrossConnect), s.interconnectKind().step(stepCrossConnect)}
	approve := []string{s.connectionKind().step(stepApprove), s.interconnectKind().step(stepApprove)}
	for _, t := range pending {
		if slices.Contains(cross, t.Step) {
			return s.facility.Fire(ctx, t.ID)
		}
	}
	for _, t := range pending {
		if slices.Contains(approve, t.Step) {
			return store.Transition{}, fault.New(fault.Conflict, "AWS has not approved %s yet: fire its %s step (%s) first", id, t.Step, t.ID)
		}
	}
	return store.Transition{}, fault.New(fault.NotFound, "no cross-connect is pending for %s", id)
}
