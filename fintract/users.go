package fintract

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/transport"
)

// User is an account record as register and avatar uploads return it. The
// password hash and OTP fields some servers include are never kept.
type User struct {
	ID          int
	Username    string
	Email       string
	Name        string
	UserType    UserType
	Phone       string
	CustomerID  string
	Gender      Gender
	Avatar      string
	Country     string
	Citizenship string
	NationalID  string
	Address     string
	// IsVerified, AdminApproved and IsActive are what the server said of
	// the account; nil when the answer did not say (a register answer
	// often leaves them out): unknown, never a made-up false.
	IsVerified    *bool
	AdminApproved *bool
	IsActive      *bool
}

// UserInfo is what GET /auth/info/{id}/ returns.
type UserInfo struct {
	ID       int
	Email    string
	Avatar   string
	Gender   Gender
	Username string
	Name     string
	// NetBalance is the account's net balance as the server wrote it
	// (a JSON number), so no precision is lost; use Int64 or Float64, or
	// String for a decimal library.
	NetBalance         json.Number
	CustomerID         string
	VerificationStatus bool
	Phone              string
	Country            string
	Citizenship        string
	NationalID         string
	Address            string
	BankName           string
}

// fields reads a JSON object's keys, trimmed, so that "customer-id " and
// "customer-id" are one key.
type fields map[string]json.RawMessage

func readFields(body []byte) (fields, bool) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil || raw == nil {
		return nil, false
	}
	f := make(fields, len(raw))
	for k, v := range raw {
		f[strings.TrimSpace(k)] = v
	}
	return f, true
}

// str returns the first of keys holding a string or number, as text.
func (f fields) str(keys ...string) string {
	for _, k := range keys {
		var s envelope.FlexString
		if v, ok := f[k]; ok && json.Unmarshal(v, &s) == nil && s != "" {
			return string(s)
		}
	}
	return ""
}

// flag is boolean, false when the answer does not say.
func (f fields) flag(keys ...string) bool {
	b := f.boolean(keys...)
	return b != nil && *b
}

// boolean is the first of keys the answer holds as a boolean; nil when
// none is there.
func (f fields) boolean(keys ...string) *bool {
	for _, k := range keys {
		var b bool
		if v, ok := f[k]; ok && json.Unmarshal(v, &b) == nil {
			return &b
		}
	}
	return nil
}

