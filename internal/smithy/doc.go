// Package smithy is the small runtime that the code generated from the AWS
// service models stands on: the operation table a protocol dispatches
// through, the timestamp type whose wire form each protocol owns, and the
// constraint checks the generated validators call.
//
// It knows shapes and constraints, not HTTP and not Direct Connect.
package smithy
