package directconnect

import (
	"context"
	"crypto/rand"
	"regexp"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// A MACsec key (a CKN and its CAK, kept in AWS Secrets Manager) of a
// MACsec-capable connection, interconnect or LAG:
//
//	associating -> associated   AWS pushes it to the port (an automation step)
//	any         -> (gone)       DisassociateMacSecKey answers it disassociated
//
// A LAG's keys are its members' keys. The port's encryption is up only while
// a key is associated and the link is up. When the last key goes, a
// must_encrypt mode drops to should_encrypt, as AWS does.
const (
	keyAssociating   = "associating"
	keyAssociated    = "associated"
	keyDisassociated = "disassociated"
)

const stepMacSecAssociate = "macsec-key.associate"

type macSecKey struct {
	SecretARN string `json:"secretArn"`
	Ckn       string `json:"ckn"`
	State     string `json:"state"`
	StartOn   string `json:"startOn"`
}

func apiMacSecKeys(keys []macSecKey) []dxapi.MacSecKey {
	out := make([]dxapi.MacSecKey, len(keys))
	for i, k := range keys {
		out[i] = dxapi.MacSecKey{SecretARN: smithy.Ptr(k.SecretARN), Ckn: smithy.Ptr(k.Ckn), State: smithy.Ptr(k.State), StartOn: smithy.Ptr(k.StartOn)}
	}
	return out
}

func portEncryption(linkUp bool, keys []macSecKey) string {
	if linkUp && slices.ContainsFunc(keys, func(k macSecKey) bool { return k.State == keyAssociated }) {
		return "Encryption Up"
	}
	return "Encryption Down"
}

var encryptionModes = []string{"no_encrypt", "should_encrypt", "must_encrypt"}

func checkEncryptionMode(mode *string) error {
	if mode != nil && !slices.Contains(encryptionModes, *mode) {
		return invalid("Encryption mode %s is not valid. Valid values: %s.", *mode, strings.Join(encryptionModes, ", "))
	}
	return nil
}

func setEncryptionMode(ph *physical, noun, id, mode string) error {
	if !ph.MacSec {
		return invalid("%s %s does not support MACsec, so it has no encryption mode.", noun, id)
	}
	ph.EncryptionMode = mode
	return nil
}

var (
	hex64     = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	secretARN = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:(.+)$`)
)

// keyTarget is a MACsec key holder: a connection or interconnect's
// physical part, or a LAG with its members.
type keyTarget struct {
	keys   *[]macSecKey
	mode   *string
	macSec bool
	save   func() error
	res    facility.Resource
}

// loadKeyTarget reads the connection, interconnect or LAG an id names, of
// the caller's.
func (s *Service) loadKeyTarget(ctx context.Context, tx *resource.Tx, id string) (keyTarget, error) {
	switch {
	case strings.HasPrefix(id, "dxlag-"):
		if err := checkLagID(id); err != nil {
			return keyTarget{}, err
		}
		l, err := lags.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return keyTarget{}, err
		}
		save := func() error {
			if err := lags.Save(ctx, tx, l); err != nil {
				return err
			}
			_, members, err := s.members(ctx, tx.Reader(), id)
			for _, m := range members {
				if err == nil {
					m.Doc.MacSecKeys = slices.Clone(l.Doc.MacSecKeys)
					m.Doc.EncryptionMode = l.Doc.EncryptionMode
					err = connections.Save(ctx, tx, m)
				}
			}
			return err
		}
		return keyTarget{&l.Doc.MacSecKeys, &l.Doc.EncryptionMode, l.Doc.MacSec, save, resourceOf(lags.Name, l.Meta)}, nil
	}
	if err := checkConnectionID(id); err != nil {
		return keyTarget{}, err
	}
	c, err := connections.LoadAs(ctx, tx.Reader(), id, resource.Owner)
	if err == nil {
		return keyTarget{&c.Doc.MacSecKeys, &c.Doc.EncryptionMode, c.Doc.MacSec,
			func() error { return connections.Save(ctx, tx, c) }, resourceOf(connections.Name, c.Meta)}, nil
	}
	i, ierr := interconnects.LoadAs(ctx, tx.Reader(), id, resource.Owner)
	if ierr != nil {
		return keyTarget{}, err
	}
	return keyTarget{&i.Doc.MacSecKeys, &i.Doc.EncryptionMode, i.Doc.MacSec,
		func() error { return interconnects.Save(ctx, tx, i) }, resourceOf(interconnects.Name, i.Meta)}, nil
}

func (s *Service) AssociateMacSecKey(ctx context.Context, in *dxapi.AssociateMacSecKeyRequest) (*dxapi.AssociateMacSecKeyResponse, error) {
	who := caller.From(ctx)
	id := smithy.Deref(in.ConnectionId)
	key := macSecKey{State: keyAssociating, StartOn: s.clock.Now().UTC().Format("2006-01-02T15:04:05Z")}
	switch {
	case in.SecretARN != nil && (in.Ckn != nil || in.Cak != nil):
		return nil, invalid("Give either secretARN or ckn and cak, not both.")
	case in.SecretARN != nil:
		m := secretARN.FindStringSubmatch(*in.SecretARN)
		if m == nil {
			return nil, invalid("secretARN %s is not the ARN of a Secrets Manager secret.", *in.SecretARN)
		}
		key.SecretARN = *in.SecretARN
		if i := strings.LastIndex(m[1], "/"); i >= 0 {
			key.Ckn = strings.SplitN(m[1][i+1:], "-", 2)[0]
		}
	case in.Ckn == nil || in.Cak == nil:
		return nil, invalid("Give a secretARN, or both ckn and cak.")
	case !hex64.MatchString(*in.Ckn) || !hex64.MatchString(*in.Cak):
		return nil, invalid("ckn and cak must each be 64 hexadecimal characters.")
	default:
		key.Ckn = strings.ToLower(*in.Ckn)
		// AWS keeps the key in Secrets Manager under this name, with a
		// random suffix.
		key.SecretARN = "arn:aws:secretsmanager:" + who.Region + ":" + who.Account + ":secret:directconnect!prod/" +
			who.Region + "/directconnect/" + key.Ckn + "-" + strings.ToLower(rand.Text()[:6])
	}
	var out *dxapi.AssociateMacSecKeyResponse
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		t, err := s.loadKeyTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		if !t.macSec {
			return invalid("%s is not MACsec capable: it takes no MACsec keys.", id)
		}
		if slices.ContainsFunc(*t.keys, func(k macSecKey) bool { return k.Ckn == key.Ckn || k.SecretARN == key.SecretARN }) {
			return fault.New(fault.Conflict, "The key %s is already associated with %s.", key.Ckn, id)
		}
		*t.keys = append(*t.keys, key)
		if err := t.save(); err != nil {
			return err
		}
		out = &dxapi.AssociateMacSecKeyResponse{ConnectionId: smithy.Ptr(id), MacSecKeys: apiMacSecKeys(*t.keys)}
		return s.facility.Schedule(ctx, tx, t.res, stepMacSecAssociate)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) DisassociateMacSecKey(ctx context.Context, in *dxapi.DisassociateMacSecKeyRequest) (*dxapi.DisassociateMacSecKeyResponse, error) {
	id, arn := smithy.Deref(in.ConnectionId), smithy.Deref(in.SecretARN)
	var out *dxapi.DisassociateMacSecKeyResponse
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		t, err := s.loadKeyTarget(ctx, tx, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(*t.keys, func(k macSecKey) bool { return k.SecretARN == arn })
		if i < 0 {
			return invalid("No MACsec key with secretARN %s is associated with %s.", arn, id)
		}
		gone := (*t.keys)[i]
		gone.State = keyDisassociated
		*t.keys = slices.Delete(*t.keys, i, i+1)
		if len(*t.keys) == 0 && *t.mode == "must_encrypt" {
			*t.mode = "should_encrypt"
		}
		out = &dxapi.DisassociateMacSecKeyResponse{ConnectionId: smithy.Ptr(id), MacSecKeys: apiMacSecKeys([]macSecKey{gone})}
		return t.save()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// macSecSteps are what AWS does with keys on its own.
func (s *Service) macSecSteps() []facility.Step {
	return []facility.Step{{
		Name:  stepMacSecAssociate,
		Actor: facility.Automation,
		Note:  "AWS pushes the new MACsec keys to the port (associating -> associated)",
		Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			ctx = caller.With(ctx, caller.Caller{Account: t.Account, Region: t.Region})
			target, err := s.loadKeyTarget(ctx, tx, t.ResourceID)
			if err != nil {
				return nil // gone meanwhile
			}
			changed := false
			for i := range *target.keys {
				if (*target.keys)[i].State == keyAssociating {
					(*target.keys)[i].State, changed = keyAssociated, true
				}
			}
			if !changed {
				return nil
			}
			return target.save()
		},
	}}
}
