package server

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/smithy"
)

// Every kind of fault must reach every service's clients as an error that
// service's model declares, with the model's status.
func TestEveryFaultKindIsMapped(t *testing.T) {
	for _, svc := range []*smithy.Service{dxapi.Service(nil), icapi.Service(nil)} {
		table := wireErrors[svc.Name]
		if table.byKind == nil {
			t.Fatalf("no error table for %s", svc.Name)
		}
		for _, k := range fault.Kinds() {
			code, ok := table.byKind[k]
			if !ok {
				t.Errorf("%s: fault kind %s is not mapped", svc.Name, k)
				continue
			}
			info, ok := table.errors[code]
			if !ok {
				t.Errorf("%s: kind %s maps to %s, which the model does not declare", svc.Name, k, code)
			}
			we := mapError(svc, fmt.Errorf("wrapped: %w", fault.New(k, "msg")))
			if we.Code != code || we.Status != info.HTTPStatus || we.Message != "msg" || we.Internal {
				t.Errorf("%s: %s mapped to %+v", svc.Name, k, we)
			}
		}
		we := mapError(svc, errors.New("disk on fire"))
		if we.Code != table.internal || we.Message == "disk on fire" || !we.Internal {
			t.Errorf("%s: an unknown error maps to %+v; it must be internal and not leak its text", svc.Name, we)
		}
		// The fuzz and wire tests see it for what it is, in JSON and in CBOR.
		if !IsInternalAnswer(we.Status, we.Code) || !IsInternalAnswer(we.Status, svc.Namespace+"#"+we.Code) {
			t.Errorf("%s: tests would take %+v for a proper answer", svc.Name, we)
		}
		if we := mapError(svc, fault.New(fault.Invalid, "x")); IsInternalAnswer(we.Status, we.Code) {
			t.Errorf("%s: tests would take %+v for an internal error", svc.Name, we)
		}
		if we := mapError(svc, &smithy.ValidationError{}); we.Code != table.invalid || we.Internal {
			t.Errorf("%s: a validation error maps to %+v", svc.Name, we)
		}
		if we := mapError(svc, &smithy.NotImplementedError{Operation: "X"}); we.Code != notImplemented || we.Internal {
			t.Errorf("%s: an unimplemented operation maps to %+v", svc.Name, we)
		}
	}
	if we := mapError(&smithy.Service{Name: "Nope"}, errors.New("x")); we.Code != "InternalFailure" || we.Status != 500 || !we.Internal {
		t.Errorf("an unknown service's error maps to %+v", we)
	}
	if we := mapError(icapi.Service(nil), fault.New(fault.NotFound, "x")); we.Status != 404 {
		t.Errorf("Interconnect not found answers %d, want the model's 404", we.Status)
	}
	if we := mapError(icapi.Service(nil), fault.New(fault.QuotaExceeded, "x")); we.Status != 402 {
		t.Errorf("Interconnect quota answers %d, want the model's 402", we.Status)
	}
}

