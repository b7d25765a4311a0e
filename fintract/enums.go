package fintract

import "strings"

// UserType is a Fintract account type.
type UserType string

// The user types. The documents list BANK_ADMIN, which the 2022 server
// refuses; it knows ORG_ADMIN, which the documents do not list.
const (
	Customer       UserType = "CUSTOMER"
	BankAdmin      UserType = "BANK_ADMIN"
	FintractAdmin  UserType = "FINTRACT_ADMIN"
	OrgAdmin       UserType = "ORG_ADMIN"
	Developer      UserType = "DEVELOPER"
	DeveloperAdmin UserType = "DEVELOPER_ADMIN"
)

// Gender is a user's gender as the API records it.
type Gender string

// The genders.
const (
	Male   Gender = "MALE"
	Female Gender = "FEMALE"
)

// OTPType is where the login OTP is sent.
type OTPType string

// The OTP channels.
const (
	OTPByEmail OTPType = "Email"
	OTPByPhone OTPType = "Phone"
)

// normalize returns the canonical form of an enum value, matched without
// regard to case, and false when v is none of them.
func normalize[T ~string](v T, all ...T) (T, bool) {
	for _, a := range all {
		if strings.EqualFold(string(v), string(a)) {
			return a, true
		}
	}
	return v, false
}

func userType(v UserType) (UserType, bool) {
	return normalize(v, Customer, BankAdmin, FintractAdmin, OrgAdmin, Developer, DeveloperAdmin)
}

func gender(v Gender) (Gender, bool) { return normalize(v, Male, Female) }

func otpType(v OTPType) (OTPType, bool) { return normalize(v, OTPByEmail, OTPByPhone) }
