package banklinktest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/banklink/banklink-go"
)

// SessionStoreContract checks that a banklink.SessionStore keeps the
// contract the SDK relies on: versioned loads, compare-and-swap that
// refuses a stale version, a lease only one holder gets and only its
// holder releases, that ends by itself after its ttl, with a growing
// fence. It writes only keys named after the test. Run it in the tests
// of a store of your own, as this module runs it on banklink.MemoryStore
// and redisstore.
func SessionStoreContract(t *testing.T, store banklink.SessionStore) {
	t.Helper()
	ctx := context.Background()
	key := t.Name() + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}

	data, v, err := store.LoadSession(ctx, key)
	check(err == nil && data == nil && v == 0, "an empty key loads nothing at version 0: %q %d %v", data, v, err)
	v, err = store.CompareAndSwapSession(ctx, key, 0, []byte(`{"n":1}`))
	check(err == nil && v == 1, "the first store is version 1: %d %v", v, err)
	_, err = store.CompareAndSwapSession(ctx, key, 0, []byte(`{"n":"stale"}`))
	check(errors.Is(err, banklink.ErrVersionConflict), "a stale version is refused with ErrVersionConflict: %v", err)
	v, err = store.CompareAndSwapSession(ctx, key, 1, []byte(`{"n":2}`))
	check(err == nil && v == 2, "the next store is version 2: %d %v", v, err)
	data, v, err = store.LoadSession(ctx, key)
	check(err == nil && string(data) == `{"n":2}` && v == 2, "a load returns the last stored version: %q %d %v", data, v, err)

	first, err := store.AcquireLease(ctx, key, time.Minute)
	check(err == nil && first.Owner != "", "a free lease is taken: %+v %v", first, err)
	_, err = store.AcquireLease(ctx, key, time.Minute)
	check(errors.Is(err, banklink.ErrLeaseBusy), "a held lease is busy: %v", err)
	err = store.ReleaseLease(ctx, key, banklink.Lease{Owner: "not-the-holder", Fence: first.Fence})
	check(err == nil, "releasing another's lease is no error: %v", err)
	_, err = store.AcquireLease(ctx, key, time.Minute)
	check(errors.Is(err, banklink.ErrLeaseBusy), "only the holder releases the lease: %v", err)
	check(store.ReleaseLease(ctx, key, first) == nil, "the holder releases")

	short, err := store.AcquireLease(ctx, key, 50*time.Millisecond)
	check(err == nil && short.Fence > first.Fence, "the fence grows: %d then %d (%v)", first.Fence, short.Fence, err)
	deadline := time.Now().Add(5 * time.Second)
	for {
		next, err := store.AcquireLease(ctx, key, time.Minute)
		if err == nil {
			check(next.Fence > short.Fence, "the fence grows: %d then %d", short.Fence, next.Fence)
			_ = store.ReleaseLease(ctx, key, next)
			break
		}
		if !errors.Is(err, banklink.ErrLeaseBusy) || time.Now().After(deadline) {
			t.Errorf("a lease whose holder died ends after its ttl: %v", err)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(store.ReleaseLease(ctx, key, short) == nil, "releasing an expired lease is no error")
}
