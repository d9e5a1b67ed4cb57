// Package metrics is dxlab's Prometheus metrics, served at GET /metrics:
// the AWS requests it answers, how long they and the store's transactions
// take, and, read from the store at each scrape, the pending steps and the
// resources by kind and state. It has its own registry, never the global
// one, so that every dxlab in a process (tests run many) counts its own.
//
// The metric names are documented in the README; keep the two in step.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Names of dxlab's own metrics.
const (
	RequestsTotal       = "dxlab_requests_total"
	RequestDuration     = "dxlab_request_duration_seconds"
	StoreTxDuration     = "dxlab_store_transaction_duration_seconds"
	PendingSteps        = "dxlab_pending_steps"
	Resources           = "dxlab_resources"
	ScrapeError         = "dxlab_scrape_error"
	scrapeTimeout       = 5 * time.Second
	waitsForOperatorKey = "waits_for_operator"
)

// World is what the metrics read at each scrape.
type World interface {
	Census(ctx context.Context) ([]resource.Count, error)
	PendingCounts(ctx context.Context) ([]facility.StepCount, error)
}

// Metrics holds one dxlab's metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	storeTx  *prometheus.HistogramVec
}

// New returns the metrics of one dxlab; Watch adds the world's once the
// facility exists.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: RequestsTotal,
			Help: "AWS API requests answered, by service, operation and status class (2xx, 4xx, 5xx).",
		}, []string{"service", "operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    RequestDuration,
			Help:    "How long AWS API requests took to answer, by service and operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"service", "operation"}),
		storeTx: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    StoreTxDuration,
			Help:    "How long store transactions took, by mode (view, update) and outcome (ok, error).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"mode", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.storeTx,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Watch registers the scrape-time metrics of w: pending steps and
// resources by kind and state.
func (m *Metrics) Watch(w World, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m.reg.MustRegister(&worldCollector{w: w, log: log,
		pending: prometheus.NewDesc(PendingSteps, "Pending steps of the simulated facility, by step and whether they wait for an operator.",
			[]string{"step", waitsForOperatorKey}, nil),
		resources: prometheus.NewDesc(Resources, "Resources by kind and state.", []string{"kind", "state"}, nil),
		errors:    prometheus.NewDesc(ScrapeError, "1 if this scrape could not read the store (then the step and resource counts are missing), else 0.", nil, nil),
	})
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts one answered AWS request. An empty operation (one dxlab
// does not have) is counted as "unknown".
func (m *Metrics) Request(service, operation string, status int, d time.Duration) {
	if service == "" {
		service = "unknown"
	}
	if operation == "" {
		operation = "unknown"
	}
	m.requests.WithLabelValues(service, operation, fmt.Sprintf("%dxx", status/100)).Inc()
	m.latency.WithLabelValues(service, operation).Observe(d.Seconds())
}

// Store returns st with every transaction timed.
func (m *Metrics) Store(st store.Store) store.Store { return &timedStore{Store: st, m: m} }

type timedStore struct {
	store.Store
	m *Metrics
}

func (s *timedStore) observe(mode string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	s.m.storeTx.WithLabelValues(mode, outcome).Observe(time.Since(start).Seconds())
}

func (s *timedStore) View(ctx context.Context, fn func(store.Reader) error) error {
	start := time.Now()
	err := s.Store.View(ctx, fn)
	s.observe("view", start, err)
	return err
}

func (s *timedStore) Peek(ctx context.Context, fn func(store.Reader) error) error {
	start := time.Now()
	err := s.Store.Peek(ctx, fn)
	s.observe("view", start, err)
	return err
}

func (s *timedStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	start := time.Now()
	err := s.Store.Update(ctx, fn)
	s.observe("update", start, err)
	return err
}

// worldCollector reads the world from the store at each scrape.
type worldCollector struct {
	w                          World
	log                        *slog.Logger
	pending, resources, errors *prometheus.Desc
}

func (c *worldCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.resources
	ch <- c.errors
}

func (c *worldCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	failed := 0.0
	steps, err := c.w.PendingCounts(ctx)
	if err != nil {
		c.log.Error("metrics: counting pending steps", "err", err)
		failed = 1
	}
	for _, s := range steps {
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(s.Pending-s.Waiting), s.Step, "false")
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(s.Waiting), s.Step, "true")
	}
	census, err := c.w.Census(ctx)
	if err != nil {
		c.log.Error("metrics: counting resources", "err", err)
		failed = 1
	}
	for _, n := range census {
		ch <- prometheus.MustNewConstMetric(c.resources, prometheus.GaugeValue, float64(n.N), n.Kind, n.State)
	}
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.GaugeValue, failed)
}
