package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/banklink/banklink-go"
)

func TestSnakeCaseKeys(t *testing.T) {
	for in, want := range map[string]string{
		"CustomerID": "customer_id", "firstName": "first_name", "access_expiry": "access_expiry",
		"NeedChangePassword": "need_change_password", "ID": "id", "URL": "url", "HTTPStatus": "http_status",
		"DFCU_BASE_URL": "DFCU_BASE_URL", "user2FA": "user2_fa",
	} {
		assert.Equal(t, want, snake(in), in)
	}
}

// A failure's JSON names its category, status, code and request id.
func TestErrorJSON(t *testing.T) {
	err := &banklink.Error{Provider: "dfcu", Op: "loans", Category: banklink.ErrNotFound, Code: "not_found", Message: "no account",
		ResponseInfo: banklink.ResponseInfo{StatusCode: 404, RequestID: "req-1"}}
	got := errorJSON(err)
	assert.Equal(t, "not found", got["category"])
	assert.Equal(t, 404, got["status"])
	assert.Equal(t, "not_found", got["code"])
	assert.Equal(t, "req-1", got["request_id"])
	assert.Equal(t, exitRefused, got["exit_code"])
	assert.NotContains(t, errorJSON(errors.New("x")), "category")
}
