package resource_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

const (
	partner  = "111111111111"
	customer = "222222222222"
	stranger = "333333333333"
	region   = "us-east-1"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// port is a parent resource; hosted hangs off one and is seen by the port's
// owner; vif is shared with the account its document names.
type port struct {
	State string `json:"state"`
}

type hosted struct {
	State string `json:"state"`
}

type vif struct {
	State    string `json:"state"`
	OtherSid string `json:"other"`
}

var (
	ports   = &resource.Kind[port]{Name: "t.port", Noun: "Port", State: func(p *port) string { return p.State }}
	hosteds = &resource.Kind[hosted]{Name: "t.hosted", Noun: "Hosted", State: func(h *hosted) string { return h.State },
		Sharing: resource.Sharing[hosted]{ParentOwner: true}}
	vifs = &resource.Kind[vif]{Name: "t.vif", Noun: "Vif", State: func(v *vif) string { return v.State },
		Sharing: resource.Sharing[vif]{With: func(v *vif) []string { return []string{v.OtherSid} }}}
)

func as(account, reg string) context.Context {
	return caller.With(context.Background(), caller.Caller{Account: account, Region: reg, RequestID: "req-" + account, Operation: "Test"})
}

func open(t *testing.T) store.Store {
	st, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func update(t *testing.T, st store.Store, ctx context.Context, fn func(tx *resource.Tx) error) {
	t.Helper()
	if _, err := resource.Update(ctx, st, now, fn); err != nil {
		t.Fatal(err)
	}
}

// world makes a partner's port with a customer's hosted connection on it,
// and a vif of the partner's shared with the customer.
func world(t *testing.T, st store.Store) {
	update(t, st, as(partner, region), func(tx *resource.Tx) error {
		ctx := as(partner, region)
		if _, err := ports.Create(ctx, tx, resource.Meta{ID: "p-1", Account: partner, Region: region}, &port{State: "available"}, nil); err != nil {
			return err
		}
		m := resource.Meta{ID: "h-1", Account: customer, Region: region, Parent: resource.Ref{Kind: ports.Name, ID: "p-1"}}
		if _, err := hosteds.Create(ctx, tx, m, &hosted{State: "ordering"}, nil); err != nil {
			return err
		}
		_, err := vifs.Create(ctx, tx, resource.Meta{ID: "v-1", Account: partner, Region: region}, &vif{State: "confirming", OtherSid: customer}, nil)
		return err
	})
}

// Who sees what is one rule: the owner, the parent's owner, the accounts a
// document shares with; never another region; tags and other owner-only
// changes only the owner.
func TestWhoSeesWhat(t *testing.T) {
	st := open(t)
	world(t, st)
	cases := []struct {
		who      context.Context
		id       string
		kindLoad func(ctx context.Context, r store.Reader, least resource.Role) error
		role     resource.Role
	}{
		{as(customer, region), "h-1", loadHosted, resource.Owner},
		{as(partner, region), "h-1", loadHosted, resource.Viewer},
		{as(stranger, region), "h-1", loadHosted, resource.None},
		{as(customer, "eu-west-1"), "h-1", loadHosted, resource.None},
		{as(partner, region), "v-1", loadVif, resource.Owner},
		{as(customer, region), "v-1", loadVif, resource.Viewer},
		{as(stranger, region), "v-1", loadVif, resource.None},
		{context.Background(), "v-1", loadVif, resource.None},
	}
	for _, c := range cases {
		who := caller.From(c.who)
		err := st.View(c.who, func(r store.Reader) error {
			for _, least := range []resource.Role{resource.Viewer, resource.Owner} {
				err := c.kindLoad(c.who, r, least)
				var f *fault.Error
				switch {
				case c.role >= least && err != nil:
					t.Errorf("%s in %s loading %s as %d: %v", who.Account, who.Region, c.id, least, err)
				case c.role < least && (!errors.As(err, &f) || f.Kind != fault.NotFound):
					t.Errorf("%s in %s loading %s as %d: got %v, want not found", who.Account, who.Region, c.id, least, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func loadHosted(ctx context.Context, r store.Reader, least resource.Role) error {
	_, err := hosteds.LoadAs(ctx, r, "h-1", least)
	return err
}

func loadVif(ctx context.Context, r store.Reader, least resource.Role) error {
	_, err := vifs.LoadAs(ctx, r, "v-1", least)
	return err
}

func TestListShowsWhatTheCallerMaySee(t *testing.T) {
	st := open(t)
	world(t, st)
	for who, want := range map[string][]string{partner: {"h-1"}, customer: {"h-1"}, stranger: nil} {
		ctx := as(who, region)
		err := st.View(ctx, func(r store.Reader) error {
			list, err := hosteds.List(ctx, r, resource.Visible(ctx))
			var got []string
			for _, o := range list {
				got = append(got, o.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", who, got, want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A change saved over a stale read fails, inside the store, and changes
// nothing; the change made in between stands.
func TestStaleSaveFails(t *testing.T) {
	st := open(t)
	world(t, st)
	ctx := as(partner, region)
	var stale *resource.Object[port]
	if err := st.View(ctx, func(r store.Reader) (err error) { stale, err = ports.Load(ctx, r, "p-1"); return err }); err != nil {
		t.Fatal(err)
	}
	update(t, st, ctx, func(tx *resource.Tx) error {
		fresh, err := ports.Load(ctx, tx.Reader(), "p-1")
		if err != nil {
			return err
		}
		fresh.Doc.State = "down"
		return ports.Save(ctx, tx, fresh)
	})
	stale.Doc.State = "deleted"
	_, err := resource.Update(ctx, st, now, func(tx *resource.Tx) error { return ports.Save(ctx, tx, stale) })
	if !errors.Is(err, store.ErrStale) {
		t.Fatalf("saving over a stale read: %v, want ErrStale", err)
	}
	st.View(ctx, func(r store.Reader) error {
		o, err := ports.Get(ctx, r, "p-1")
		if err != nil || o.Doc.State != "down" || o.Version != 2 {
			t.Errorf("after the stale save: %+v %v", o, err)
		}
		return nil
	})
}

// Every change appends an event in its transaction, seen by everyone who
// sees the resource; a rolled-back change leaves none.
func TestChangesAreEvents(t *testing.T) {
	st := open(t)
	world(t, st)
	ctx := as(customer, region)
	update(t, st, ctx, func(tx *resource.Tx) error {
		o, err := hosteds.Load(ctx, tx.Reader(), "h-1")
		if err != nil {
			return err
		}
		o.Doc.State = "pending"
		return hosteds.Save(ctx, tx, o)
	})
	boom := errors.New("boom")
	_, err := resource.Update(ctx, st, now, func(tx *resource.Tx) error {
		o, err := hosteds.Load(ctx, tx.Reader(), "h-1")
		if err != nil {
			return err
		}
		if err := hosteds.Delete(ctx, tx, o); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	stepCtx := resource.WithCause(ctx, store.Cause{Type: store.CauseStep, Step: "hosted.forget", Actor: "housekeeping"})
	update(t, st, stepCtx, func(tx *resource.Tx) error {
		o, err := hosteds.Get(ctx, tx.Reader(), "h-1")
		if err != nil {
			return err
		}
		return hosteds.Delete(ctx, tx, o)
	})
	st.View(ctx, func(r store.Reader) error {
		for _, who := range []string{customer, partner} {
			events, err := r.Events(ctx, store.EventQuery{ResourceID: "h-1", VisibleTo: who})
			if err != nil {
				return err
			}
			var got []string
			for _, e := range events {
				got = append(got, e.Action+":"+e.From+">"+e.To+":"+e.Cause.Type+":"+e.Cause.RequestID+e.Cause.Step)
				if !e.At.Equal(now) || e.Account != customer || !slices.Equal(e.Viewers, []string{partner}) {
					t.Errorf("event %+v", e)
				}
			}
			want := []string{"create:>ordering:api:req-" + partner, "update:ordering>pending:api:req-" + customer, "delete:pending>:step:hosted.forget"}
			if !slices.Equal(got, want) {
				t.Errorf("%s sees events %v, want %v", who, got, want)
			}
		}
		if events, _ := r.Events(ctx, store.EventQuery{ResourceID: "h-1", VisibleTo: stranger}); len(events) != 0 {
			t.Errorf("a stranger sees %d events", len(events))
		}
		return nil
	})
}

// ClaimNext takes keys in order (the one after the last it took), and any
// free one when that is taken; released keys come round again. Every key
// is claimed once, whatever the order.
func TestClaimNextTakesKeysInOrder(t *testing.T) {
	st := open(t)
	ctx := as(partner, region)
	const scope, n = "test-next", 5
	claim := func(owner string) (int, error) {
		var key int
		_, err := resource.Update(ctx, st, now, func(tx *resource.Tx) (err error) {
			key, err = tx.ClaimNext(ctx, scope, n, resource.Ref{Kind: "t.owner", ID: owner})
			return err
		})
		return key, err
	}
	var got []int
	for _, owner := range []string{"a", "b", "c"} {
		key, err := claim(owner)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, key)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("keys taken %v, want 1, 2, 3", got)
	}
	update(t, st, ctx, func(tx *resource.Tx) error { return tx.Release(ctx, "t.owner", "b") })
	held := map[int]bool{1: true, 3: true}
	for _, owner := range []string{"d", "e", "f"} {
		key, err := claim(owner)
		if err != nil {
			t.Fatal(err)
		}
		if held[key] {
			t.Fatalf("key %d claimed twice", key)
		}
		held[key] = true
	}
	if len(held) != n {
		t.Errorf("keys held %v, want all %d", held, n)
	}
	if _, err := claim("g"); !errors.Is(err, resource.ErrNoSlot) {
		t.Errorf("a claim with every key held: %v", err)
	}
}
