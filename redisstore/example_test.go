package redisstore_test

import (
	"log"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/redisstore"
)

// Replicas of a service share one merchant session through Redis: one
// login and one refresh per expiry for the fleet, and the wallet's
// single-use refresh token never presented twice. The seal key comes
// from your secret manager (32 bytes, the same on every replica).
func ExampleNew() {
	sealKey := []byte(os.Getenv("BANKLINK_SEAL_KEY"))
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true}) // one pool for every tenant
	store, err := redisstore.New(rdb, sealKey)
	if err != nil {
		log.Fatal(err)
	}
	c, err := merchant.New(
		merchant.WithCredentials(os.Getenv("MERCHANT_EMAIL"), os.Getenv("MERCHANT_PASSWORD")),
		banklink.WithSessionStore(store, os.Getenv("MERCHANT_EMAIL"), 0), // the key names the account, never a token
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c // use c as any client: sessions are shared underneath
}
