package fintract

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

const usualInfo = `{"id":93,"email":"johndoe@gmail.com","avatar":"","gender":"MALE","username":"JohnDoe0303","name":"John","net balance":0,"customer-id":"2160658639884","verification_status":true,"phone":"1234567890","country":"","citizenship":"","national_id":"","address":"","bank_name":""}`

func TestReadInfoReadsTheUsualAnswer(t *testing.T) {
	var fast, slow wireInfo
	assert.True(t, readInfo([]byte(usualInfo), &fast))
	assert.NoError(t, json.Unmarshal([]byte(usualInfo), &slow))
	assert.Equal(t, slow, fast)
	assert.Equal(t, "2160658639884", string(fast.CustomerIDDash))
}

func TestReadInfoLeavesTheUnusualToEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"id":"93"}`, `{"id":93,"error":null}`, `{"data":{"id":93}}`, `{"id":93,"Email":"x"}`,
		`{"id":93,"name":"a\"b"}`, `{"id":93,"customer-id":true}`, `{"id":93,"id":94}`,
	} {
		var w wireInfo
		assert.False(t, readInfo([]byte(in), &w), in)
	}
}

// FuzzReadInfo: wherever readInfo reads an answer, encoding/json reads it
// too, to the same wireInfo.
func FuzzReadInfo(f *testing.F) {
	for _, s := range []string{usualInfo, `{"id":1,"customer_id":12,"customer-id ":null,"net_balance":-1.5}`, `{"id":1,"gender":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast wireInfo
		if !readInfo(b, &fast) {
			return
		}
		var slow wireInfo
		if err := json.Unmarshal(b, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\n fast %#v\n json %#v, %v", b, fast, slow, err)
		}
	})
}
