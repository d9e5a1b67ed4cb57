// Package opclient is the typed Go client of dxlab's operator API, the
// endpoints under /_dxlab/ that drive and show the simulated world: pending
// steps and firing them, dxlab's clock, resources by id, and the event
// timeline, and the facility's actions (ports, devices and BGP sessions
// down and up, customer routes, the Interconnect partner's side, the VGW and
// TGW registry). The dxlab command line, dxlab's tests and the dxlabtest package
// reach a running dxlab through it, and so can any Go program:
//
//	c := opclient.New("http://127.0.0.1:4580")
//	pending, err := c.Transitions(ctx, opclient.TransitionQuery{Resource: "dxcon-fxxxxxxx"})
//
// It also declares the API's answers, which the server writes.
package opclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultEndpoint is where a dxlab started without --addr listens.
const DefaultEndpoint = "http://127.0.0.1:4580"

// Client calls one dxlab's operator API. Its methods are safe for
// concurrent use.
type Client struct {
	// Endpoint is dxlab's base URL, e.g. "http://127.0.0.1:4580".
	Endpoint string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Token, if set, is sent as "Authorization: Bearer <Token>", for a
	// dxlab whose operator API asks for one.
	Token string
	// Header is added to every request.
	Header http.Header
}

// New returns a client of the dxlab at endpoint; a bare host:port is taken
// as http://host:port.
func New(endpoint string) *Client {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	return &Client{Endpoint: strings.TrimRight(endpoint, "/")}
}

// Error is an answer of the operator API that is not a success.
type Error struct {
	// Status is the HTTP status, e.g. 404.
	Status int
	// Message is what dxlab said.
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("dxlab answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// IsNotFound reports whether err is a 404 from dxlab.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// do sends one request and decodes the JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, out any) error {
	return c.send(ctx, method, path, query, nil, out)
}

// send sends one request with in (if not nil) as its JSON body and decodes
// the JSON answer into out.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.Endpoint + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var reqBody io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		reqBody = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reqBody)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e ErrorBody
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(body))
		}
		return &Error{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// Index lists the operator endpoints.
func (c *Client) Index(ctx context.Context) (Index, error) {
	var out Index
	return out, c.do(ctx, http.MethodGet, "/_dxlab/", nil, &out)
}

// Health reads the health report.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var out Health
	return out, c.do(ctx, http.MethodGet, "/_dxlab/health", nil, &out)
}

// TransitionQuery selects pending transitions; zero fields match any.
type TransitionQuery struct {
	// Resource selects one resource's steps.
	Resource string
	// Limit is the page size (default 100, at most 1000).
	Limit int
	// NextToken continues a listing.
	NextToken string
}

// Transitions lists one page of pending transitions: automatic ones by due
// time, then those waiting for an operator.
func (c *Client) Transitions(ctx context.Context, q TransitionQuery) (TransitionList, error) {
	v := url.Values{}
	setIf(v, "resource", q.Resource)
	setIf(v, "nextToken", q.NextToken)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out TransitionList
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/transitions", v, &out)
}

// AllTransitions lists every pending transition, page after page.
func (c *Client) AllTransitions(ctx context.Context, q TransitionQuery) ([]Transition, error) {
	var all []Transition
	for {
		p, err := c.Transitions(ctx, q)
		if err != nil {
			return all, err
		}
		all = append(all, p.Transitions...)
		if p.NextToken == nil {
			return all, nil
		}
		q.NextToken = *p.NextToken
	}
}

// Fire carries out one pending transition now, due or not.
func (c *Client) Fire(ctx context.Context, id string) (Transition, error) {
	var out Fired
	err := c.do(ctx, http.MethodPost, "/_dxlab/v1/transitions/"+url.PathEscape(id)+"/fire", nil, &out)
	return out.Fired, err
}

// FireDue carries out every transition that is due and reports how many.
func (c *Client) FireDue(ctx context.Context) (int, error) {
	var out FiredCount
	err := c.do(ctx, http.MethodPost, "/_dxlab/v1/transitions/fire-due", nil, &out)
	return out.Fired, err
}

// Clock reads dxlab's clock.
func (c *Client) Clock(ctx context.Context) (Clock, error) {
	var out Clock
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/clock", nil, &out)
}

// Advance moves dxlab's clock forward by d and carries out what came due.
func (c *Client) Advance(ctx context.Context, d time.Duration) (Clock, error) {
	var out Clock
	return out, c.do(ctx, http.MethodPost, "/_dxlab/v1/clock/advance", url.Values{"by": {d.String()}}, &out)
}

// Resource reads one resource by id, whoever owns it; IsNotFound(err) when
// there is none.
func (c *Client) Resource(ctx context.Context, id string) (Resource, error) {
	var out Resource
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/resources/"+url.PathEscape(id), nil, &out)
}

// Detail reads one resource by id with what operators see of it: its
// place, links and Describe view; IsNotFound(err) when there is none.
func (c *Client) Detail(ctx context.Context, id string) (Detail, error) {
	var out Detail
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/resources/"+url.PathEscape(id), nil, &out)
}

