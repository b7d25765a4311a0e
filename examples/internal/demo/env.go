package demo

import (
	"fmt"
	"strings"
)

// lookup returns the named variables when all are set, nil when none is,
// and an error naming the missing ones when only some are.
func lookup(getenv func(string) string, names ...string) (map[string]string, error) {
	vals := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		if v := getenv(n); v != "" {
			vals[n] = v
		} else {
			missing = append(missing, n)
		}
	}
	switch len(missing) {
	case 0:
		return vals, nil
	case len(names):
		return nil, nil
	}
	return nil, fmt.Errorf("set all of %s to use a real server, or none to use the fake; missing: %s",
		strings.Join(names, ", "), strings.Join(missing, ", "))
}
