package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go"
)

const exitCodesHelp = `Exit codes:
  0  success
  1  any other failure
  2  a usage error: arguments, flags, missing configuration
  3  the provider refused: credentials, an unknown account, invalid input
  4  no verdict: unreachable, a server failure, rate limited, or an outcome
     the provider could not tell (ask again later)
  130  interrupted (Ctrl-C)

With --json, a result is one JSON object with snake_case keys on standard
output, and a failure one object on standard error: error, exit_code and,
when known, category, status, code and request_id.`

// newRoot builds the command tree.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "banklink",
		Short: "The banklink-go fakes as a server, and the providers from a terminal",
		Long: `banklink runs the fake servers of banklink-go (DFCU, Fintract, Fintiv, the
merchant wallet and NIP) as one process, and asks a provider one question on
the real SDK: whose account is this, what loans does it hold, is this session
still alive.

Provider commands read the same environment variables as the SDK's examples
(DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD, …); flags override them.
Secrets are read from the environment, a file, or a prompt on the terminal
without echo, and are never printed.

` + exitCodesHelp,
		Version:       banklink.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().BoolVar(&e.json, "json", false, "print JSON instead of tables (for scripts)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	root.AddCommand(fakeCmd(e), dfcuCmd(e), fintractCmd(e), fintivCmd(e), merchantCmd(e), sessionCmd(e))
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(root.FlagErrorFunc())
	}
	root.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q", args[0])
		}
		return c.Help()
	}
	root.Args = cobra.ArbitraryArgs
	return root
}

// group is a command that only holds subcommands.
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Long: long,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], c.CommandPath())
			}
			return c.Help()
		}}
	c.AddCommand(subs...)
	return c
}

// exactArgs wants exactly the named arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("%s wants %d argument(s): %s (got %d)", c.CommandPath(), len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// kv is a two-column table of a value's fields.
func kv(pairs ...string) [][]string {
	rows := make([][]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		rows = append(rows, []string{pairs[i], pairs[i+1]})
	}
	return rows
}

func itoa(n int64) string { return fmt.Sprint(n) }
