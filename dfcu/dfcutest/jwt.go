package dfcutest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// claims are simplejwt's: token_type, exp, iat, jti, user_id.
type claims struct {
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	JTI       string `json:"jti"`
	UserID    int    `json:"user_id"`
}

const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

func sign(secret []byte, c claims) string {
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(jwtHeader)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

var errToken = errors.New("token is invalid or expired")

// verify checks the signature, type and expiry of a token.
func verify(secret []byte, tok, wantType string, now time.Time) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims{}, errToken
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return claims{}, errToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, errToken
	}
	var c claims
	if json.Unmarshal(payload, &c) != nil || c.TokenType != wantType || now.Unix() >= c.Exp {
		return claims{}, errToken
	}
	return c, nil
}
