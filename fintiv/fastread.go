package fintiv

import (
	"github.com/banklink/banklink-go/internal/envelope"
	"github.com/banklink/banklink-go/internal/jsonread"
)

// readPerson reads the usual answer of Me, a SUCCESS contextResponse and
// a person, into p without reflection (internal/jsonread), as
// decodeEnvelope's one pass through encoding/json would; anything unusual
// (an escape, a contextResponse with errors, another status) fails it, p
// untouched, and encoding/json reads the body instead. A fuzz test holds
// the two to the same person.
func readPerson(body []byte, p *Person) bool {
	var v Person
	var success bool
	r := jsonread.Of(body)
	ok := r.Fields([]string{"contextResponse", "responseData"}, func(i int) bool {
		if i == 0 {
			success = readSuccess(&r)
			return success
		}
		return r.Null() || v.readFast(&r)
	})
	if !ok || !r.Done() || !success {
		return false
	}
	*p = v
	return true
}

// readSuccess reads a contextResponse whose statusCode is SUCCESS, every
// field of the type decodeEnvelope reads it into, and no errors.
func readSuccess(r *jsonread.Reader) bool {
	var status, text *string
	var code envelope.FlexString
	return r.Fields([]string{"tenantName", "statusCode", "statusMessage", "additionalStatusCode", "additionalStatusMessage", "errors"}, func(i int) bool {
		switch i {
		case 1:
			return r.StringPtrInto(&status) && status != nil && *status == StatusSuccess
		case 3:
			return envelope.ReadFlex(r, &code) // a *FlexString: null is nil, as ReadFlex's ""
		case 5:
			return r.Null()
		}
		return r.StringPtrInto(&text)
	}) && status != nil
}

var personKeys = []string{
	"id", "username", "firstName", "lastName", "status", "personType", "enabled", "accountNonLocked",
	"credentialsNonExpired", "needChangePassword", "loginAttempt", "lastLoginDatetime", "lastPasswordUpdate",
	"createdDate", "lastUpdatedDate", "preferredLanguage", "timeZoneFormatted", "personContacts", "personRoles",
}

// readFast reads a person object; the times through Millis's own
// UnmarshalJSON, as encoding/json calls it.
func (p *Person) readFast(r *jsonread.Reader) bool {
	millis := func(m *Millis) bool {
		b, ok := r.Raw()
		return ok && m.UnmarshalJSON(b) == nil
	}
	return r.Fields(personKeys, func(i int) bool {
		switch i {
		case 0:
			return r.StringInto(&p.ID)
		case 1:
			return r.StringInto(&p.Username)
		case 2:
			return r.StringInto(&p.FirstName)
		case 3:
			return r.StringInto(&p.LastName)
		case 4:
			return r.StringInto(&p.Status)
		case 5:
			return r.StringInto(&p.PersonType)
		case 6:
			return r.BoolInto(&p.Enabled)
		case 7:
			return r.BoolInto(&p.AccountNonLocked)
		case 8:
			return r.BoolInto(&p.CredentialsNonExpired)
		case 9:
			return r.BoolInto(&p.NeedChangePassword)
		case 10:
			return r.IntInto(&p.LoginAttempt)
		case 11:
			return millis(&p.LastLogin)
		case 12:
			return millis(&p.LastPasswordUpdate)
		case 13:
			return millis(&p.Created)
		case 14:
			return millis(&p.LastUpdated)
		case 15:
			return r.StringInto(&p.PreferredLanguage)
		case 16:
			return r.StringInto(&p.TimeZone)
		case 17:
			return r.RawInto(&p.Contacts)
		default:
			return r.RawInto(&p.Roles)
		}
	})
}
