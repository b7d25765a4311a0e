package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/fintiv"
)

func fintivCmd(e *env) *cobra.Command {
	return group("fintiv", "Fintiv authentication service: who is this user",
		`Commands on the Fintiv authentication service. They read FINTIV_BASE_URL,
FINTIV_API_KEY, FINTIV_TENANT, FINTIV_USERNAME and FINTIV_PASSWORD (the key
and the password also from a file or a prompt).`,
		fintivMeCmd(e))
}

func fintivClient(e *env, c *common, keyFile string) (*fintiv.Client, error) {
	base, err := e.setting(c.baseURL, "FINTIV_BASE_URL", "base-url")
	if err != nil {
		return nil, err
	}
	key, err := e.secret("FINTIV_API_KEY", keyFile, "Fintiv APP key: ")
	if err != nil {
		return nil, err
	}
	opts := append(c.options(base), fintiv.WithAPIKey(key))
	if t := e.getenv("FINTIV_TENANT"); t != "" {
		opts = append(opts, fintiv.WithTenant(t))
	}
	var s fintiv.Session
	restored, err := loadSession(c.session, &s)
	if err != nil {
		return nil, err
	}
	if restored {
		opts = append(opts, fintiv.WithSession(s))
	}
	user, pw, err := e.credentials(c, restored, "FINTIV_USERNAME", "FINTIV_PASSWORD", "Fintiv password: ")
	if err != nil {
		return nil, err
	}
	if user != "" {
		opts = append(opts, fintiv.WithCredentials(user, pw))
	}
	return fintiv.New(opts...)
}

func fintivMeCmd(e *env) *cobra.Command {
	var c common
	var keyFile string
	cmd := &cobra.Command{
		Use:     "me",
		Short:   "Show the user the credentials (or session) belong to",
		Example: "  FINTIV_BASE_URL=https://gw.example/ FINTIV_TENANT=JANUS FINTIV_USERNAME=ops banklink fintiv me",
		Args:    exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			cl, err := fintivClient(e, &c, keyFile)
			if err != nil {
				return err
			}
			me, err := cl.Me(ctx)
			if err != nil {
				return err
			}
			if err := e.emit(me, kv("id", me.ID, "username", me.Username, "name", me.FirstName+" "+me.LastName,
				"status", me.Status, "type", me.PersonType, "enabled", fmt.Sprint(me.Enabled),
				"password change required", fmt.Sprint(me.NeedChangePassword), "last login", at(me.LastLogin.Time))); err != nil {
				return err
			}
			// The result first: a session that cannot be saved is a failure of
			// its own (with a recovery file), never a lost answer.
			return keepSession(c.session, cl.Session)
		},
	}
	c.register(cmd, "FINTIV_BASE_URL", true)
	cmd.Flags().StringVar(&keyFile, "api-key-file", "", "read the APP key from this file instead of $FINTIV_API_KEY or a prompt")
	return cmd
}
