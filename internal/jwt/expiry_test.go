package jwt

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func token(payload string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}

func TestExpiryReadsExp(t *testing.T) {
	got, err := Expiry(token(`{"token_type":"access","exp":1700000000,"user_id":1}`))
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), got)

	got, err = Expiry(token(`{"exp":1700000000.5}`))
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700000000, 5e8).UTC(), got)
}

func TestExpiryRejectsMalformed(t *testing.T) {
	for _, tok := range []string{
		"", "abc", "a.b", "a.!!!.c", token(`{}`), token(`{"exp":"soon"}`), token(`{"exp":-1}`),
		token(`{"exp":1e300}`), token(`not json`), token(`{"exp":null}`),
	} {
		_, err := Expiry(tok)
		assert.ErrorIs(t, err, ErrMalformed, "token %q", tok)
	}
}

func FuzzExpiry(f *testing.F) {
	f.Add(token(`{"exp":1700000000}`))
	f.Add("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2t1bl90eXBlljoieWNjZXNzliwiZXhwIjoxNjgwMDM2NjUwLWJpYXQiOiJE2ODA5NTAyNTAsImp0aSI6IjI0ZWl4OGRmNmNhMzQ1OGM5ODQ3YTlmOTZmNjc1YWMyIiwidXNlcl9pZCI6MX0.iVrgi8ke9xENzBx3R3aAOG4telmNJ7hJU1sRYBG5NI")
	f.Add("..")
	f.Fuzz(func(t *testing.T, tok string) {
		exp, err := Expiry(tok)
		if err == nil && exp.IsZero() {
			t.Fatalf("nil error with zero expiry for %q", tok)
		}
	})
}

// Regression (#11.5): a server clock behind ours made every fresh token
// look expired on arrival, refreshed on every call. The answer's Date
// header says how far the clocks are apart; the skew is counted a second
// short.
func TestExpiryOnArrivalWithAServerClockBehind(t *testing.T) {
	now := time.Unix(1_700_010_000, 0)
	serverNow := time.Unix(1_700_000_000, 0) // 10000s behind
	behind := token(`{"iat":1700000000,"exp":1700000300}`)
	got, err := ExpiryOnArrival(behind, now, serverNow)
	require.NoError(t, err)
	assert.True(t, now.Add(299*time.Second).Equal(got), "%s", got)

	inStep := token(`{"iat":1700009999,"exp":1700010299}`)
	got, err = ExpiryOnArrival(inStep, now, now.Add(-time.Second))
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700010299, 0).UTC(), got, "clocks that agree: exp as it is")

	got, err = ExpiryOnArrival(behind, now, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700000300, 0).UTC(), got, "no Date header: exp as it is")
}

// Regression (#20.6): simplejwt 5.2 copies the refresh token's iat into a
// refreshed access token (iat = login time, days ago) while exp is the
// refresh time + the access lifetime. The old exp - iat rule took that as
// a server clock far behind and believed the token lived a whole
// "lifetime" from arrival, past its exp; the server then refused it.
func TestExpiryOnArrivalIgnoresACopiedIat(t *testing.T) {
	now := time.Unix(1_700_010_000, 0)
	refreshed := token(`{"token_type":"access","iat":1699990000,"exp":1700010003}`) // 3s access token, iat 20000s old
	got, err := ExpiryOnArrival(refreshed, now, now)
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1700010003, 0).UTC(), got, "exp is the expiry")
	assert.Equal(t, time.Date(2023, 11, 15, 1, 0, 0, 0, time.UTC), ServerDate("Wed, 15 Nov 2023 01:00:00 GMT"))
	assert.True(t, ServerDate("yesterday").IsZero())
}
