package redisstore_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
	"github.com/banklink/banklink-go/redisstore"
)

// The environment of a fleet child: a replica of a service, in its own
// process, sharing one account through Redis.
const (
	childEnv      = "BANKLINK_FLEET_CHILD" // the provider
	childBase     = "BANKLINK_FLEET_BASE_URL"
	childRedis    = "BANKLINK_FLEET_REDIS"
	childSealKey  = "BANKLINK_FLEET_SEAL_KEY" // hex
	childKey      = "BANKLINK_FLEET_ACCOUNT"
	childWorkers  = "BANKLINK_FLEET_GOROUTINES"
	childStopFile = "BANKLINK_FLEET_STOP"
	childLease    = "BANKLINK_FLEET_LEASE"
	childCalls    = "BANKLINK_FLEET_CALLS" // a number of calls per goroutine instead of a stop file
	childPace     = "BANKLINK_FLEET_PACE"  // each goroutine's pause between two calls
)

// childResult is what a child prints on its last line.
type childResult struct {
	Calls    int64    `json:"calls"`
	Failures []string `json:"failures"`
}

// runChild is a replica: goroutines calling the provider until the stop
// file appears (or for a number of calls), then its result as JSON.
func runChild() int {
	key, err := hex.DecodeString(os.Getenv(childSealKey))
	if err != nil {
		fmt.Println("FLEET-ERROR seal key:", err)
		return 2
	}
	// ContextTimeoutEnabled: go-redis then bounds a command by the
	// context's deadline (the SDK's store timeout), not by its own 3s
	// read timeout; the SDK returns at its bound either way.
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv(childRedis), ContextTimeoutEnabled: true})
	defer rdb.Close()
	store, err := redisstore.New(rdb, key)
	if err != nil {
		fmt.Println("FLEET-ERROR", err)
		return 2
	}
	lease, _ := time.ParseDuration(os.Getenv(childLease))
	opts := []banklink.Option{
		banklink.WithBaseURL(os.Getenv(childBase)),
		banklink.WithSessionStore(store, os.Getenv(childKey), lease),
		banklink.WithRetry(banklink.RetryPolicy{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}),
	}
	call, err := childCall(os.Getenv(childEnv), opts)
	if err != nil {
		fmt.Println("FLEET-ERROR", err)
		return 2
	}
	workers, _ := strconv.Atoi(os.Getenv(childWorkers))
	perWorker, _ := strconv.Atoi(os.Getenv(childCalls))
	pace, _ := time.ParseDuration(os.Getenv(childPace))
	stop := os.Getenv(childStopFile)
	var calls atomic.Int64
	var mu sync.Mutex
	var res childResult
	var ready sync.Once
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				if perWorker > 0 && n >= perWorker {
					return
				}
				if perWorker == 0 && n%10 == 0 {
					if _, err := os.Stat(stop); err == nil {
						return
					}
				}
				if n > 0 {
					time.Sleep(pace)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				err := call(ctx)
				cancel()
				calls.Add(1)
				if err != nil {
					mu.Lock()
					res.Failures = append(res.Failures, err.Error())
					mu.Unlock()
					continue
				}
				ready.Do(func() { fmt.Println("FLEET-READY") })
			}
		}()
	}
	wg.Wait()
	res.Calls = calls.Load()
	out, _ := json.Marshal(res)
	fmt.Println("FLEET-RESULT " + string(out))
	return 0
}

// childCall returns one authenticated read of provider's client.
func childCall(provider string, opts []banklink.Option) (func(context.Context) error, error) {
	switch provider {
	case "merchant":
		c, err := merchant.New(append(opts, merchant.WithCredentials(merchanttest.Email, merchanttest.Password))...)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true, Idempotent: true})
			return err
		}, nil
	case "dfcu":
		c, err := dfcu.New(append(opts, dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))...)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error { _, err := c.Loans(ctx, dfcutest.AccountWithLoans); return err }, nil
	case "fintiv":
		c, err := fintiv.New(append(opts, fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
			fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))...)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error { _, err := c.Me(ctx); return err }, nil
	}
	return nil, fmt.Errorf("unknown provider %q", provider)
}
