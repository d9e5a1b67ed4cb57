package opclient_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dxlab/dxlab/opclient"
)

// The client sends the token, reads dxlab's error answers into *Error, and
// Wait gives up with ErrWaitTimeout when its context ends.
func TestClientAgainstAFakeServer(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/_dxlab/v1/resources/dxcon-x":
			_, _ = w.Write([]byte(`{"kind":"dx.connection","id":"dxcon-x","state":"pending"}`))
		case "/_dxlab/v1/transitions":
			_, _ = w.Write([]byte(`{"transitions":[]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"no such thing"}`))
		}
	}))
	defer srv.Close()
	c := opclient.New(srv.URL + "/")
	c.Token = "t0ken"
	_, err := c.Resource(t.Context(), "dxcon-y")
	var e *opclient.Error
	if !errors.As(err, &e) || e.Status != 404 || e.Message != "no such thing" || !opclient.IsNotFound(err) {
		t.Fatalf("a 404: %v", err)
	}
	if auth != "Bearer t0ken" {
		t.Errorf("Authorization %q", auth)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	looks := 0
	p, err := c.Wait(ctx, "dxcon-x", "available", 5*time.Millisecond, func(opclient.WaitProgress) { looks++ })
	if !errors.Is(err, opclient.ErrWaitTimeout) || p.Resource.State != "pending" || looks == 0 {
		t.Fatalf("Wait = %+v, %v after %d looks", p, err, looks)
	}
	if got := opclient.New("127.0.0.1:4580").Endpoint; got != "http://127.0.0.1:4580" {
		t.Errorf("a bare address became %q", got)
	}
}

// The actions send their JSON bodies: no routes is an empty list, not null.
func TestActionsSendJSONBodies(t *testing.T) {
	var method, path, ctype, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		method, path, ctype, body = r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(b)
		_, _ = w.Write([]byte(`{"bgpPeer":"dxpeer-x","routes":0,"bgpStatus":"up"}`))
	}))
	defer srv.Close()
	c := opclient.New(srv.URL)
	out, err := c.SetCustomerRoutes(t.Context(), "dxpeer-x", nil)
	if err != nil || out != (opclient.CustomerRoutes{BgpPeer: "dxpeer-x", BgpStatus: "up"}) {
		t.Fatalf("SetCustomerRoutes = %+v, %v", out, err)
	}
	if method != "PUT" || path != "/_dxlab/v1/bgp-peers/dxpeer-x/routes" || ctype != "application/json" || body != `{"routes":[]}` {
		t.Errorf("sent %s %s (%s) %s", method, path, ctype, body)
	}
	if _, err := c.SetPortDown(t.Context(), "dxcon-x", false); err != nil || method != "POST" || path != "/_dxlab/v1/ports/dxcon-x/up" || body != "" || ctype != "" {
		t.Errorf("SetPortDown sent %s %s (%s) %q: %v", method, path, ctype, body, err)
	}
}
