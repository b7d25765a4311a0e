package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/banklink/banklink-go"
)

// Codec turns a session into the provider's saved form (its Session as
// JSON) and back. Decode has no side effects: what it reads goes into the
// Token it returns (facts included), never into the client.
type Codec interface {
	Encode(t *Token) ([]byte, error)
	Decode(data []byte) (*Token, error)
}

// The states of a stored record.
const (
	stateLive       = "live"       // a session to use and renew
	stateRefreshing = "refreshing" // its refresh token is being presented under the lease
	stateLoggedOut  = "logged_out" // a tombstone: no replica adopts anything at or below it
)

// record is what the SDK keeps in a session store: the provider's saved
// session wrapped with its lineage (id, gen) and state. The store sees
// opaque bytes; redisstore seals them.
type record struct {
	Format  int             `json:"banklink_session_record"`
	ID      string          `json:"id"`
	Gen     uint64          `json:"gen"`
	State   string          `json:"state"`
	Session json.RawMessage `json:"session,omitempty"`
}

// stored is a store's answer to a load: nothing (nil), an unreadable
// value (its version only), a tombstone, or a session with its state.
type stored struct {
	version    uint64
	unreadable bool
	id         string
	gen        uint64
	state      string
	tok        *Token // nil for a tombstone or an unreadable value
}

func (c *Cache) encodeRecord(t *Token, state string) ([]byte, error) {
	r := record{Format: 1, ID: t.ID, Gen: t.Gen, State: state}
	if state != stateLoggedOut {
		data, err := c.shared.Codec.Encode(t)
		if err != nil {
			return nil, err
		}
		r.Session = data
	}
	return json.Marshal(r)
}

// errUnreadable is a stored value the codec could not read.
var errUnreadable = errors.New("not a session this client can read")

// decodeRecord reads a stored value; a value from before records (the
// provider's saved form alone, as v0.2 stored it) is a live session of
// generation 0. The last record read is kept (readMemo): a replica
// waiting on another's lease reads the same one every poll.
func (c *Cache) decodeRecord(data []byte) (*stored, error) {
	m := c.lastRead.Load()
	if m == nil || m.raw != string(data) {
		var err error
		if m, err = c.readRecord(data); err != nil {
			return nil, err
		}
		c.lastRead.Store(m)
	}
	return m.copy(c.now), nil
}

// readMemo is a decoded record, kept whole to be copied out.
type readMemo struct {
	raw     string
	st      stored // its tok is nil: see tok
	tok     *Token // nil for a tombstone; never handed out
	stamped bool   // the record has no time of issue
}

// copy returns the record as a fresh stored and a fresh *Token (a Token's
// pointer names one session as this cache got it, and load sets its
// Version). A session without a time of issue has its life counted from
// now: the renewal margin is a share of what is left, not of a lifetime
// this cache never saw.
func (m *readMemo) copy(now func() time.Time) *stored {
	st := m.st
	if m.tok != nil {
		t := *m.tok
		if m.stamped {
			t.Obtained = now()
		}
		st.tok = &t
	}
	return &st
}

// readRecord decodes a stored value (see decodeRecord).
func (c *Cache) readRecord(data []byte) (*readMemo, error) {
	var r record
	if !bytes.Contains(data, []byte(`"banklink_session_record"`)) {
		r = record{Format: 1, State: stateLive, Session: data}
	} else if err := json.Unmarshal(data, &r); err != nil || r.Format != 1 {
		return nil, errUnreadable
	}
	m := &readMemo{raw: string(data), st: stored{id: r.ID, gen: r.Gen, state: r.State}}
	switch r.State {
	case stateLoggedOut:
		return m, nil
	case stateLive, stateRefreshing:
	default:
		return nil, fmt.Errorf("%w: state %q", errUnreadable, r.State)
	}
	t, err := c.shared.Codec.Decode(r.Session)
	if err != nil || t == nil {
		return nil, errUnreadable
	}
	t.ID, t.Gen = r.ID, r.Gen
	if r.State == stateRefreshing && c.policy.SingleUse {
		t.RefreshSpent = true
	}
	m.tok, m.stamped = t, t.Obtained.IsZero()
	return m, nil
}

// ahead reports whether the stored record st is a later session than
// mine: a higher generation, or the same generation by another lineage
// (two logins while the store was away: the stored one wins, so the
// fleet converges on it). Nothing stored and unreadable values are never
// ahead.
func ahead(st *stored, mine *Token) bool {
	switch {
	case st == nil || st.unreadable:
		return false
	case mine == nil:
		return true
	case st.gen != mine.Gen:
		return st.gen > mine.Gen
	case st.id != mine.ID:
		return true
	}
	// The same lineage entry (both 0 for sessions from before records):
	// ahead only if it carries other tokens.
	return st.tok != nil && st.id == "" && st.tok.Access != mine.Access
}

// behind reports whether the store holds less than mine: nothing, an
// unreadable value, or an earlier generation, while mine was stored once
// (data loss, a rollback, a failover that lost writes).
func behind(st *stored, mine *Token) bool {
	if mine == nil || mine.Version == 0 {
		return false
	}
	return st == nil || st.unreadable || st.gen < mine.Gen
}

// isLeaseLost reports a write or extension refused because the lease was lost.
func isLeaseLost(err error) bool { return errors.Is(err, banklink.ErrLeaseLost) }
