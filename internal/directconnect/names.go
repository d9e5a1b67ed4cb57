package directconnect

import (
	"unicode"
	"unicode/utf8"

	"github.com/dxlab/dxlab/internal/limits"
)

// checkName refuses a name or description the model leaves unbounded that
// is longer than limits.MaxNameLength characters or holds a control
// character (a NUL, a newline). what names the field in the message; the
// value itself is never echoed.
func checkName(what, v string) error {
	if n := utf8.RuneCountInString(v); n > limits.MaxNameLength {
		return invalid("%s must be at most %d characters long; it is %d.", what, limits.MaxNameLength, n)
	}
	if !utf8.ValidString(v) {
		return invalid("%s must be valid UTF-8.", what)
	}
	for i, r := range v {
		if unicode.IsControl(r) {
			return invalid("%s must not contain control characters; it has %U at byte %d.", what, r, i)
		}
	}
	return nil
}
