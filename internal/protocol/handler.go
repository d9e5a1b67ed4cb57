// Package protocol serves modelled AWS services over HTTP. It routes a
// request to its service and operation by the rules of the awsJson1_0,
// awsJson1_1, rpcv2Cbor, ec2Query and awsQuery protocols, learns the caller
// from the SigV4 credential, decodes the body into the operation's input,
// and writes the output or the error back in the same protocol.
//
// It knows HTTP, SigV4, JSON, CBOR and form-encoded XML. It knows nothing of
// any particular service: what a service's errors mean is the ErrorMapper's
// business.
package protocol

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/protocol/awsjson"
	"github.com/dxlab/dxlab/internal/protocol/awsquery"
	"github.com/dxlab/dxlab/internal/protocol/rpcv2cbor"
	"github.com/dxlab/dxlab/internal/protocol/sigv4"
	"github.com/dxlab/dxlab/internal/smithy"
)

// DefaultMaxBodyBytes bounds request bodies when Options leaves it zero. The
// largest legitimate request of these services is a few kilobytes.
const DefaultMaxBodyBytes = limits.MaxRequestBytes

// Auth says how requests' signatures are checked.
type Auth string

const (
	// AcceptAny reads who signed a request from its credential and checks
	// nothing else; unsigned requests are the default account's.
	AcceptAny Auth = "accept-any"
	// Strict verifies every signature with the secret of its access key, as
	// AWS does, and refuses unsigned requests.
	Strict Auth = "strict"
)

// ParseAuth checks an auth mode's name.
func ParseAuth(s string) (Auth, error) {
	switch a := Auth(s); a {
	case AcceptAny, Strict:
		return a, nil
	}
	return "", fmt.Errorf("auth mode %q is not one of accept-any, strict", s)
}

// DefaultRegion is the region of an unsigned request.
const DefaultRegion = "us-east-1"

// WireError is an error as a client sees it.
type WireError struct {
	// Code is the error's shape name, e.g. "DirectConnectClientException".
	Code string
	// Status is the HTTP status code.
	Status int
	// Message is what the client is shown; never internal detail.
	Message string
	// Internal marks the server's own failure, not the client's: the error
	// is logged with its cause, whatever its status.
	Internal bool
}

// ErrorMapper turns an error an operation returned into what the client
// sees. It must handle every error, mapping unknown ones to the service's
// server error, marked Internal, without leaking their text.
type ErrorMapper func(svc *smithy.Service, err error) WireError

// Accounts resolves the account an access key belongs to.
type Accounts interface {
	// AccountFor returns the 12-digit account of an access key id.
	AccountFor(accessKeyID string) string
	// DefaultAccount is the account unsigned requests are served as.
	DefaultAccount() string
	// SecretFor returns the secret of an access key the accounts file
	// lists; strict auth knows no other keys.
	SecretFor(accessKeyID string) (string, bool)
}

// Options configures a Handler. Services and MapError are required.
type Options struct {
	Services []*smithy.Service
	MapError ErrorMapper
	Accounts Accounts
	// MaxBodyBytes bounds request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxResponseBytes bounds answers; zero means limits.MaxResponseBytes.
	MaxResponseBytes int
	// Auth defaults to AcceptAny.
	Auth Auth
	// WallClock is what signing times are checked against under Strict;
	// default the system clock. It is not dxlab's simulated clock: clients
	// sign with the real time whatever an operator did to dxlab's.
	WallClock clock.Clock
	// Logger receives one line per request at info (and the cause of
	// every internal error at error); nil discards.
	Logger *slog.Logger
	// Served, if set, is told of every answered request, for metrics.
	Served func(Served)
}

// Served describes one answered request: what the log line says of it.
// Never the body, never a credential beyond the account it stands for.
type Served struct {
	RequestID string
	// Service and Operation are empty when the request named none dxlab
	// has (an unknown operation is not repeated, to keep labels bounded).
	Service   string
	Operation string
	Account   string
	Region    string
	Status    int
	// ErrorCode is the error's code, e.g. "DirectConnectClientException";
	// empty on success.
	ErrorCode string
	Duration  time.Duration
}

// Handler serves the AWS APIs of the configured services.
type Handler struct {
	opts     Options
	byTarget map[string]*smithy.Service // awsJson X-Amz-Target prefix
	byPath   map[string]*smithy.Service // rpcv2Cbor service path segment
	// query are the query-protocol services, by signing name.
	query map[string]*smithy.Service
	log   *slog.Logger
}

