package demo

import (
	"bufio"
	"context"
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

// ask prints a prompt and reads one line of input.
func (e Env) ask(prompt string) (string, error) {
	fmt.Fprint(e.Out, prompt)
	line, err := bufio.NewReader(e.In).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading %q from standard input: %w", strings.TrimSpace(prompt), err)
	}
	return strings.TrimSpace(line), nil
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
	}
}
