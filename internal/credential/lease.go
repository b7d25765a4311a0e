package credential

import (
	"context"
	"errors"
	"time"

	"github.com/banklink/banklink-go"
)

// errLeaseLapsing ends a renewal whose lease could not be extended before
// it lapses: nothing is presented after another replica may have taken it.
var errLeaseLapsing = errors.New("the renewal lease could not be extended before it lapsed")

// acquire takes the renewal lease and returns when it lapses at the
// latest: its ttl counted from before the request was sent.
func (c *Cache) acquire(ctx context.Context) (banklink.Lease, time.Time, error) {
	s := c.shared
	until := c.now().Add(s.LeaseTTL)
	l, err := storeCall(c, ctx, func(ctx context.Context) (banklink.Lease, error) {
		return s.Store.AcquireLease(ctx, s.Key, s.LeaseTTL)
	})
	return l, until, err
}

// hold keeps the lease while its renewal runs: it extends it every third
// of its ttl, and cancels the returned context when the store says the
// lease is lost or when it could not be extended before it lapses, so a
// renewal never runs outside its lease. release stops that and releases
// the lease (bounded, whatever the renewal's context).
func (c *Cache) hold(ctx context.Context, lease banklink.Lease, until time.Time) (context.Context, func()) {
	s := c.shared
	lctx, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	every := s.LeaseTTL / 3
	go func() {
		defer close(done)
		tick := time.NewTimer(every)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-lctx.Done():
				return
			case <-tick.C:
			}
			sent := c.now()
			_, err := storeCall(c, lctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, s.Store.ExtendLease(ctx, s.Key, lease, s.LeaseTTL)
			})
			switch {
			case err == nil:
				until = sent.Add(s.LeaseTTL)
			case isLeaseLost(err):
				cancel(err)
				return
			}
			if !c.now().Add(every).Before(until) {
				cancel(errLeaseLapsing)
				return
			}
			tick.Reset(every)
		}
	}()
	return lctx, func() {
		close(stop)
		<-done
		cancel(nil)
		_, _ = storeCall(c, context.WithoutCancel(ctx), func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.Store.ReleaseLease(ctx, s.Key, lease)
		})
	}
}
