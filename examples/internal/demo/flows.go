package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Env is what a flow reads and writes: its output, its input (for an OTP a
// person types) and the environment.
type Env struct {
	Out    io.Writer
	In     io.Reader
	Getenv func(string) string
}

// ask prints a prompt and reads one line of input. It reads byte by byte,
// so nothing past the line is consumed and the next ask sees it.
func (e Env) ask(prompt string) (string, error) {
	fmt.Fprint(e.Out, prompt)
	var line []byte
	var b [1]byte
	for {
		n, err := e.In.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
			continue
		}
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				break
			}
			return "", fmt.Errorf("reading %q from standard input: %w", strings.TrimSpace(prompt), err)
		}
	}
	return strings.TrimSpace(string(line)), nil
}

// Flow is one provider's example flow.
type Flow struct {
	Name string
	Run  func(ctx context.Context, env Env) error
}

// Flows lists every provider's flow, in the order quickstart runs them.
func Flows() []Flow {
	return []Flow{
		{Name: "DFCU", Run: DFCU},
		{Name: "Fintract", Run: Fintract},
		{Name: "Fintiv", Run: Fintiv},
		{Name: "Merchant", Run: Merchant},
	}
}
