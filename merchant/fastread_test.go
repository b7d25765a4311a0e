package merchant

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

const usualProfile = `{"status":true,"data":{"email":"merchant1@mailinator.com","id":"e84a4677-3158-40ba-8967-f523c2315cf9","lastName":"Obagunwa","mode":"SANDBOX","role":"Admin","firstName":"Samson","owner":false,"review":"PENDING","businessName":"Caleb","businessType":"Restaurants","callbackURL":null,"parentMerchant":{"id":"p1"},"canDebitCustomer":true,"createdAt":"2022-05-03T10:18:19.172Z","updatedAt":"2022-05-03T10:18:19.172Z"}}`

// slowEnvelope is how Do reads a success answer with encoding/json.
func slowEnvelope[T any](body []byte) (T, bool) {
	var out T
	fast := struct {
		Status *bool           `json:"status"`
		Data   any             `json:"data"`
		Error  json.RawMessage `json:"error"`
	}{Data: &out}
	ok := json.Unmarshal(body, &fast) == nil && fast.Status != nil && *fast.Status && noError(fast.Error)
	return out, ok
}

func TestReadEnvelopeReadsTheUsualProfile(t *testing.T) {
	var m Merchant
	assert.True(t, readEnvelope([]byte(usualProfile), &m))
	want, ok := slowEnvelope[Merchant]([]byte(usualProfile))
	assert.True(t, ok)
	assert.Equal(t, want, m)
	assert.Equal(t, "Caleb", m.BusinessName)
	assert.Equal(t, json.RawMessage(`{"id":"p1"}`), m.ParentMerchant)
	assert.False(t, *m.Owner)
}

func TestReadEnvelopeLeavesTheUnusualToEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"status":false,"data":{"id":"x"}}`, `{"data":{"id":"x"}}`, `{"status":"true","data":{}}`,
		`{"status":true,"data":{"id":"x"},"error":"refused"}`, `{"status":true,"data":{"ID":"x"}}`,
		`{"status":true,"data":{"id":"a\"b"}}`, `{"status":true,"data":{"createdAt":"yesterday"}}`,
		`{"status":true,"data":[1]}`, `{"status":true,"data":{}} x`,
	} {
		m := Merchant{ID: "untouched"}
		assert.False(t, readEnvelope([]byte(in), &m), in)
		assert.Equal(t, "untouched", m.ID, in)
	}
	var other struct{ ID string }
	assert.False(t, readEnvelope([]byte(`{"status":true,"data":{"ID":"x"}}`), &other), "a type without a fast reader")
}

// FuzzReadEnvelope: wherever the fast read takes an answer, encoding/json
// takes it too, to the same merchant.
func FuzzReadEnvelope(f *testing.F) {
	for _, s := range []string{usualProfile, `{"status":true,"data":null,"error":false}`, `{"status":true,"data":{"owner":null,"parentMerchant":"p"},"error":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Merchant
		if !readEnvelope(b, &got) {
			return
		}
		want, ok := slowEnvelope[Merchant](b)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n fast %#v\n json %#v, %v", b, got, want, ok)
		}
	})
}

// A T without a fast reader costs the usual answer nothing in readEnvelope.
func TestReadEnvelopeAllocatesNothingForOtherTypes(t *testing.T) {
	type other struct{ ID string }
	var out other
	body := []byte(usualProfile)
	if n := testing.AllocsPerRun(100, func() { readEnvelope(body, &out) }); n != 0 {
		t.Fatalf("%v allocations for a type without a reader", n)
	}
}
