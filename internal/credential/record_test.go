package credential

import (
	"encoding/json"
	"testing"
	"time"
)

// countingCodec is a Codec that counts its decodes; its saved form is
// {"a": access, "r": refresh} with no time of issue.
type countingCodec struct{ decodes int }

func (c *countingCodec) Encode(t *Token) ([]byte, error) {
	return json.Marshal(map[string]string{"a": t.Access, "r": t.Refresh})
}

func (c *countingCodec) Decode(data []byte) (*Token, error) {
	c.decodes++
	var v map[string]string
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return &Token{Access: v["a"], Refresh: v["r"]}, nil
}

// A replica waiting on another's lease reads the same record every poll:
// it is decoded once, and each read still gets a session of its own, its
// life counted from that read (the record carries no time of issue).
func TestTheSameRecordIsDecodedOnce(t *testing.T) {
	codec := &countingCodec{}
	c := NewCache(&source{}, Policy{SingleUse: true}, nil, "test")
	c.Share(Shared{Codec: codec})
	clock := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return clock }
	data, err := c.encodeRecord(&Token{Access: "access-1", Refresh: "refresh-1", ID: "lineage", Gen: 7}, stateRefreshing)
	if err != nil {
		t.Fatal(err)
	}

	first, err := c.decodeRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	first.tok.Version = 99 // load sets the version on what it returns
	clock = clock.Add(time.Minute)
	second, err := c.decodeRecord(append([]byte(nil), data...))
	if err != nil {
		t.Fatal(err)
	}
	if codec.decodes != 1 {
		t.Fatalf("the same record was decoded %d times, want once", codec.decodes)
	}
	if first.tok == second.tok {
		t.Fatal("two reads share one *Token: a Token's pointer names one session as this cache obtained it")
	}
	want := Token{Access: "access-1", Refresh: "refresh-1", ID: "lineage", Gen: 7, RefreshSpent: true, Obtained: clock}
	if got := *second.tok; got.Access != want.Access || got.Refresh != want.Refresh || got.ID != want.ID ||
		got.Gen != want.Gen || got.RefreshSpent != want.RefreshSpent || !got.Obtained.Equal(want.Obtained) || got.Version != 0 {
		t.Fatalf("second read = %+v, want %+v", got, want)
	}
	if second.id != "lineage" || second.gen != 7 || second.state != stateRefreshing {
		t.Fatalf("second read's record = %+v", second)
	}

	other, err := c.encodeRecord(&Token{Access: "access-2", Refresh: "refresh-2", ID: "lineage", Gen: 8}, stateLive)
	if err != nil {
		t.Fatal(err)
	}
	third, err := c.decodeRecord(other)
	if err != nil {
		t.Fatal(err)
	}
	if codec.decodes != 2 || third.tok.Access != "access-2" || third.tok.RefreshSpent {
		t.Fatalf("a new record: %d decodes, %+v", codec.decodes, third.tok)
	}
}