// New returns a Handler for opts.
func New(opts Options) *Handler {
	h := &Handler{
		opts:     opts,
		byTarget: map[string]*smithy.Service{},
		byPath:   map[string]*smithy.Service{},
		query:    map[string]*smithy.Service{},
		log:      opts.Logger,
	}
	if h.opts.MaxBodyBytes == 0 {
		h.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if h.opts.MaxResponseBytes == 0 {
		h.opts.MaxResponseBytes = limits.MaxResponseBytes
	}
	if h.opts.Auth == "" {
		h.opts.Auth = AcceptAny
	}
	if h.opts.WallClock == nil {
		h.opts.WallClock = clock.System{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, s := range opts.Services {
		if s.Query != nil {
			h.query[s.SigningName] = s
			continue
		}
		h.byTarget[s.TargetPrefix] = s
		if s.CBOR {
			h.byPath[s.TargetPrefix] = s
		}
	}
	return h
}

// wire is the protocol a request arrived in; responses use the same.
type wire int

const (
	wireJSON wire = iota
	wireCBOR
	wireQuery
)

// exchange is one request in flight.
type exchange struct {
	w         http.ResponseWriter
	r         *http.Request
	wire      wire
	svc       *smithy.Service
	op        string
	requestID string
	// known is set once op names an operation of svc.
	known bool
	who   caller.Caller
	// status and errCode are what was answered.
	status  int
	errCode string
}

// Protocol-level errors, which arise before any service is involved.
var (
	errUnknownOperation = func(msg string) WireError {
		return WireError{Code: "UnknownOperationException", Status: http.StatusBadRequest, Message: msg}
	}
	errSerialization = func(msg string) WireError {
		return WireError{Code: "SerializationException", Status: http.StatusBadRequest, Message: msg}
	}
	errMediaType = func(msg string) WireError {
		return WireError{Code: "UnsupportedMediaTypeException", Status: http.StatusUnsupportedMediaType, Message: msg}
	}
	errSignature = func(msg string) WireError {
		return WireError{Code: "IncompleteSignatureException", Status: http.StatusBadRequest, Message: msg}
	}
	errTooLarge = func(limit int64) WireError {
		return WireError{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request body is larger than %d bytes.", limit)}
	}
	// The query protocols' own refusals, as EC2 and STS answer them.
	errMissingAction = WireError{Code: "MissingAction", Status: http.StatusBadRequest, Message: "The request must contain the parameter Action."}
	errInvalidAction = func(action string) WireError {
		return WireError{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("The action %s is not valid for this web service.", clipValue(action))}
	}
	errNoSuchVersion = func(version, service string) WireError {
		return WireError{Code: "NoSuchVersion", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("The requested version (%s) of service %s does not exist.", clipValue(version), service)}
	}
	errMethod = WireError{Code: "MethodNotAllowedException", Status: http.StatusMethodNotAllowed, Message: "AWS API requests use POST."}
	// Strict auth's refusals, as AWS answers them.
	errUnrecognizedClient = WireError{Code: "UnrecognizedClientException", Status: http.StatusForbidden,
		Message: "The security token included in the request is invalid."}
	errMissingAuth = WireError{Code: "MissingAuthenticationTokenException", Status: http.StatusForbidden,
		Message: "Missing Authentication Token"}
	errInvalidSignature = func(msg string) WireError {
		return WireError{Code: "InvalidSignatureException", Status: http.StatusForbidden, Message: msg}
	}
	errTooLargeAnswer = func(n, limit int) WireError {
		return WireError{Code: "ResponseTooLargeException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("The response would be %d bytes, more than dxlab's limit of %d. Ask for less: page with maxResults where the operation has it.", n, limit)}
	}
)

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now() // real time: how long the answer took, not dxlab's clock
	x := &exchange{w: w, r: r, requestID: uuid.NewString()}
	w.Header().Set("X-Amzn-RequestId", x.requestID)
	defer h.served(x, start)
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "request_id", x.requestID, "service", serviceName(x.svc), "operation", x.op,
				"panic", p, "stack", string(debug.Stack()))
			h.writeError(x, WireError{Code: "InternalFailure", Status: http.StatusInternalServerError,
				Message: "The server hit an internal error. Request ID " + x.requestID + ".", Internal: true})
		}
	}()
	if werr, ok := h.route(x); !ok {
		h.writeError(x, werr)
		return
	}
	h.serve(x)
}

// route finds the service and operation of a request and checks its
// protocol headers.
func (h *Handler) route(x *exchange) (WireError, bool) {
	r := x.r
	if rest, ok := strings.CutPrefix(r.URL.Path, "/service/"); ok {
		x.wire = wireCBOR
		svcName, opPart, _ := strings.Cut(rest, "/")
		op, _ := strings.CutPrefix(opPart, "operation/")
		if r.Method != http.MethodPost {
			return errMethod, false
		}
		x.svc = h.byPath[svcName]
		if x.svc == nil {
			return errUnknownOperation(fmt.Sprintf("No service named '%s' speaks rpc-v2-cbor here.", svcName)), false
		}
		if !strings.HasPrefix(opPart, "operation/") || strings.Contains(op, "/") {
			return errUnknownOperation("The request path must be /service/" + svcName + "/operation/<Operation>."), false
		}
		x.op = op
		if _, ok := x.svc.Operations[op]; !ok {
			return errUnknownOperation(fmt.Sprintf("%s has no operation named '%s'.", x.svc.Name, op)), false
		}
		x.known = true
		if v := r.Header.Get(rpcv2cbor.ProtocolHeader); v != rpcv2cbor.ProtocolValue {
			return errSerialization("The " + rpcv2cbor.ProtocolHeader + " header must be " + rpcv2cbor.ProtocolValue + "."), false
		}
		if !mediaTypeIs(r, rpcv2cbor.ContentType, true) {
			return errMediaType("Content-Type must be " + rpcv2cbor.ContentType + "."), false
		}
		return WireError{}, true
	}

	target := r.Header.Get("X-Amz-Target")
	if target == "" && mediaTypeIs(r, awsquery.ContentType, false) {
		return h.routeQuery(x)
	}
	x.wire = wireJSON
	prefix, op, found := strings.Cut(target, ".")
	if s := h.byTarget[prefix]; s != nil {
		x.svc = s
	}
	if r.Method != http.MethodPost {
		return errMethod, false
	}
	if r.URL.Path != "/" {
		return errUnknownOperation("awsJson requests are sent to / with an X-Amz-Target header."), false
	}
	if target == "" {
		return errUnknownOperation("The X-Amz-Target header is missing."), false
	}
	if x.svc == nil || !found {
		return errUnknownOperation(fmt.Sprintf("No service answers to X-Amz-Target '%s'.", target)), false
	}
	x.op = op
	if _, ok := x.svc.Operations[op]; !ok {
		return errUnknownOperation(fmt.Sprintf("%s has no operation named '%s'.", x.svc.Name, op)), false
	}
	x.known = true
	// Clients of both JSON versions exist for every service in the wild, so
	// either version is accepted; anything that is not AWS JSON is not.
	if !mediaTypeIs(r, awsjson.ContentType("1.0"), false) && !mediaTypeIs(r, awsjson.ContentType("1.1"), false) {
		return errMediaType("Content-Type must be " + awsjson.ContentType("1.0") + " or " + awsjson.ContentType("1.1") + "."), false
	}
	return WireError{}, true
}

// routeQuery picks a form-encoded request's service by the service its
// SigV4 scope names; the operation is the body's Action, read with the body
// (an unsigned request's service is the one that has its Action).
func (h *Handler) routeQuery(x *exchange) (WireError, bool) {
	x.wire = wireQuery
	if cred, err := sigv4.Parse(x.r); err == nil {
		x.svc = h.query[cred.Service]
		if x.svc == nil {
			return errUnknownOperation(fmt.Sprintf("No service signed as '%s' speaks a query protocol here.", cred.Service)), false
		}
	}
	if x.r.Method != http.MethodPost {
		return errMethod, false
	}
	if x.r.URL.Path != "/" {
		return errUnknownOperation("Query requests are sent to /."), false
	}
	return WireError{}, true
}

// queryOperation finds a query request's operation from its parameters.
func (h *Handler) queryOperation(x *exchange, p awsquery.Params) (WireError, bool) {
	action := p.Get("Action")
	if action == "" {
		return errMissingAction, false
	}
	if x.svc == nil {
		for _, s := range h.query {
			if _, ok := s.Operations[action]; ok {
				x.svc = s
			}
		}
	}
	known := x.svc != nil
	if known {
		_, known = x.svc.Operations[action]
	}
	if !known {
		return errInvalidAction(action), false
	}
	x.op, x.known = action, true
	if v := p.Get("Version"); v != x.svc.Query.Version {
		return errNoSuchVersion(v, x.svc.Name), false
	}
	return WireError{}, true
}

func clipValue(s string) string { return clip(s, limits.MaxEchoedValue) }

// mediaTypeIs reports whether r's Content-Type is want. A request without a
// body may leave it out when emptyOK is set.
func mediaTypeIs(r *http.Request, want string, emptyOK bool) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return emptyOK && r.ContentLength == 0
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && strings.EqualFold(mt, want)
}

