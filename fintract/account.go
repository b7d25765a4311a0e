package fintract

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/banklink/banklink-go/internal/redact"
	"github.com/banklink/banklink-go/internal/transport"
)

// RegisterRequest is a new account. Email, Username (letters and digits
// only), Name (letters and spaces only), Password, Password2 and Phone are
// required; Password2 must equal Password. UserType defaults to Customer:
// the server refuses a registration without one.
type RegisterRequest struct {
	Email      string   `json:"email"`
	Username   string   `json:"username"`
	Name       string   `json:"name,omitempty"`
	UserType   UserType `json:"user_type,omitempty"`
	Password   string   `json:"password"`
	Password2  string   `json:"password2"`
	Phone      string   `json:"phone"`
	CustomerID string   `json:"customer_id,omitempty"`
	Gender     Gender   `json:"gender,omitempty"`
}

// LogValue is what any slog handler prints of r: never its passwords.
func (r RegisterRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", r.Email), slog.String("username", r.Username), slog.String("user_type", string(r.UserType)),
		slog.String("password", redact.Masked(r.Password)), slog.String("password2", redact.Masked(r.Password2)), slog.String("phone", r.Phone))
}

// MarshalJSON writes r with its passwords masked: a RegisterRequest
// logged or stored as JSON never carries them (the SDK sends its own copy).
func (r RegisterRequest) MarshalJSON() ([]byte, error) {
	w := registerWire(r)
	w.Password, w.Password2 = redact.Masked(r.Password), redact.Masked(r.Password2)
	return json.Marshal(w)
}

// registerWire is a RegisterRequest as it is sent: the passwords in clear.
type registerWire RegisterRequest

// Format prints r without its passwords, whatever the verb.
func (r RegisterRequest) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintract.RegisterRequest{Email:%q, Username:%q, Name:%q, UserType:%s, Password:%s, Password2:%s, Phone:%q, CustomerID:%q, Gender:%s}",
		r.Email, r.Username, r.Name, r.UserType, redact.Masked(r.Password), redact.Masked(r.Password2), r.Phone, r.CustomerID, r.Gender)
}

func (r RegisterRequest) check(op string) (RegisterRequest, error) {
	var ok bool
	r.Email, r.Username, r.Phone = strings.TrimSpace(r.Email), strings.TrimSpace(r.Username), strings.TrimSpace(r.Phone)
	if err := checkEmail(op, r.Email); err != nil {
		return r, err
	}
	r.Name = strings.TrimSpace(r.Name)
	switch {
	case r.Username == "":
		return r, invalid(op, "username", "a username is required")
	case !isAlphanumeric(r.Username):
		return r, invalid(op, "username", "only letters and digits")
	case r.Name == "":
		return r, invalid(op, "name", "a name is required")
	case !isName(r.Name):
		return r, invalid(op, "name", "only letters and spaces")
	case r.Password == "":
		return r, invalid(op, "password", "a password is required")
	case r.Password2 != r.Password:
		return r, invalid(op, "password2", "the passwords differ")
	case r.Phone == "":
		return r, invalid(op, "phone", "a phone number is required")
	}
	if r.UserType == "" {
		r.UserType = Customer
	}
	if r.UserType, ok = userType(r.UserType); !ok {
		return r, invalid(op, "user_type", "not a Fintract user type")
	}
	if r.Gender != "" {
		if r.Gender, ok = gender(r.Gender); !ok {
			return r, invalid(op, "gender", "must be MALE or FEMALE")
		}
	}
	return r, nil
}

// Register creates an account (POST /auth/register/). The server mails a
// verification link; login works once the address is verified. Register
// is never retried automatically: the server saves the user before
// sending mail, so even a 500 may mean the account exists.
func (c *Client) Register(ctx context.Context, req RegisterRequest) (*User, error) {
	req, err := req.check("register")
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(registerWire(req))
	if err != nil {
		return nil, err
	}
	var u *User
	err = c.t.Do(ctx, &transport.Op{
		Name: "register", Method: http.MethodPost, Path: "auth/register/", Body: body, ContentType: "application/json",
		Redact: []string{req.Password, req.Password2},
	}, func(r *transport.Response) (err error) {
		u, err = decodeUser(r, false)
		return err
	})
	return u, err
}

// Deactivate asks for the session's account to be deactivated
// (PUT /auth/account-deactivate/).
func (c *Client) Deactivate(ctx context.Context) error {
	return c.do(ctx, "deactivate", http.MethodPut, "auth/account-deactivate/", nil, false)
}

// DeleteAccount deletes the session's account permanently
// (DELETE /auth/delete/). Not retried automatically: a retry after a lost
// answer would be refused as the user no longer exists.
func (c *Client) DeleteAccount(ctx context.Context) error {
	return c.do(ctx, "delete", http.MethodDelete, "auth/delete/", nil, false)
}

// ApproveUser approves a customer's account (POST /auth/admin_approval/).
// The session must be a FINTRACT_ADMIN's; the server refuses others with a
// 400, which this client reports as [banklink.ErrForbidden].
func (c *Client) ApproveUser(ctx context.Context, customerID string) error {
	customerID = strings.TrimSpace(customerID)
	if customerID == "" {
		return invalid("admin_approval", "customer_id", "a customer id is required")
	}
	body, err := json.Marshal(map[string]string{"customer_id": customerID})
	if err != nil {
		return err
	}
	return c.do(ctx, "admin_approval", http.MethodPost, "auth/admin_approval/", body, true)
}

// ResendVerification sends a new verification mail
// (POST /auth/re-verify-email/). It needs no session.
func (c *Client) ResendVerification(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if err := checkEmail("reverify_email", email); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]string{"email": email})
	if err != nil {
		return err
	}
	return c.t.Do(ctx, &transport.Op{
		Name: "reverify_email", Method: http.MethodPost, Path: "auth/re-verify-email/", Body: body, ContentType: "application/json",
	}, decodeMessage)
}

// do sends an authenticated call whose answer is only a message.
func (c *Client) do(ctx context.Context, name, method, path string, body []byte, idempotent bool) error {
	op := &transport.Op{Name: name, Method: method, Path: path, Body: body, Idempotent: idempotent, Auth: true}
	if body != nil {
		op.ContentType = "application/json"
	}
	return c.t.Do(ctx, op, decodeMessage)
}

// isAlphanumeric reports whether s is ASCII letters and digits, as the
// server's username validator wants.
func isAlphanumeric(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// isName reports whether s is ASCII letters and spaces, as the server's
// name check wants.
func isName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ' ') {
			return false
		}
	}
	return s != ""
}
