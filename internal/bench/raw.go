package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/smithy-go"
)

// The clients, sdk or raw.
const (
	// SDK calls through the AWS SDK for Go v2's Direct Connect client: what
	// users' programs do, and its cost (serialising, signing, middleware,
	// deserialising) is the client's share of every call.
	SDK = "sdk"
	// Raw replays the requests the SDK signed, with the operation's JSON
	// body, through net/http alone, and reads the answer's status and error
	// code only: a client about as light as wrk, so that the server's cost
	// is not diluted by the SDK's. The SDK's signature covers the body it
	// signed, not the one sent: dxlab's default auth (accept-any) reads the
	// credential scope and checks no signature; under --auth strict every
	// raw call is refused.
	Raw = "raw"
)

// Clients are the kinds of client.
var Clients = []string{SDK, Raw}

// rawClient sends operations as the SDK would have, with headers it signed.
type rawClient struct {
	url  string
	http *http.Client
	// target is the X-Amz-Target prefix of Direct Connect.
	target string
	// headers are the signed headers of each account's requests, without
	// X-Amz-Target.
	headers []http.Header
}

// newRawClient signs one request per account with the SDK clients of cl
// and keeps their headers.
func newRawClient(ctx context.Context, url string, cl *clients) (*rawClient, error) {
	r := &rawClient{url: url, http: cl.http}
	for _, c := range cl.byAccount {
		rec := &recordingClient{next: readOnlyBodies{cl.http}}
		if _, err := c.DescribeLocations(ctx, &directconnect.DescribeLocationsInput{},
			func(o *directconnect.Options) { o.HTTPClient = rec }); err != nil && rec.request.header == nil {
			return nil, fmt.Errorf("signing a request: %w", err)
		}
		h := rec.request.header
		prefix, _, _ := strings.Cut(h.Get("X-Amz-Target"), ".")
		r.target = prefix
		h.Del("X-Amz-Target")
		h.Del("Content-Length")
		h.Del("Amz-Sdk-Invocation-Id")
		h.Del("Amz-Sdk-Request")
		r.headers = append(r.headers, h)
	}
	return r, nil
}

// call sends op with in, as account, and reads the answer.
func (r *rawClient) call(ctx context.Context, account int, op string, in any) error {
	_, err := r.answer(ctx, account, op, in)
	return err
}

// answer is call, returning the body of a successful answer.
func (r *rawClient) answer(ctx context.Context, account int, op string, in any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.headers[account].Clone()
	req.Header.Set("X-Amz-Target", r.target+"."+op)
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return answer, nil
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.Unmarshal(answer, &e)
	if _, code, ok := strings.Cut(e.Type, "#"); ok {
		e.Type = code
	}
	if e.Type == "" {
		e.Type = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	return nil, &smithy.GenericAPIError{Code: e.Type, Message: e.Message}
}

// nextToken finds an answer's top-level nextToken without decoding the
// rest (a page of 100 connections is 70 kB the raw client need not parse).
// A token is base64url, which JSON never escapes, and a quote inside a
// string value is escaped, so the key cannot occur in a value.
func nextToken(answer []byte) *string {
	const key = `"nextToken":"`
	i := bytes.LastIndex(answer, []byte(key))
	if i < 0 {
		return nil
	}
	rest := answer[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	t := string(rest[:j])
	return &t
}

// recordingClient keeps the last request it sent and the answer's body.
type recordingClient struct {
	next    directconnect.HTTPClient
	request capturedRequest
	answer  []byte
}

func (c *recordingClient) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	_, op, _ := strings.Cut(req.Header.Get("X-Amz-Target"), ".")
	c.request = capturedRequest{op: op, method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: body}
	resp, err := c.next.Do(req)
	if err != nil {
		return nil, err
	}
	c.answer, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(c.answer))
	return resp, err
}

// capturedRequest is a request as the SDK sent it.
type capturedRequest struct {
	// op is the operation it calls; label what the benchmarks call it.
	op, label string
	method    string
	url       string
	header    http.Header
	body      []byte
}
