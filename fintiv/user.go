package fintiv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/redact"
)

// Person is the current user (GET /auth/api/myinfo). Timestamps arrive in
// unix milliseconds and are converted; unknown fields are ignored, and the
// personCredentials list (which may hold secrets) is never kept.
type Person struct {
	ID                    string          `json:"id"`
	Username              string          `json:"username"`
	FirstName             string          `json:"firstName"`
	LastName              string          `json:"lastName"`
	Status                string          `json:"status"`     // ACTIVE, INACTIVE, LOCKED, DISABLED, CLOSED
	PersonType            string          `json:"personType"` // BOX_OWNER, COMPANY_USER, SUBSCRIBER, SERVICE_OWNER
	Enabled               bool            `json:"enabled"`
	AccountNonLocked      bool            `json:"accountNonLocked"`
	CredentialsNonExpired bool            `json:"credentialsNonExpired"`
	NeedChangePassword    bool            `json:"needChangePassword"`
	LoginAttempt          int             `json:"loginAttempt"`
	LastLogin             Millis          `json:"lastLoginDatetime"`
	LastPasswordUpdate    Millis          `json:"lastPasswordUpdate"`
	Created               Millis          `json:"createdDate"`
	LastUpdated           Millis          `json:"lastUpdatedDate"`
	PreferredLanguage     string          `json:"preferredLanguage"`
	TimeZone              string          `json:"timeZoneFormatted"`
	Contacts              json.RawMessage `json:"personContacts"`
	Roles                 json.RawMessage `json:"personRoles"`
}

// Millis is a time sent as unix milliseconds (a number, a numeric string
// or null).
type Millis struct{ time.Time }

// UnmarshalJSON reads milliseconds; anything unreadable leaves the zero time.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var s envelope.FlexString
	if err := s.UnmarshalJSON(b); err != nil {
		return nil // a value of another type must not break the whole Person
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
	if err != nil || n <= 0 || n > 1<<50 {
		m.Time = time.Time{}
		return nil
	}
	m.Time = time.UnixMilli(n).UTC()
	return nil
}

// Me returns the session's user (GET /auth/api/myinfo).
func (c *Client) Me(ctx context.Context) (*Person, error) {
	var p Person
	if err := c.get(ctx, "myinfo", "auth/api/myinfo", nil, true, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ChangePassword changes the session user's password
// (PUT /auth/api/myinfo/changePassword).
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	switch {
	case current == "":
		return invalid("change_password", "currentPassword", "the current password is required")
	case next == "":
		return invalid("change_password", "newPassword", "a new password is required")
	case next == current:
		return invalid("change_password", "newPassword", "the new password equals the current one")
	}
	body := map[string]string{"currentPassword": current, "newPassword": next}
	if err := c.send(ctx, "change_password", http.MethodPut, "auth/api/myinfo/changePassword", body, true, false, nil, current, next); err != nil {
		return err
	}
	// The session's facts change: every replica adopting it from a store
	// must know the password was changed.
	if t := c.tokens.Current(); t != nil {
		if f, ok := t.Facts.(*SessionFacts); ok && f.NeedChangePassword {
			done := *f
			done.NeedChangePassword = false
			c.tokens.Publish(ctx, t.With(func(t *credential.Token) { t.Facts = &done }), "facts")
		}
	}
	return nil
}

// ChangePIN changes the session user's PIN (PUT /auth/api/myinfo/changePin).
func (c *Client) ChangePIN(ctx context.Context, current, next string) error {
	if err := checkPIN("change_pin", "currentPin", current); err != nil {
		return err
	}
	if err := checkPIN("change_pin", "newPin", next); err != nil {
		return err
	}
	body := map[string]string{"currentPin": current, "newPin": next}
	return c.send(ctx, "change_pin", http.MethodPut, "auth/api/myinfo/changePin", body, true, false, nil, current, next)
}

// ValidatePIN reports whether pin is the PIN of the user with uuid
// (POST /auth/api/validate/pin → responseData.pinValidated). A wrong PIN is
// false, not an error. Not retried automatically: the service may count
// attempts and lock the user.
func (c *Client) ValidatePIN(ctx context.Context, uuid, pin string) (bool, error) {
	uuid = strings.TrimSpace(uuid)
	if uuid == "" {
		return false, invalid("validate_pin", "uuid", "the user's uuid is required")
	}
	if err := checkPIN("validate_pin", "pin", pin); err != nil {
		return false, err
	}
	var out struct {
		PinValidated bool `json:"pinValidated"`
	}
	err := c.send(ctx, "validate_pin", http.MethodPost, "auth/api/validate/pin", map[string]string{"pin": pin, "uuid": uuid}, true, false, &out, pin)
	return out.PinValidated, err
}

func checkPIN(op, field, pin string) error {
	if pin == "" {
		return invalid(op, field, "a PIN is required")
	}
	if strings.ContainsFunc(pin, func(r rune) bool { return r < '0' || r > '9' }) {
		return invalid(op, field, "a PIN is made of digits")
	}
	return nil
}

// Reset identifies a user by a security question's answer, for
// ResetPassword and ResetPIN.
type Reset struct {
	Username           string `json:"username"`
	SecurityQuestionID int64  `json:"securityQuestionId"`
	Answer             string `json:"answer"`
}

// LogValue is what any slog handler prints of r: never its answer.
func (r Reset) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", r.Username), slog.Int64("security_question_id", r.SecurityQuestionID),
		slog.String("answer", redact.Masked(r.Answer)))
}

