// Package jwt reads the expiry of a JSON Web Token without verifying it.
// The client never trusts a token for anything but scheduling its refresh;
// the server remains the judge of validity.
package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"
)

// ErrMalformed is returned for a string that is not a JWT with a numeric exp.
var ErrMalformed = errors.New("jwt: malformed token or missing exp claim")

// maxExp bounds exp so that the conversion to time.Time cannot overflow.
const maxExp = 1 << 40

// Expiry returns the time of the token's exp claim.
func Expiry(token string) (time.Time, error) {
	exp, _, err := claims(token)
	return exp, err
}

// ExpiryOnArrival returns when a token received at now expires on this
// machine's clock: its exp, moved by how far this clock is from the
// server's when the answer says (serverDate, its Date header; zero when
// absent). iat is never used: Django simplejwt copies the refresh token's
// iat into every access token it refreshes, so exp - iat is not a
// lifetime. Clocks within 2s of each other are taken as agreeing (the
// Date header has a 1s resolution); beyond that, the skew is counted a
// second short, so a token is never believed to live longer than it does.
func ExpiryOnArrival(token string, now, serverDate time.Time) (time.Time, error) {
	exp, _, err := claims(token)
	if err != nil || serverDate.IsZero() {
		return exp, err
	}
	skew := now.Sub(serverDate)
	if skew.Abs() <= 2*time.Second {
		return exp, nil
	}
	return exp.Add(skew - time.Second), nil
}

// ServerDate reads an HTTP Date header; zero when absent or malformed.
func ServerDate(h string) time.Time {
	if h == "" {
		return time.Time{}
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return time.Time{}
	}
	return t
}

// claims reads exp (required) and iat (zero when absent or unreadable).
func claims(token string) (exp, iat time.Time, err error) {
	first := strings.IndexByte(token, '.')
	if first < 0 {
		return time.Time{}, time.Time{}, ErrMalformed
	}
	rest := token[first+1:]
	second := strings.IndexByte(rest, '.')
	if second < 0 {
		return time.Time{}, time.Time{}, ErrMalformed
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest[:second], "="))
	if err != nil {
		return time.Time{}, time.Time{}, ErrMalformed
	}
	var c struct {
		Exp json.Number `json:"exp"`
		Iat json.Number `json:"iat"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Exp == "" {
		return time.Time{}, time.Time{}, ErrMalformed
	}
	exp, ok := unixTime(c.Exp)
	if !ok {
		return time.Time{}, time.Time{}, ErrMalformed
	}
	iat, _ = unixTime(c.Iat)
	return exp, iat, nil
}

// unixTime reads a NumericDate within bounds that time.Time holds.
func unixTime(n json.Number) (time.Time, bool) {
	if n == "" {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f <= 0 || f > maxExp {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