// Topology reads the simulated world as the console draws it.
func (c *Client) Topology(ctx context.Context, q TopologyQuery) (Topology, error) {
	v := url.Values{}
	setIf(v, "account", q.Account)
	setIf(v, "region", q.Region)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out Topology
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/topology", v, &out)
}

// Quotas reads how much of each quota an account takes in a region.
func (c *Client) Quotas(ctx context.Context, account, region string) (QuotaUsage, error) {
	var out QuotaUsage
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/quotas", url.Values{"account": {account}, "region": {region}}, &out)
}

// EventQuery selects events; zero fields match any.
type EventQuery struct {
	// Resource selects one resource's events.
	Resource string
	// Account selects the events of resources the account owns or sees.
	Account string
	// Kind selects one kind of resource, e.g. "dx.connection".
	Kind string
	// Since and Until bound the events' time on dxlab's clock (inclusive,
	// exclusive).
	Since, Until time.Time
	// After selects the events after this Seq: what follows an event
	// already seen.
	After int64
	// Limit is the page size (default 100, at most 1000).
	Limit int
	// NextToken continues a listing.
	NextToken string
	// Last asks for the Last most recent events instead (1 to 1000, oldest
	// first, one page), with Resource, Account and Kind only.
	Last int
}

func (q EventQuery) values() url.Values {
	v := url.Values{}
	setIf(v, "resource", q.Resource)
	setIf(v, "account", q.Account)
	setIf(v, "kind", q.Kind)
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.Format(time.RFC3339Nano))
	}
	if q.After > 0 {
		v.Set("after", strconv.FormatInt(q.After, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	setIf(v, "nextToken", q.NextToken)
	if q.Last > 0 {
		v.Set("last", strconv.Itoa(q.Last))
	}
	return v
}

// Events lists one page of events, oldest first.
func (c *Client) Events(ctx context.Context, q EventQuery) (EventList, error) {
	var out EventList
	return out, c.do(ctx, http.MethodGet, "/_dxlab/v1/events", q.values(), &out)
}

// AllEvents lists every event q selects, page after page.
func (c *Client) AllEvents(ctx context.Context, q EventQuery) ([]Event, error) {
	var all []Event
	for {
		p, err := c.Events(ctx, q)
		if err != nil {
			return all, err
		}
		all = append(all, p.Events...)
		if p.NextToken == nil {
			return all, nil
		}
		q.NextToken = *p.NextToken
	}
}

// Follow calls fn with every event q selects, oldest first, and then with
// each new one as it happens, asking dxlab again every interval, until ctx
// is done (it then returns nil) or fn or a request fails.
func (c *Client) Follow(ctx context.Context, q EventQuery, interval time.Duration, fn func(Event) error) error {
	if interval <= 0 {
		interval = time.Second
	}
	q.NextToken = ""
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		p, err := c.Events(ctx, q)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range p.Events {
			if err := fn(e); err != nil {
				return err
			}
			q.After = e.Seq
		}
		if p.NextToken != nil {
			continue // more already there
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// WaitProgress is what Wait reports each time it looks: the resource (its
// zero value while there is none) and its pending steps.
type WaitProgress struct {
	Resource Resource
	Found    bool
	Pending  []Transition
}

// ErrWaitTimeout is wrapped by Wait's error when ctx ends first.
var ErrWaitTimeout = errors.New("the resource did not reach the state in time")

// Wait waits for a resource to be in state, looking every interval, and
// calls progress (if not nil) each time it looks. It fires nothing: the
// facility's driver, or an operator, moves the resource. It returns the
// resource once in state; when ctx ends first, the last thing seen and an
// error wrapping ErrWaitTimeout.
func (c *Client) Wait(ctx context.Context, id, state string, interval time.Duration, progress func(WaitProgress)) (WaitProgress, error) {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var last WaitProgress
	for {
		p, err := c.Look(ctx, id)
		if ctx.Err() != nil {
			return last, fmt.Errorf("%w: %s is %s", ErrWaitTimeout, id, describeState(last))
		}
		if err != nil {
			return last, err
		}
		last = p
		if progress != nil {
			progress(p)
		}
		if p.Found && p.Resource.State == state {
			return p, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%w: %s is %s", ErrWaitTimeout, id, describeState(last))
		case <-ticker.C:
		}
	}
}

// Look reads a resource and its pending steps once: what Wait looks at.
func (c *Client) Look(ctx context.Context, id string) (WaitProgress, error) {
	r, err := c.Resource(ctx, id)
	if IsNotFound(err) {
		return WaitProgress{}, nil
	}
	if err != nil {
		return WaitProgress{}, err
	}
	pending, err := c.AllTransitions(ctx, TransitionQuery{Resource: id})
	if err != nil {
		return WaitProgress{}, err
	}
	return WaitProgress{Resource: r, Found: true, Pending: pending}, nil
}

func describeState(p WaitProgress) string {
	if !p.Found {
		return "not found"
	}
	return strconv.Quote(p.Resource.State)
}

func setIf(v url.Values, key, value string) {
	if value != "" {
		v.Set(key, value)
	}
}
