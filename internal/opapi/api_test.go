package opapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/opapi"
	"github.com/dxlab/dxlab/internal/resource"
)

// A request whose client goes away is no error of dxlab's: nothing is
// logged at error level (dxlabtest would fail the test).
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h := opapi.New(opapi.Options{Facility: cancelled{}, Clock: clock.NewFake(dxlabtest.Start), Logger: slog.New(failOnError{t})})
	req := httptest.NewRequestWithContext(ctx, "GET", "/_dxlab/v1/resources/dxcon-x", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 499 {
		t.Errorf("abandoned request answered %d", rec.Code)
	}
}

// cancelled is a facility whose reads fail as a store's do when their
// context ends.
type cancelled struct{ opapi.Facility }

func (cancelled) Inspect(ctx context.Context, _ string) (resource.Inspected, error) {
	return resource.Inspected{}, fmt.Errorf("store: %w", ctx.Err())
}

// failOnError fails the test on a record at error level.
type failOnError struct{ t *testing.T }

func (h failOnError) Enabled(context.Context, slog.Level) bool { return true }
func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.t.Errorf("logged at error: %s", r.Message)
	}
	return nil
}
func (h failOnError) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failOnError) WithGroup(string) slog.Handler      { return h }
