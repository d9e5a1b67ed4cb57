// Package api holds the Go packages generated from the AWS service models:
// dxapi (Direct Connect) and icapi (Interconnect). Regenerate them with
// `go generate ./internal/api`; the models are read from ../shared/models
// beside the checkout, or from $DXLAB_MODELS.
//
// ec2api and stsapi are written by hand: the slices of EC2 and STS that
// Direct Connect users' tools call, whose models dxlab does not ship.
package api

//go:generate go run ../../tools/modelgen -service directconnect/2012-10-25 -pkg dxapi -out dxapi
//go:generate go run ../../tools/modelgen -service interconnect/2022-07-26 -pkg icapi -out icapi
