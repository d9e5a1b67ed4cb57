package page

import (
	"encoding/base64"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dxlab/dxlab/internal/fault"
)

var (
	scope  = Scope{List: "dx.DescribeConnections", Account: "111122223333", Region: "us-east-1"}
	dxOpts = Options{Default: 0, Max: 100}
	icOpts = Options{Default: 50, Max: 100}
)

func ptr[T any](v T) *T { return &v }

func id(s string) string { return s }

// tokenFor is the token Trim issues for a page ending at key.
func tokenFor(t *testing.T, s Scope, key string) string {
	t.Helper()
	_, tok := Trim(s, Request{Limit: 1}, []string{key, key + "\x00"}, id)
	if tok == nil {
		t.Fatalf("Trim issued no token for key %q", key)
	}
	return *tok
}

// mustInvalid checks err is a *fault.Error of kind Invalid whose message is
// short and does not repeat the token.
func mustInvalid(t *testing.T, err error, token string) {
	t.Helper()
	var f *fault.Error
	if !errors.As(err, &f) || f.Kind != fault.Invalid {
		t.Fatalf("error = %v (%T), want a fault.Invalid", err, err)
	}
	if len(f.Message) > 200 {
		t.Errorf("message is %d bytes long: %q", len(f.Message), f.Message)
	}
	if len(token) >= 4 && strings.Contains(f.Message, token) {
		t.Errorf("message %q echoes the token", f.Message)
	}
}

