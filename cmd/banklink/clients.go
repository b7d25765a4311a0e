package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go"
)

// common are the flags every provider command takes.
type common struct {
	baseURL      string
	passwordFile string
	session      string
	insecure     bool
	timeout      time.Duration
}

func (c *common) register(cmd *cobra.Command, baseVar string, withSession bool) {
	c.registerTimeout(cmd, baseVar, withSession, time.Minute, "bound the whole command")
}

// registerTimeout is register with the --timeout default and text of
// the command (an upload has no bound unless asked).
func (c *common) registerTimeout(cmd *cobra.Command, baseVar string, withSession bool, timeout time.Duration, usage string) {
	fs := cmd.Flags()
	fs.StringVar(&c.baseURL, "base-url", "", "the API's base URL (default: $"+baseVar+")")
	fs.StringVar(&c.passwordFile, "password-file", "", "read the password from this file instead of the environment or a prompt")
	fs.BoolVar(&c.insecure, "insecure", false, "allow plain http to a host that is not this machine (credentials in clear)")
	fs.DurationVar(&c.timeout, "timeout", timeout, usage)
	if withSession {
		fs.StringVar(&c.session, "session", "", "a session file: restored before the call, saved after it (mode 0600: it holds tokens)")
	}
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error { return c.validate(cmd) }
}

// validate checks the common flags before anything is sent: a --timeout
// that bounds nothing is a usage error, and a session file that could not
// be written afterwards is refused now, before a call spends a token.
func (c *common) validate(cmd *cobra.Command) error {
	if cmd.Flags().Changed("timeout") && c.timeout <= 0 {
		return usagef("--timeout must be positive (got %s)", c.timeout)
	}
	return checkWritable(c.session)
}

// options are the SDK options the common flags ask for.
func (c *common) options(baseURL string) []banklink.Option {
	opts := []banklink.Option{banklink.WithBaseURL(baseURL), banklink.WithUserAgent("banklink-cli/" + banklink.Version)}
	if c.insecure {
		opts = append(opts, banklink.WithInsecureHTTP())
	}
	return opts
}

// context bounds a command by --timeout (none when it is 0, an upload's
// default).
func (c *common) context(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return context.WithCancel(cmd.Context())
	}
	return context.WithTimeout(cmd.Context(), c.timeout)
}

// baseOr is --base-url, else the environment variable, else def (the
// provider's documented URL).
func (c *common) baseOr(e *env, name, def string) string {
	switch {
	case c.baseURL != "":
		return c.baseURL
	case e.getenv(name) != "":
		return e.getenv(name)
	}
	return def
}
