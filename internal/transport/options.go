package transport

import (
	"errors"
	"fmt"

	"github.com/banklink/banklink-go"
)

// ProviderOption returns an option that changes the provider configuration
// of type C, and fails when given to another provider's New.
func ProviderOption[C any](name string, f func(*C) error) banklink.Option {
	return func(o *banklink.Options) error {
		c, ok := o.Provider.(*C)
		if !ok {
			return fmt.Errorf("option %s belongs to another provider's client", name)
		}
		if err := f(c); err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
		return nil
	}
}

// Collect applies opts, skipping nil ones, over a provider configuration,
// and joins the errors of those that failed.
func Collect(provider any, opts []banklink.Option) (banklink.Options, error) {
	o := banklink.Options{Provider: provider}
	var failed []error
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			failed = append(failed, err)
		}
	}
	return o, errors.Join(failed...)
}
