// Package redisstore is a banklink.SessionStore on Redis, for clients that
// share one account across the replicas of a service: sessions, their
// versions and the renewal lease live in Redis, so one renewal runs for
// the whole fleet and no replica presents a single-use refresh token
// another one spent (SESSIONS.md in the SDK's repository has the protocol
// and its renewal table).
//
// It is a module of its own (github.com/banklink/banklink-go/redisstore),
// so users of the core SDK never inherit go-redis.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true}) // one pool for every tenant
//	store, err := redisstore.New(rdb, sealKey)                                              // a 32-byte key from your secret manager
//	c, err := merchant.New(merchant.WithCredentials(email, password),
//		banklink.WithSessionStore(store, email, 0))
//
// Sessions are sealed at rest with AES-GCM under the caller's key (a
// shared Redis is readable by other services, by MONITOR and in backups),
// bound to their key and version so a sealed session cannot be moved to
// another account or replayed as a newer version; storing plaintext needs
// WithPlaintext (and WithKeySalt). A value that does not open (another
// key, tampered with) is reported as banklink.ErrSessionUnreadable: the
// SDK replaces it under the lease, with one warning.
//
// Key names reveal nothing of the account: a session takes three keys,
// {h}:session (a hash of the version and the sealed session), {h}:lease
// (the holder, set with SET NX PX and extended while it works) and
// {h}:fence (the lease counter, which refuses a write made under a lease
// another holder has taken since), where h is an HMAC-SHA256 of the
// account key under a secret derived from the seal key (WithKeySalt in
// plaintext mode), so guessing an account number and hashing it finds
// nothing. Keys are namespaced (WithPrefix, default "banklink:"); the
// hash tag keeps them in one Redis Cluster slot. Compare-and-swap, lease
// extension and release are Lua scripts, atomic on the server. Rotating
// the seal key moves the fleet to new key names: replicas on the new key
// find nothing stored and log in once for their fleet; the old entries
// expire with their lease or can be deleted.
//
// Give the Redis client ContextTimeoutEnabled: go-redis then ends a
// command at the context's deadline (the SDK's store timeout, 500ms by
// default) instead of its own read timeout. The SDK returns at its bound
// either way; the setting only frees the connection sooner.
//
// When Redis cannot be reached, answers late or fails over, the SDK goes
// on: calls with a valid token never touch the store, and a renewal falls
// back to the client's own (refreshing a reusable token, logging in
// instead of presenting a single-use one) with one warning log. A busy
// lease (banklink.ErrLeaseBusy) is told apart from a store that is down
// (any other error). Behind Sentinel or Cluster, use WithWaitReplicas: a
// failover must not lose the record that a refresh is in flight.
package redisstore
