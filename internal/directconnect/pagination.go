package directconnect

import (
	"encoding/base64"
	"strings"

	"github.com/dxlab/dxlab/internal/store"
)

// MaxPageSize is the most a Describe call returns at once; a larger
// maxResults is clamped to it, as AWS does.
const MaxPageSize = 100

// page is a decoded maxResults/nextToken pair. Without maxResults a
// Describe returns everything, as it did before AWS added pagination.
type page struct {
	limit int
	after string
}

const tokenPrefix = "dxlab1:"

func readPage(maxResults *int32, nextToken *string) (page, error) {
	var p page
	if maxResults != nil {
		n := int(*maxResults)
		if n < 1 {
			return page{}, invalid("maxResults must be at least 1.")
		}
		p.limit = min(n, MaxPageSize)
	}
	if nextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*nextToken)
		if err != nil || !strings.HasPrefix(string(raw), tokenPrefix) {
			return page{}, invalid("The pagination token %s is invalid.", *nextToken)
		}
		p.after = strings.TrimPrefix(string(raw), tokenPrefix)
		if p.limit == 0 {
			p.limit = MaxPageSize
		}
	}
	return p, nil
}

// fetch is how many records to ask the store for: one more than the page,
// to learn whether another page follows.
func (p page) fetch() int {
	if p.limit == 0 {
		return 0
	}
	return p.limit + 1
}

// trim cuts recs to the page and returns the token of the next page, if any.
func (p page) trim(recs []store.Record) ([]store.Record, *string) {
	if p.limit == 0 || len(recs) <= p.limit {
		return recs, nil
	}
	recs = recs[:p.limit]
	token := base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + recs[len(recs)-1].ID))
	return recs, &token
}
