package accounts

import (
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	d, err := Parse(strings.NewReader(`
# partner and customer
[partner]
aws_access_key_id = AKIAPARTNER000000001
aws_secret_access_key = partner-secret
aws_account_id = 111122223333

[customer]
aws_access_key_id=AKIACUSTOMER00000001
aws_account_id=444455556666

[default]
aws_account_id = 999988887777
`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"AKIAPARTNER000000001": "111122223333",
		"AKIACUSTOMER00000001": "444455556666",
		"777788889999":         "777788889999", // a 12-digit key is its account
		"AKIASOMEBODYELSE0001": "999988887777", // unknown keys: the default
	} {
		if got := d.AccountFor(key); got != want {
			t.Errorf("AccountFor(%s) = %s, want %s", key, got, want)
		}
	}
	if k, ok := d.Lookup("AKIAPARTNER000000001"); !ok || k.SecretAccessKey != "partner-secret" {
		t.Errorf("Lookup: %+v %v", k, ok)
	}
	if got := (&Directory{}).AccountFor("AKIAX"); got != DefaultAccount {
		t.Errorf("zero Directory: %s", got)
	}
}

func TestParseRejects(t *testing.T) {
	for name, text := range map[string]string{
		"bad account":      "[p]\naws_access_key_id=A\naws_account_id=12\n",
		"no account":       "[p]\naws_access_key_id=A\n",
		"no key":           "[p]\naws_account_id=111122223333\n",
		"duplicate key":    "[a]\naws_access_key_id=A\naws_account_id=111122223333\n[b]\naws_access_key_id=A\naws_account_id=444455556666\n",
		"outside profile":  "aws_access_key_id=A\n",
		"not key=value":    "[p]\njunk\n",
		"unclosed profile": "[p\n",
	} {
		if _, err := Parse(strings.NewReader(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestInlineComments(t *testing.T) {
	d, err := Parse(strings.NewReader("[p] ; partner\naws_access_key_id = AK#1 # the key\naws_secret_access_key = s;x\t; secret\naws_account_id = 111122223333 ; the account\n[default]\naws_account_id = 999988887777    ; no keys: sets the default account\n"))
	if err != nil {
		t.Fatal(err)
	}
	k, ok := d.Lookup("AK#1")
	if !ok || k.Account != "111122223333" || k.SecretAccessKey != "s;x" {
		t.Errorf("Lookup(AK#1) = %+v %v", k, ok)
	}
	if got := d.DefaultAccount(); got != "999988887777" {
		t.Errorf("default account %s", got)
	}
}

// The README's --accounts example is a file dxlab reads.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```ini\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("the README has no ```ini block")
	}
	d, err := Parse(strings.NewReader(example))
	if err != nil {
		t.Fatalf("the README's example: %v\n%s", err, example)
	}
	if got := d.DefaultAccount(); !IsAccountID(got) || got == DefaultAccount {
		t.Errorf("the README's example sets no default account: %s", got)
	}
	if len(d.keys) == 0 {
		t.Error("the README's example lists no keys")
	}
}
