package smithy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func TestTimestampWireForms(t *testing.T) {
	ts := NewTimestamp(time.Date(2017, 4, 7, 13, 22, 44, 500_000_000, time.UTC))
	j, err := json.Marshal(ts)
	if err != nil || string(j) != "1491571364.5" {
		t.Fatalf("JSON %s %v, want epoch seconds 1491571364.5", j, err)
	}
	var back Timestamp
	if err := json.Unmarshal(j, &back); err != nil || !back.Equal(ts.Time) {
		t.Fatalf("JSON round trip: %v %v", back, err)
	}
	c, err := cbor.Marshal(ts)
	if err != nil || c[0] != 0xc1 {
		t.Fatalf("CBOR % x %v, want tag 1", c, err)
	}
	back = Timestamp{}
	if err := cbor.Unmarshal(c, &back); err != nil || !back.Equal(ts.Time) {
		t.Fatalf("CBOR round trip: %v %v", back, err)
	}
	whole, _ := cbor.Marshal(NewTimestamp(time.Unix(1491568964, 0)))
	if want := []byte{0xc1, 0x1a, 0x58, 0xe7, 0x89, 0x44}; string(whole) != string(want) {
		t.Errorf("whole seconds: % x, want % x", whole, want)
	}
	for _, bad := range []string{`"2017-04-07"`, `-1`, `1e300`, `null1`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("JSON %s accepted", bad)
		}
	}
}
