package fintiv

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

const usualMe = `{"contextResponse":{"tenantName":null,"statusCode":"SUCCESS","statusMessage":null,"additionalStatusCode":null,"additionalStatusMessage":null},"responseData":{"id":"6f1c2a9e","username":"test20190417","firstName":"Test","lastName":"User","status":"ACTIVE","personType":"SUBSCRIBER","enabled":true,"accountNonLocked":true,"credentialsNonExpired":true,"needChangePassword":false,"loginAttempt":0,"lastLoginDatetime":1700000000000,"createdDate":"1555459200000","preferredLanguage":"en","personRoles":[{"role":"X"}]}}`

// slowPerson is decodeEnvelope's one pass through encoding/json.
func slowPerson(body []byte) (Person, bool) {
	var p Person
	fast := struct {
		ContextResponse *contextResponse `json:"contextResponse"`
		ResponseData    any              `json:"responseData"`
	}{ResponseData: &p}
	ok := json.Unmarshal(body, &fast) == nil && fast.ContextResponse != nil && deref(fast.ContextResponse.StatusCode) == StatusSuccess
	return p, ok
}

func TestReadPersonReadsTheUsualAnswer(t *testing.T) {
	var p Person
	assert.True(t, readPerson([]byte(usualMe), &p))
	want, ok := slowPerson([]byte(usualMe))
	assert.True(t, ok)
	assert.Equal(t, want, p)
	assert.Equal(t, int64(1555459200000), p.Created.UnixMilli())
}

func TestReadPersonLeavesTheUnusualToEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"contextResponse":{"statusCode":"FAILED"},"responseData":{"id":"x"}}`,
		`{"contextResponse":null,"responseData":{"id":"x"}}`, `{"responseData":{"id":"x"}}`,
		`{"contextResponse":{"statusCode":"SUCCESS","errors":[]},"responseData":{"id":"x"}}`,
		`{"contextResponse":{"statusCode":"SUCCESS","statusMessage":5},"responseData":{"id":"x"}}`,
		`{"contextResponse":{"statusCode":"SUCCESS"},"responseData":{"loginAttempt":1.5}}`,
		`{"contextResponse":{"statusCode":"SUCCESS"},"responseData":{"ID":"x"}}`,
	} {
		p := Person{ID: "untouched"}
		assert.False(t, readPerson([]byte(in), &p), in)
		assert.Equal(t, "untouched", p.ID, in)
	}
}

// FuzzReadPerson: wherever readPerson reads an answer, encoding/json
// reads it too, to the same person.
func FuzzReadPerson(f *testing.F) {
	for _, s := range []string{usualMe, `{"contextResponse":{"statusCode":"SUCCESS","additionalStatusCode":12},"responseData":null}`,
		`{"responseData":{"lastLoginDatetime":null,"createdDate":true,"personContacts":null},"contextResponse":{"statusCode":"SUCCESS"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Person
		if !readPerson(b, &got) {
			return
		}
		want, ok := slowPerson(b)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n fast %#v\n json %#v, %v", b, got, want, ok)
		}
	})
}
