package sqlite_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

// BenchmarkCreateShapedCall is the store's part of a CreateConnection under
// the instant profile, without HTTP and without the service: the same
// store calls in the same order (two claims, the record, three events, two
// steps scheduled and fired, each in a savepoint, the VIFs listed at each
// state change), from 32 callers at once as dxlab bench's clients are, so
// that calls share transactions as they do under load. The committer runs
// one call at a time, so ns/op is the committer's time per create: the
// least a create can cost dxlab's single writer whatever is done above the
// store, and 1e9 / ns/op the most creates a second it allows.
//
//	go test ./internal/store/sqlite -run XXX -bench CreateShaped
func BenchmarkCreateShapedCall(b *testing.B) {
	s, err := sqlite.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(w store.Writer) error { return w.Insert(ctx, device) }); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := s.Update(ctx, func(w store.Writer) error { return createShaped(ctx, w, i) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// createShaped makes the store calls CreateConnection makes, in its order.
func createShaped(ctx context.Context, w store.Writer, i int64) error {
	id := fmt.Sprintf("dxcon-%08x", uint32(i*2654435761)) // random-looking, as the service's are
	account := fmt.Sprintf("1111000000%02d", i%4)
	owner := func(scope string, key int64) store.Claim {
		return store.Claim{Scope: scope, Key: fmt.Sprint(key), OwnerKind: "dx.connection", OwnerID: id}
	}
	if err := w.Claim(ctx, owner("quota:connections-per-location:"+account+":us-east-1:EqDC2", i)); err != nil {
		return err
	}
	if err := w.Claim(ctx, owner("port:EqDC2-dev:1G", i)); err != nil {
		return err
	}
	doc := func(state string) []byte {
		return fmt.Appendf(nil, `{"name":"bench %d","state":%q,"location":"EqDC2","bandwidth":"1Gbps","device":"EqDC2-dev","port":%d,"tags":[],"createdAt":"2026-03-04T05:06:07Z"}`, i, state, i)
	}
	r := store.Record{Kind: "dx.connection", ID: id, Account: account, Region: "us-east-1", Data: doc("requested"), State: "requested"}
	if err := w.Insert(ctx, r); err != nil {
		return err
	}
	now := time.Now()
	event := func(action, from, to string) error {
		_, err := w.Append(ctx, store.Event{At: now, ResourceKind: r.Kind, ResourceID: id, Account: account, Region: r.Region, Action: action, From: from, To: to})
		return err
	}
	if err := event("create", "", "requested"); err != nil {
		return err
	}
	step := func(n int) store.Transition {
		return store.Transition{ID: fmt.Sprintf("tr-%d-%d", i, n), Step: "connection.step", ResourceKind: r.Kind, ResourceID: id,
			Account: account, Region: r.Region, CreatedAt: now}
	}
	if err := w.Schedule(ctx, step(1)); err != nil {
		return err
	}
	for n, to := range []string{"pending", "available"} {
		if err := w.Savepoint(ctx, "step"); err != nil {
			return err
		}
		if err := w.Unschedule(ctx, step(n+1).ID); err != nil {
			return err
		}
		got, err := w.Get(ctx, r.Kind, id)
		if err != nil {
			return err
		}
		if to == "pending" {
			if err := w.Schedule(ctx, step(n+2)); err != nil {
				return err
			}
		} else if _, err := w.Get(ctx, device.Kind, device.ID); err != nil {
			return err
		}
		from := got.State
		got.Data, got.State = doc(to), to
		if err := w.Update(ctx, got); err != nil {
			return err
		}
		if err := event("update", from, to); err != nil {
			return err
		}
		if _, err := w.List(ctx, store.ListQuery{Kind: "dx.vif", Parent: r.Kind + "/" + id}); err != nil {
			return err
		}
		if err := w.Forget(ctx, "step"); err != nil {
			return err
		}
	}
	return nil
}

// device is the one the connections' ports are on.
var device = store.Record{Kind: "facility.device", ID: "EqDC2-dev", Region: "us-east-1",
	Data: []byte(`{"location":"EqDC2","ports":{"1G":48,"10G":48}}`)}

// BenchmarkCreateRows is the floor beneath BenchmarkCreateShapedCall: a
// create's reads and rows through the store's own statements, with no
// group commit, write-back or savepoints around them (sqlite.CreateRows). Against dxlab bench's
// single-row insert transactions (--baseline), it bounds the ratio
// CreateConnection can reach over this schema.
func BenchmarkCreateRows(b *testing.B) {
	n, _, err := sqlite.CreateRows(context.Background(), b.TempDir(), func(done int) bool { return done < b.N })
	if err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("wrote %d creates, want %d", n, b.N)
	}
}
