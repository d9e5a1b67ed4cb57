package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Seeding is a bench-only path: it fills a store with connections fast
// enough to measure dxlab holding a million of them (issue 12, section 4),
// where creating them through the API would take hours and meet every
// quota. It writes them as the service does, through the one write path
// (resource.Kind.Create in a resource.Update transaction): a record of the
// connection kind, owned by an account in the region, with its document
// and no viewers (a dedicated connection has none), and its "create" event
// on the timeline, so that every Describe, every listing, the operator API
// and the event timeline see them as they see created ones.
//
// The document is not built here. It is a template's: a connection the
// service itself created through the API at the start of the run, read back
// from the store and copied byte for byte, so a seeded connection carries
// exactly what the service writes (name, location, bandwidth, device, port,
// LOA time, tags, state) and stays right when the document changes shape.
// Only the record's id and owner differ.
//
// What the seed leaves out, on purpose: the claims the service makes (a
// port on a device, a unit of the connections-per-location quota). A
// million connections hold more ports than the whole built-in catalog has
// (about 400,000, 38,000 of them in us-east-1), so seeded connections share
// their template's port instead, hold no quota, and leave every port and
// quota unit to the workload's live creates. Deleting one releases nothing,
// which is what deleting a resource without claims does. And seeded
// connections are written in transactions of seedBatch, not one each:
// what is measured is the workload that follows, not the seed.

// seedBatch is how many connections one seeding transaction writes: large
// enough that commits cost nothing beside the rows, small enough that the
// running server's writer waits a fraction of a second at most.
const seedBatch = 5000

// template is a connection the service created, whose record seeding
// copies.
type template struct {
	id string
	// record is its record, when the bench can reach the store.
	record store.Record
	// state is its state, for the create event of each copy.
	state string
}

// seeded is a connection seeding wrote, and the index of its owner.
type seeded struct {
	account int
	id      string
}

// seedCause is what the timeline says made the seeded connections.
var seedCause = store.Cause{Type: store.CauseOperator, Operation: "BenchSeed"}

