package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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

// Main runs flows in a command: on the process's streams and environment,
// interrupted by Ctrl-C, exiting 1 with the error when any fails. -h
// prints the flows' variables and exits; the command takes no arguments.
func Main(flows ...Flow) {
	fs := flag.NewFlagSet(filepath.Base(os.Args[0]), flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nRuns on in-process fakes unless environment variables name a real server:\n\n", fs.Name())
		for _, f := range flows {
			fmt.Fprintf(fs.Output(), "%s\n\n", f.Usage)
		}
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s takes no arguments (see -h)\n", fs.Name())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}
	failed := 0
	for _, f := range flows {
		if len(flows) > 1 {
			fmt.Printf("== %s\n", f.Name)
		}
		if err := f.Run(ctx, env); err != nil {
			fmt.Fprintf(os.Stderr, "%s failed: %v\n", f.Name, err)
			failed++
		}
	}
	if failed > 0 {
		stop()
		os.Exit(1)
	}
	if len(flows) > 1 {
		fmt.Println("quickstart: all flows passed")
	}
}

// Flow is one provider's example flow.
type Flow struct {
	Name  string
	Usage string // the variables it reads, for -h
	Run   func(ctx context.Context, env Env) error
}

// Flows lists every provider's flow, in the order quickstart runs them.
func Flows() []Flow {
	return []Flow{
		{Name: "DFCU", Usage: DFCUUsage, Run: DFCU},
		{Name: "Fintract", Usage: FintractUsage, Run: Fintract},
		{Name: "Fintiv", Usage: FintivUsage, Run: Fintiv},
		{Name: "Merchant", Usage: MerchantUsage, Run: Merchant},
	}
}
