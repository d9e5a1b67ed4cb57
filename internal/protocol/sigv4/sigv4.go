// Package sigv4 reads the credential scope of an AWS Signature Version 4
// request, from the Authorization header or from a presigned query string.
// It tells who signed and for which region and service; checking the
// signature itself is a separate step.
package sigv4

import (
	"errors"
	"net/http"
	"strings"
)

// Algorithm is the only signing algorithm AWS SDKs use for these services.
const Algorithm = "AWS4-HMAC-SHA256"

// Credential is the parsed credential scope of a signed request:
// AKID/20260101/us-east-1/directconnect/aws4_request.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
	// SignedHeaders and Signature are as the request gave them.
	SignedHeaders []string
	Signature     string
}

// ErrUnsigned means the request carries no SigV4 signature at all.
var ErrUnsigned = errors.New("request is not signed")

// MalformedError explains why a signature that is present cannot be read.
type MalformedError struct {
	Reason string
}

func (e *MalformedError) Error() string { return e.Reason }

func malformed(reason string) error { return &MalformedError{Reason: reason} }

// Parse reads the credential of r. It returns ErrUnsigned when r carries no
// signature and a *MalformedError when it carries one that cannot be read.
func Parse(r *http.Request) (Credential, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return ParseAuthorization(h)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") == "" && q.Get("X-Amz-Credential") == "" {
		return Credential{}, ErrUnsigned
	}
	if q.Get("X-Amz-Algorithm") != Algorithm {
		return Credential{}, malformed("X-Amz-Algorithm must be " + Algorithm)
	}
	c, err := parseScope(q.Get("X-Amz-Credential"))
	if err != nil {
		return Credential{}, err
	}
	c.SignedHeaders = splitHeaders(q.Get("X-Amz-SignedHeaders"))
	c.Signature = q.Get("X-Amz-Signature")
	if c.Signature == "" {
		return Credential{}, malformed("presigned request has no X-Amz-Signature")
	}
	return c, nil
}

// ParseAuthorization reads an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func ParseAuthorization(h string) (Credential, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != Algorithm {
		return Credential{}, malformed("Authorization header must use " + Algorithm)
	}
	var c Credential
	var haveCred, haveSigned, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Credential{}, malformed("Authorization header component " + quote(part) + " is not key=value")
		}
		switch k {
		case "Credential":
			scope, err := parseScope(v)
			if err != nil {
				return Credential{}, err
			}
			scope.SignedHeaders, scope.Signature = c.SignedHeaders, c.Signature
			c, haveCred = scope, true
		case "SignedHeaders":
			c.SignedHeaders, haveSigned = splitHeaders(v), true
		case "Signature":
			c.Signature, haveSig = v, true
		}
	}
	switch {
	case !haveCred:
		return Credential{}, malformed("Authorization header requires a Credential parameter")
	case !haveSigned:
		return Credential{}, malformed("Authorization header requires a SignedHeaders parameter")
	case !haveSig || c.Signature == "":
		return Credential{}, malformed("Authorization header requires a Signature parameter")
	}
	return c, nil
}

func parseScope(s string) (Credential, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return Credential{}, malformed("credential " + quote(s) + " is not of the form <key>/<date>/<region>/<service>/aws4_request")
	}
	for i, p := range parts[:4] {
		if p == "" {
			return Credential{}, malformed("credential " + quote(s) + " has an empty " + [...]string{"access key", "date", "region", "service"}[i])
		}
	}
	if len(parts[1]) != 8 || strings.Trim(parts[1], "0123456789") != "" {
		return Credential{}, malformed("credential date " + quote(parts[1]) + " is not yyyymmdd")
	}
	return Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, nil
}

func splitHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func quote(s string) string {
	if len(s) > 128 {
		s = s[:128] + "..."
	}
	return "'" + s + "'"
}
