package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/server"
)

const (
	partnerKey    = "AKIAPARTNER000000001"
	partnerSecret = "partner-secret"
	otherKey      = "AKIAOTHER00000000002"
	otherSecret   = "other-secret"
)

func strictDX(t *testing.T, wall clock.Clock) *dxlabtest.Instance {
	t.Helper()
	return dxlabtest.New(t, dxlabtest.Options{Auth: "strict", WallClock: wall, Accounts: "[partner]\naws_access_key_id = " + partnerKey + "\naws_secret_access_key = " + partnerSecret + "\naws_account_id = 210987654321\n" +
		"[other]\naws_access_key_id = " + otherKey + "\naws_secret_access_key = " + otherSecret + "\naws_account_id = 111122223333\n"})
}

// tamper is an HTTP client that changes a request after the SDK signed it.
type tamper func(r *http.Request)

func (f tamper) Do(r *http.Request) (*http.Response, error) {
	if f != nil {
		f(r)
	}
	return http.DefaultClient.Do(r)
}

func strictClient(dx *dxlabtest.Instance, key, secret string, f tamper) *sdk.Client {
	return sdk.New(sdk.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(dx.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       f,
	})
}

func wantAPIError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), message) {
		t.Errorf("%s: got %s %q, want %s containing %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// replaceInAuthorization edits the Authorization header the SDK wrote.
func replaceInAuthorization(old, new string) tamper {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

func TestStrictAuthVerifiesSDKSignatures(t *testing.T) {
	dx := strictDX(t, nil)
	ctx := context.Background()
	ok, err := strictClient(dx, partnerKey, partnerSecret, nil).DescribeLocations(ctx, &sdk.DescribeLocationsInput{})
	if err != nil || len(ok.Locations) == 0 {
		t.Fatalf("a correctly signed request: %v", err)
	}
	create := &sdk.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("primary")}
	if _, err := strictClient(dx, partnerKey, partnerSecret, nil).CreateConnection(ctx, create); err != nil {
		t.Fatalf("a correctly signed request with a body: %v", err)
	}

	const mismatch = "The request signature we calculated does not match the signature you provided."
	for _, c := range []struct {
		name        string
		key, secret string
		tamper      tamper
		code, msg   string
	}{
		{"unknown key", "AKIANOBODY0000000000", "x", nil, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"12-digit key not in the file", "111122223333", "x", nil, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong secret", partnerKey, "not-the-secret", nil, "InvalidSignatureException", mismatch},
		{"body", partnerKey, partnerSecret, func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			setBody(r, bytes.Replace(b, []byte("primary"), []byte("primarz"), 1))
		}, "InvalidSignatureException", mismatch},
		{"signed header", partnerKey, partnerSecret, func(r *http.Request) { r.Header.Set("X-Amz-Target", "OvertureService.DescribeConnections") },
			"InvalidSignatureException", mismatch},
		{"date, same day", partnerKey, partnerSecret, func(r *http.Request) {
			d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			r.Header.Set("X-Amz-Date", d.Add(time.Second).Format("20060102T150405Z"))
		}, "InvalidSignatureException", mismatch},
		{"date, another day", partnerKey, partnerSecret, func(r *http.Request) {
			d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			r.Header.Set("X-Amz-Date", d.Add(48*time.Hour).Format("20060102T150405Z"))
		}, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"},
		{"scope region", partnerKey, partnerSecret, replaceInAuthorization("/us-east-1/", "/us-west-2/"), "InvalidSignatureException", mismatch},
		{"scope service", partnerKey, partnerSecret, replaceInAuthorization("/directconnect/", "/interconnect/"),
			"InvalidSignatureException", "Credential should be scoped to correct service: 'directconnect'."},
		{"key swapped for another known one", partnerKey, partnerSecret, replaceInAuthorization(partnerKey, otherKey), "InvalidSignatureException", mismatch},
		{"key swapped for an unknown one", partnerKey, partnerSecret, replaceInAuthorization(partnerKey, "AKIANOBODY0000000000"),
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"signature", partnerKey, partnerSecret, func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", h[len(h)-1])+1)%16]))
		}, "InvalidSignatureException", mismatch},
		{"signed headers list", partnerKey, partnerSecret, replaceInAuthorization("SignedHeaders=", "SignedHeaders=accept;"),
			"InvalidSignatureException", mismatch},
		{"unsigned", partnerKey, partnerSecret, func(r *http.Request) { r.Header.Del("Authorization") },
			"MissingAuthenticationTokenException", "Missing Authentication Token"},
	} {
		_, err := strictClient(dx, c.key, c.secret, c.tamper).CreateConnection(ctx, create)
		wantAPIError(t, c.name, err, c.code, c.msg)
	}
}

func TestStrictAuthStatuses(t *testing.T) {
	dx := strictDX(t, nil)
	for _, c := range []struct {
		headers map[string]string
		status  int
		code    string
	}{
		{map[string]string{}, 403, "MissingAuthenticationTokenException"},
		{map[string]string{"Authorization": dxlabtest.SigV4("111122223333", "us-east-1", "directconnect")}, 403, "UnrecognizedClientException"},
		{map[string]string{"Authorization": strings.Replace(dxlabtest.SigV4("x", "us-east-1", "directconnect"), "x/", partnerKey+"/", 1)}, 400, "IncompleteSignatureException"},
		{map[string]string{"Authorization": strings.Replace(dxlabtest.SigV4("x", "us-east-1", "directconnect"), "x/", partnerKey+"/", 1),
			"X-Amz-Date": time.Now().UTC().Format("20060102T150405Z")}, 403, "InvalidSignatureException"},
	} {
		h := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "OvertureService.DescribeLocations"}
		for k, v := range c.headers {
			h[k] = v
		}
		resp, body := dx.Raw("POST", "/", h, []byte("{}"))
		if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-Errortype") != c.code {
			t.Errorf("%v: %d %s, want %d %s: %s", c.headers, resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), c.status, c.code, body)
		}
	}
}

