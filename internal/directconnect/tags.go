package directconnect

import (
	"context"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// MaxTags is the most tags a resource may carry; tags whose key begins with
// the reserved "aws:" prefix do not count.
const MaxTags = 50

const reservedTagPrefix = "aws:"

// tag is a resource's tag; resources both services share keep them too.
type tag = resource.Tag

func apiTags(tags []tag) []dxapi.Tag {
	out := make([]dxapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = dxapi.Tag{Key: smithy.Ptr(t.Key), Value: smithy.Ptr(t.Value)}
	}
	return out
}

// checkTagKey refuses keys AWS keeps for itself.
func checkTagKey(key string) error {
	if strings.HasPrefix(key, reservedTagPrefix) {
		return invalid("Tag keys starting with %q are reserved for AWS use: %s.", reservedTagPrefix, key)
	}
	return nil
}

// tagInput checks a request's tags: no key twice, none reserved. The model's
// validators have already checked lengths and characters.
func tagInput(in []dxapi.Tag) ([]tag, error) {
	seen := make(map[string]bool, len(in))
	out := make([]tag, 0, len(in))
	for _, t := range in {
		key := smithy.Deref(t.Key)
		if seen[key] {
			return nil, fault.New(fault.DuplicateTagKeys, "A tag key was specified more than once: %s.", key)
		}
		seen[key] = true
		if err := checkTagKey(key); err != nil {
			return nil, err
		}
		out = append(out, tag{Key: key, Value: smithy.Deref(t.Value)})
	}
	return out, nil
}

// newTags are the tags a resource is created with.
func newTags(in []dxapi.Tag) ([]tag, error) {
	tags, err := tagInput(in)
	if err != nil {
		return nil, err
	}
	if err := checkTagCount(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

func checkTagCount(tags []tag) error {
	n := 0
	for _, t := range tags {
		if !strings.HasPrefix(t.Key, reservedTagPrefix) {
			n++
		}
	}
	if n > MaxTags {
		return fault.New(fault.TooManyTags, "You have reached the limit on the number of tags that can be assigned: a resource can have at most %d tags.", MaxTags)
	}
	return nil
}

// merge sets each of add on tags, replacing the value of a key already
// there and keeping the order keys were first added in.
func merge(tags, add []tag) []tag {
	for _, a := range add {
		replaced := false
		for i := range tags {
			if tags[i].Key == a.Key {
				tags[i].Value, replaced = a.Value, true
				break
			}
		}
		if !replaced {
			tags = append(tags, a)
		}
	}
	return tags
}

// tagged is a document with tags.
type tagged interface{ TagList() *[]tag }

// tagTarget is what tagging needs of a resource kind: the tags of a
// resource only its owner may see, and a way to save them. Tags are
// owner-only, as AWS documents: an account that merely sees a resource
// neither reads nor changes its tags.
type tagTarget interface {
	load(ctx context.Context, r store.Reader, id string) (tags *[]tag, save func(*resource.Tx) error, err error)
}

type kindTags[T any, P interface {
	*T
	tagged
}] struct{ kind *resource.Kind[T] }

func (k kindTags[T, P]) load(ctx context.Context, r store.Reader, id string) (*[]tag, func(*resource.Tx) error, error) {
	o, err := k.kind.LoadAs(ctx, r, id, resource.Owner)
	if err != nil {
		return nil, nil, err
	}
	save := func(tx *resource.Tx) error {
		// A deleted resource's tags change no more than the rest of it.
		if err := refuseGone(k.kind.Noun, id, k.kind.State(o.Doc)); err != nil {
			return err
		}
		return k.kind.Save(ctx, tx, o)
	}
	return P(o.Doc).TagList(), save, nil
}

// taggable maps the resource type of an ARN to its kinds, tried in turn:
// interconnects have dxcon/ ARNs like connections.
var taggable = map[string]struct {
	kind interface{ Missing(id string) error }
	tags []tagTarget
	// global: the ARN has no region (a Direct Connect gateway's).
	global bool
}{
	"dxcon":      {connections, []tagTarget{kindTags[connection, *connection]{connections}, kindTags[interconnect, *interconnect]{interconnects}}, false},
	"dxlag":      {lags, []tagTarget{kindTags[lag, *lag]{lags}}, false},
	"dxvif":      {vifs, []tagTarget{kindTags[vif, *vif]{vifs}}, false},
	"dx-gateway": {gateway.Kind, []tagTarget{kindTags[gateway.Gateway, *gateway.Gateway]{gateway.Kind}}, true},
}

// loadTagged reads the tags of the resource an ARN names.
func loadTagged(ctx context.Context, r store.Reader, arn string) (*[]tag, func(*resource.Tx) error, error) {
	bad := invalid("Resource ARN %s has an invalid format.", limits.Echo(arn))
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "directconnect" {
		return nil, nil, bad
	}
	typ, id, ok := strings.Cut(parts[5], "/")
	if !ok || id == "" {
		return nil, nil, bad
	}
	t, ok := taggable[typ]
	if !ok {
		return nil, nil, invalid("Resource ARN %s does not name a taggable Direct Connect resource.", limits.Echo(arn))
	}
	who := caller.From(ctx)
	region := who.Region
	if t.global {
		region = ""
	}
	if parts[3] != region || parts[4] != who.Account {
		return nil, nil, t.kind.Missing(id)
	}
	var err error
	for _, k := range t.tags {
		tags, save, kerr := k.load(ctx, r, id)
		if kerr == nil {
			return tags, save, nil
		}
		if err == nil {
			err = kerr // the first kind's not-found names the ARN's resource
		}
	}
	return nil, nil, err
}

func (s *Service) TagResource(ctx context.Context, in *dxapi.TagResourceRequest) (*dxapi.TagResourceResponse, error) {
	add, err := tagInput(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		tags, save, err := loadTagged(ctx, tx.Reader(), smithy.Deref(in.ResourceArn))
		if err != nil {
			return err
		}
		*tags = merge(*tags, add)
		if err := checkTagCount(*tags); err != nil {
			return err
		}
		return save(tx)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *dxapi.UntagResourceRequest) (*dxapi.UntagResourceResponse, error) {
	for _, k := range in.TagKeys {
		if err := checkTagKey(k); err != nil {
			return nil, err
		}
	}
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		tags, save, err := loadTagged(ctx, tx.Reader(), smithy.Deref(in.ResourceArn))
		if err != nil {
			return err
		}
		*tags = slices.DeleteFunc(*tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return save(tx)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.UntagResourceResponse{}, nil
}

func (s *Service) DescribeTags(ctx context.Context, in *dxapi.DescribeTagsRequest) (*dxapi.DescribeTagsResponse, error) {
	if len(in.ResourceArns) == 0 {
		return nil, invalid("resourceArns must name at least one resource.")
	}
	// An ARN asked for twice is answered once.
	var arns []string
	seen := map[string]bool{}
	for _, arn := range in.ResourceArns {
		if !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
		if len(arns) > limits.MaxDescribeTagsARNs {
			return nil, invalid("DescribeTags takes at most %d distinct resource ARNs at a time.", limits.MaxDescribeTagsARNs)
		}
	}
	out := &dxapi.DescribeTagsResponse{ResourceTags: []dxapi.ResourceTag{}}
	err := s.view(ctx, func(r store.Reader) error {
		for _, arn := range arns {
			tags, _, err := loadTagged(ctx, r, arn)
			if err != nil {
				return err
			}
			out.ResourceTags = append(out.ResourceTags, dxapi.ResourceTag{ResourceArn: smithy.Ptr(arn), Tags: apiTags(*tags)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
