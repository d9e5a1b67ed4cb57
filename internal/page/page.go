// Package page is the one pagination scheme of every dxlab listing: how
// maxResults and nextToken are read, how a page is cut, and what a token is.
//
// # Keyset, never offsets
//
// Every listing is sorted by a unique, non-empty string key (a resource id,
// say), and a page continues strictly after the key of the last item the
// previous page returned. An offset ("skip 200") counts items, so when one
// is created or deleted before the offset between two calls, the next page
// repeats or skips an item; a key does not move when its neighbours change,
// so paging never repeats an item and never skips one that existed
// throughout. Keys also need no arithmetic, so nothing in a token can
// overflow. Keys compare byte by byte, as Go strings (and SQLite's default
// collation) do; a store must return them in that order.
//
// # Tokens
//
// A token is opaque to clients: unpadded base64url of
//
//	version (1 byte, 1) | key (1..MaxKeyLen bytes) | checksum (8 bytes)
//
// where the checksum is the first 8 bytes of SHA-256 over a fixed domain
// string, the length-prefixed fields of the Scope, the version and the key.
// The checksum binds the token to its Scope: the listing (List), the caller
// (Account, Region) and the filter it was called with (Filter). A token that
// was corrupted, edited, cut short, or comes from another listing, account,
// region or filter fails the check and is refused as fault.Invalid, rather
// than quietly resuming at a position that means something else. Only the
// canonical encoding of a token is accepted, so no two strings stand for the
// same token.
//
// The checksum is not a secret: anyone with the source can forge a token. It
// does not need to be one, because a token only says where to resume; which
// records a caller may see is decided by the query (account and region
// filters), never by the token. Tokens hold no server state, so they survive
// restarts and never expire.
//
// # Use
//
// A listing in the store asks for one item more than the page, so that
// Trim knows whether another page follows:
//
//	scope := page.Scope{List: "dx.DescribeConnections", Account: who.Account, Region: who.Region}
//	req, err := page.Read(scope, page.Options{Max: 100}, in.MaxResults, in.NextToken)
//	...
//	recs, err := r.List(ctx, store.ListQuery{..., After: req.After, Limit: req.Fetch()})
//	...
//	recs, out.NextToken = page.Trim(scope, req, recs, func(rec store.Record) string { return rec.ID })
//
// A listing that answers everything when maxResults is absent (Options.Default
// 0) answers at most MaxWhole items so: between the query and Trim it calls
// Whole, which refuses a larger listing and tells the caller to page:
//
//	if err := req.Whole(len(recs), "connections"); err != nil {
//		return err
//	}
//
// A listing held in memory (a static catalog), sorted by key, uses Slice in
// place of the query and Trim:
//
//	envs, out.NextToken = page.Slice(scope, req, sorted, func(e facility.Environment) string { return e.EnvironmentID })
package page

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/dxlab/dxlab/internal/fault"
)

const (
	// MaxTokenLen is the longest token Read decodes; anything longer is
	// refused before any decoding. It is Interconnect's model limit for
	// nextToken, and well above the longest token Trim issues (354 chars).
	MaxTokenLen = 1024
	// MaxKeyLen is the longest sort key, in bytes, a token can carry.
	// Resource ids are far shorter; the bound keeps tokens small.
	MaxKeyLen = 256
	// MaxWhole is the most items a listing answers at once when the caller
	// gives no maxResults and the listing then answers everything (Direct
	// Connect's Describe calls, which predate pagination): a larger one is
	// refused (Whole), telling the caller to page, rather than read, hold
	// and render a million items for an answer no client could take (the
	// answer is capped at limits.MaxResponseBytes, 8 MiB, about 11,000
	// connections). Chosen: far above what AWS's quotas let an account hold
	// in a region, so a real workload never meets it.
	MaxWhole = 5000
)

// Scope says which listing, for whom, a token belongs to. A token is only
// accepted with the Scope it was issued for.
type Scope struct {
	// List names the listing, e.g. "dx.DescribeConnections".
	List string
	// Account and Region are the caller's.
	Account, Region string
	// Filter is whatever else narrows the listing (a connection id, an
	// environment location), or "". It is compared, not parsed: a listing
	// with several filters must join them so that different filters give
	// different strings, e.g. fmt.Sprintf("%q %q", location, provider).
	Filter string
}

// Options are a listing's page sizes.
type Options struct {
	// Default is the page size when maxResults is absent; 0 means the whole
	// list in one page, as Direct Connect's Describe calls do without
	// maxResults. Once a client sends a token it is paging, so a token
	// without maxResults gets Default, or Max when Default is 0.
	Default int
	// Max is the largest page; a larger maxResults is clamped to it, as AWS
	// does for Direct Connect. It must be at least 1.
	Max int
}

// Request is a decoded maxResults/nextToken pair.
type Request struct {
	// Limit is the page size; 0 means no limit.
	Limit int
	// After is the key the page starts strictly after; "" is the start.
	After string
	// max is the listing's largest page (Options.Max), for Whole's message.
	max int
}

// Fetch is how many items to ask the store for: one more than the page, so
// that Trim can tell whether another page follows; without a page size, one
// more than MaxWhole, so that Whole can tell a listing too large to answer
// at once without reading all of it.
func (r Request) Fetch() int {
	if r.Limit == 0 {
		return MaxWhole + 1
	}
	return r.Limit + 1
}

