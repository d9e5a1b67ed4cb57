package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var signedAt = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// signed is a request the SDK signer signed with secret "s".
func signed(t testing.TB, body string) *http.Request {
	r := httptest.NewRequest("POST", "http://127.0.0.1:4580/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "OvertureService.DescribeLocations")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, r,
		hex.EncodeToString(sum[:]), "directconnect", "us-east-1", signedAt); err != nil {
		t.Fatal(err)
	}
	return r
}

func verify(r *http.Request, body string) error {
	c, err := Parse(r)
	if err != nil {
		return err
	}
	return Verify(Request{HTTP: r, Body: []byte(body), Credential: c, Secret: "s", Service: "directconnect", Now: signedAt.Add(time.Minute)})
}

func TestVerify(t *testing.T) {
	if err := verify(signed(t, "{}"), "{}"); err != nil {
		t.Fatalf("a signed request: %v", err)
	}
	if err := verify(signed(t, "{}"), "{ }"); err == nil || err.Error() != MismatchMessage {
		t.Errorf("another body: %v", err)
	}
	r := signed(t, "{}")
	r.Header.Del("X-Amz-Date")
	var refusal *Refusal
	if err := verify(r, "{}"); !errors.As(err, &refusal) || refusal.Kind != Incomplete {
		t.Errorf("no date: %v", err)
	}
	r = signed(t, "{}")
	r.Header.Set("X-Amz-Date", "yesterday")
	if err := verify(r, "{}"); !errors.As(err, &refusal) || refusal.Kind != Incomplete {
		t.Errorf("bad date: %v", err)
	}
	r = signed(t, "{}")
	r.Header.Del("X-Amz-Target") // signed, then dropped
	if err := verify(r, "{}"); !errors.As(err, &refusal) || refusal.Kind != Invalid {
		t.Errorf("a signed header missing: %v", err)
	}
}

// FuzzVerify feeds Verify signed requests with one part changed: it must
// never panic, refuse with a Refusal (never an unexplained error), and
// accept only the request exactly as signed (or changed in a part the
// signature does not cover).
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), "{}", "")
	f.Add(uint8(1), "{}", "OvertureService.DescribeConnections")
	f.Add(uint8(2), "{}", "20261102T090001Z")
	f.Add(uint8(3), "{}", "AWS4-HMAC-SHA256 Credential=AKID/20261102/us-east-1/directconnect/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	f.Add(uint8(4), `{"a":1}`, "x-amz-date;host")
	f.Add(uint8(5), "{}", "X-Amz-Expires=60&X-Amz-Algorithm=AWS4-HMAC-SHA256")
	f.Fuzz(func(t *testing.T, what uint8, body, v string) {
		r := signed(t, body)
		unchanged := false
		switch what % 6 {
		case 0:
			r.Header.Set("X-Extra", v) // not signed: changes nothing
			unchanged = true
		case 1:
			r.Header.Set("X-Amz-Target", v)
			// SigV4 signs a header's value with its spaces trimmed and runs
			// of spaces made one.
			unchanged = canonical(v) == "OvertureService.DescribeLocations"
		case 2:
			r.Header.Set("X-Amz-Date", v)
			unchanged = v == signedAt.Format(TimeFormat)
		case 3:
			unchanged = v == r.Header.Get("Authorization")
			r.Header.Set("Authorization", v)
		case 4:
			h := r.Header.Get("Authorization")
			i := strings.Index(h, "SignedHeaders=")
			j := strings.Index(h, ", Signature=")
			old := h[i+len("SignedHeaders=") : j]
			unchanged = v == old
			r.Header.Set("Authorization", h[:i]+"SignedHeaders="+v+h[j:])
		case 5:
			r.Header.Del("Authorization")
			r.URL.RawQuery = v
		}
		c, err := Parse(r)
		if err != nil {
			var m *MalformedError
			if !errors.Is(err, ErrUnsigned) && !errors.As(err, &m) {
				t.Fatalf("Parse: %v", err)
			}
			return
		}
		err = Verify(Request{HTTP: r, Body: []byte(body), Credential: c, Secret: "s", Service: "directconnect", Now: signedAt})
		var refusal *Refusal
		if err != nil && !errors.As(err, &refusal) {
			t.Fatalf("Verify: %v", err)
		}
		if err == nil && !unchanged {
			t.Fatalf("accepted a request changed in a signed part (%d, %q)", what%6, v)
		}
		if err != nil && unchanged && what%6 != 3 {
			t.Fatalf("refused the request as signed (%d, %q): %v", what%6, v, err)
		}
	})
}

func canonical(v string) string {
	for strings.Contains(v, "  ") {
		v = strings.ReplaceAll(v, "  ", " ")
	}
	return strings.TrimSpace(v)
}