func (h *Handler) serve(x *exchange) {
	body, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, h.opts.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.writeError(x, errTooLarge(h.opts.MaxBodyBytes))
			return
		}
		h.writeError(x, errSerialization("The request body could not be read."))
		return
	}
	who, werr, ok := h.identify(x, body)
	if !ok {
		h.writeError(x, werr)
		return
	}
	x.who = who
	var params awsquery.Params
	if x.wire == wireQuery {
		if params, err = awsquery.Parse(body); err != nil {
			h.writeError(x, errSerialization(sentence(err.Error())))
			return
		}
		if werr, ok := h.queryOperation(x, params); !ok {
			h.writeError(x, werr)
			return
		}
	}
	op := x.svc.Operations[x.op]
	in := op.NewInput()
	switch x.wire {
	case wireCBOR:
		err = rpcv2cbor.Decode(body, in)
	case wireQuery:
		// A value of the wrong type is the service's validation error.
		if err = awsquery.Decode(params, in); err != nil {
			h.writeMapped(x, err)
			return
		}
	default:
		err = awsjson.Decode(body, in)
	}
	if err != nil {
		h.writeError(x, errSerialization(sentence(err.Error())))
		return
	}
	who.RequestID, who.Operation = x.requestID, x.op
	ctx := caller.With(x.r.Context(), who)
	out, err := op.Invoke(ctx, in)
	if err != nil {
		h.writeMapped(x, err)
		return
	}
	h.writeOutput(x, out)
}

