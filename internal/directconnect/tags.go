package directconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/store"
)

// MaxTags is the most tags a resource may carry; tags whose key begins with
// the reserved "aws:" prefix do not count.
const MaxTags = 50

const reservedTagPrefix = "aws:"

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (t tag) api() dxapi.Tag {
	return dxapi.Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
}

// tagInput checks a request's tags: no key twice, none reserved. The model's
// validators have already checked lengths and characters.
func tagInput(in []dxapi.Tag) ([]tag, error) {
	seen := make(map[string]bool, len(in))
	out := make([]tag, 0, len(in))
	for _, t := range in {
		key := deref(t.Key)
		if seen[key] {
			return nil, fault.New(fault.DuplicateTagKeys, "A tag key was specified more than once: %s.", key)
		}
		seen[key] = true
		if strings.HasPrefix(key, reservedTagPrefix) {
			return nil, invalid("Tag keys starting with %q are reserved for AWS use: %s.", reservedTagPrefix, key)
		}
		out = append(out, tag{Key: key, Value: deref(t.Value)})
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

// taggable maps the resource type of an ARN to the store kind and the noun
// its not-found message uses.
var taggable = map[string]struct{ kind, noun string }{
	"dxcon": {kindConnection, "Connection"},
}

// arnTarget is the resource an ARN names.
type arnTarget struct {
	kind, noun, id, account, region string
}

func parseARN(arn string) (arnTarget, error) {
	bad := invalid("Resource ARN %s has an invalid format.", arn)
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "directconnect" {
		return arnTarget{}, bad
	}
	typ, id, ok := strings.Cut(parts[5], "/")
	if !ok || id == "" {
		return arnTarget{}, bad
	}
	t, ok := taggable[typ]
	if !ok {
		return arnTarget{}, invalid("Resource ARN %s does not name a taggable Direct Connect resource.", arn)
	}
	return arnTarget{kind: t.kind, noun: t.noun, id: id, region: parts[3], account: parts[4]}, nil
}

// taggedDoc is the resource an ARN names, whatever its kind: every resource
// document keeps its tags in "tags", which is all tagging touches.
type taggedDoc struct {
	rec    store.Record
	fields map[string]json.RawMessage
	tags   []tag
}

func loadTagged(ctx context.Context, r store.Reader, arn string) (*taggedDoc, error) {
	t, err := parseARN(arn)
	if err != nil {
		return nil, err
	}
	notFound := func() error { return fault.New(fault.NotFound, "Could not find %s with ID %s", t.noun, t.id) }
	who := caller.From(ctx)
	if t.account != who.Account || t.region != who.Region {
		return nil, notFound()
	}
	d := &taggedDoc{}
	d.rec, err = load(ctx, r, t.kind, t.id, &d.fields, notFound)
	if err != nil {
		return nil, err
	}
	if raw, ok := d.fields["tags"]; ok {
		if err := json.Unmarshal(raw, &d.tags); err != nil {
			return nil, fmt.Errorf("tags of %s: %w", arn, err)
		}
	}
	return d, nil
}

func (d *taggedDoc) save(ctx context.Context, w store.Writer) error {
	raw, err := json.Marshal(d.tags)
	if err != nil {
		return err
	}
	d.fields["tags"] = raw
	return save(ctx, w, d.rec, d.fields)
}

func (s *Service) TagResource(ctx context.Context, in *dxapi.TagResourceRequest) (*dxapi.TagResourceResponse, error) {
	add, err := tagInput(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(w store.Writer) error {
		d, err := loadTagged(ctx, w, deref(in.ResourceArn))
		if err != nil {
			return err
		}
		d.tags = merge(d.tags, add)
		if err := checkTagCount(d.tags); err != nil {
			return err
		}
		return d.save(ctx, w)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *dxapi.UntagResourceRequest) (*dxapi.UntagResourceResponse, error) {
	for _, k := range in.TagKeys {
		if strings.HasPrefix(k, reservedTagPrefix) {
			return nil, invalid("Tag keys starting with %q are reserved for AWS use: %s.", reservedTagPrefix, k)
		}
	}
	err := s.update(ctx, func(w store.Writer) error {
		d, err := loadTagged(ctx, w, deref(in.ResourceArn))
		if err != nil {
			return err
		}
		kept := d.tags[:0]
		for _, t := range d.tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || t.Key == k
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		d.tags = kept
		return d.save(ctx, w)
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
	out := &dxapi.DescribeTagsResponse{ResourceTags: []dxapi.ResourceTag{}}
	err := s.view(ctx, func(r store.Reader) error {
		for _, arn := range in.ResourceArns {
			d, err := loadTagged(ctx, r, arn)
			if err != nil {
				return err
			}
			rt := dxapi.ResourceTag{ResourceArn: ptr(arn), Tags: make([]dxapi.Tag, len(d.tags))}
			for i, t := range d.tags {
				rt.Tags[i] = t.api()
			}
			out.ResourceTags = append(out.ResourceTags, rt)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
