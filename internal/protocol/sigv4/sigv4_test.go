package sigv4

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	c, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/directconnect/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "AKIDEXAMPLE" || c.Region != "us-east-1" || c.Service != "directconnect" || c.Date != "20150830" ||
		len(c.SignedHeaders) != 3 || !strings.HasPrefix(c.Signature, "5d67") {
		t.Errorf("%+v", c)
	}
	for _, bad := range []string{
		"Basic dXNlcjpwYXNz",
		"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/directconnect/aws4_request",
		"AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/directconnect/aws4_request, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID//us-east-1/directconnect/aws4_request, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/directconnect, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 garbage",
	} {
		var m *MalformedError
		if _, err := ParseAuthorization(bad); !errors.As(err, &m) {
			t.Errorf("%q: %v, want a MalformedError", bad, err)
		}
	}
}

func TestParsePresigned(t *testing.T) {
	r := httptest.NewRequest("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=111122223333%2F20260101%2Feu-west-1%2Finterconnect%2Faws4_request&X-Amz-SignedHeaders=host&X-Amz-Signature=abc", nil)
	c, err := Parse(r)
	if err != nil || c.AccessKeyID != "111122223333" || c.Region != "eu-west-1" || c.Service != "interconnect" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := Parse(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned: %v", err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/directconnect/aws4_request, SignedHeaders=host, Signature=ab")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,,,=")
	f.Add("AWS4-HMAC-SHA256 Credential==/////, Signature=")
	f.Fuzz(func(t *testing.T, h string) {
		c, err := ParseAuthorization(h)
		if err != nil {
			var m *MalformedError
			if !errors.As(err, &m) || m.Reason == "" {
				t.Fatalf("error %v is not a MalformedError with a reason", err)
			}
			return
		}
		if c.AccessKeyID == "" || c.Region == "" || c.Service == "" || c.Signature == "" {
			t.Fatalf("accepted %q with an empty part: %+v", h, c)
		}
	})
}
