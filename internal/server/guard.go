package server

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/dxlab/dxlab/internal/limits"
)

// hostGuard refuses requests whose Host header names a host dxlab does not
// answer to: a web page whose DNS name an attacker re-points at 127.0.0.1
// (DNS rebinding) reaches dxlab as a same-origin page, but with its own name
// in Host. IP addresses cannot be rebound, so they are always answered.
type hostGuard struct {
	any   bool
	names map[string]bool
}

func newHostGuard(allowed []string) *hostGuard {
	g := &hostGuard{names: map[string]bool{"localhost": true}}
	if name, err := os.Hostname(); err == nil && name != "" {
		g.names[strings.ToLower(name)] = true
	}
	for _, h := range allowed {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "*":
			g.any = true
		case h != "":
			g.names[hostName(h)] = true
		}
	}
	return g
}

// hostName strips a port and IPv6 brackets.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
}

func (g *hostGuard) allows(host string) bool {
	if g.any {
		return true
	}
	name := strings.TrimSuffix(hostName(host), ".")
	if name == "" {
		return true // HTTP/1.0 without Host: no browser sends that
	}
	if net.ParseIP(name) != nil || g.names[name] || strings.HasSuffix(name, ".localhost") {
		return true
	}
	return false
}

func (g *hostGuard) refuse(w http.ResponseWriter, r *http.Request) {
	name := limits.Echo(hostName(r.Host))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type": "AccessDeniedException",
		"message": "dxlab does not answer to the host name '" + name + "' (a guard against DNS rebinding); " +
			"use an IP address or localhost, or start dxlab with --allowed-hosts " + name + ".",
	})
}

func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// limitListener lets at most n connections be open at once; Accept waits
// for one to close, leaving the rest in the kernel's listen queue.
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLimitListener(ln net.Listener, n int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// connTracker counts connections by state, for the shutdown log.
type connTracker struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
}

func (t *connTracker) track(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.states == nil {
		t.states = map[net.Conn]http.ConnState{}
	}
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(t.states, c)
	default:
		t.states[c] = s
	}
}

func (t *connTracker) counts() (active, idle int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.states {
		if s == http.StateIdle {
			idle++
		} else {
			active++
		}
	}
	return active, idle
}
