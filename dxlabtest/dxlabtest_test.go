package dxlabtest_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

// A restart on the same data directory and clock keeps resources and their
// steps; the clock is the test's.
func TestRestartKeepsTheWorld(t *testing.T) {
	first := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	out, err := first.DirectConnect("111122223333", "us-east-1").CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("kept"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ConnectionId)
	first.Stop()
	first.Stop() // a second Stop does nothing

	second := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual, DataDir: first.DataDir, Clock: first.Clock})
	if p := second.Pending(id); len(p) != 1 || p[0].Step != "connection.approve" || !p[0].WaitsForOperator {
		t.Fatalf("pending after restart: %+v", p)
	}
	second.Clock.Advance(time.Hour)
	if got := second.FireDue(); got != 0 {
		t.Fatalf("fire-due fired %d steps that wait for an operator", got)
	}
	second.Fire(id)
	if got := second.State(id); got != "pending" {
		t.Fatalf("after firing: %s", got)
	}
	if got := second.State("dxcon-nothere"); got != "" {
		t.Fatalf("an unknown resource is %q", got)
	}
	h, err := second.OperatorClient().Health(t.Context())
	if err != nil || h.Addr == "" || !strings.HasSuffix(second.URL, h.Addr) || h.DataDir != first.DataDir {
		t.Fatalf("health %+v, %v; want it at %s on %s", h, err, second.URL, first.DataDir)
	}
}

// Log receives dxlab's whole log.
func TestLogGetsTheLog(t *testing.T) {
	var log bytes.Buffer
	dx, err := dxlabtest.Launch(dxlabtest.Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dx.OperatorClient().Fire(t.Context(), "tr-nothing"); !opclient.IsNotFound(err) {
		t.Fatalf("firing nothing: %v", err)
	}
	if err := dx.Close(); err != nil {
		t.Fatalf("a clean run reported %v", err)
	}
	if !strings.Contains(log.String(), "operator request") || !strings.Contains(log.String(), "tr-nothing") {
		t.Errorf("Log did not get dxlab's log: %q", log.String())
	}
}

// Launch's instances panic where New's would fail the test.
func TestLaunchedInstancePanics(t *testing.T) {
	dx, err := dxlabtest.Launch(dxlabtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dx.Close()
	defer func() {
		if recover() == nil {
			t.Error("firing a resource without steps did not panic")
		}
	}()
	dx.Fire("dxcon-nothere")
}

func TestBadOptions(t *testing.T) {
	if _, err := dxlabtest.Launch(dxlabtest.Options{Profile: "fast"}); err == nil {
		t.Error("an unknown profile was accepted")
	}
	if _, err := dxlabtest.Launch(dxlabtest.Options{Accounts: "[p]\naws_account_id = 12\n"}); err == nil {
		t.Error("a bad accounts file was accepted")
	}
}

// A step left waiting for an operator under manual is carried out once
// dxlab restarts under instant: the restart re-times it to the profile in
// force (docs/behavior.md).
func TestRestartUnderInstantRetimesManualSteps(t *testing.T) {
	first := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	out, err := first.DirectConnect("111122223333", "us-east-1").CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("waiting"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ConnectionId)
	first.Stop()

	second := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant, DataDir: first.DataDir, Clock: first.Clock})
	// Due at once: the driver or this fire-due carries it out, and the
	// instant cross-connect follows.
	second.Advance(0)
	second.WaitFor(id, "available")
	evs := second.Events(opclient.EventQuery{Resource: id})
	if len(evs) != 3 || evs[1].Cause.Type != "step" || evs[1].Cause.Step != "connection.approve" || !evs[1].At.Equal(dxlabtest.Start) {
		t.Fatalf("the approval was not carried out by the facility at the restart: %+v", evs)
	}
}
