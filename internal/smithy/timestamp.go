package smithy

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Timestamp is a model timestamp. Both JSON protocols put it on the wire as
// epoch seconds (a JSON number, fractional for sub-second values) and
// rpcv2Cbor as CBOR tag 1 wrapping an integer or a float.
type Timestamp struct {
	time.Time
}

// NewTimestamp truncates t to milliseconds, the precision AWS uses.
func NewTimestamp(t time.Time) *Timestamp {
	return &Timestamp{t.UTC().Truncate(time.Millisecond)}
}

func (t Timestamp) epoch() float64 {
	return float64(t.UnixMilli()) / 1000
}

func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, t.epoch(), 'f', -1, 64), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return errors.New("timestamp must be a number of epoch seconds")
	}
	return t.setEpoch(f)
}

func (t Timestamp) MarshalCBOR() ([]byte, error) {
	if t.Nanosecond() == 0 {
		return cbor.Marshal(cbor.Tag{Number: 1, Content: t.Unix()})
	}
	return cbor.Marshal(cbor.Tag{Number: 1, Content: t.epoch()})
}

func (t *Timestamp) UnmarshalCBOR(b []byte) error {
	var tag cbor.Tag
	if err := cbor.Unmarshal(b, &tag); err != nil || tag.Number != 1 {
		return errors.New("timestamp must be CBOR tag 1")
	}
	switch v := tag.Content.(type) {
	case uint64:
		if v > math.MaxInt64/1000 {
			return errors.New("timestamp out of range")
		}
		return t.setEpoch(float64(v))
	case int64:
		return t.setEpoch(float64(v))
	case float64:
		return t.setEpoch(v)
	case float32:
		return t.setEpoch(float64(v))
	}
	return errors.New("timestamp must wrap a number")
}

func (t *Timestamp) setEpoch(f float64) error {
	// Year 10000 and before 1970 are not timestamps any AWS API returns.
	if math.IsNaN(f) || f < 0 || f > 253402300799 {
		return errors.New("timestamp out of range")
	}
	t.Time = time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	return nil
}
