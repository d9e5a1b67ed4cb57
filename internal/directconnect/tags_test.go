package directconnect_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

func tagsOf(t *testing.T, c *directconnect.Client, arn string) map[string]string {
	t.Helper()
	out, err := c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arn}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceTags) != 1 || aws.ToString(out.ResourceTags[0].ResourceArn) != arn {
		t.Fatalf("describe tags of %s: %+v", arn, out.ResourceTags)
	}
	m := map[string]string{}
	for _, tag := range out.ResourceTags[0].Tags {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

func TestTags(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("tagged"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("empty")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 2 || aws.ToString(out.Tags[0].Key) != "env" {
		t.Errorf("tags at creation: %+v", out.Tags)
	}
	arn := fmt.Sprintf("arn:aws:directconnect:%s:%s:dxcon/%s", region, account, *out.ConnectionId)
	if got := tagsOf(t, c, arn); len(got) != 2 || got["env"] != "test" || got["empty"] != "" {
		t.Fatalf("tags: %v", got)
	}

	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("net")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"empty", "never-set"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, c, arn); len(got) != 2 || got["env"] != "prod" || got["team"] != "net" {
		t.Fatalf("after tag and untag: %v", got)
	}
	if conn := describe(t, c, *out.ConnectionId); len(conn.Tags) != 2 {
		t.Errorf("DescribeConnections shows %d tags", len(conn.Tags))
	}

	// 48 more make 50: allowed. One more is not, and changes nothing.
	var many []types.Tag
	for i := range 48 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	if _, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: many}); err != nil {
		t.Fatalf("tagging up to 50: %v", err)
	}
	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("one-too-many")}}})
	apiError(t, err, "TooManyTagsException", "")
	var tooMany *types.TooManyTagsException
	if !errorsAs(err, &tooMany) {
		t.Errorf("the SDK does not see a *types.TooManyTagsException: %T", err)
	}
	if got := tagsOf(t, c, arn); len(got) != 50 {
		t.Errorf("a refused TagResource changed the tags: %d", len(got))
	}

	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("x")}, {Key: aws.String("x")}}})
	var dup *types.DuplicateTagKeysException
	if !errorsAs(err, &dup) {
		t.Errorf("duplicate keys: %v", err)
	}
	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("aws:cloudformation:stack")}}})
	apiError(t, err, "DirectConnectClientException", "reserved")
	_, err = c.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"aws:x"}})
	apiError(t, err, "DirectConnectClientException", "reserved")
	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("bad#key")}}})
	apiError(t, err, "DirectConnectClientException", "'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern")

	for _, bad := range []string{"not-an-arn", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1", "arn:aws:directconnect:us-east-1:111122223333:dxcon"} {
		_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{bad}})
		apiError(t, err, "DirectConnectClientException", bad)
	}
	_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{
		fmt.Sprintf("arn:aws:directconnect:%s:%s:dxcon/dxcon-fzzzzzzz", region, account)}})
	apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID dxcon-fzzzzzzz")
}
