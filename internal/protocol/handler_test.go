package protocol

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/smithy"
)

// recorder is a slog.Handler that keeps every record, with its attributes.
type recorder struct {
	mu      sync.Mutex
	records []record
}

type record struct {
	level slog.Level
	msg   string
	attrs map[string]any
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	attrs := map[string]any{}
	rec.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Any()
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, record{rec.Level, rec.Message, attrs})
	return nil
}

// errors takes the records at error level; the request lines are left.
func (r *recorder) errors() []record {
	var out []record
	for _, rec := range r.take() {
		if rec.level >= slog.LevelError {
			out = append(out, rec)
		}
	}
	return out
}

func (r *recorder) take() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.records
	r.records = nil
	return out
}

var (
	errClient   = errors.New("bad request")
	errThrottle = errors.New("slow down")
)

// testHandler serves a service whose operations fail as their names say,
// mapped the way internal/server maps errors.
func testHandler(log *slog.Logger) *Handler {
	svc := &smithy.Service{Name: "Fake", Namespace: "com.example.fake", TargetPrefix: "Fake_2020", JSONVersion: "1.0", Operations: map[string]smithy.Operation{}}
	for name, fail := range map[string]func() error{
		"Broken":   func() error { return errors.New("disk on fire") },
		"Client":   func() error { return errClient },
		"Throttle": func() error { return errThrottle },
		"Panic":    func() error { panic("nil map write") },
	} {
		svc.Operations[name] = smithy.Operation{
			Name:     name,
			NewInput: func() any { return &struct{}{} },
			Invoke:   func(context.Context, any) (any, error) { return nil, fail() },
		}
	}
	return New(Options{
		Services: []*smithy.Service{svc},
		Logger:   log,
		MapError: func(_ *smithy.Service, err error) WireError {
			switch {
			case errors.Is(err, errClient):
				return WireError{Code: "FakeClientException", Status: http.StatusBadRequest, Message: err.Error()}
			case errors.Is(err, errThrottle):
				return WireError{Code: "FakeUnavailableException", Status: http.StatusServiceUnavailable, Message: err.Error()}
			}
			// Like DirectConnectServerException: internal, yet a 400.
			return WireError{Code: "FakeServerException", Status: http.StatusBadRequest, Message: "internal", Internal: true}
		},
	})
}

func call(h http.Handler, op string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "Fake_2020."+op)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestInternalErrorsAreLoggedWhateverTheirStatus(t *testing.T) {
	var logged recorder
	h := testHandler(slog.New(&logged))

	rec := call(h, "Broken")
	if rec.Code != 400 || rec.Header().Get("X-Amzn-ErrorType") != "FakeServerException" {
		t.Fatalf("Broken answered %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("the cause leaked to the client: %s", rec.Body)
	}
	records := logged.errors()
	if len(records) != 1 {
		t.Fatalf("an internal 400 logged %d records, want 1: %+v", len(records), records)
	}
	r := records[0]
	want := map[string]any{
		"request_id": rec.Header().Get("X-Amzn-RequestId"),
		"service":    "Fake",
		"operation":  "Broken",
	}
	if r.level != slog.LevelError {
		t.Errorf("logged at %s, want ERROR", r.level)
	}
	for k, v := range want {
		if r.attrs[k] != v {
			t.Errorf("logged %s=%v, want %v", k, r.attrs[k], v)
		}
	}
	if err, _ := r.attrs["err"].(error); err == nil || err.Error() != "disk on fire" {
		t.Errorf("logged err=%v, want the cause", r.attrs["err"])
	}

	// A client's error is the client's business.
	if rec := call(h, "Client"); rec.Code != 400 {
		t.Fatalf("Client answered %d", rec.Code)
	}
	if records := logged.errors(); len(records) != 0 {
		t.Errorf("a client error logged %+v", records)
	}

	// A 5xx is logged even when not marked internal.
	if rec := call(h, "Throttle"); rec.Code != 503 {
		t.Fatalf("Throttle answered %d", rec.Code)
	}
	if records := logged.errors(); len(records) != 1 || records[0].level != slog.LevelError || records[0].attrs["operation"] != "Throttle" {
		t.Errorf("a 503 logged %+v", records)
	}

	// A panic is an internal failure, logged with where it happened.
	rec = call(h, "Panic")
	if rec.Code != 500 || rec.Header().Get("X-Amzn-ErrorType") != "InternalFailure" {
		t.Fatalf("Panic answered %d %s", rec.Code, rec.Body)
	}
	records = logged.errors()
	if len(records) != 1 || records[0].level != slog.LevelError || records[0].attrs["service"] != "Fake" ||
		records[0].attrs["operation"] != "Panic" || records[0].attrs["panic"] != "nil map write" ||
		records[0].attrs["request_id"] != rec.Header().Get("X-Amzn-RequestId") {
		t.Errorf("a panic logged %+v", records)
	}
}

// Every request gets one line at info with who asked what and how it was
// answered; never its body or its credentials.
func TestOneLinePerRequest(t *testing.T) {
	var logged recorder
	var served []Served
	h := testHandler(slog.New(&logged))
	h.opts.Served = func(s Served) { served = append(served, s) }

	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"secret":"body-text-1234"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "Fake_2020.Client")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=210987654321/20261102/eu-west-1/fake/aws4_request, SignedHeaders=host, Signature=abcdef0123456789")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	call(h, "NoSuchOperation")

	var lines []record
	for _, r := range logged.take() {
		if r.msg == "request" {
			lines = append(lines, r)
		}
		for k, v := range r.attrs {
			if s := fmt.Sprint(v); strings.Contains(s, "body-text-1234") || strings.Contains(s, "abcdef0123456789") {
				t.Errorf("logged %s=%s: a body or a signature", k, s)
			}
		}
	}
	if len(lines) != 2 || len(served) != 2 {
		t.Fatalf("%d request lines and %d served, want 2 each: %+v", len(lines), len(served), lines)
	}
	want := map[string]any{
		"request_id": rec.Header().Get("X-Amzn-RequestId"), "service": "Fake", "operation": "Client",
		"account": "123456789012", "region": "eu-west-1", "status": int64(400), "error_code": "FakeClientException",
	}
	for k, v := range want {
		if lines[0].attrs[k] != v {
			t.Errorf("logged %s=%v (%T), want %v", k, lines[0].attrs[k], lines[0].attrs[k], v)
		}
	}
	if lines[0].level != slog.LevelInfo {
		t.Errorf("request line at %s, want INFO", lines[0].level)
	}
	if d, ok := lines[0].attrs["duration"].(time.Duration); !ok || d <= 0 {
		t.Errorf("duration %v", lines[0].attrs["duration"])
	}
	// An unknown operation is not repeated, so that labels stay bounded.
	if s := served[1]; s.Service != "Fake" || s.Operation != "" || s.Status != 400 || s.ErrorCode != "UnknownOperationException" {
		t.Errorf("an unknown operation was served as %+v", s)
	}
}