// seed writes n copies of tmpl through st, owned by accounts in turn, and
// returns their ids. progress, when set, is called once a second and at the
// end with how many are written.
func seed(ctx context.Context, st store.Store, tmpl template, accounts []string, n int, progress func(done int)) (*idPool, error) {
	kind := &resource.Kind[json.RawMessage]{
		Name:  tmpl.record.Kind,
		Noun:  "Connection",
		State: func(*json.RawMessage) string { return tmpl.state },
	}
	ids := newIDPool(len(accounts))
	var done atomic.Int64
	stop := tick(time.Second, func() {
		if progress != nil {
			progress(int(done.Load()))
		}
	})
	defer stop()
	ctx = resource.WithCause(ctx, seedCause)
	prefix := idPrefix(tmpl.record.ID)
	for written := 0; written < n; {
		batch := min(seedBatch, n-written)
		var made []seeded
		// The batch's ids are drawn first and written in order, so that
		// the pages of the tables and indexes keyed by id are changed a run
		// of rows at a time rather than at random as SQLite's cache turns
		// over (a store of a million has far more pages than the cache):
		// a third less time in system calls at 200,000.
		drawn := make([]string, batch)
		for i := range drawn {
			drawn[i] = prefix + randomSuffix()
		}
		slices.Sort(drawn)
		_, err := resource.Update(ctx, st, time.Now().UTC(), func(tx *resource.Tx) error {
			made = made[:0] // a rerun of the transaction starts again
			for i := range batch {
				a := (written + i) % len(accounts)
				doc := json.RawMessage(tmpl.record.Data)
				first := true
				o, err := kind.Create(ctx, tx, resource.Meta{Account: accounts[a], Region: tmpl.record.Region}, &doc,
					func() string {
						// After a collision, draw as the service does.
						if first {
							first = false
							return drawn[i]
						}
						return prefix + randomSuffix()
					})
				if err != nil {
					return err
				}
				made = append(made, seeded{a, o.ID})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("seeding connections %d to %d: %w", written+1, written+batch, err)
		}
		for _, m := range made {
			ids.add(m.account, m.id)
		}
		written += batch
		done.Store(int64(written))
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if progress != nil {
		progress(n)
	}
	return ids, nil
}

// idPrefix is the part of an id before its random suffix ("dxcon-").
func idPrefix(id string) string { return id[:len(id)-idSuffixLen] }

// idSuffixLen is how many random characters end a Direct Connect id:
// "dxcon-" and eight lowercase alphanumerics, the first an "f" as every
// real one has had for years.
const idSuffixLen = 8

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomSuffix draws an id's suffix as the service does. A million of them
// collide a few times among 36^7; Create draws again when one does.
func randomSuffix() string {
	var b [idSuffixLen]byte
	b[0] = 'f'
	for i := 1; i < len(b); i++ {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b[:])
}

// idPool holds the ids a workload reads and changes, by owning account.
// Ids of the form dxlab draws (a prefix and eight random characters) are
// kept as their suffixes in one array per account: a million ids then take
// 8 MB holding no pointers, which the garbage collector of the in-process
// dxlab never has to scan. Others (a peer's) are kept as they are.
type idPool struct {
	prefix    string
	byAccount [][][idSuffixLen]byte
	other     [][]string
}

func newIDPool(accounts int) *idPool {
	return &idPool{byAccount: make([][][idSuffixLen]byte, accounts), other: make([][]string, accounts)}
}

func (p *idPool) add(account int, id string) {
	if p.prefix == "" && len(id) > idSuffixLen {
		p.prefix = idPrefix(id)
	}
	if len(id) != len(p.prefix)+idSuffixLen || id[:len(p.prefix)] != p.prefix {
		p.other[account] = append(p.other[account], id)
		return
	}
	var s [idSuffixLen]byte
	copy(s[:], id[len(id)-idSuffixLen:])
	p.byAccount[account] = append(p.byAccount[account], s)
}

// len is how many ids account has.
func (p *idPool) len(account int) int { return len(p.byAccount[account]) + len(p.other[account]) }

// total is how many ids there are.
func (p *idPool) total() int {
	n := 0
	for a := range p.byAccount {
		n += p.len(a)
	}
	return n
}

// pick returns one of account's ids at random.
func (p *idPool) pick(account int, r *rand.Rand) string {
	ids := p.byAccount[account]
	i := r.IntN(p.len(account))
	if i >= len(ids) {
		return p.other[account][i-len(ids)]
	}
	s := ids[i]
	return p.prefix + string(s[:])
}

// errNoIDs is the error of a workload that reads connections when there
// are none to read.
var errNoIDs = errors.New("no connections to describe: seed some (--seed) or create some")

// collectIDs reads the ids of every connection of kind that accounts own in
// region from st, a page at a time: what a workload on a kept data
// directory reads and changes when this run seeded nothing.
func collectIDs(ctx context.Context, st store.Store, kind, region string, accounts []string) (*idPool, error) {
	ids := newIDPool(len(accounts))
	const page = 10000
	for a, account := range accounts {
		after := ""
		for {
			var recs []store.Record
			err := st.View(ctx, func(r store.Reader) (err error) {
				recs, err = r.List(ctx, store.ListQuery{Kind: kind, Account: account, Region: region, After: after, Limit: page})
				return err
			})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				if len(rec.ID) > idSuffixLen {
					ids.add(a, rec.ID)
				}
			}
			if len(recs) < page {
				break
			}
			after = recs[len(recs)-1].ID
		}
	}
	return ids, nil
}

// tick calls fn every interval until the returned stop is called.
func tick(interval time.Duration, fn func()) (stop func()) {
	t := time.NewTicker(interval)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-t.C:
				fn()
			case <-done:
				return
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
		<-finished
	}
}