func (f fields) number(keys ...string) json.Number {
	for _, k := range keys {
		v := bytes.TrimSpace(f[k])
		if len(v) == 0 {
			continue
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil && n != "" {
			return n
		}
	}
	return ""
}

func (f fields) integer(keys ...string) int {
	n, _ := strconv.Atoi(f.number(keys...).String())
	return n
}

// UserInfo returns a user's details (GET /auth/info/{id}/), whichever of
// the server versions' keys carry them ("net balance" or "net_balance";
// "customer-id", "customer-id " or "customer_id").
func (c *Client) UserInfo(ctx context.Context, userID int) (*UserInfo, error) {
	if userID <= 0 {
		return nil, invalid("user_info", "id", "a user id is required")
	}
	var out *UserInfo
	err := c.t.Do(ctx, &transport.Op{
		Name: "user_info", Method: http.MethodGet, Path: "auth/info/" + strconv.Itoa(userID) + "/", Idempotent: true, Auth: true,
	}, func(r *transport.Response) (err error) {
		out, err = decodeUserInfo(r)
		return err
	})
	return out, err
}

// wireInfo decodes user info in one pass, with a field for each key
// variant the server versions use. Anything it cannot take (another
// type, a wrapper, an error key) goes to the lenient path.
type wireInfo struct {
	ID                  json.Number         `json:"id"`
	Email               string              `json:"email"`
	Avatar              string              `json:"avatar"`
	Gender              Gender              `json:"gender"`
	Username            string              `json:"username"`
	Name                string              `json:"name"`
	NetBalanceSpace     json.Number         `json:"net balance"`
	NetBalanceSnake     json.Number         `json:"net_balance"`
	CustomerIDDash      envelope.FlexString `json:"customer-id"`
	CustomerIDDashSpace envelope.FlexString `json:"customer-id "`
	CustomerIDSnake     envelope.FlexString `json:"customer_id"`
	VerificationStatus  bool                `json:"verification_status"`
	Phone               string              `json:"phone"`
	Country             string              `json:"country"`
	Citizenship         string              `json:"citizenship"`
	NationalID          string              `json:"national_id"`
	Address             string              `json:"address"`
	BankName            string              `json:"bank_name"`
	// Present only in answers the fast path must leave to the lenient one.
	Error  json.RawMessage `json:"error"`
	Errors json.RawMessage `json:"errors"`
	Data   json.RawMessage `json:"data"`
}

// unmarshalInfo is decodeUserInfo's one pass through encoding/json, in a
// function of its own so that the wireInfo of the usual answer (read
// without reflection) stays off the heap.
func unmarshalInfo(body []byte) (wireInfo, bool) {
	var w wireInfo
	err := json.Unmarshal(body, &w)
	return w, err == nil
}

func firstOf[T ~string](vals ...T) T {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func decodeUserInfo(r *transport.Response) (*UserInfo, error) {
	if r.StatusCode >= 200 && r.StatusCode < 300 {
		var w wireInfo
		read := readInfo(r.Body, &w) // the usual answer, without reflection
		if !read {
			w, read = unmarshalInfo(r.Body)
		}
		if read && w.ID != "" && w.Error == nil && w.Errors == nil && w.Data == nil {
			id, _ := w.ID.Int64()
			return &UserInfo{
				ID: int(id), Email: w.Email, Avatar: w.Avatar, Gender: w.Gender, Username: w.Username, Name: w.Name,
				NetBalance:         firstOf(w.NetBalanceSpace, w.NetBalanceSnake),
				CustomerID:         string(firstOf(w.CustomerIDDash, w.CustomerIDDashSpace, w.CustomerIDSnake)),
				VerificationStatus: w.VerificationStatus, Phone: w.Phone, Country: w.Country, Citizenship: w.Citizenship,
				NationalID: w.NationalID, Address: w.Address, BankName: w.BankName,
			}, nil
		}
	}
	if err := decodeJSON(r, nil); err != nil {
		return nil, err
	}
	f, ok := readFields(unwrapData(r.Body))
	if !ok || f["id"] == nil {
		return nil, shapeError(r, "user info is not a JSON object with an id")
	}
	return &UserInfo{
		ID: f.integer("id"), Email: f.str("email"), Avatar: f.str("avatar"), Gender: Gender(f.str("gender")),
		Username: f.str("username"), Name: f.str("name"), NetBalance: f.number("net balance", "net_balance", "netBalance"),
		CustomerID: f.str("customer-id", "customer_id", "customerId"), VerificationStatus: f.flag("verification_status", "is_verified"),
		Phone: f.str("phone"), Country: f.str("country"), Citizenship: f.str("citizenship"), NationalID: f.str("national_id"),
		Address: f.str("address"), BankName: f.str("bank_name", "bank"),
	}, nil
}

// decodeUser reads a user record, plain or under "user" (avatar uploads).
func decodeUser(r *transport.Response, wrapped bool) (*User, error) {
	if err := decodeJSON(r, nil); err != nil {
		return nil, err
	}
	body := r.Body
	if wrapped {
		var w struct {
			User json.RawMessage `json:"user"`
		}
		if json.Unmarshal(body, &w) == nil && len(w.User) > 0 {
			body = w.User
		}
	}
	f, ok := readFields(body)
	if !ok || f["id"] == nil {
		return nil, shapeError(r, "the user is not a JSON object with an id")
	}
	return &User{
		ID: f.integer("id"), Username: f.str("username"), Email: f.str("email"), Name: f.str("name"),
		UserType: UserType(f.str("user_type")), Phone: f.str("phone"), CustomerID: f.str("customer_id", "customer-id"),
		Gender: Gender(f.str("gender")), Avatar: f.str("avatar"), Country: f.str("country"), Citizenship: f.str("citizenship"),
		NationalID: f.str("national_id"), Address: f.str("address"), IsVerified: f.boolean("is_verified"),
		AdminApproved: f.boolean("admin_approved"), IsActive: f.boolean("is_active"),
	}, nil
}

// UserUpdate holds the fields UpdateUserInfo changes. Only fields that are
// set (non-nil) are sent, so an unset field is never blanked on the
// server; use new("value") to set one.
type UserUpdate struct {
	Email       *string `json:"email,omitempty"`
	Username    *string `json:"username,omitempty"`
	Name        *string `json:"name,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Country     *string `json:"country,omitempty"`
	Citizenship *string `json:"citizenship,omitempty"`
	NationalID  *string `json:"national_id,omitempty"`
	Address     *string `json:"address,omitempty"`
}

// UpdateUserInfo changes the set fields of a user (PATCH /auth/update/usr/{id}/).
func (c *Client) UpdateUserInfo(ctx context.Context, userID int, u UserUpdate) error {
	if userID <= 0 {
		return invalid("update_user", "id", "a user id is required")
	}
	if u == (UserUpdate{}) {
		return invalid("update_user", "update", "no field is set")
	}
	if u.Email != nil {
		if err := checkEmail("update_user", *u.Email); err != nil {
			return err
		}
	}
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return c.do(ctx, "update_user", http.MethodPatch, "auth/update/usr/"+strconv.Itoa(userID)+"/", body, true)
}

// UpdateUsername sets the session user's username and name
// (PUT /auth/user-update/); both are required.
func (c *Client) UpdateUsername(ctx context.Context, username, name string) error {
	username, name = strings.TrimSpace(username), strings.TrimSpace(name)
	switch {
	case username == "":
		return invalid("user_update", "username", "a username is required")
	case name == "":
		return invalid("user_update", "name", "a name is required")
	}
	body, err := json.Marshal(map[string]string{"username": username, "name": name})
	if err != nil {
		return err
	}
	return c.do(ctx, "user_update", http.MethodPut, "auth/user-update/", body, true)
}
