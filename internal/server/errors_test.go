package server

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
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
			if we.Code != code || we.Status != info.HTTPStatus || we.Message != "msg" {
				t.Errorf("%s: %s mapped to %+v", svc.Name, k, we)
			}
		}
		we := mapError(svc, errors.New("disk on fire"))
		if we.Code != table.internal || we.Message == "disk on fire" {
			t.Errorf("%s: an unknown error maps to %+v and must not leak its text", svc.Name, we)
		}
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
	"DirectConnect": {"CreateConnection", "DeleteConnection", "DescribeConnections", "DescribeLocations", "DescribeTags", "TagResource", "UntagResource", "UpdateConnection"},
	"Interconnect":  {"GetEnvironment", "ListEnvironments"},
}

func TestImplementedOperations(t *testing.T) {
	s, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := caller.With(context.Background(), caller.Caller{Account: "111122223333", Region: "us-east-1"})
	for name, h := range map[string]any{"DirectConnect": s.dx, "Interconnect": s.ic} {
		var left []string
		v := reflect.ValueOf(h)
		names := dxapi.OperationNames
		if name == "Interconnect" {
			names = icapi.OperationNames
		}
		for _, op := range names {
			m := v.MethodByName(op)
			in := reflect.New(m.Type().In(1).Elem())
			if !callIsUnimplemented(m, ctx, in) {
				if !slices.Contains(implemented[name], op) {
					t.Errorf("%s.%s is implemented but not listed", name, op)
				}
				continue
			}
			if slices.Contains(implemented[name], op) {
				t.Errorf("%s.%s is listed but not implemented", name, op)
			}
			left = append(left, op)
		}
		t.Logf("%s: %d of %d operations not implemented yet: %v", name, len(left), len(names), left)
	}
}

// callIsUnimplemented calls a handler method with an empty input. A handler
// that is implemented may well trip over the emptiness; that still counts.
func callIsUnimplemented(m reflect.Value, ctx context.Context, in reflect.Value) (unimplemented bool) {
	defer func() { _ = recover() }()
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	var ni *smithy.NotImplementedError
	err, _ := out[1].Interface().(error)
	return errors.As(err, &ni)
}
