package smithy

// Ptr returns a pointer to v: optional members of the generated shapes are
// pointers.
func Ptr[T any](v T) *T { return &v }

// Deref returns what p points to, or T's zero value for an absent member.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
