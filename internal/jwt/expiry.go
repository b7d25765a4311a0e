// Package jwt reads the expiry of a JSON Web Token without verifying it.
// The client never trusts a token for anything but scheduling its refresh;
// the server remains the judge of validity.
package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// ErrMalformed is returned for a string that is not a JWT with a numeric exp.
var ErrMalformed = errors.New("jwt: malformed token or missing exp claim")

// maxExp bounds exp so that the conversion to time.Time cannot overflow.
const maxExp = 1 << 40

// Expiry returns the time of the token's exp claim.
func Expiry(token string) (time.Time, error) {
	first := strings.IndexByte(token, '.')
	if first < 0 {
		return time.Time{}, ErrMalformed
	}
	rest := token[first+1:]
	second := strings.IndexByte(rest, '.')
	if second < 0 {
		return time.Time{}, ErrMalformed
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest[:second], "="))
	if err != nil {
		return time.Time{}, ErrMalformed
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == "" {
		return time.Time{}, ErrMalformed
	}
	exp, err := claims.Exp.Float64()
	if err != nil || math.IsNaN(exp) || exp <= 0 || exp > maxExp {
		return time.Time{}, ErrMalformed
	}
	sec, frac := math.Modf(exp)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}
