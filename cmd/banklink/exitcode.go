package main

import (
	"context"
	"errors"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
)

// The exit codes.
const (
	exitOK        = 0
	exitFailure   = 1 // anything else
	exitUsage     = 2 // arguments, flags, configuration
	exitRefused   = 3 // the provider refused: credentials, not found, invalid input
	exitNoVerdict = 4 // unreachable, a server failure, rate limited, an outcome unknown

	exitInterrupted = 130 // Ctrl-C or SIGTERM: 128 + SIGINT, as shells report it
)

// exitCode maps an error to the exit code.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u), errors.Is(err, banklink.ErrInvalidConfig), errors.Is(err, banklink.ErrInsecureURL):
		return exitUsage
	case errors.Is(err, banklink.ErrUnavailable), errors.Is(err, banklink.ErrServerError), errors.Is(err, banklink.ErrRateLimited),
		errors.Is(err, banklink.ErrRetriesExhausted), errors.Is(err, merchant.ErrBankUnavailable), errors.Is(err, merchant.ErrIndeterminate),
		errors.Is(err, context.DeadlineExceeded):
		return exitNoVerdict
	case errors.Is(err, banklink.ErrUnauthorized), errors.Is(err, banklink.ErrForbidden), errors.Is(err, banklink.ErrNotFound),
		errors.Is(err, banklink.ErrInvalidRequest), errors.Is(err, banklink.ErrReauthRequired):
		return exitRefused
	}
	return exitFailure
}
