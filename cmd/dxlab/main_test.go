package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
)

// TestMain runs the real main when the test binary is started as dxlab by
// the tests below, so they exercise the whole binary without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("DXLAB_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// start runs dxlab as a child process and returns its URL once it serves.
func start(t *testing.T, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	return startWith(t, "--data-dir", dataDir, "--provisioning", "realistic")
}

// startWith runs dxlab serve on a free loopback port with args.
func startWith(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd, url, _, err := launch(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, url
}

// lineLog keeps what a child wrote to stderr.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// launch is startWith for any goroutine: it reports instead of failing.
func launch(t *testing.T, args ...string) (*exec.Cmd, string, *lineLog, error) {
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DXLAB_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", nil, err
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urlRE := regexp.MustCompile(`url=(http://\S+)`)
	lines := bufio.NewScanner(stderr)
	found := make(chan string, 1)
	logged := &lineLog{}
	go func() {
		for lines.Scan() {
			logged.add(lines.Text())
			if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		return cmd, url, logged, nil
	case <-time.After(30 * time.Second):
		return nil, "", nil, errors.New("dxlab did not report its address")
	}
}

func client(url string) *directconnect.Client {
	return directconnect.New(directconnect.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("210987654321", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       dxlabtest.HTTPClient(),
	})
}

func TestAnsweredWritesSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cmd, url := start(t, dir)

	resp, err := http.Get(url + "/_dxlab/health")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if health["status"] != "ok" || health["store"] != "sqlite" || health["provisioning"] != "realistic" {
		t.Errorf("health: %v", health)
	}

	out, err := client(url).CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqLD5"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("survivor"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	cmd, url = start(t, dir)
	got, err := client(url).DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: out.ConnectionId})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Connections) != 1 || aws.ToString(got.Connections[0].ConnectionName) != "survivor" {
		t.Fatalf("after kill -9: %+v", got.Connections)
	}

	// SIGTERM stops it cleanly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("dxlab did not stop on SIGTERM")
	}
}

// Concurrent writes share a transaction (group commit). Killing dxlab while
// many are in flight loses none that was answered: each answer came after
// the commit that held it.
func TestAnsweredWritesSurviveKill9DuringBatches(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cmd, url := startWith(t, "--data-dir", dir, "--provisioning", "instant", "--quota", "connections-per-location=1000000")
	c := client(url)
	var mu sync.Mutex
	var answered []string
	var firstErr error
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
					Location: aws.String("EqLD5"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(fmt.Sprintf("w%d-%d", w, i)),
				})
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return // the kill: answered calls are what count
				}
				mu.Lock()
				answered = append(answered, aws.ToString(out.ConnectionId))
				mu.Unlock()
			}
		}()
	}
	// Kill once a good number were answered, with the rest in flight.
	for {
		mu.Lock()
		n, err := len(answered), firstErr
		mu.Unlock()
		if err != nil {
			t.Fatalf("a create failed before the kill: %v", err)
		}
		if n >= 500 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()

	_, url = startWith(t, "--data-dir", dir, "--provisioning", "instant")
	have := map[string]bool{}
	in := &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(100)}
	for {
		page, err := client(url).DescribeConnections(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, conn := range page.Connections {
			have[aws.ToString(conn.ConnectionId)] = true
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	lost := 0
	for _, id := range answered {
		if !have[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d answered connections lost by kill -9", lost, len(answered))
	}
	t.Logf("%d answered before the kill, all there after it (%d in all)", len(answered), len(have))
}

// SIGTERM with many requests stalled in their bodies: dxlab waits the drain
// timeout, cuts them off, says so, and exits 0.
func TestSIGTERMWithStalledRequests(t *testing.T) {
	cmd, url, logged, err := launch(t, "--data-dir", t.TempDir(), "--drain-timeout", "500ms")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(url, "http://")
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: OvertureService.DescribeLocations\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 50\r\n\r\n{", addr)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read its last words before Wait closes the pipe.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logged.String(), "dxlab stopped"); {
		if time.Now().After(deadline) {
			t.Fatalf("dxlab did not stop on SIGTERM:\n%s", logged)
		}
		time.Sleep(10 * time.Millisecond) // polling for an outcome
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM with stalled requests: %v\n%s", err, logged)
	}
	if !strings.Contains(logged.String(), "cut off") {
		t.Errorf("nothing logged of the requests cut off:\n%s", logged)
	}
}

// Beyond loopback without an operator token, dxlab says why and exits 1.
func TestRefusesToListenBeyondLoopbackWithoutAToken(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--addr", "0.0.0.0:0", "--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "DXLAB_TEST_MAIN=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "--operator-token") {
		t.Fatalf("exit %v: %s", err, out)
	}
}
