package directconnect

import (
	"context"
	"slices"
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

// A BGP failover test takes a VIF's BGP sessions (all, or the peers given)
// down for a while:
//
//	available -> testing      StartBgpFailoverTest: the peers' BGP is down
//	testing   -> available    StopBgpFailoverTest, or the duration passes on
//	                          dxlab's clock (or down, if its connection is)
//
// Each test is kept in the VIF's test history: in-progress, then completed.
const (
	testInProgress = "in-progress"
	testCompleted  = "completed"
	stepTestEnd    = "vif-test.end"

	defaultTestMinutes = 180
	maxTestMinutes     = 4320
)

type vifTest struct {
	VIF      string     `json:"vif"`
	Peers    []string   `json:"peers"`
	Status   string     `json:"status"`
	Minutes  int        `json:"minutes"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
}

var vifTests = &resource.Kind[vifTest]{
	Name:  "dx.vif-test",
	Noun:  "Virtual interface test",
	State: func(t *vifTest) string { return t.Status },
}

func apiTest(o *resource.Object[vifTest]) *dxapi.VirtualInterfaceTestHistory {
	t := o.Doc
	out := &dxapi.VirtualInterfaceTestHistory{
		TestId: smithy.Ptr(o.ID), VirtualInterfaceId: smithy.Ptr(t.VIF), BgpPeers: slices.Clone(t.Peers), Status: smithy.Ptr(t.Status),
		OwnerAccount: smithy.Ptr(o.Account), TestDurationInMinutes: smithy.Ptr(int32(t.Minutes)), StartTime: smithy.NewTimestamp(t.Started),
	}
	if t.Finished != nil {
		out.EndTime = smithy.NewTimestamp(*t.Finished)
	}
	return out
}

func (s *Service) StartBgpFailoverTest(ctx context.Context, in *dxapi.StartBgpFailoverTestRequest) (*dxapi.StartBgpFailoverTestResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	minutes := defaultTestMinutes
	if in.TestDurationInMinutes != nil {
		minutes = int(*in.TestDurationInMinutes)
	}
	if minutes < 1 || minutes > maxTestMinutes {
		return nil, invalid("testDurationInMinutes must be between 1 and %d.", maxTestMinutes)
	}
	var out *dxapi.VirtualInterfaceTestHistory
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		v, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		if v.Doc.State != vifAvailable {
			return fault.New(fault.Conflict, "Virtual interface %s is %s; a failover test needs it available.", id, v.Doc.State)
		}
		peers := in.BgpPeers
		if len(peers) == 0 {
			for _, p := range v.Doc.Peers {
				peers = append(peers, p.ID)
			}
		}
		for _, pid := range peers {
			i := slices.IndexFunc(v.Doc.Peers, func(p bgpPeer) bool { return p.ID == pid })
			if i < 0 {
				return invalid("BGP peer %s is not a peer of virtual interface %s.", pid, id)
			}
			v.Doc.Peers[i].Testing = true
		}
		v.Doc.State = dxapi.VirtualInterfaceStateTesting
		if err := vifs.Save(ctx, tx, v); err != nil {
			return err
		}
		t, err := vifTests.Create(ctx, tx, resource.Meta{ID: newUUID(), Account: v.Account, Region: v.Region, Parent: resource.Ref{Kind: vifs.Name, ID: id}},
			&vifTest{VIF: id, Peers: peers, Status: testInProgress, Minutes: minutes, Started: tx.Now()}, nil)
		if err != nil {
			return err
		}
		out = apiTest(t)
		return s.facility.ScheduleAfter(ctx, tx, resourceOf(vifTests.Name, t.Meta), stepTestEnd, time.Duration(minutes)*time.Minute)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.StartBgpFailoverTestResponse{VirtualInterfaceTest: out}, nil
}

func (s *Service) StopBgpFailoverTest(ctx context.Context, in *dxapi.StopBgpFailoverTestRequest) (*dxapi.StopBgpFailoverTestResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	var out *dxapi.VirtualInterfaceTestHistory
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		if _, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner); err != nil {
			return err
		}
		tests, err := vifTests.List(ctx, tx.Reader(), store.ListQuery{Parent: resource.Ref{Kind: vifs.Name, ID: id}.String()})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tests, func(t *resource.Object[vifTest]) bool { return t.Doc.Status == testInProgress })
		if i < 0 {
			return fault.New(fault.Conflict, "Virtual interface %s has no failover test in progress.", id)
		}
		if err := s.endTest(ctx, tx, tests[i]); err != nil {
			return err
		}
		out = apiTest(tests[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.StopBgpFailoverTestResponse{VirtualInterfaceTest: out}, nil
}

// endTest completes a test and brings its VIF's sessions back.
func (s *Service) endTest(ctx context.Context, tx *resource.Tx, t *resource.Object[vifTest]) error {
	now := tx.Now()
	t.Doc.Status, t.Doc.Finished = testCompleted, &now
	if err := tx.UnscheduleFor(ctx, vifTests.Name, t.ID); err != nil {
		return err
	}
	if err := vifTests.Save(ctx, tx, t); err != nil {
		return err
	}
	v, err := vifs.Get(ctx, tx.Reader(), t.Doc.VIF)
	if err != nil {
		return ignoreGone(err)
	}
	for i := range v.Doc.Peers {
		v.Doc.Peers[i].Testing = false
	}
	if v.Doc.State == dxapi.VirtualInterfaceStateTesting {
		state, err := s.parentStateOf(ctx, tx.Reader(), v.Parent)
		if err != nil {
			return err
		}
		v.Doc.State = vifDown
		if state == "available" {
			v.Doc.State = vifAvailable
		}
	}
	return vifs.Save(ctx, tx, v)
}

var testPages = page.Options{Max: MaxPageSize}

func (s *Service) ListVirtualInterfaceTestHistory(ctx context.Context, in *dxapi.ListVirtualInterfaceTestHistoryRequest) (*dxapi.ListVirtualInterfaceTestHistoryResponse, error) {
	who := caller.From(ctx)
	vifID, testID, status := smithy.Deref(in.VirtualInterfaceId), smithy.Deref(in.TestId), smithy.Deref(in.Status)
	scope := pageScope(ctx, "ListVirtualInterfaceTestHistory", vifID+"|"+testID+"|"+status)
	req, err := page.Read(scope, testPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &dxapi.ListVirtualInterfaceTestHistoryResponse{VirtualInterfaceTestHistory: []dxapi.VirtualInterfaceTestHistory{}}
	err = s.view(ctx, func(r store.Reader) error {
		q := store.ListQuery{Account: who.Account, Region: who.Region}
		if vifID != "" {
			q.Parent = resource.Ref{Kind: vifs.Name, ID: vifID}.String()
		}
		all, err := vifTests.List(ctx, r, q)
		if err != nil {
			return err
		}
		all = slices.DeleteFunc(all, func(t *resource.Object[vifTest]) bool {
			return (testID != "" && t.ID != testID) || (status != "" && t.Doc.Status != status) ||
				slices.ContainsFunc(in.BgpPeers, func(p string) bool { return !slices.Contains(t.Doc.Peers, p) })
		})
		list, next := page.Slice(scope, req, all, objectID[vifTest])
		out.NextToken = next
		for _, t := range list {
			out.VirtualInterfaceTestHistory = append(out.VirtualInterfaceTestHistory, *apiTest(t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// testSteps end failover tests when their time is up.
func (s *Service) testSteps() []facility.Step {
	return []facility.Step{{
		Name:  stepTestEnd,
		Actor: facility.Automation,
		Note:  "The BGP failover test's duration has passed: the sessions come back (testing -> available)",
		Apply: func(ctx context.Context, tx *resource.Tx, tr store.Transition) error {
			t, err := vifTests.Get(ctx, tx.Reader(), tr.ResourceID)
			if err != nil || t.Doc.Status != testInProgress {
				return ignoreGone(err)
			}
			return s.endTest(ctx, tx, t)
		},
	}}
}
