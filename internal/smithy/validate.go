package smithy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// ValidationError lists every constraint of the model a request broke. Its
// message follows the form AWS services use: "1 validation error detected:
// Value 'x' at 'member' failed to satisfy constraint: Member must ...".
type ValidationError struct {
	Fields []FieldError
}

// FieldError is one broken constraint.
type FieldError struct {
	// Path names the member as AWS does: "tags.1.member.key".
	Path string
	// Value is the offending value rendered for the message ("null" when
	// absent, quoted for strings, empty for sensitive members).
	Value string
	// Constraint is the sentence after "failed to satisfy constraint: ".
	Constraint string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Fields)
	if n == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", n)
	}
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		if f.Value == "" {
			fmt.Fprintf(&b, "Value at '%s' failed to satisfy constraint: %s", f.Path, f.Constraint)
		} else {
			fmt.Fprintf(&b, "Value %s at '%s' failed to satisfy constraint: %s", f.Value, f.Path, f.Constraint)
		}
	}
	return b.String()
}

// Validator collects field errors; the generated validators fill one.
type Validator struct {
	fields []FieldError
}

// Err returns a *ValidationError, or nil when nothing was recorded.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

func (v *Validator) add(path, value, constraint string) {
	v.fields = append(v.fields, FieldError{Path: path, Value: value, Constraint: constraint})
}

// Required records a missing required member.
func (v *Validator) Required(path string) {
	v.add(path, "null", "Member must not be null")
}

// Union records a union with other than exactly one member set.
func (v *Validator) Union(path string, set int) {
	if set != 1 {
		v.add(path, "", fmt.Sprintf("Member must have exactly one member set, but %d are set", set))
	}
}

func quote(s string, sensitive bool) string {
	if sensitive {
		return ""
	}
	if utf8.RuneCountInString(s) > 256 {
		s = string([]rune(s)[:256]) + "..."
	}
	return "'" + s + "'"
}

// StringLength checks a string's length in characters against min and max;
// a negative bound is absent.
func (v *Validator) StringLength(path, s string, min, max int, sensitive bool) {
	n := utf8.RuneCountInString(s)
	if min >= 0 && n < min {
		v.add(path, quote(s, sensitive), fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		v.add(path, quote(s, sensitive), fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// Pattern checks s against re, which the generator anchors at both ends: AWS
// services match the whole value.
func (v *Validator) Pattern(path, s string, re *regexp.Regexp, source string, sensitive bool) {
	if !re.MatchString(s) {
		v.add(path, quote(s, sensitive), "Member must satisfy regular expression pattern: "+source)
	}
}

// Enum checks s against the model's enum values.
func (v *Validator) Enum(path, s string, values []string) {
	if !slices.Contains(values, s) {
		v.add(path, quote(s, false), "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	}
}

// Range checks a number against min and max; hasMin and hasMax say which
// bounds the model gives.
func (v *Validator) Range(path string, n int64, min int64, hasMin bool, max int64, hasMax bool) {
	if hasMin && n < min {
		v.add(path, fmt.Sprint(n), fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if hasMax && n > max {
		v.add(path, fmt.Sprint(n), fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

// Size checks the number of entries of a list or map.
func (v *Validator) Size(path string, n, min, max int) {
	if min >= 0 && n < min {
		v.add(path, "", fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		v.add(path, "", fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// Index returns the path of a list element, counted from 1 as AWS does.
func Index(path string, i int) string {
	return fmt.Sprintf("%s.%d.member", path, i+1)
}

// Key returns the path of a map entry.
func Key(path, key string) string {
	return fmt.Sprintf("%s.%s", path, key)
}