// implemented lists the operations that have left the generated
// Unimplemented stubs. A test fails when an operation is implemented without
// being listed here, or listed without being implemented.
var implemented = map[string][]string{
	"DirectConnect": {"CreateConnection", "DeleteConnection", "DescribeConnections", "DescribeLocations", "DescribeTags", "TagResource", "UntagResource", "UpdateConnection",
		"CreateInterconnect", "DescribeInterconnects", "DeleteInterconnect", "DescribeInterconnectLoa",
		"CreateLag", "DescribeLags", "UpdateLag", "DeleteLag", "AssociateConnectionWithLag", "DisassociateConnectionFromLag",
		"AllocateHostedConnection", "AllocateConnectionOnInterconnect", "DescribeHostedConnections", "DescribeConnectionsOnInterconnect",
		"AssociateHostedConnection", "ConfirmConnection", "DescribeLoa", "DescribeConnectionLoa",
		"AssociateMacSecKey", "DisassociateMacSecKey", "DescribeCustomerMetadata", "ConfirmCustomerAgreement",
		"CreateDirectConnectGateway", "DescribeDirectConnectGateways", "UpdateDirectConnectGateway", "DeleteDirectConnectGateway",
		"CreatePrivateVirtualInterface", "CreatePublicVirtualInterface", "CreateTransitVirtualInterface",
		"AllocatePrivateVirtualInterface", "AllocatePublicVirtualInterface", "AllocateTransitVirtualInterface",
		"ConfirmPrivateVirtualInterface", "ConfirmPublicVirtualInterface", "ConfirmTransitVirtualInterface",
		"DescribeVirtualInterfaces", "UpdateVirtualInterfaceAttributes", "DeleteVirtualInterface",
		"CreateBGPPeer", "DeleteBGPPeer", "DescribeVirtualGateways",
		"CreateDirectConnectGatewayAssociation", "DescribeDirectConnectGatewayAssociations", "UpdateDirectConnectGatewayAssociation", "DeleteDirectConnectGatewayAssociation",
		"CreateDirectConnectGatewayAssociationProposal", "DescribeDirectConnectGatewayAssociationProposals",
		"AcceptDirectConnectGatewayAssociationProposal", "DeleteDirectConnectGatewayAssociationProposal",
		"DescribeDirectConnectGatewayAttachments", "AssociateVirtualInterface", "DescribeRouterConfiguration",
		"StartBgpFailoverTest", "StopBgpFailoverTest", "ListVirtualInterfaceTestHistory", "ListVirtualInterfaceRoutes"},
	"Interconnect": {"GetEnvironment", "ListEnvironments", "CreateConnection", "GetConnection", "ListConnections", "UpdateConnection",
		"DeleteConnection", "ListAttachPoints", "DescribeConnectionProposal", "AcceptConnectionProposal",
		"TagResource", "UntagResource", "ListTagsForResource"},
}

func TestImplementedOperations(t *testing.T) {
	s, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := caller.With(context.Background(), caller.Caller{Account: "111122223333", Region: "us-east-1"})
	for _, c := range []struct {
		handler any
		svc     *smithy.Service
		names   []string
	}{
		{s.dx, dxapi.Service(s.dx), dxapi.OperationNames},
		{s.ic, icapi.Service(s.ic), icapi.OperationNames},
	} {
		left := checkImplemented(t, ctx, c.svc.Name, c.handler, c.svc.Operations, c.names, implemented[c.svc.Name])
		t.Logf("%s: %d of %d operations not implemented yet: %v", c.svc.Name, len(left), len(c.names), left)
	}
}

// checkImplemented reports every operation of h that is implemented but not
// listed, listed but not implemented, or that panics on an empty input, and
// returns the operations not implemented.
//
// The empty input goes in twice. Through the operation table, as a client's
// {} arrives: validated, then handed to the handler, which must answer it
// with an output or an error and never panic. And straight to the method, to
// tell the generated stub from an implementation: the stub answers any input
// with a NotImplementedError. A handler may rely on the table's validation
// (smithy.Operation promises it), so a panic on the unvalidated input only
// shows the method is not the stub; a panic on what the table lets through
// is a failure.
func checkImplemented(t errorer, ctx context.Context, service string, h any, ops map[string]smithy.Operation, names, listed []string) (left []string) {
	v := reflect.ValueOf(h)
	for _, name := range names {
		op, ok := ops[name]
		m := v.MethodByName(name)
		if !ok || !m.IsValid() {
			t.Errorf("%s.%s is missing from the operation table or the handler", service, name)
			continue
		}
		if p := invokePanic(ctx, op); p != nil {
			t.Errorf("%s.%s panics on an empty input: %v", service, name, p)
			continue
		}
		if callIsUnimplemented(m, ctx, reflect.New(m.Type().In(1).Elem())) {
			if slices.Contains(listed, name) {
				t.Errorf("%s.%s is listed but not implemented", service, name)
			}
			left = append(left, name)
			continue
		}
		if !slices.Contains(listed, name) {
			t.Errorf("%s.%s is implemented but not listed", service, name)
		}
	}
	return left
}

