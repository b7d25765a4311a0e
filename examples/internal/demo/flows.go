package demo

import (
	"context"
	"io"
)

// Flow is one provider's example flow.
type Flow struct {
	Name string
	Run  func(ctx context.Context, w io.Writer, getenv func(string) string) error
}

// Flows lists every provider's flow, in the order quickstart runs them.
func Flows() []Flow {
	return []Flow{
		{Name: "DFCU", Run: DFCU},
	}
}