// MarshalJSON writes r with its answer masked: a Reset logged or stored
// as JSON never carries the answer (the SDK sends its own copy).
func (r Reset) MarshalJSON() ([]byte, error) {
	w := resetWire(r)
	w.Answer = redact.Masked(r.Answer)
	return json.Marshal(w)
}

// resetWire is a Reset as it is sent: the answer in clear.
type resetWire Reset

// Format prints r without its answer, whatever the verb.
func (r Reset) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintiv.Reset{Username:%q, SecurityQuestionID:%d, Answer:%s}", r.Username, r.SecurityQuestionID, redact.Masked(r.Answer))
}

func (r Reset) check(op string) (Reset, error) {
	r.Username = strings.TrimSpace(r.Username)
	switch {
	case r.Username == "":
		return r, invalid(op, "username", "a username is required")
	case r.SecurityQuestionID <= 0:
		return r, invalid(op, "securityQuestionId", "a security question id is required")
	case strings.TrimSpace(r.Answer) == "":
		return r, invalid(op, "answer", "an answer is required")
	}
	return r, nil
}

// ResetPassword resets a user's password by a security answer
// (POST /auth/api/reset/password). It needs only the APP key.
func (c *Client) ResetPassword(ctx context.Context, r Reset) error {
	r, err := r.check("reset_password")
	if err != nil {
		return err
	}
	return c.send(ctx, "reset_password", http.MethodPost, "auth/api/reset/password", resetWire(r), false, false, nil, r.Answer)
}

// RequestTemporaryPassword asks the service to send the user a temporary
// password (POST /auth/api/reset/password with only the username).
func (c *Client) RequestTemporaryPassword(ctx context.Context, username string) error {
	username = strings.TrimSpace(username)
	if username == "" {
		return invalid("temporary_password", "username", "a username is required")
	}
	return c.send(ctx, "temporary_password", http.MethodPost, "auth/api/reset/password", map[string]string{"username": username}, false, false, nil)
}

// ResetPIN resets a user's PIN by a security answer
// (POST /auth/api/reset/pin). It needs only the APP key.
func (c *Client) ResetPIN(ctx context.Context, r Reset) error {
	r, err := r.check("reset_pin")
	if err != nil {
		return err
	}
	return c.send(ctx, "reset_pin", http.MethodPost, "auth/api/reset/pin", resetWire(r), false, false, nil, r.Answer)
}

// UserExists reports whether a username is taken
// (GET /auth/api/checkUserExist?username=…). It needs only the APP key.
func (c *Client) UserExists(ctx context.Context, username string) (bool, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return false, invalid("user_exists", "username", "a username is required")
	}
	var flag existsFlag
	if err := c.get(ctx, "user_exists", "auth/api/checkUserExist", url.Values{"username": {username}}, false, &flag); err != nil {
		return false, err
	}
	if !flag.known {
		// SUCCESS with responseData null or missing: never read as "free".
		return false, &banklink.Error{Provider: "fintiv", Op: "user_exists", Category: banklink.ErrServerError, Code: StatusSuccess,
			Message:      "unexpected response: responseData says nothing about the user",
			ResponseInfo: banklink.ResponseInfo{StatusCode: http.StatusOK, Method: http.MethodGet, Path: "auth/api/checkUserExist"}}
	}
	return flag.exists, nil
}

// existsFlag reads checkUserExist's responseData: a bare boolean, or an
// object with "userExist" or "exists". Anything else does not decode, and
// the call fails as an unexpected response.
type existsFlag struct{ known, exists bool }

func (f *existsFlag) UnmarshalJSON(b []byte) error {
	var plain bool
	if json.Unmarshal(b, &plain) == nil {
		f.known, f.exists = true, plain
		return nil
	}
	var obj struct {
		UserExist *bool `json:"userExist"`
		Exists    *bool `json:"exists"`
	}
	if json.Unmarshal(b, &obj) == nil {
		switch {
		case obj.UserExist != nil:
			f.known, f.exists = true, *obj.UserExist
			return nil
		case obj.Exists != nil:
			f.known, f.exists = true, *obj.Exists
			return nil
		}
	}
	return errors.New("not a user-exists flag")
}

// SecurityQuestion is one of the service's security questions.
type SecurityQuestion struct {
	ID       int64
	Question string
}

// SecurityQuestions returns the security questions
// (GET /auth/api/myinfo/securityQuestions).
func (c *Client) SecurityQuestions(ctx context.Context) ([]SecurityQuestion, error) {
	var raw []map[string]json.RawMessage
	if err := c.get(ctx, "security_questions", "auth/api/myinfo/securityQuestions", nil, true, &raw); err != nil {
		return nil, err
	}
	out := make([]SecurityQuestion, 0, len(raw))
	for _, q := range raw {
		var sq SecurityQuestion
		for _, k := range [...]string{"id", "securityQuestionId", "questionId"} {
			var n json.Number
			if v := bytes.TrimSpace(q[k]); len(v) > 0 && json.Unmarshal(v, &n) == nil {
				sq.ID, _ = n.Int64()
				break
			}
		}
		for _, k := range [...]string{"question", "securityQuestion", "text", "description"} {
			if json.Unmarshal(q[k], &sq.Question) == nil && sq.Question != "" {
				break
			}
		}
		out = append(out, sq)
	}
	return out, nil
}
