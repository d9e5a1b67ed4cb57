package protocol

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/smithy"
)

// bigHandler serves "Big", whose answer is n bytes of text, and "Loud",
// whose error message is n bytes.
func bigHandler(n int) *Handler {
	svc := &smithy.Service{Name: "Fake", TargetPrefix: "Fake_2020", JSONVersion: "1.0", Operations: map[string]smithy.Operation{
		"Big": {Name: "Big", NewInput: func() any { return &struct{}{} },
			Invoke: func(context.Context, any) (any, error) { return &struct{ S string }{strings.Repeat("x", n)}, nil }},
		"Loud": {Name: "Loud", NewInput: func() any { return &struct{}{} },
			Invoke: func(context.Context, any) (any, error) { return nil, errLoud(strings.Repeat("é", n)) }},
	}}
	return New(Options{Services: []*smithy.Service{svc}, Logger: slog.New(slog.DiscardHandler),
		MapError: func(_ *smithy.Service, err error) WireError {
			return WireError{Code: "FakeClientException", Status: 400, Message: "Value " + err.Error() + " is bad."}
		}})
}

type errLoud string

func (e errLoud) Error() string { return string(e) }

func TestAnswersAreBounded(t *testing.T) {
	if rec := call(bigHandler(limits.MaxResponseBytes-100), "Big"); rec.Code != http.StatusOK {
		t.Errorf("an answer under the limit: %d", rec.Code)
	}
	rec := call(bigHandler(limits.MaxResponseBytes), "Big")
	if rec.Code != 400 || rec.Header().Get("X-Amzn-ErrorType") != "ResponseTooLargeException" || rec.Body.Len() > 1024 {
		t.Errorf("an answer over the limit: %d %s %.200s", rec.Code, rec.Header().Get("X-Amzn-ErrorType"), rec.Body)
	}
}

func TestErrorMessagesAreBounded(t *testing.T) {
	rec := call(bigHandler(500_000), "Loud")
	var body struct{ Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Message) > limits.MaxErrorMessage || !utf8.ValidString(body.Message) ||
		!strings.HasPrefix(body.Message, "Value é") || !strings.HasSuffix(body.Message, "é is bad.") {
		t.Errorf("message of %d bytes: %.80q ... %q", len(body.Message), body.Message, body.Message[max(0, len(body.Message)-20):])
	}
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip of a short message: %q", got)
	}
}
