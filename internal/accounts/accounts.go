// Package accounts maps the access keys requests are signed with to AWS
// accounts, so that several accounts (a Direct Connect partner and its
// customers, say) can share one dxlab.
//
// The rules: an access key id of 12 digits is that account; a key listed in
// the credentials file is the account the file gives it; any other key is
// the default account.
package accounts

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// DefaultAccount is the account of unsigned requests and unknown keys
// unless configured otherwise.
const DefaultAccount = "123456789012"

// Key is one access key from the credentials file.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
	Account         string
}

// Directory resolves access keys. Its zero value knows no keys and uses
// DefaultAccount.
type Directory struct {
	Default  string
	keys     map[string]Key
	partners map[string]Partner
}

// AccountFor returns the account of an access key id.
func (d *Directory) AccountFor(accessKeyID string) string {
	if IsAccountID(accessKeyID) {
		return accessKeyID
	}
	if k, ok := d.keys[accessKeyID]; ok {
		return k.Account
	}
	return d.DefaultAccount()
}

// DefaultAccount is the account unsigned requests are served as.
func (d *Directory) DefaultAccount() string {
	if d.Default == "" {
		return DefaultAccount
	}
	return d.Default
}

// SecretFor returns the secret of an access key the file listed.
func (d *Directory) SecretFor(accessKeyID string) (string, bool) {
	k, ok := d.keys[accessKeyID]
	return k.SecretAccessKey, ok && k.SecretAccessKey != ""
}

// Len is how many access keys the file listed.
func (d *Directory) Len() int { return len(d.keys) }

// Lookup returns the key with an id, if the file listed it.
// Partner is what the accounts file says of a Direct Connect partner
// account: its type (v1: hosted connections of 50-500 Mbps; v2: 1-25
// Gbps) and the name its customers see as partnerName.
type Partner struct {
	Type string
	Name string
}

// PartnerOf returns the partner an account was declared as, if any.
func (d *Directory) PartnerOf(account string) (Partner, bool) {
	p, ok := d.partners[account]
	return p, ok
}

// addPartner records a profile's dx_partner_type and dx_partner_name.
func (d *Directory) addPartner(profile string, line int, account string, values map[string]string) error {
	typ, name := values["dx_partner_type"], values["dx_partner_name"]
	if typ == "" && name == "" {
		return nil
	}
	if typ != "v1" && typ != "v2" {
		return fmt.Errorf("profile [%s] (line %d): dx_partner_type must be v1 or v2, not %q", profile, line, typ)
	}
	if account == "" {
		return fmt.Errorf("profile [%s] (line %d): a partner needs an aws_account_id", profile, line)
	}
	if name == "" {
		name = profile
	}
	if d.partners == nil {
		d.partners = map[string]Partner{}
	}
	d.partners[account] = Partner{Type: typ, Name: name}
	return nil
}

func (d *Directory) Lookup(accessKeyID string) (Key, bool) {
	k, ok := d.keys[accessKeyID]
	return k, ok
}

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Load reads a credentials file in the AWS shared-credentials format, each
// profile naming its account with aws_account_id:
//
//	[partner]
//	aws_access_key_id = AKIAPARTNER000000001
//	aws_secret_access_key = partner-secret
//	aws_account_id = 111122223333
//
// A [default] profile's account, when it has no keys, sets the default
// account. Comments are whole lines starting with # or ;, or, as the AWS
// CLI's config parser reads them, the rest of a line from a # or ; that
// follows whitespace: "aws_account_id = 999988887777    ; the default".
func Load(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Parse reads the format Load documents.
func Parse(r io.Reader) (*Directory, error) {
	d := &Directory{keys: map[string]Key{}}
	type profile struct {
		name   string
		values map[string]string
		line   int
	}
	var profiles []*profile
	var cur *profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(stripComment(sc.Text()))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: unterminated profile header", n)
			}
			cur = &profile{name: strings.TrimSpace(line[1 : len(line)-1]), values: map[string]string{}, line: n}
			profiles = append(profiles, cur)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", n)
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: setting outside a [profile]", n)
		}
		cur.values[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, p := range profiles {
		key := Key{
			AccessKeyID:     p.values["aws_access_key_id"],
			SecretAccessKey: p.values["aws_secret_access_key"],
			Account:         p.values["aws_account_id"],
		}
		if key.Account != "" && !IsAccountID(key.Account) {
			return nil, fmt.Errorf("profile [%s] (line %d): aws_account_id %q is not 12 digits", p.name, p.line, key.Account)
		}
		if err := d.addPartner(p.name, p.line, key.Account, p.values); err != nil {
			return nil, err
		}
		switch {
		case key.AccessKeyID == "" && p.name == "default" && key.Account != "":
			d.Default = key.Account
		case key.AccessKeyID == "":
			return nil, fmt.Errorf("profile [%s] (line %d) has no aws_access_key_id", p.name, p.line)
		case key.Account == "":
			return nil, fmt.Errorf("profile [%s] (line %d) has no aws_account_id", p.name, p.line)
		default:
			if _, dup := d.keys[key.AccessKeyID]; dup {
				return nil, fmt.Errorf("profile [%s] (line %d): access key %s is listed twice", p.name, p.line, key.AccessKeyID)
			}
			d.keys[key.AccessKeyID] = key
		}
	}
	return d, nil
}

// stripComment cuts an inline comment: a ; or # preceded by whitespace.
// A ; or # inside a value (a secret key may hold one) is kept.
func stripComment(line string) string {
	for i := 1; i < len(line); i++ {
		if (line[i] == ';' || line[i] == '#') && (line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}
