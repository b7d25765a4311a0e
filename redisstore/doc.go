// Package redisstore is a banklink.SessionStore on Redis, for clients that
// share one account across the replicas of a service: sessions, their
// versions and the renewal lease live in Redis, so one renewal runs for
// the whole fleet and no replica presents a single-use refresh token
// another one spent.
//
// It is a module of its own (github.com/banklink/banklink-go/redisstore),
// so users of the core SDK never inherit go-redis.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"}) // one pool for every tenant
//	store, err := redisstore.New(rdb, sealKey)                  // a 32-byte key from your secret manager
//	c, err := merchant.New(merchant.WithCredentials(email, password),
//		banklink.WithSessionStore(store, email, 0))
//
// Sessions are sealed at rest with AES-GCM under the caller's key (a
// shared Redis is readable by other services, by MONITOR and in backups),
// bound to their key and version so a sealed session cannot be moved to
// another account or replayed as a newer version; storing plaintext needs
// WithPlaintext. Keys are namespaced (WithPrefix, default "banklink:") and
// hashed, so account names never appear in Redis: a session takes three
// keys, {h}:session (a hash of the version and the sealed session),
// {h}:lease (the holder, set with SET NX PX) and {h}:fence (the lease
// counter), where h is the start of the SHA-256 of the account key. The
// hash tag keeps them in one Redis Cluster slot. Compare-and-swap and
// lease release are Lua scripts, atomic on the server.
//
// When Redis cannot be reached, the SDK goes on: calls with a valid
// token never touch the store, and a renewal falls back to the client's
// own single flight with one warning log. A busy lease
// (banklink.ErrLeaseBusy) is told apart from a store that is down (any
// other error).
package redisstore
