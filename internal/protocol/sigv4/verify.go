package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// MaxSkew is how far a request's signing time may be from the server's
// clock, either way, as AWS allows.
const MaxSkew = 5 * time.Minute

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts: seven days.
const MaxPresignExpiry = 7 * 24 * time.Hour

// TimeFormat is the form of X-Amz-Date.
const TimeFormat = "20060102T150405Z"

// unsignedPayload is the payload hash of a presigned request whose body is
// not signed.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Refusal kinds: which AWS error a failed verification is.
const (
	// Invalid: the signature does not match, the credential is scoped to
	// another service, or the time is out of range:
	// InvalidSignatureException.
	Invalid = "invalid"
	// Incomplete: something the signature needs is missing or unreadable:
	// IncompleteSignatureException.
	Incomplete = "incomplete"
)

// Refusal says why a signature is not accepted, in AWS's words.
type Refusal struct {
	Kind    string
	Message string
}

func (e *Refusal) Error() string { return e.Message }

func refuse(kind, format string, args ...any) error {
	return &Refusal{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// MismatchMessage is AWS's message for a signature that does not match.
const MismatchMessage = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// Request is what Verify checks: the request as received, its whole body,
// the credential Parse read from it, and the secret of its access key.
type Request struct {
	HTTP       *http.Request
	Body       []byte
	Credential Credential
	Secret     string
	// Service is the signing name of the service called, which the
	// credential's scope must name.
	Service string
	// Now is the server's clock, against which the signing time is checked.
	Now time.Time
}

var signer = v4.NewSigner(func(o *v4.SignerOptions) {
	// Headers the client signed stay headers; a presigned URL's X-Amz-*
	// parameters are already in its query.
	o.DisableHeaderHoisting = true
})

// Verify recomputes the request's signature with the AWS SDK for Go v2's
// signer, from the headers the client says it signed, and compares. It
// returns nil or a *Refusal.
func Verify(q Request) error {
	c := q.Credential
	if c.Service != q.Service {
		return refuse(Invalid, "Credential should be scoped to correct service: '%s'. ", q.Service)
	}
	presigned := q.HTTP.Header.Get("Authorization") == ""
	query := q.HTTP.URL.Query()
	rawDate := q.HTTP.Header.Get("X-Amz-Date")
	if presigned {
		rawDate = query.Get("X-Amz-Date")
	}
	if rawDate == "" {
		if presigned {
			return refuse(Incomplete, "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.")
		}
		return refuse(Incomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s",
			Algorithm)
	}
	signedAt, err := time.Parse(TimeFormat, rawDate)
	if err != nil {
		return refuse(Incomplete, "X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z': %s", quote(rawDate))
	}
	if day := signedAt.Format("20060102"); day != c.Date {
		return refuse(Invalid, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			c.Date, day, rawDate)
	}
	now := q.Now.UTC()
	if presigned {
		expires, err := strconv.Atoi(query.Get("X-Amz-Expires"))
		if err != nil || expires < 1 || time.Duration(expires)*time.Second > MaxPresignExpiry {
			return refuse(Incomplete, "X-Amz-Expires must be a whole number of seconds from 1 to %d.", int(MaxPresignExpiry/time.Second))
		}
		if err := checkTime(signedAt, now, -time.Duration(expires)*time.Second, MaxSkew); err != nil {
			return err
		}
	} else if err := checkTime(signedAt, now, -MaxSkew, MaxSkew); err != nil {
		return err
	}

	clone, err := signedPart(q.HTTP, c.SignedHeaders)
	if err != nil {
		return err
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: q.Secret}
	sum := sha256.Sum256(q.Body)
	bodyHash := hex.EncodeToString(sum[:])
	ctx := context.Background()
	if !presigned {
		if err := signer.SignHTTP(ctx, creds, clone, bodyHash, c.Service, c.Region, signedAt); err != nil {
			return err
		}
		want, err := ParseAuthorization(clone.Header.Get("Authorization"))
		if err != nil {
			return err
		}
		return compare(want.Signature, c.Signature)
	}
	// A presigned request may leave its body unsigned.
	clone.URL.RawQuery = withoutSignature(query).Encode()
	var last error
	for _, hash := range []string{bodyHash, unsignedPayload} {
		uri, _, err := signer.PresignHTTP(ctx, creds, clone, hash, c.Service, c.Region, signedAt)
		if err != nil {
			return err
		}
		u, err := url.Parse(uri)
		if err != nil {
			return err
		}
		if last = compare(u.Query().Get("X-Amz-Signature"), c.Signature); last == nil {
			return nil
		}
	}
	return last
}

// checkTime refuses a signing time outside [now+early, now+late].
func checkTime(signedAt, now time.Time, early, late time.Duration) error {
	if earliest := now.Add(early); signedAt.Before(earliest) {
		return refuse(Invalid, "Signature expired: %s is now earlier than %s (%s - %s.)",
			signedAt.Format(TimeFormat), earliest.Format(TimeFormat), now.Format(TimeFormat), span(-early))
	}
	if latest := now.Add(late); signedAt.After(latest) {
		return refuse(Invalid, "Signature not yet current: %s is still later than %s (%s + %s.)",
			signedAt.Format(TimeFormat), latest.Format(TimeFormat), now.Format(TimeFormat), span(late))
	}
	return nil
}

func span(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d sec", int(d/time.Second))
}

func compare(want, got string) error {
	if !hmac.Equal([]byte(want), []byte(got)) {
		return refuse(Invalid, "%s", MismatchMessage)
	}
	return nil
}

func withoutSignature(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if k != "X-Amz-Signature" {
			out[k] = v
		}
	}
	return out
}

// signedPart rebuilds the part of r the client signed: method, path,
// query, host and exactly the headers it lists, so that the signer, which
// signs every header it is given, signs the same ones.
func signedPart(r *http.Request, signed []string) (*http.Request, error) {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	clone := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	// The canonical request lists them sorted, lower case, once each: a
	// list in any other form is not what the signer signed.
	for i, h := range signed {
		if h == "" || h != strings.ToLower(h) || (i > 0 && signed[i-1] >= h) {
			return nil, refuse(Invalid, "%s", MismatchMessage)
		}
	}
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			clone.ContentLength = r.ContentLength
		default:
			vals := r.Header.Values(h)
			if len(vals) == 0 {
				// Signed but not sent: what was signed cannot be checked.
				return nil, refuse(Invalid, "%s", MismatchMessage)
			}
			clone.Header[textproto.CanonicalMIMEHeaderKey(h)] = slices.Clone(vals)
		}
	}
	return clone, nil
}
