package resource

import (
	"slices"

	"github.com/dxlab/dxlab/internal/caller"
)

// Role is how an account stands to a resource. It is the one rule of who
// may see what: every Load and List asks it, and the services ask it again
// for what only some roles may change.
type Role int

const (
	// None: the account cannot see the resource; it is told the resource
	// does not exist, exactly as for an id never created.
	None Role = iota
	// Viewer: an account the resource is shared with (the other side of a
	// hosted virtual interface, the partner owning a hosted connection's
	// interconnect). It sees the resource.
	Viewer
	// Owner: the account the resource belongs to. Only the owner tags it,
	// as AWS documents.
	Owner
)

// RoleOf is how the caller stands to a resource: a resource lives in one
// region (a global one, such as a Direct Connect gateway, in none: it is seen
// from every region), and is seen by its owner and its viewers.
func (m *Meta) RoleOf(who caller.Caller) Role {
	switch {
	case who.Account == "" || (m.Region != "" && m.Region != who.Region):
		return None
	case m.Account == who.Account:
		return Owner
	case slices.Contains(m.Viewers, who.Account):
		return Viewer
	}
	return None
}

// Sharing declares, per kind, which accounts besides the owner may see a
// resource. The Kind's save computes the viewers from it, so that the store
// can index them and List can ask for "what this account may see".
type Sharing[T any] struct {
	// ParentOwner: the owner of the resource's parent sees it (a partner
	// sees the hosted connections on its interconnects and LAGs).
	ParentOwner bool
	// With lists accounts the document names (both sides of a hosted
	// virtual interface).
	With func(doc *T) []string
}

// Tag is a resource's tag, as every taggable kind keeps its tags.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
