package opclient_test

import (
	"context"
	"errors"
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