// The signing time is checked against the real clock, not dxlab's
// simulated one, within AWS's five minutes either way.
func TestStrictAuthChecksTheSigningTime(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		skew time.Duration
		msg  string
	}{
		{10 * time.Minute, "Signature expired: "},
		{-10 * time.Minute, "Signature not yet current: "},
	} {
		dx := strictDX(t, clock.NewFake(time.Now().Add(c.skew)))
		_, err := strictClient(dx, partnerKey, partnerSecret, nil).DescribeLocations(ctx, &sdk.DescribeLocationsInput{})
		wantAPIError(t, c.msg, err, "InvalidSignatureException", c.msg)
	}
	dx := strictDX(t, clock.NewFake(time.Now().Add(4*time.Minute)))
	dx.Advance(240 * time.Hour) // dxlab's own clock has nothing to do with it
	if _, err := strictClient(dx, partnerKey, partnerSecret, nil).DescribeLocations(ctx, &sdk.DescribeLocationsInput{}); err != nil {
		t.Errorf("signed four minutes before the server's clock: %v", err)
	}
}

// presign returns a presigned URL of a DescribeLocations call.
func presign(t *testing.T, dx *dxlabtest.Instance, secret string, at time.Time, expires string) string {
	t.Helper()
	req, err := http.NewRequest("POST", dx.URL+"/?X-Amz-Expires="+expires, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "OvertureService.DescribeLocations")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256([]byte("{}"))
	uri, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true }).PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: partnerKey, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "directconnect", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return uri
}

func callPresigned(t *testing.T, uri string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", uri, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "OvertureService.DescribeLocations")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestStrictAuthVerifiesPresignedURLs(t *testing.T) {
	dx := strictDX(t, nil)
	now := time.Now()
	if resp, body := callPresigned(t, presign(t, dx, partnerSecret, now, "300")); resp.StatusCode != 200 {
		t.Fatalf("presigned: %d %s", resp.StatusCode, body)
	}
	for _, c := range []struct {
		name, uri, code, msg string
	}{
		{"wrong secret", presign(t, dx, "nope", now, "300"), "InvalidSignatureException", "does not match"},
		{"expired", presign(t, dx, partnerSecret, now.Add(-2*time.Minute), "60"), "InvalidSignatureException", "Signature expired"},
		{"expiry edited", strings.Replace(presign(t, dx, partnerSecret, now, "300"), "X-Amz-Expires=300", "X-Amz-Expires=301", 1),
			"InvalidSignatureException", "does not match"},
		{"no expiry", strings.Replace(presign(t, dx, partnerSecret, now, "300"), "X-Amz-Expires=300&", "", 1),
			"IncompleteSignatureException", "X-Amz-Expires"},
	} {
		resp, body := callPresigned(t, c.uri)
		if resp.Header.Get("X-Amzn-Errortype") != c.code || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, body)
		}
	}
	// The query names the region: another one breaks the signature.
	u, _ := url.Parse(presign(t, dx, partnerSecret, now, "300"))
	q := u.Query()
	q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), "us-east-1", "eu-west-1", 1))
	u.RawQuery = q.Encode()
	if resp, body := callPresigned(t, u.String()); !strings.Contains(body, "does not match") {
		t.Errorf("region edited: %d %s", resp.StatusCode, body)
	}
}

// Interconnect checks its own signing name, over either protocol.
func TestStrictAuthInterconnect(t *testing.T) {
	dx := strictDX(t, nil)
	call := func(service string, cbor bool) (*http.Response, string) {
		body := []byte("{}")
		req, _ := http.NewRequest("POST", dx.URL+"/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Interconnect.ListEnvironments")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		if cbor {
			body = []byte{0xa0} // an empty map
			req, _ = http.NewRequest("POST", dx.URL+"/service/Interconnect/operation/ListEnvironments", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/cbor")
			req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		}
		sum := sha256.Sum256(body)
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: partnerKey, SecretAccessKey: partnerSecret},
			req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, cbor := range []bool{false, true} {
		if resp, body := call("interconnect", cbor); resp.StatusCode != 200 {
			t.Errorf("signed for interconnect (CBOR %t): %d %q", cbor, resp.StatusCode, body)
		}
		if resp, body := call("directconnect", cbor); resp.StatusCode != 403 || !strings.Contains(body, "Credential should be scoped to correct service: 'interconnect'.") {
			t.Errorf("signed for directconnect (CBOR %t): %d %q", cbor, resp.StatusCode, body)
		}
	}
}

func TestStrictAuthNeedsKeys(t *testing.T) {
	_, err := server.New(server.Options{DataDir: t.TempDir(), Auth: protocol.Strict})
	if err == nil || !strings.Contains(err.Error(), "--accounts") {
		t.Fatalf("strict auth without an accounts file: %v", err)
	}
}
