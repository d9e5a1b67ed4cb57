package vpc

import (
	"context"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// retag checks a CreateTags or DeleteTags request's resources and changes
// the tags of each, all or none: a VGW or TGW of the caller's.
func (e *EC2) retag(ctx context.Context, ids []string, dry bool, change func([]Tag) ([]Tag, error)) error {
	if len(ids) == 0 {
		return missingParameter("ResourceId")
	}
	if err := dryRun(dry); err != nil {
		return err
	}
	return e.update(ctx, func(tx *resource.Tx) error {
		for _, id := range dedupe(ids) {
			k, err := taggable(id)
			if err != nil {
				return err
			}
			o, err := k.load(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			if o.Doc.Tags, err = change(o.Doc.Tags); err != nil {
				return err
			}
			if err := k.kind.Save(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// taggable is the kind of a resource CreateTags and DeleteTags may change.
func taggable(id string) (ec2Kind, error) {
	for _, k := range ec2Kinds {
		if k.is(id) {
			return k, nil
		}
	}
	return ec2Kind{}, fault.Coded(fault.Invalid, "InvalidID", "The ID '%s' is not valid: dxlab tags VPN gateways (vgw-) and transit gateways (tgw-).", limits.Echo(id))
}

// CreateTags adds or overwrites tags on each resource named, all or none.
func (e *EC2) CreateTags(ctx context.Context, in *ec2api.CreateTagsInput) (*ec2api.Return, error) {
	if len(in.Tags) == 0 {
		return nil, missingParameter("Tag")
	}
	err := e.retag(ctx, in.ResourceIDs, in.DryRun, func(tags []Tag) ([]Tag, error) {
		var err error
		for _, t := range in.Tags {
			if tags, err = putTag(tags, t.Key, t.Value); err != nil {
				return nil, err
			}
		}
		return tags, nil
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.Return{Return: true}, nil
}

// DeleteTags removes tags from each resource named: a key alone removes
// the tag whatever its value, a key and value only if the value matches;
// no tags named removes every tag.
func (e *EC2) DeleteTags(ctx context.Context, in *ec2api.DeleteTagsInput) (*ec2api.Return, error) {
	for _, t := range in.Tags {
		if err := checkTagKey(t.Key); err != nil {
			return nil, err
		}
	}
	err := e.retag(ctx, in.ResourceIDs, in.DryRun, func(tags []Tag) ([]Tag, error) {
		kept := tags[:0]
		for _, have := range tags {
			if !deletes(in.Tags, have) {
				kept = append(kept, have)
			}
		}
		return kept, nil
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.Return{Return: true}, nil
}

func deletes(req []ec2api.DeleteTag, t Tag) bool {
	if len(req) == 0 {
		return true
	}
	for _, d := range req {
		if d.Key == t.Key && (d.Value == nil || *d.Value == t.Value) {
			return true
		}
	}
	return false
}

// DescribeTags lists the tags of the caller's VGWs and TGWs of its region
// that match the filters (resource-id, resource-type, key, value), in one
// page.
func (e *EC2) DescribeTags(ctx context.Context, in *ec2api.DescribeTagsInput) (*ec2api.DescribeTagsOutput, error) {
	filters := filterSet(in.Filters)
	if err := filters.check("resource-id", "resource-type", "key", "value"); err != nil {
		return nil, err
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	out := &ec2api.DescribeTagsOutput{Tags: []ec2api.TagDescription{}}
	err := e.Store.View(ctx, func(r store.Reader) error {
		for _, k := range ec2Kinds {
			list, err := k.find(ctx, r, nil)
			if err != nil {
				return err
			}
			for _, o := range list {
				for _, t := range o.Doc.Tags {
					attrs := map[string][]string{"resource-id": {o.ID}, "resource-type": {k.resourceType}, "key": {t.Key}, "value": {t.Value}}
					if filters.match(attrs, nil) {
						out.Tags = append(out.Tags, ec2api.TagDescription{ResourceID: o.ID, ResourceType: k.resourceType, Key: t.Key, Value: t.Value})
					}
				}
			}
		}
		return nil
	})
	return out, err
}
