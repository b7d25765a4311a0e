package merchant

import (
	"encoding/json"
	"time"
)

// User is the wallet user who logged in (the answer's "data").
type User struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Merchant is the user's merchant (the answer's "merchant").
type Merchant struct {
	ID                 string          `json:"id"`
	Email              string          `json:"email"`
	FirstName          string          `json:"firstName"`
	LastName           string          `json:"lastName"`
	Mode               string          `json:"mode"` // SANDBOX or PRODUCTION
	Role               string          `json:"role"`
	Owner              *bool           `json:"owner"`  // absent on refresh
	Review             string          `json:"review"` // PENDING or ENABLED
	BusinessName       string          `json:"businessName"`
	BusinessType       string          `json:"businessType"`
	CallbackURL        *string         `json:"callbackURL"`
	SandboxCallbackURL *string         `json:"sandboxCallbackURL"`
	ParentMerchant     json.RawMessage `json:"parentMerchant"` // null, an id or an object
	CanDebitCustomer   bool            `json:"canDebitCustomer"`
	CreatedAt          time.Time       `json:"createdAt"`
	UpdatedAt          time.Time       `json:"updatedAt"`
}

// Account is a login's or refresh's answer.
type Account struct {
	User     User     `json:"data"`
	Merchant Merchant `json:"merchant"`
}