// errorer is the part of testing.TB checkImplemented reports through.
type errorer interface {
	Errorf(format string, args ...any)
}

// invokePanic sends an empty input through an operation and returns what it
// panicked with, or nil.
func invokePanic(ctx context.Context, op smithy.Operation) (panicked any) {
	defer func() { panicked = recover() }()
	_, _ = op.Invoke(ctx, op.NewInput())
	return nil
}

// callIsUnimplemented calls a handler method with an empty input and reports
// whether it is the generated stub. Only an implementation can panic.
func callIsUnimplemented(m reflect.Value, ctx context.Context, in reflect.Value) (unimplemented bool) {
	defer func() {
		if recover() != nil {
			unimplemented = false
		}
	}()
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	var ni *smithy.NotImplementedError
	err, _ := out[1].Interface().(error)
	return errors.As(err, &ni)
}

type recordingErrorer struct{ errs []string }

func (r *recordingErrorer) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

type fakeInput struct{ ID *string }
type fakeOutput struct{}

// fakeHandler has one operation of each kind checkImplemented tells apart.
type fakeHandler struct{}

func (fakeHandler) Stub(context.Context, *fakeInput) (*fakeOutput, error) {
	return nil, &smithy.NotImplementedError{Operation: "Stub"}
}
func (fakeHandler) Works(context.Context, *fakeInput) (*fakeOutput, error) {
	return &fakeOutput{}, nil
}
func (fakeHandler) Boom(context.Context, *fakeInput) (*fakeOutput, error) {
	panic("nil map write")
}

// Needy relies on the table's validation, as handlers may.
func (fakeHandler) Needy(_ context.Context, in *fakeInput) (*fakeOutput, error) {
	_ = *in.ID
	return &fakeOutput{}, nil
}

// fakeOps is an operation table over fakeHandler; Needy's requires ID.
func fakeOps() map[string]smithy.Operation {
	h := fakeHandler{}
	ops := map[string]smithy.Operation{}
	for name, fn := range map[string]func(context.Context, *fakeInput) (*fakeOutput, error){
		"Stub": h.Stub, "Works": h.Works, "Boom": h.Boom, "Needy": h.Needy,
	} {
		ops[name] = smithy.Operation{
			Name:     name,
			NewInput: func() any { return new(fakeInput) },
			Invoke: func(ctx context.Context, in any) (any, error) {
				if name == "Needy" && in.(*fakeInput).ID == nil {
					var v smithy.Validator
					v.Required("ID")
					return nil, v.Err()
				}
				return fn(ctx, in.(*fakeInput))
			},
		}
	}
	return ops
}

// A handler that panics on an empty input is a failure naming the operation
// and the panic, not an implemented operation.
func TestCheckImplementedReportsPanics(t *testing.T) {
	var r recordingErrorer
	left := checkImplemented(&r, context.Background(), "Fake", fakeHandler{}, fakeOps(),
		[]string{"Stub", "Works", "Boom", "Needy"}, []string{"Works", "Boom", "Needy"})
	if !slices.Equal(left, []string{"Stub"}) {
		t.Errorf("left %v, want [Stub]", left)
	}
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "Fake.Boom") || !strings.Contains(r.errs[0], "nil map write") {
		t.Errorf("reported %q, want one failure naming Fake.Boom and its panic", r.errs)
	}

	r = recordingErrorer{}
	checkImplemented(&r, context.Background(), "Fake", fakeHandler{}, fakeOps(), []string{"Stub", "Works", "Needy"}, []string{"Stub"})
	want := []string{"Fake.Stub is listed but not implemented", "Fake.Works is implemented but not listed", "Fake.Needy is implemented but not listed"}
	if !slices.Equal(r.errs, want) {
		t.Errorf("reported %q, want %q", r.errs, want)
	}
}