// Whole refuses, as fault.Invalid, a request without a page size whose
// listing found more than MaxWhole items (fetched with Fetch); what names
// them ("connections"). A request with a page size passes.
func (r Request) Whole(found int, what string) error {
	if r.Limit != 0 || found <= MaxWhole {
		return nil
	}
	return fault.New(fault.Invalid, "There are more than %d %s to list, and without maxResults at most %d are answered at once. "+
		"Page through them: pass maxResults (1 to %d), then each answer's nextToken.", MaxWhole, what, MaxWhole, r.max)
}

// The messages never echo the token: it may be as long as the request
// body, and the client already has it.
func errTooLong() error {
	return fault.New(fault.Invalid, "The pagination token is invalid: it is longer than %d characters.", MaxTokenLen)
}

func errToken() error {
	return fault.New(fault.Invalid, "The pagination token is invalid. Pass back the nextToken of the previous page "+
		"unchanged, from the same account and region and with the same filters.")
}

// Read decodes a request's maxResults and nextToken for a listing. Errors
// are *fault.Error of kind fault.Invalid. Read panics if o is not a valid
// Options, which is a mistake in the listing, not in the request.
func Read(s Scope, o Options, maxResults *int32, token *string) (Request, error) {
	if o.Max < 1 || o.Default < 0 || o.Default > o.Max {
		panic(fmt.Sprintf("page: list %q has invalid options %+v: need 0 <= Default <= Max and Max >= 1", s.List, o))
	}
	r := Request{Limit: o.Default, max: o.Max}
	if maxResults != nil {
		n := int(*maxResults)
		if n < 1 {
			return Request{}, fault.New(fault.Invalid, "maxResults must be at least 1, not %d.", n)
		}
		r.Limit = min(n, o.Max)
	}
	if token != nil {
		after, err := decode(s, *token)
		if err != nil {
			return Request{}, err
		}
		r.After = after
		if maxResults == nil && r.Limit == 0 {
			r.Limit = o.Max
		}
	}
	return r, nil
}

// Trim cuts items, sorted ascending by key and fetched with r.Fetch(), to
// the page, and returns the next page's token, or nil on the last page.
//
// Keys must be unique, non-empty and at most MaxKeyLen bytes; Trim panics on
// a key it cannot put in a token, or one not after r.After, because either
// would leave the client stuck (a refused token, or the same page forever),
// which is harder to diagnose than an internal error.
func Trim[T any](s Scope, r Request, items []T, key func(T) string) ([]T, *string) {
	if r.Limit == 0 || len(items) <= r.Limit {
		return items, nil
	}
	items = items[:r.Limit:r.Limit]
	last := key(items[len(items)-1])
	if last == "" || len(last) > MaxKeyLen {
		panic(fmt.Sprintf("page: list %q has a key of %d bytes; keys must be 1 to %d bytes", s.List, len(last), MaxKeyLen))
	}
	if last <= r.After {
		panic(fmt.Sprintf("page: list %q returned a page ending at or before where it started; items must be sorted by key, after r.After", s.List))
	}
	t := encode(s, last)
	return items, &t
}

// Slice is Trim for a list held in memory, sorted ascending by unique key:
// it finds where r.After leaves off by binary search, then cuts the page.
// The page shares sorted's backing array, with its capacity capped so that
// appending to it cannot overwrite sorted.
func Slice[T any](s Scope, r Request, sorted []T, key func(T) string) ([]T, *string) {
	i := 0
	if r.After != "" {
		i = sort.Search(len(sorted), func(i int) bool { return key(sorted[i]) > r.After })
	}
	return Trim(s, r, sorted[i:len(sorted):len(sorted)], key)
}

const (
	version = 1
	sumLen  = 8
	minRaw  = 1 + 1 + sumLen
	maxRaw  = 1 + MaxKeyLen + sumLen
	// domain keeps these checksums apart from any other SHA-256 of
	// similar bytes, and changes if the layout ever does.
	domain = "dxlab page token v1\x00"
)

// The longest token Trim can issue must be one Read accepts.
var _ = [MaxTokenLen - (maxRaw*8+5)/6]struct{}{}

var b64 = base64.RawURLEncoding.Strict()

func encode(s Scope, key string) string {
	raw := make([]byte, 0, 1+len(key)+sumLen)
	raw = append(raw, version)
	raw = append(raw, key...)
	raw = append(raw, checksum(s, raw)...)
	return b64.EncodeToString(raw)
}

func decode(s Scope, token string) (string, error) {
	if len(token) > MaxTokenLen {
		return "", errTooLong()
	}
	raw, err := b64.DecodeString(token)
	// The decoder skips line breaks; re-encoding refuses them, so a token
	// has exactly one spelling.
	if err != nil || len(raw) < minRaw || len(raw) > maxRaw || raw[0] != version || b64.EncodeToString(raw) != token {
		return "", errToken()
	}
	body, sum := raw[:len(raw)-sumLen], raw[len(raw)-sumLen:]
	if string(checksum(s, body)) != string(sum) {
		return "", errToken()
	}
	return string(body[1:]), nil
}

// checksum length-prefixes each scope field so that no two scopes hash the
// same input ("ab","c" against "a","bc").
func checksum(s Scope, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	var n [binary.MaxVarintLen64]byte
	for _, f := range []string{s.List, s.Account, s.Region, s.Filter} {
		h.Write(binary.AppendUvarint(n[:0], uint64(len(f))))
		h.Write([]byte(f))
	}
	h.Write(body)
	return h.Sum(nil)[:sumLen]
}