// identify returns the caller of a request: the account of its access key
// and the region of its credential scope, or the default account in
// DefaultRegion when it is not signed. Under Strict it first verifies the
// signature over the request and its body.
func (h *Handler) identify(x *exchange, body []byte) (caller.Caller, WireError, bool) {
	r := x.r
	cred, err := sigv4.Parse(r)
	if errors.Is(err, sigv4.ErrUnsigned) {
		if h.opts.Auth == Strict {
			return caller.Caller{}, errMissingAuth, false
		}
		return caller.Caller{Account: h.defaultAccount(), Region: DefaultRegion}, WireError{}, true
	}
	if err != nil {
		return caller.Caller{}, errSignature(sentence(err.Error())), false
	}
	if h.opts.Auth == Strict {
		secret, known := "", false
		if h.opts.Accounts != nil {
			secret, known = h.opts.Accounts.SecretFor(cred.AccessKeyID)
		}
		if !known {
			return caller.Caller{}, errUnrecognizedClient, false
		}
		err := sigv4.Verify(sigv4.Request{HTTP: r, Body: body, Credential: cred, Secret: secret,
			Service: x.svc.SigningName, Now: h.opts.WallClock.Now()})
		var refusal *sigv4.Refusal
		switch {
		case errors.As(err, &refusal) && refusal.Kind == sigv4.Incomplete:
			return caller.Caller{}, errSignature(refusal.Message), false
		case errors.As(err, &refusal):
			return caller.Caller{}, errInvalidSignature(refusal.Message), false
		case err != nil:
			h.log.Error("verifying a signature", "request_id", x.requestID, "err", err)
			return caller.Caller{}, errInvalidSignature(sigv4.MismatchMessage), false
		}
	}
	account := h.defaultAccount()
	if h.opts.Accounts != nil {
		account = h.opts.Accounts.AccountFor(cred.AccessKeyID)
	}
	return caller.Caller{Account: account, Region: cred.Region, AccessKeyID: cred.AccessKeyID}, WireError{}, true
}

func (h *Handler) defaultAccount() string {
	if h.opts.Accounts == nil {
		return "123456789012"
	}
	return h.opts.Accounts.DefaultAccount()
}

