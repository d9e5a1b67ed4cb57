// Package sts answers who a caller is. dxlab's callers are accounts, named
// by their access keys (the accounts file, or a 12-digit key itself), and
// act as the account's root user: that is what GetCallerIdentity says.
package sts

import (
	"context"

	"github.com/dxlab/dxlab/internal/api/stsapi"
	"github.com/dxlab/dxlab/internal/caller"
)

// Service is STS's GetCallerIdentity.
type Service struct{}

// GetCallerIdentity answers the caller's account, its root user's ARN (in
// the aws partition, the only one dxlab serves) and, as AWS does for a root
// user, the account again as the user id.
func (Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityInput) (*stsapi.GetCallerIdentityOutput, error) {
	who := caller.From(ctx)
	return &stsapi.GetCallerIdentityOutput{
		Arn:     "arn:aws:iam::" + who.Account + ":root",
		UserID:  who.Account,
		Account: who.Account,
	}, nil
}

var _ stsapi.Handler = Service{}
