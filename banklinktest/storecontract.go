package banklinktest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/banklink/banklink-go"
)

// SessionStoreContract checks that a [banklink.SessionStore] keeps the
// contract the SDK relies on: versioned loads, compare-and-swap that
// refuses a stale version and a write under a fence older than the last
// lease, a lease only one holder gets, extends and releases, that ends by
// itself after its ttl, with a growing fence. It writes only keys named after the test. Run it in the tests
// of a store of your own, as this module runs it on [banklink.MemoryStore]
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
	v, err = store.CompareAndSwapSession(ctx, key, 0, 0, []byte(`{"n":1}`))
	check(err == nil && v == 1, "the first store is version 1: %d %v", v, err)
	_, err = store.CompareAndSwapSession(ctx, key, 0, 0, []byte(`{"n":"stale"}`))
	check(errors.Is(err, banklink.ErrVersionConflict), "a stale version is refused with ErrVersionConflict: %v", err)
	v, err = store.CompareAndSwapSession(ctx, key, 1, 0, []byte(`{"n":2}`))
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
	check(store.ExtendLease(ctx, key, first, time.Minute) == nil, "the holder extends its lease")
	err = store.ExtendLease(ctx, key, banklink.Lease{Owner: "not-the-holder", Fence: first.Fence}, time.Minute)
	check(errors.Is(err, banklink.ErrLeaseLost), "another's lease cannot be extended: %v", err)
	v, err = store.CompareAndSwapSession(ctx, key, 2, first.Fence, []byte(`{"n":3}`))
	check(err == nil && v == 3, "a write under the current lease's fence is stored: %d %v", v, err)
	check(store.ReleaseLease(ctx, key, first) == nil, "the holder releases")
	err = store.ExtendLease(ctx, key, first, time.Minute)
	check(errors.Is(err, banklink.ErrLeaseLost), "a released lease cannot be extended: %v", err)

	short, err := store.AcquireLease(ctx, key, 50*time.Millisecond)
	check(err == nil && short.Fence > first.Fence, "the fence grows: %d then %d (%v)", first.Fence, short.Fence, err)
	_, err = store.CompareAndSwapSession(ctx, key, 3, first.Fence, []byte(`{"n":"fenced out"}`))
	check(errors.Is(err, banklink.ErrLeaseLost), "a write under an older lease's fence is refused: %v", err)
	data, v, err = store.LoadSession(ctx, key)
	check(err == nil && string(data) == `{"n":3}` && v == 3, "a refused write changes nothing: %q %d %v", data, v, err)
	deadline := time.Now().Add(5 * time.Second)
	for {
		next, err := store.AcquireLease(ctx, key, time.Minute)
		if err == nil {
			check(next.Fence > short.Fence, "the fence grows: %d then %d", short.Fence, next.Fence)
			err = store.ExtendLease(ctx, key, short, time.Minute)
			check(errors.Is(err, banklink.ErrLeaseLost), "an expired lease cannot be extended: %v", err)
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