func (h *Handler) writeMapped(x *exchange, err error) {
	werr := h.opts.MapError(x.svc, err)
	// An internal error's status says little: Direct Connect's is a 400.
	if werr.Internal || werr.Status >= 500 {
		h.log.Error("operation failed", "request_id", x.requestID, "service", serviceName(x.svc), "operation", x.op,
			"code", werr.Code, "status", werr.Status, "err", err)
	}
	h.writeError(x, werr)
}

func (h *Handler) writeOutput(x *exchange, out any) {
	if v := reflect.ValueOf(out); !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		out = struct{}{}
	}
	var body []byte
	var err error
	switch x.wire {
	case wireCBOR:
		body, err = rpcv2cbor.Encode(out)
	case wireQuery:
		body, err = awsquery.Encode(dialect(x.svc), x.op, x.svc.Query.Namespace, x.requestID, out)
	default:
		body, err = awsjson.Encode(out)
	}
	if err != nil {
		h.writeMapped(x, fmt.Errorf("encoding %s output: %w", x.op, err))
		return
	}
	if len(body) > h.opts.MaxResponseBytes {
		h.log.Warn("answer too large; refused", "request_id", x.requestID, "service", serviceName(x.svc), "operation", x.op,
			"bytes", len(body), "limit", h.opts.MaxResponseBytes)
		h.writeError(x, errTooLargeAnswer(len(body), h.opts.MaxResponseBytes))
		return
	}
	h.write(x, http.StatusOK, body)
}

func (h *Handler) writeError(x *exchange, e WireError) {
	x.errCode = e.Code
	e.Message = clip(e.Message, limits.MaxErrorMessage)
	x.w.Header().Set("X-Amzn-ErrorType", e.Code)
	var body []byte
	switch x.wire {
	case wireCBOR:
		typeID := e.Code
		if x.svc != nil && x.svc.Namespace != "" {
			typeID = x.svc.Namespace + "#" + e.Code
		}
		body = rpcv2cbor.EncodeError(typeID, e.Message)
	case wireQuery:
		body = awsquery.EncodeError(dialect(x.svc), e.Code, e.Message, x.requestID, e.Status >= 500)
	default:
		body = awsjson.EncodeError(e.Code, e.Message)
	}
	h.write(x, e.Status, body)
}

func (h *Handler) write(x *exchange, status int, body []byte) {
	hd := x.w.Header()
	switch x.wire {
	case wireCBOR:
		hd.Set("Content-Type", rpcv2cbor.ContentType)
		hd.Set(rpcv2cbor.ProtocolHeader, rpcv2cbor.ProtocolValue)
	case wireQuery:
		hd.Set("Content-Type", "text/xml;charset=UTF-8")
		// Query errors carry their code in the body only.
		hd.Del("X-Amzn-ErrorType")
	default:
		version := "1.1"
		if x.svc != nil {
			version = x.svc.JSONVersion
		}
		hd.Set("Content-Type", awsjson.ContentType(version))
	}
	hd.Set("Content-Length", fmt.Sprint(len(body)))
	x.status = status
	x.w.WriteHeader(status)
	_, _ = x.w.Write(body)
}

// served logs the request's line and tells Options.Served of it.
func (h *Handler) served(x *exchange, start time.Time) {
	s := Served{
		RequestID: x.requestID, Account: x.who.Account, Region: x.who.Region,
		Status: x.status, ErrorCode: x.errCode, Duration: time.Since(start),
	}
	if x.svc != nil {
		s.Service = x.svc.Name
	}
	if x.known {
		s.Operation = x.op
	}
	h.log.Info("request", "request_id", s.RequestID, "service", s.Service, "operation", s.Operation,
		"account", s.Account, "region", s.Region, "status", s.Status, "error_code", s.ErrorCode,
		"duration", s.Duration.Round(time.Microsecond))
	if h.opts.Served != nil {
		h.opts.Served(s)
	}
}

// dialect is the query dialect of a service; a request that named none
// answers in awsQuery's shape.
func dialect(s *smithy.Service) awsquery.Dialect {
	if s != nil && s.Query != nil && s.Query.EC2 {
		return awsquery.EC2
	}
	return awsquery.Query
}

func serviceName(s *smithy.Service) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// clip shortens a message longer than n bytes, keeping its start and end
// and cutting at rune boundaries, so that no request has a huge value
// echoed back.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const cut = " [...] "
	head, tail := (n-len(cut))*3/4, (n-len(cut))/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return s[:head] + cut + s[start:]
}

// sentence capitalises a Go error text and ends it with a period, the way
// AWS messages read.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

var _ http.Handler = (*Handler)(nil)
