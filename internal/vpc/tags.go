package vpc

import (
	"context"
	"strings"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

func attachmentNotFound(id string) error {
	return fault.Coded(fault.NotFound, "InvalidTransitGatewayAttachmentID.NotFound", "Transit Gateway Attachment %s was deleted or does not exist.", clipped(id))
}

// taggable finds a resource CreateTags and DeleteTags may change: a VGW or
// TGW of the caller's.
func taggable(ctx context.Context, r store.Reader, id string) (*resource.Kind[Gateway], *resource.Object[Gateway], error) {
	switch {
	case strings.HasPrefix(id, "vgw-"):
		o, err := loadVGW(ctx, r, id)
		return vgws, o, err
	case strings.HasPrefix(id, "tgw-") && !strings.HasPrefix(id, "tgw-attach-") && !strings.HasPrefix(id, "tgw-rtb-"):
		o, err := loadTGW(ctx, r, id)
		return tgws, o, err
	}
	return nil, nil, fault.Coded(fault.Invalid, "InvalidID", "The ID '%s' is not valid: dxlab tags VPN gateways (vgw-) and transit gateways (tgw-).", clipped(id))
}

// CreateTags adds or overwrites tags on each resource named, all or none.
func (e *EC2) CreateTags(ctx context.Context, in *ec2api.CreateTagsInput) (*ec2api.Return, error) {
	if len(in.ResourceIDs) == 0 {
		return nil, missingParameter("ResourceId")
	}
	if len(in.Tags) == 0 {
		return nil, missingParameter("Tag")
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	err := e.update(ctx, func(tx *resource.Tx) error {
		for _, id := range dedupe(in.ResourceIDs) {
			k, o, err := taggable(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			for _, t := range in.Tags {
				if o.Doc.Tags, err = putTag(o.Doc.Tags, t.Key, t.Value); err != nil {
					return err
				}
			}
			if err := k.Save(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
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
	if len(in.ResourceIDs) == 0 {
		return nil, missingParameter("ResourceId")
	}
	for _, t := range in.Tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, invalidValue("Tag keys starting with 'aws:' are reserved for internal use.")
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	err := e.update(ctx, func(tx *resource.Tx) error {
		for _, id := range dedupe(in.ResourceIDs) {
			k, o, err := taggable(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			kept := o.Doc.Tags[:0]
			for _, have := range o.Doc.Tags {
				if !deletes(in.Tags, have) {
					kept = append(kept, have)
				}
			}
			o.Doc.Tags = kept
			if err := k.Save(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
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
	who := caller.From(ctx)
	out := &ec2api.DescribeTagsOutput{Tags: []ec2api.TagDescription{}}
	err := e.Store.View(ctx, func(r store.Reader) error {
		for _, kind := range []struct {
			k    *resource.Kind[Gateway]
			name string
		}{{vgws, "vpn-gateway"}, {tgws, "transit-gateway"}} {
			list, err := kind.k.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region})
			if err != nil {
				return err
			}
			for _, o := range list {
				for _, t := range o.Doc.Tags {
					attrs := map[string][]string{"resource-id": {o.ID}, "resource-type": {kind.name}, "key": {t.Key}, "value": {t.Value}}
					if filters.match(attrs, nil) {
						out.Tags = append(out.Tags, ec2api.TagDescription{ResourceID: o.ID, ResourceType: kind.name, Key: t.Key, Value: t.Value})
					}
				}
			}
		}
		return nil
	})
	return out, err
}
