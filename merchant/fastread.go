package merchant

import (
	"github.com/banklink/banklink-go/internal/jsonread"
)

// fastReader is a type whose usual answer Do reads without reflection
// (internal/jsonread). Anything unusual fails the read, and encoding/json
// reads the answer instead; where the read succeeds, the result is the
// same (a fuzz test holds the two to that).
type fastReader interface {
	readFast(r *jsonread.Reader) bool
}

// readEnvelope reads the usual success answer, {"status": true, "data":
// …} with no error, into out when T reads itself without reflection. It
// reports false, out untouched, for anything else.
func readEnvelope[T any](body []byte, out *T) bool {
	if _, ok := any((*T)(nil)).(fastReader); !ok {
		return false // asked of a nil pointer: a T without a reader costs nothing here
	}
	var v T
	f := any(&v).(fastReader)
	r := jsonread.Of(body)
	var succeeded bool
	ok := r.Fields([]string{"status", "data", "error"}, func(i int) bool {
		switch i {
		case 0:
			b, isBool := r.Bool()
			succeeded = isBool && b
			return succeeded
		case 1:
			return r.Null() || f.readFast(&r)
		default: // no error: absent, null, false or ""
			if r.Null() {
				return true
			}
			if b, ok := r.Bytes(); ok {
				return len(b) == 0
			}
			b, ok := r.Bool()
			return ok && !b
		}
	})
	if !ok || !r.Done() || !succeeded {
		return false
	}
	*out = v
	return true
}

var merchantKeys = []string{
	"id", "email", "firstName", "lastName", "mode", "role", "owner", "review", "businessName",
	"businessType", "callbackURL", "sandboxCallbackURL", "parentMerchant", "canDebitCustomer", "createdAt", "updatedAt",
}

// readFast reads a merchant object.
func (m *Merchant) readFast(r *jsonread.Reader) bool {
	return r.Fields(merchantKeys, func(i int) bool {
		switch i {
		case 0:
			return r.StringInto(&m.ID)
		case 1:
			return r.StringInto(&m.Email)
		case 2:
			return r.StringInto(&m.FirstName)
		case 3:
			return r.StringInto(&m.LastName)
		case 4:
			return r.StringInto(&m.Mode)
		case 5:
			return r.StringInto(&m.Role)
		case 6:
			return r.BoolPtrInto(&m.Owner)
		case 7:
			return r.StringInto(&m.Review)
		case 8:
			return r.StringInto(&m.BusinessName)
		case 9:
			return r.StringInto(&m.BusinessType)
		case 10:
			return r.StringPtrInto(&m.CallbackURL)
		case 11:
			return r.StringPtrInto(&m.SandboxCallbackURL)
		case 12:
			return r.RawInto(&m.ParentMerchant)
		case 13:
			return r.BoolInto(&m.CanDebitCustomer)
		case 14:
			return r.TimeInto(&m.CreatedAt)
		default:
			return r.TimeInto(&m.UpdatedAt)
		}
	})
}
