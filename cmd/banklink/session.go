package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/merchant"
)

func sessionCmd(e *env) *cobra.Command {
	return group("session", "Inspect or refresh a saved session file",
		`Commands on a session file as the SDK saves it (and banklink … --session
writes it): the versioned JSON form, the same for every provider. Nothing
here prints a token.`,
		sessionShowCmd(e), sessionRefreshCmd(e))
}

// savedForm is what show reads of any provider's session: never tokens.
type savedForm struct {
	Version       int             `json:"version"`
	Provider      string          `json:"provider"`
	Access        string          `json:"access_token"`
	Refresh       string          `json:"refresh_token"`
	AccessExpiry  time.Time       `json:"access_expiry"`
	RefreshExpiry time.Time       `json:"refresh_expiry"`
	User          json.RawMessage `json:"user"`
}

func readForm(file string) (savedForm, error) {
	var f savedForm
	b, err := os.ReadFile(file)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s is not a saved session: %w", file, err)
	}
	if f.Version == 0 || f.Provider == "" {
		return f, fmt.Errorf("%s has no version or provider: not a session saved by banklink-go 0.2 or later", file)
	}
	return f, nil
}

func sessionShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Show a saved session: provider, expiries, user (never its tokens)",
		Args:  exactArgs("FILE"),
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := readForm(args[0])
			if err != nil {
				return err
			}
			var user any
			if len(f.User) > 0 {
				_ = json.Unmarshal(f.User, &user)
			}
			state := "alive (the access token is still valid)"
			switch {
			case f.Access == "" && f.Refresh == "":
				state = "empty"
			case !f.AccessExpiry.IsZero() && time.Now().After(f.AccessExpiry) && !f.RefreshExpiry.IsZero() && time.Now().After(f.RefreshExpiry):
				state = "expired: log in again"
			case !f.AccessExpiry.IsZero() && time.Now().After(f.AccessExpiry):
				state = "access expired: 'banklink session refresh' renews it"
			case f.AccessExpiry.IsZero():
				state = "unknown (the provider's tokens say nothing of their expiry): 'banklink session refresh' checks it"
			}
			out := map[string]any{"provider": f.Provider, "version": f.Version, "state": state, "user": user,
				"has_access_token": f.Access != "", "has_refresh_token": f.Refresh != ""}
			if !f.AccessExpiry.IsZero() {
				out["access_expiry"] = f.AccessExpiry
			}
			if !f.RefreshExpiry.IsZero() {
				out["refresh_expiry"] = f.RefreshExpiry
			}
			userText := "(none)"
			var compact bytes.Buffer
			if len(f.User) > 0 && json.Compact(&compact, f.User) == nil {
				userText = compact.String()
			}
			return e.emit(out, kv("provider", f.Provider, "version", strconv.Itoa(f.Version), "state", state,
				"access expires", when(f.AccessExpiry), "refresh expires", when(f.RefreshExpiry), "user", userText))
		},
	}
}

func sessionRefreshCmd(e *env) *cobra.Command {
	var c common
	var keyFile string
	cmd := &cobra.Command{
		Use:   "refresh FILE",
		Short: "Renew a saved session now and write it back",
		Long: `refresh renews the session in FILE with its provider (the base URL from
<PROVIDER>_BASE_URL or --base-url; Fintiv's APP key and tenant from
FINTIV_API_KEY and FINTIV_TENANT) and writes the new session back. A refused
refresh exits 3: log in again.`,
		Args: exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			f, err := readForm(args[0])
			if err != nil {
				return err
			}
			c.session = args[0]
			if err := checkWritable(args[0]); err != nil {
				return err // before the refresh spends a single-use token
			}
			saved, expiry, err := refreshSaved(ctx, e, &c, keyFile, f.Provider)
			if err != nil {
				return err
			}
			if err := saveSession(args[0], saved); err != nil {
				return err
			}
			return e.emit(map[string]any{"provider": f.Provider, "refreshed": true, "access_expiry": expiry},
				kv("provider", f.Provider, "refreshed", "yes", "access expires", when(expiry), "saved to", args[0]))
		},
	}
	c.register(cmd, "<PROVIDER>_BASE_URL", false)
	cmd.Flags().StringVar(&keyFile, "api-key-file", "", "Fintiv: read the APP key from this file")
	return cmd
}

// refreshSaved renews the session in c.session with its provider's client
// and returns the new session and its access expiry.
func refreshSaved(ctx context.Context, e *env, c *common, keyFile, provider string) (any, time.Time, error) {
	switch provider {
	case "dfcu":
		cl, err := dfcuClient(e, c, true)
		if err != nil {
			return nil, time.Time{}, err
		}
		s, err := cl.Refresh(ctx)
		return s, s.AccessExpiry, err
	case "fintract":
		cl, _, err := fintractClient(e, c, true)
		if err != nil {
			return nil, time.Time{}, err
		}
		s, err := cl.Refresh(ctx)
		return s, s.AccessExpiry, err
	case "fintiv":
		cl, err := fintivClient(e, c, keyFile)
		if err != nil {
			return nil, time.Time{}, err
		}
		s, err := cl.Refresh(ctx)
		return s, s.AccessExpiry, err
	case "merchant":
		base := c.baseOr(e, "MERCHANT_BASE_URL", merchant.DefaultBaseURL)
		var s merchant.Session
		if _, err := loadSession(c.session, &s); err != nil {
			return nil, time.Time{}, err
		}
		cl, err := merchant.New(append(c.options(base), merchant.WithSession(s))...)
		if err != nil {
			return nil, time.Time{}, err
		}
		s, err = cl.Refresh(ctx)
		return s, time.Time{}, err
	}
	return nil, time.Time{}, fmt.Errorf("unknown provider %q in the session file", provider)
}
