package fintract

import (
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/jsonread"
)

var infoKeys = []string{
	"id", "email", "avatar", "gender", "username", "name", "net balance", "net_balance", "customer-id",
	"customer-id ", "customer_id", "verification_status", "phone", "country", "citizenship", "national_id",
	"address", "bank_name", "error", "errors", "data",
}

// readInfo reads the usual user info answer into w without reflection
// (internal/jsonread), as json.Unmarshal into a wireInfo would; anything
// unusual (an escape, an id in a string, an error or data key, which the
// fast path leaves to the lenient one anyway) fails it, and encoding/json
// reads the body instead. A fuzz test holds the two to the same result.
func readInfo(body []byte, w *wireInfo) bool {
	r := jsonread.Of(body)
	ok := r.Fields(infoKeys, func(i int) bool {
		switch i {
		case 0:
			return r.NumberInto(&w.ID)
		case 1:
			return r.StringInto(&w.Email)
		case 2:
			return r.StringInto(&w.Avatar)
		case 3:
			return r.StringInto((*string)(&w.Gender))
		case 4:
			return r.StringInto(&w.Username)
		case 5:
			return r.StringInto(&w.Name)
		case 6:
			return r.NumberInto(&w.NetBalanceSpace)
		case 7:
			return r.NumberInto(&w.NetBalanceSnake)
		case 8:
			return envelope.ReadFlex(&r, &w.CustomerIDDash)
		case 9:
			return envelope.ReadFlex(&r, &w.CustomerIDDashSpace)
		case 10:
			return envelope.ReadFlex(&r, &w.CustomerIDSnake)
		case 11:
			return r.BoolInto(&w.VerificationStatus)
		case 12:
			return r.StringInto(&w.Phone)
		case 13:
			return r.StringInto(&w.Country)
		case 14:
			return r.StringInto(&w.Citizenship)
		case 15:
			return r.StringInto(&w.NationalID)
		case 16:
			return r.StringInto(&w.Address)
		case 17:
			return r.StringInto(&w.BankName)
		}
		return false // error, errors, data: for the lenient path
	})
	return ok && r.Done()
}
