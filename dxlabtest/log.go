package dxlabtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
)

// errorLog is a slog handler that keeps what is logged at error level (an
// error dxlab logs is one a user would find in its log), and passes
// everything to an optional writer.
type errorLog struct {
	sink  *errorSink
	attrs []slog.Attr
	text  slog.Handler
}

type errorSink struct {
	mu     sync.Mutex
	logged []string
}

func newErrorLog(w io.Writer) *errorLog {
	h := &errorLog{sink: &errorSink{}}
	if w != nil {
		h.text = slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	return h
}

func (h *errorLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || (h.text != nil && h.text.Enabled(ctx, l))
}

func (h *errorLog) Handle(ctx context.Context, r slog.Record) error {
	if h.text != nil {
		_ = h.text.Handle(ctx, r)
	}
	if r.Level < slog.LevelError {
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	h.sink.logged = append(h.sink.logged, b.String())
	return nil
}

func (h *errorLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := &errorLog{sink: h.sink, attrs: append(slices.Clone(h.attrs), attrs...)}
	if h.text != nil {
		out.text = h.text.WithAttrs(attrs)
	}
	return out
}

func (h *errorLog) WithGroup(name string) slog.Handler {
	out := &errorLog{sink: h.sink, attrs: h.attrs}
	if h.text != nil {
		out.text = h.text.WithGroup(name)
	}
	return out
}

func (h *errorLog) lines() []string {
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	return slices.Clone(h.sink.logged)
}

func mkdirTemp() (string, error) { return os.MkdirTemp("", "dxlabtest-") }

func removeAll(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}
