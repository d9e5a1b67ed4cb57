package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/server"
)

// serving runs a server on ln until the test ends; its log goes to logs.
func serving(t *testing.T, opts server.Options, ln net.Listener) (stop func() error, logs *syncBuffer) {
	t.Helper()
	logs = &syncBuffer{}
	opts.DataDir = t.TempDir()
	opts.Profile = facility.Instant
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() { _ = stop() })
	return stop, logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// stall opens a connection and sends a request whose body never comes.
func stall(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: OvertureService.DescribeLocations\r\nContent-Length: 100\r\n\r\n{", addr)
	return c
}

// closedWithin reads c until the server closes it, failing after limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("the server kept the connection open for %v", limit)
	}
}

func TestStalledBodiesAndIdleConnectionsAreClosed(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	serving(t, server.Options{ReadTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}, ln)
	addr := ln.Addr().String()

	c := stall(t, addr)
	defer c.Close()
	closedWithin(t, c, 10*time.Second)

	// A keep-alive connection left idle after a request.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /_dxlab/health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	closedWithin(t, idle, 10*time.Second)
}

func TestConnectionsAreCapped(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	serving(t, server.Options{MaxConnections: 2}, ln)
	addr := ln.Addr().String()
	held := []net.Conn{stall(t, addr), stall(t, addr)}
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/_dxlab/health")
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("answered (%v) while the cap of 2 connections was taken", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	if err := <-answered; err != nil {
		t.Fatalf("once a connection closed: %v", err)
	}
	held[1].Close()
}

func TestListeningBeyondLoopbackNeedsAToken(t *testing.T) {
	stop, _ := serving(t, server.Options{}, listen(t, "0.0.0.0:0"))
	err := stop()
	if err == nil || !strings.Contains(err.Error(), "--operator-token") {
		t.Fatalf("serving on 0.0.0.0 without a token: %v", err)
	}
	ln := listen(t, "0.0.0.0:0")
	stop, _ = serving(t, server.Options{OperatorToken: "t"}, ln)
	port := ln.Addr().(*net.TCPAddr).Port
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/_dxlab/health", port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// Requests still stalled when the drain timeout ends are cut off, logged,
// and the server stops cleanly.
func TestShutdownCutsOffStalledRequests(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	stop, logs := serving(t, server.Options{ShutdownTimeout: 300 * time.Millisecond}, ln)
	var conns []net.Conn
	for range 50 {
		conns = append(conns, stall(t, ln.Addr().String()))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Every stalled request has reached the server before it is told to stop.
	resp, err := http.Get("http://" + ln.Addr().String() + "/_dxlab/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("stopping with stalled requests: %v", err)
	}
	if !strings.Contains(logs.String(), "cut off") || !regexp.MustCompile(`active_connections=[1-9]`).MatchString(logs.String()) {
		t.Errorf("nothing logged of what was cut off:\n%s", logs.String())
	}
}