func TestRead(t *testing.T) {
	tok := tokenFor(t, scope, "dxcon-ffabc123")
	tests := []struct {
		name       string
		opts       Options
		maxResults *int32
		token      *string
		want       Request
	}{
		{"nothing, unbounded list", dxOpts, nil, nil, Request{}},
		{"nothing, bounded list", icOpts, nil, nil, Request{Limit: 50}},
		{"maxResults", dxOpts, ptr[int32](5), nil, Request{Limit: 5}},
		{"maxResults 1", icOpts, ptr[int32](1), nil, Request{Limit: 1}},
		{"maxResults at the max", dxOpts, ptr[int32](100), nil, Request{Limit: 100}},
		{"maxResults clamped", dxOpts, ptr[int32](101), nil, Request{Limit: 100}},
		{"maxResults huge clamped", icOpts, ptr[int32](math.MaxInt32), nil, Request{Limit: 100}},
		{"token without maxResults, unbounded list", dxOpts, nil, &tok, Request{Limit: 100, After: "dxcon-ffabc123"}},
		{"token without maxResults, bounded list", icOpts, nil, &tok, Request{Limit: 50, After: "dxcon-ffabc123"}},
		{"token with maxResults", dxOpts, ptr[int32](7), &tok, Request{Limit: 7, After: "dxcon-ffabc123"}},
		{"token with maxResults clamped", icOpts, ptr[int32](500), &tok, Request{Limit: 100, After: "dxcon-ffabc123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(scope, tt.opts, tt.maxResults, tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if got.Limit != tt.want.Limit || got.After != tt.want.After {
				t.Errorf("Read = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Without a page size a listing answers everything up to MaxWhole, and
// fetches one more than that to tell a larger one, which it refuses.
func TestWhole(t *testing.T) {
	whole, err := Read(scope, dxOpts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := whole.Fetch(); got != MaxWhole+1 {
		t.Errorf("Fetch without a page size = %d, want %d", got, MaxWhole+1)
	}
	for _, n := range []int{0, 1, MaxWhole} {
		if err := whole.Whole(n, "connections"); err != nil {
			t.Errorf("Whole(%d): %v", n, err)
		}
	}
	err = whole.Whole(MaxWhole+1, "connections")
	mustInvalid(t, err, "")
	for _, want := range []string{"more than 5000 connections", "maxResults (1 to 100)", "nextToken"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	paged, err := Read(scope, dxOpts, ptr[int32](100), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := paged.Whole(MaxWhole+1, "connections"); err != nil {
		t.Errorf("a paged request refused: %v", err)
	}
}

func TestReadRefusesMaxResults(t *testing.T) {
	tok := tokenFor(t, scope, "dxcon-ffabc123")
	for _, n := range []int32{0, -1, math.MinInt32} {
		for _, token := range []*string{nil, &tok} {
			_, err := Read(scope, dxOpts, &n, token)
			mustInvalid(t, err, "")
			if !strings.Contains(err.Error(), "maxResults") {
				t.Errorf("maxResults %d: message %q does not name maxResults", n, err)
			}
		}
	}
}

func TestReadPanicsOnBadOptions(t *testing.T) {
	for _, o := range []Options{{}, {Default: 10, Max: 5}, {Default: -1, Max: 5}, {Max: -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Read with %+v did not panic", o)
				}
			}()
			_, _ = Read(scope, o, nil, nil)
		}()
	}
}

func TestRoundTrip(t *testing.T) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	keys := []string{
		"dxcon-fg5678gh",
		"a",
		"\x00",
		"\xff\xfe\xfd",
		"not/utf8 \xc3\x28 with spaces+and=signs",
		"Zürich ✓",
		"dxlab1:looks like an old token",
		string(every),
		strings.Repeat("z", MaxKeyLen),
	}
	scopes := []Scope{scope, {List: "ic.ListEnvironments", Region: "eu-west-1", Filter: `"Frankfurt" ""`}, {}}
	for _, s := range scopes {
		for _, k := range keys {
			tok := tokenFor(t, s, k)
			if strings.Trim(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Errorf("token %q is not unpadded base64url", tok)
			}
			if len(tok) > MaxTokenLen {
				t.Errorf("token for a %d-byte key is %d chars, over MaxTokenLen", len(k), len(tok))
			}
			r, err := Read(s, dxOpts, ptr[int32](3), &tok)
			if err != nil {
				t.Fatalf("key %q in %+v: %v", k, s, err)
			}
			if r.After != k || r.Limit != 3 {
				t.Errorf("key %q in %+v: Read = %+v", k, s, r)
			}
		}
	}
}

func TestLongestToken(t *testing.T) {
	tok := tokenFor(t, scope, strings.Repeat("\xff", MaxKeyLen))
	if len(tok) != 354 {
		t.Errorf("longest token is %d chars; the doc of MaxTokenLen says 354", len(tok))
	}
}

func TestTamperedTokensRefused(t *testing.T) {
	const key = "dxcon-ffabc123"
	tok := tokenFor(t, scope, key)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	refused := func(t *testing.T, s Scope, token string) {
		t.Helper()
		_, err := Read(s, dxOpts, nil, &token)
		if err == nil {
			t.Fatalf("token %q accepted in %+v", token, s)
		}
		mustInvalid(t, err, token)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

	t.Run("every character replaced", func(t *testing.T) {
		for i := range tok {
			for _, c := range []byte(alphabet) {
				if c != tok[i] {
					refused(t, scope, tok[:i]+string(c)+tok[i+1:])
				}
			}
		}
	})
	t.Run("every bit flipped", func(t *testing.T) {
		for i := range raw {
			for b := range 8 {
				r := slices.Clone(raw)
				r[i] ^= 1 << b
				refused(t, scope, base64.RawURLEncoding.EncodeToString(r))
			}
		}
	})
	t.Run("truncated", func(t *testing.T) {
		for n := range len(tok) {
			refused(t, scope, tok[:n])
		}
	})
	t.Run("extended", func(t *testing.T) {
		refused(t, scope, tok+"A")
		refused(t, scope, tok+"AA")
		refused(t, scope, tok+"AAAA")
		refused(t, scope, "AAAA"+tok)
	})
	t.Run("other scope", func(t *testing.T) {
		for _, s := range []Scope{
			{List: scope.List, Account: "444455556666", Region: scope.Region},
			{List: scope.List, Account: scope.Account, Region: "eu-west-1"},
			{List: "dx.DescribeLags", Account: scope.Account, Region: scope.Region},
			{List: scope.List, Account: scope.Account, Region: scope.Region, Filter: "dxcon-ffabc123"},
			// Length prefixes keep field boundaries: moving a character
			// from one field to the next is another scope.
			{List: scope.List + "1", Account: "11122223333", Region: scope.Region},
			{},
		} {
			refused(t, s, tok)
		}
		filtered := scope
		filtered.Filter = "dxlag-fgabc123"
		ftok := tokenFor(t, filtered, key)
		refused(t, scope, ftok)
		filtered.Filter = "dxlag-fgabc124"
		refused(t, filtered, ftok)
	})
	t.Run("not canonical", func(t *testing.T) {
		refused(t, scope, tok+"==")
		refused(t, scope, tok[:4]+"\n"+tok[4:])
		refused(t, scope, tok[:4]+"\r\n"+tok[4:])
		refused(t, scope, " "+tok)
		std := base64.RawStdEncoding.EncodeToString(raw)
		if std != tok {
			refused(t, scope, std)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		for _, g := range []string{"", "A", "!!!!", "====", "null", "{}", "dxlab1:dxcon-ffabc123", "\x00\x00\x00\x00", "ü"} {
			refused(t, scope, g)
		}
	})
	t.Run("tokens of the old codecs", func(t *testing.T) {
		for _, old := range []string{"dxlab1:dxcon-ffabc123", "dxlab1:100", "dxlab1:-9223372036854775808", "dxlab1:"} {
			refused(t, scope, base64.RawURLEncoding.EncodeToString([]byte(old)))
		}
	})
	t.Run("too long", func(t *testing.T) {
		refused(t, scope, strings.Repeat("A", MaxTokenLen+1))
		refused(t, scope, tok+strings.Repeat("A", MaxTokenLen))
		refused(t, scope, strings.Repeat("A", 1<<20))
	})
	// Forged tokens, checksummed correctly, that Trim never issues.
	t.Run("forged", func(t *testing.T) {
		forge := func(body []byte) string {
			return base64.RawURLEncoding.EncodeToString(append(slices.Clone(body), checksum(scope, body)...))
		}
		refused(t, scope, forge([]byte{version}))                                              // empty key
		refused(t, scope, forge(append([]byte{2}, key...)))                                    // other version
		refused(t, scope, forge(append([]byte{0}, key...)))                                    // other version
		refused(t, scope, forge(append([]byte{version}, strings.Repeat("k", MaxKeyLen+1)...))) // key too long
		if got := forge(append([]byte{version}, key...)); got != tok {
			t.Fatalf("forge does not build the real layout: %q, want %q", got, tok)
		}
	})
}

// A token far over the limit is refused before anything proportional to it
// is allocated (let alone decoded).
func TestHugeTokenRefusedCheaply(t *testing.T) {
	huge := strings.Repeat("A", 16<<20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(scope, dxOpts, nil, &huge)
	runtime.ReadMemStats(&after)
	mustInvalid(t, err, huge)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("refusing a 16 MiB token allocated %d bytes", n)
	}
}

func TestFetch(t *testing.T) {
	for _, tt := range []struct{ limit, want int }{{0, MaxWhole + 1}, {1, 2}, {100, 101}} {
		if got := (Request{Limit: tt.limit}).Fetch(); got != tt.want {
			t.Errorf("Fetch with Limit %d = %d, want %d", tt.limit, got, tt.want)
		}
	}
}

func TestTrim(t *testing.T) {
	items := []string{"a", "b", "c", "d"}
	tests := []struct {
		name    string
		r       Request
		items   []string
		want    []string
		wantTok string // the key the token continues after; "" for none
	}{
		{"no limit", Request{}, items, items, ""},
		{"empty", Request{Limit: 2}, []string{}, []string{}, ""},
		{"fewer than the limit", Request{Limit: 5}, items, items, ""},
		{"exactly the limit", Request{Limit: 4}, items, items, ""},
		{"one more than the limit", Request{Limit: 3}, items, items[:3], "c"},
		{"more than fetched", Request{Limit: 1}, items, items[:1], "a"},
		{"after a key", Request{Limit: 2, After: "a"}, items[1:], items[1:3], "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tok := Trim(scope, tt.r, tt.items, id)
			if !slices.Equal(got, tt.want) {
				t.Errorf("page = %q, want %q", got, tt.want)
			}
			switch {
			case tt.wantTok == "" && tok != nil:
				t.Errorf("token %q on the last page", *tok)
			case tt.wantTok != "" && tok == nil:
				t.Errorf("no token, want one after %q", tt.wantTok)
			case tt.wantTok != "":
				r, err := Read(scope, dxOpts, nil, tok)
				if err != nil || r.After != tt.wantTok {
					t.Errorf("token reads as %+v, %v; want after %q", r, err, tt.wantTok)
				}
			}
		})
	}
}

func TestTrimPageDoesNotAliasTheRest(t *testing.T) {
	items := []string{"a", "b", "c"}
	got, _ := Trim(scope, Request{Limit: 1}, items, id)
	_ = append(got, "x")
	if items[1] != "b" {
		t.Errorf("appending to the page overwrote the fetched items: %q", items)
	}
}

func TestTrimPanicsOnKeysItCannotContinueAfter(t *testing.T) {
	for name, tt := range map[string]struct {
		r     Request
		items []string
	}{
		"empty key":           {Request{Limit: 1}, []string{"", "a"}},
		"key too long":        {Request{Limit: 1}, []string{strings.Repeat("k", MaxKeyLen+1), "z"}},
		"key not after":       {Request{Limit: 1, After: "m"}, []string{"m", "n"}},
		"key before After":    {Request{Limit: 2, After: "m"}, []string{"a", "b", "c"}},
		"unsorted from store": {Request{Limit: 1, After: "b"}, []string{"a", "c"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Trim did not panic", name)
				}
			}()
			Trim(scope, tt.r, tt.items, id)
		}()
	}
}

func TestSlice(t *testing.T) {
	sorted := []string{"b", "d", "f", "h"}
	tests := []struct {
		name    string
		r       Request
		want    []string
		wantTok bool
	}{
		{"all", Request{}, sorted, false},
		{"first page", Request{Limit: 2}, []string{"b", "d"}, true},
		{"after a present key", Request{Limit: 2, After: "d"}, []string{"f", "h"}, false},
		{"after an absent key", Request{Limit: 1, After: "c"}, []string{"d"}, true},
		{"after a key before all", Request{Limit: 10, After: "a"}, sorted, false},
		{"after the last key", Request{Limit: 2, After: "h"}, []string{}, false},
		{"after everything", Request{Limit: 2, After: "z"}, []string{}, false},
		{"no limit after a key", Request{After: "d"}, []string{"f", "h"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tok := Slice(scope, tt.r, sorted, id)
			if !slices.Equal(got, tt.want) || (tok != nil) != tt.wantTok {
				t.Errorf("Slice = %q, token %v; want %q, token %v", got, tok != nil, tt.want, tt.wantTok)
			}
		})
	}
	withRoom := append(make([]string, 0, 10), sorted...)
	got, _ := Slice(scope, Request{After: "d"}, withRoom, id)
	_ = append(got, "x")
	if withRoom[:5][4] != "" {
		t.Errorf("appending to the last page wrote into the catalog's spare capacity")
	}
}

// Paging through a list that changes between pages never repeats an item,
// returns items in order, and returns every item that existed throughout.
// This is the property offsets lack.
func TestPagingUnderConcurrentChange(t *testing.T) {
	// Keys from a small alphabet, including bytes that are not UTF-8, so
	// that inserts land between, before and after the keys paged so far.
	const alphabet = "\x00ab\x7f\xff"
	randKey := func(rng *rand.Rand) string {
		b := make([]byte, 1+rng.IntN(3))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for seed := range uint64(2000) {
		rng := rand.New(rand.NewPCG(seed, 0x9a9e))
		present := map[string]bool{}
		for range rng.IntN(40) {
			present[randKey(rng)] = true
		}
		throughout := map[string]bool{}
		for k := range present {
			throughout[k] = true
		}
		opts := Options{Default: 1 + rng.IntN(4), Max: 5}
		var maxResults *int32
		if rng.IntN(2) == 0 {
			maxResults = ptr(int32(1 + rng.IntN(8)))
		}
		seen := map[string]bool{}
		var last string
		var token *string
		for pages := 0; ; pages++ {
			if pages > 200 {
				t.Fatalf("seed %d: more than 200 pages", seed)
			}
			r, err := Read(scope, opts, maxResults, token)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			sorted := make([]string, 0, len(present))
			for k := range present {
				sorted = append(sorted, k)
			}
			slices.Sort(sorted)
			got, next := Slice(scope, r, sorted, id)
			if r.Limit != 0 && len(got) > r.Limit {
				t.Fatalf("seed %d: page of %d items over limit %d", seed, len(got), r.Limit)
			}
			for _, k := range got {
				if seen[k] {
					t.Fatalf("seed %d: %q returned twice", seed, k)
				}
				if k <= last {
					t.Fatalf("seed %d: %q returned after %q", seed, k, last)
				}
				seen[k] = true
				last = k
			}
			if next == nil {
				break
			}
			token = next
			// Between pages: inserts and deletes anywhere in the list.
			for range rng.IntN(6) {
				k := randKey(rng)
				if present[k] {
					delete(present, k)
					delete(throughout, k)
				} else {
					present[k] = true
				}
			}
		}
		for k := range throughout {
			if !seen[k] {
				t.Fatalf("seed %d: %q existed throughout but was skipped", seed, k)
			}
		}
	}
}

// FuzzRead feeds arbitrary tokens: Read must not panic, must refuse with a
// fault.Invalid or accept only a token Trim could have issued, and any key
// must round-trip.
func FuzzRead(f *testing.F) {
	f.Add("", "dxcon-ffabc123", int32(0), false)
	f.Add("garbage!", "a", int32(-1), true)
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("dxlab1:100")), "\x00\xff", int32(5), true)
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("dxlab1:dxcon-ffabc123")), "", int32(101), true)
	for _, k := range []string{"dxcon-ffabc123", "a", strings.Repeat("z", MaxKeyLen)} {
		f.Add(encode(scope, k), k, int32(100), false)
		f.Add(encode(scope, k)+"A", k, int32(1), true)
	}
	f.Fuzz(func(t *testing.T, token, key string, n int32, hasMax bool) {
		var maxResults *int32
		if hasMax {
			maxResults = &n
		}
		r, err := Read(scope, icOpts, maxResults, &token)
		if err != nil {
			if f, ok := err.(*fault.Error); !ok || f.Kind != fault.Invalid {
				t.Fatalf("error %v is not fault.Invalid", err)
			}
			if len(err.Error()) > 200 {
				t.Fatalf("message too long: %q", err)
			}
		} else {
			if r.Limit < 1 || r.Limit > icOpts.Max {
				t.Fatalf("accepted %q with limit %d", token, r.Limit)
			}
			if len(r.After) < 1 || len(r.After) > MaxKeyLen {
				t.Fatalf("accepted %q with a %d-byte key", token, len(r.After))
			}
			if encode(scope, r.After) != token {
				t.Fatalf("accepted %q, which is not the token of its key %q", token, r.After)
			}
		}
		if len(key) < 1 || len(key) > MaxKeyLen {
			return
		}
		tok := encode(scope, key)
		r, err = Read(scope, icOpts, nil, &tok)
		if err != nil || r.After != key {
			t.Fatalf("key %q: Read = %+v, %v", key, r, err)
		}
	})
}
