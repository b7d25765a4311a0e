package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

func (c *common) register(fs *pflag.FlagSet, baseVar string, withSession bool) {
	fs.StringVar(&c.baseURL, "base-url", "", "the API's base URL (default: $"+baseVar+")")
	fs.StringVar(&c.passwordFile, "password-file", "", "read the password from this file instead of the environment or a prompt")
	fs.BoolVar(&c.insecure, "insecure", false, "allow plain http to a host that is not this machine (credentials in clear)")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "bound the whole command")
	if withSession {
		fs.StringVar(&c.session, "session", "", "a session file: restored before the call, saved after it (mode 0600: it holds tokens)")
	}
}

// options are the SDK options the common flags ask for.
func (c *common) options(baseURL string) []banklink.Option {
	opts := []banklink.Option{banklink.WithBaseURL(baseURL), banklink.WithUserAgent("banklink-cli/" + banklink.Version)}
	if c.insecure {
		opts = append(opts, banklink.WithInsecureHTTP())
	}
	return opts
}

// context bounds a command by --timeout.
func (c *common) context(cmd *cobra.Command) (context.Context, context.CancelFunc) {
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
