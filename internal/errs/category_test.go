package errs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestForStatus(t *testing.T) {
	cases := map[int]Category{
		200: "", 302: "", 400: ErrInvalidRequest, 401: ErrUnauthorized, 403: ErrForbidden,
		404: ErrNotFound, 405: ErrInvalidRequest, 429: ErrRateLimited, 500: ErrServerError, 503: ErrServerError,
	}
	for status, want := range cases {
		assert.Equal(t, want, ForStatus(status), "status %d", status)
	}
}

func TestSessionExpiredMatchesUnauthorized(t *testing.T) {
	assert.True(t, errors.Is(ErrSessionExpired, ErrUnauthorized))
	assert.False(t, errors.Is(ErrUnauthorized, ErrSessionExpired))
	inner := errors.New("refresh rejected")
	err := fmt.Errorf("call: %w", &SessionExpiredError{Err: inner})
	assert.ErrorIs(t, err, ErrSessionExpired)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorIs(t, err, inner)
	assert.NotErrorIs(t, err, ErrNotFound)
}

func TestRetriesExhaustedUnwraps(t *testing.T) {
	last := fmt.Errorf("boom: %w", ErrServerError)
	err := &RetriesExhaustedError{Attempts: 4, Last: last}
	assert.ErrorIs(t, err, ErrRetriesExhausted)
	assert.ErrorIs(t, err, ErrServerError)
	assert.Equal(t, "gave up after 4 attempts: boom: server error", err.Error())
}
