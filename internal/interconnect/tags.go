package interconnect

import (
	"context"
	"strings"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// Tags are a map here (Direct Connect's are a list). Only connections take
// tags, by their ARN, as the model says. The model bounds keys (1-128) and
// values (0-256); dxlab adds AWS's usual rules: at most MaxTags, keys
// beginning "aws:" are AWS's own.
const MaxTags = 50

const reservedTagPrefix = "aws:"

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func checkTagKeys(keys map[string]string) error {
	for k := range keys {
		if strings.HasPrefix(strings.ToLower(k), reservedTagPrefix) {
			return invalid("Tag keys starting with %q are reserved for AWS use: %s.", reservedTagPrefix, k)
		}
	}
	return nil
}

func checkTagCount(tags map[string]string) error {
	if len(tags) > MaxTags {
		return fault.New(fault.TooManyTags, "A connection can have at most %d tags; this would give it %d.", MaxTags, len(tags))
	}
	return nil
}

// newTags are the tags a connection is created (or accepted) with.
func newTags(in map[string]string) (map[string]string, error) {
	if err := checkTagKeys(in); err != nil {
		return nil, err
	}
	if err := checkTagCount(in); err != nil {
		return nil, err
	}
	return maps(in), nil
}

// tagged loads the connection an ARN names; an ARN of another account or
// region, or of no connection, names nothing the caller has.
func (s *Service) tagged(ctx context.Context, r store.Reader, arn string) (*resource.Object[connection], error) {
	who := caller.From(ctx)
	m := arnPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, invalid("%s is not the ARN of an AWS Interconnect connection.", arn)
	}
	if m[1] != who.Region || m[2] != who.Account {
		return nil, fault.New(fault.NotFound, "Resource %s does not exist.", arn)
	}
	o, err := connections.LoadAs(ctx, r, m[3], resource.Owner)
	if err != nil {
		return nil, fault.New(fault.NotFound, "Resource %s does not exist.", arn)
	}
	return o, nil
}

func (s *Service) retag(ctx context.Context, arn string, fn func(tags map[string]string) error) error {
	return s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := s.tagged(ctx, tx.Reader(), arn)
		if err != nil {
			return err
		}
		if o.Doc.Tags == nil {
			o.Doc.Tags = map[string]string{}
		}
		if err := fn(o.Doc.Tags); err != nil {
			return err
		}
		return connections.Save(ctx, tx, o)
	})
}

func (s *Service) TagResource(ctx context.Context, in *icapi.TagResourceRequest) (*icapi.TagResourceResponse, error) {
	if err := checkTagKeys(in.Tags); err != nil {
		return nil, err
	}
	err := s.retag(ctx, smithy.Deref(in.Arn), func(tags map[string]string) error {
		for k, v := range in.Tags {
			tags[k] = v
		}
		return checkTagCount(tags)
	})
	if err != nil {
		return nil, err
	}
	return &icapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *icapi.UntagResourceRequest) (*icapi.UntagResourceResponse, error) {
	for _, k := range in.TagKeys {
		if strings.HasPrefix(strings.ToLower(k), reservedTagPrefix) {
			return nil, invalid("Tag keys starting with %q are reserved for AWS use: %s.", reservedTagPrefix, k)
		}
	}
	err := s.retag(ctx, smithy.Deref(in.Arn), func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &icapi.UntagResourceResponse{}, nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *icapi.ListTagsForResourceRequest) (*icapi.ListTagsForResourceResponse, error) {
	var o *resource.Object[connection]
	err := s.view(ctx, func(r store.Reader) (err error) {
		o, err = s.tagged(ctx, r, smithy.Deref(in.Arn))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &icapi.ListTagsForResourceResponse{Tags: maps(o.Doc.Tags)}, nil
}
