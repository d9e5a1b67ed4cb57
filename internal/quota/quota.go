// Package quota reads the quota overrides an operator gives
// (--quota name=N, as a Service Quotas increase would). Each service keeps
// its own table of quotas and defaults, as data; this package only turns
// "name=N" pairs into overrides, refusing names no service knows.
package quota

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Overrides are quota values by name; a name not in it has its default.
type Overrides map[string]int

// Or returns the override of name, or def.
func (o Overrides) Or(name string, def int) int {
	if n, ok := o[name]; ok {
		return n
	}
	return def
}

// Parse reads name=N pairs (N a whole number, 0 or more), each naming one
// of known.
func Parse(pairs []string, known []string) (Overrides, error) {
	out := Overrides{}
	for _, p := range pairs {
		name, v, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("quota %q: want name=number, e.g. lags-per-region=20", p)
		}
		name = strings.TrimSpace(name)
		if !slices.Contains(known, name) {
			sorted := slices.Sorted(slices.Values(known))
			return nil, fmt.Errorf("quota %q: no quota named %s (known: %s)", p, name, strings.Join(sorted, ", "))
		}
		out[name] = n
	}
	return out, nil
}

// Use is how much of one quota an account takes. A quota counted per
// parent (per location, per connection, per gateway) tells the most that
// any one parent takes, and Where names it.
type Use struct {
	Service, Name, Description string
	Limit, Used                int
	Where                      string
}
