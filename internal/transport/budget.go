package transport

import (
	"context"
	"errors"
	"net"
	"sync/atomic"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/errs"
)

// budget is a client's retry budget (banklink.RetryBudget): a token bucket
// shared by all its calls. A nil *budget allows every retry.
type budget struct {
	tokens                  atomic.Int64
	capacity, cost, timeout int64
	refill                  int64
}

// newBudget returns the budget b asks for, nil when it is off.
func newBudget(b banklink.RetryBudget) *budget {
	if b.Capacity < 0 {
		return nil
	}
	or := func(v, d int) int64 {
		if v == 0 {
			return int64(d)
		}
		return int64(v)
	}
	bt := &budget{capacity: or(b.Capacity, 500), cost: or(b.RetryCost, 5), timeout: or(b.TimeoutCost, 10), refill: or(b.SuccessRefill, 1)}
	bt.tokens.Store(bt.capacity)
	return bt
}

// take pays for a retry (a dearer one after a timeout), and reports
// whether the bucket could.
func (b *budget) take(timedOut bool) bool {
	if b == nil {
		return true
	}
	cost := b.cost
	if timedOut {
		cost = b.timeout
	}
	for {
		cur := b.tokens.Load()
		if cur < cost {
			return false
		}
		if b.tokens.CompareAndSwap(cur, cur-cost) {
			return true
		}
	}
}

// succeeded refills the bucket after a successful attempt.
func (b *budget) succeeded() {
	if b == nil {
		return
	}
	for {
		cur := b.tokens.Load()
		next := min(cur+b.refill, b.capacity)
		if next == cur || b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}

// budgetSpent is a call's failure that a spent retry budget did not let
// it retry: it reads as the failure, and matches it and
// ErrRetryBudgetExhausted.
type budgetSpent struct{ err error }

func (e *budgetSpent) Error() string {
	return e.err.Error() + " (not retried: the client's retry budget is spent)"
}
func (e *budgetSpent) Unwrap() []error { return []error{errs.ErrRetryBudgetExhausted, e.err} }

// timedOut reports whether an attempt failed by running out of time.
func timedOut(err error) bool {
	var ne net.Error
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()))
}
