package dxlabtest

import (
	"log/slog"
	"strings"
	"testing"
)

// An error dxlab logs makes Close report it (and so fails New's test),
// unless AllowErrors; lesser levels do not.
func TestLoggedErrorsAreReported(t *testing.T) {
	for _, allow := range []bool{false, true} {
		in, err := Launch(Options{AllowErrors: allow})
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(in.errs).With("request_id", "r-1")
		log.Warn("only a warning")
		log.Error("step failed", "step", "connection.approve")
		err = in.Close()
		if allow {
			if err != nil {
				t.Errorf("AllowErrors: Close reported %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "dxlab logged 1 errors") ||
			!strings.Contains(err.Error(), "step failed request_id=r-1 step=connection.approve") {
			t.Errorf("Close = %v; want the one error with its attributes", err)
		}
		if again := in.Close(); again != err {
			t.Errorf("a second Close = %v, want the first's %v", again, err)
		}
	}
}
