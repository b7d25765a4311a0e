package redisstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/banklink/banklink-go"
)

// Store is a banklink.SessionStore on Redis. It is safe for concurrent
// use; share one Store (and its client's connection pool) between every
// client of a process, whatever their accounts.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	aead   cipher.AEAD // nil: plaintext, by WithPlaintext
	names  []byte      // the HMAC key of key names
	// waitReplicas and waitTimeout: WAIT after each write (0: none).
	waitReplicas int
	waitTimeout  time.Duration
	// The Lua scripts, run by hash (EVALSHA, loaded on first use).
	cas, acquire, extend, release *redis.Script
}

// Option configures a Store.
type Option func(*config) error

type config struct {
	prefix       string
	plaintext    bool
	salt         []byte
	waitReplicas int
	waitTimeout  time.Duration
}

// WithPrefix sets the namespace of the Store's keys (default "banklink:").
func WithPrefix(prefix string) Option {
	return func(c *config) error {
		if prefix == "" {
			return errors.New("redisstore: WithPrefix: empty prefix")
		}
		c.prefix = prefix
		return nil
	}
}

// WithPlaintext stores sessions unsealed. Anyone who can read the Redis
// (other services, MONITOR, a backup) can then read the tokens: use it
// only for a Redis no one else reaches, and pass a nil seal key. Key
// names then need WithKeySalt.
func WithPlaintext() Option {
	return func(c *config) error { c.plaintext = true; return nil }
}

// WithWaitReplicas makes every write wait until n replicas have it
// (Redis WAIT, up to timeout) before it counts as done; a write fewer
// replicas acknowledged is reported as failed (the SDK then treats the
// store as down and never presents a single-use refresh token on its
// strength). Use it when Redis fails over to replicas (Sentinel, Cluster):
// without it a failover can lose the record that a refresh is in flight,
// and a replica that never saw that record could present the spent token
// (SESSIONS.md). Default: no wait.
func WithWaitReplicas(n int, timeout time.Duration) Option {
	return func(c *config) error {
		if n < 1 || timeout <= 0 {
			return errors.New("redisstore: WithWaitReplicas: at least one replica and a positive timeout")
		}
		c.waitReplicas, c.waitTimeout = n, timeout
		return nil
	}
}

// WithKeySalt sets the secret that key names are keyed with (HMAC-SHA256):
// at least 16 random bytes, the same for every replica. It is needed with
// WithPlaintext; a sealing store derives its own from the seal key.
func WithKeySalt(salt []byte) Option {
	return func(c *config) error {
		if len(salt) < 16 {
			return errors.New("redisstore: WithKeySalt: at least 16 bytes")
		}
		c.salt = append([]byte(nil), salt...)
		return nil
	}
}

// New returns a Store on rdb. sealKey is the AES key sessions are sealed
// with: 32 bytes (AES-256; 16 or 24 for AES-128/192), from your secret
// manager, the same for every replica. A nil key needs WithPlaintext.
func New(rdb redis.UniversalClient, sealKey []byte, opts ...Option) (*Store, error) {
	cfg := config{prefix: "banklink:"}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if rdb == nil {
		return nil, errors.New("redisstore: nil Redis client")
	}
	s := &Store{rdb: rdb, prefix: cfg.prefix, names: cfg.salt, waitReplicas: cfg.waitReplicas, waitTimeout: cfg.waitTimeout,
		cas: redis.NewScript(casLua), acquire: redis.NewScript(acquireLua), extend: redis.NewScript(extendLua), release: redis.NewScript(releaseLua)}
	switch {
	case cfg.plaintext && sealKey != nil:
		return nil, errors.New("redisstore: a seal key and WithPlaintext: choose one")
	case cfg.plaintext && cfg.salt == nil:
		return nil, errors.New("redisstore: WithPlaintext needs WithKeySalt: key names are keyed so that they do not reveal the account")
	case cfg.plaintext:
		return s, nil
	case sealKey == nil:
		return nil, errors.New("redisstore: no seal key: sessions hold tokens and are sealed at rest; pass a 32-byte key (or WithPlaintext for a private Redis)")
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("redisstore: seal key: %w", err)
	}
	if s.aead, err = cipher.NewGCM(block); err != nil {
		return nil, fmt.Errorf("redisstore: seal key: %w", err)
	}
	if s.names == nil {
		s.names = mac(sealKey, []byte("banklink-go redisstore: key names v1"))
	}
	return s, nil
}

func mac(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// keys returns the Redis keys of an account key: namespaced, keyed with
// HMAC-SHA256 under a secret (derived from the seal key, or the salt), so
// a key name reveals nothing of the account even to someone who can guess
// it (an account number has few digits), and in one cluster slot.
func (s *Store) keys(key string) (session, lease, fence string) {
	sum := mac(s.names, []byte(key))
	base := s.prefix + "{" + hex.EncodeToString(sum[:16]) + "}:"
	return base + "session", base + "lease", base + "fence"
}

// Sealed values: a format byte, then for format 1 the GCM nonce and the
// ciphertext of the session, bound to the hashed key and the version.
const (
	formatPlain  = 0
	formatSealed = 1
)

func (s *Store) seal(redisKey string, version uint64, data []byte) ([]byte, error) {
	if s.aead == nil {
		return append([]byte{formatPlain}, data...), nil
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(data)+s.aead.Overhead())
	out[0] = formatSealed
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:], data, aad(redisKey, version)), nil
}

func (s *Store) open(redisKey string, version uint64, value []byte) ([]byte, error) {
	switch {
	case len(value) == 0:
		return nil, errors.New("redisstore: empty stored session")
	case value[0] == formatPlain && s.aead == nil:
		return value[1:], nil
	case value[0] == formatPlain:
		return nil, errors.New("redisstore: the stored session is plaintext and this store seals: refusing it")
	case value[0] != formatSealed || s.aead == nil:
		return nil, errors.New("redisstore: the stored session is sealed and this store has no key")
	}
	n := s.aead.NonceSize()
	if len(value) < 1+n {
		return nil, errors.New("redisstore: truncated stored session")
	}
	data, err := s.aead.Open(nil, value[1:1+n], value[1+n:], aad(redisKey, version))
	if err != nil {
		return nil, errors.New("redisstore: the stored session does not open with this key (another key, or tampered with)")
	}
	return data, nil
}

func aad(redisKey string, version uint64) []byte {
	return strconv.AppendUint([]byte(redisKey+"#"), version, 10)
}

// LoadSession returns the session stored under key and its version. A
// value that does not open (another seal key, tampered with, a plaintext
// value under a sealing store) is an error matching
// banklink.ErrSessionUnreadable, with its version.
func (s *Store) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	sk, _, _ := s.keys(key)
	vals, err := s.rdb.HMGet(ctx, sk, "v", "d").Result()
	if err != nil {
		return nil, 0, err
	}
	vs, _ := vals[0].(string)
	ds, _ := vals[1].(string)
	if vs == "" || ds == "" {
		return nil, 0, nil
	}
	v, err := strconv.ParseUint(vs, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("redisstore: stored version %q: %w", vs, err)
	}
	data, err := s.open(sk, v, []byte(ds))
	if err != nil {
		return nil, v, fmt.Errorf("%w: %w", banklink.ErrSessionUnreadable, err)
	}
	return data, v, nil
}

// casLua stores ARGV[2] as version ARGV[1]+1 if the version is ARGV[1]
// (-1 otherwise) and, when ARGV[3] is not "0", if the fence is still
// ARGV[3] (-2 otherwise: a newer lease was taken, or the fence was lost).
const casLua = `
if ARGV[3] ~= '0' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[3] then return -2 end
local cur = redis.call('HGET', KEYS[1], 'v') or '0'
if cur ~= ARGV[1] then return -1 end
local next = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'v', tostring(next), 'd', ARGV[2])
return next
`

// CompareAndSwapSession stores data, sealed, as the version after old,
// under fence (0: no lease).
func (s *Store) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	sk, _, fk := s.keys(key)
	sealed, err := s.seal(sk, old+1, data)
	if err != nil {
		return 0, err
	}
	keys, args := []string{sk, fk}, []any{strconv.FormatUint(old, 10), sealed, strconv.FormatUint(fence, 10)}
	if s.waitReplicas > 0 {
		return s.casDurable(ctx, keys, args)
	}
	n, err := s.cas.Run(ctx, s.rdb, keys, args...).Int64()
	return casResult(n, err)
}

// casResult reads the compare-and-swap script's answer.
func casResult(n int64, err error) (uint64, error) {
	switch {
	case err != nil:
		return 0, err
	case n == -2:
		return 0, banklink.ErrLeaseLost
	case n < 0:
		return 0, banklink.ErrVersionConflict
	}
	return uint64(n), nil
}

// casDurable runs the compare-and-swap and WAIT in one pipeline: on one
// connection, as WAIT counts only the writes made on its own connection.
func (s *Store) casDurable(ctx context.Context, keys []string, args []any) (uint64, error) {
	pipe := s.rdb.Pipeline()
	cas := pipe.Eval(ctx, casLua, keys, args...)
	wait := pipe.Do(ctx, "WAIT", s.waitReplicas, s.waitTimeout.Milliseconds())
	_, _ = pipe.Exec(ctx) // each command's own error is read below
	n, err := cas.Int64()
	v, err := casResult(n, err)
	if err != nil {
		return 0, err
	}
	got, err := wait.Int64()
	switch {
	case err != nil:
		return 0, err
	case got < int64(s.waitReplicas):
		return 0, fmt.Errorf("redisstore: the write reached %d of %d replicas within %s: not durable", got, s.waitReplicas, s.waitTimeout)
	}
	return v, nil
}

// acquireLua sets the lease to ARGV[1] for ARGV[2] ms if it is free, and
// returns the next fence (0 when busy).
const acquireLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
`

// AcquireLease takes key's renewal lease for ttl (SET NX PX with an
// unguessable owner), or returns banklink.ErrLeaseBusy.
func (s *Store) AcquireLease(ctx context.Context, key string, ttl time.Duration) (banklink.Lease, error) {
	_, lk, fk := s.keys(key)
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return banklink.Lease{}, err
	}
	owner := hex.EncodeToString(id[:])
	fence, err := s.acquire.Run(ctx, s.rdb, []string{lk, fk}, owner, max(ttl.Milliseconds(), 1)).Int64()
	switch {
	case err != nil:
		return banklink.Lease{}, err
	case fence == 0:
		return banklink.Lease{}, banklink.ErrLeaseBusy
	}
	return banklink.Lease{Owner: owner, Fence: uint64(fence)}, nil
}

// extendLua sets the lease's expiry to ARGV[2] ms from now if ARGV[1]
// still holds it, and returns 1 (0 otherwise).
const extendLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`

// ExtendLease makes the lease last ttl from now, or returns
// banklink.ErrLeaseLost when lease no longer holds it.
func (s *Store) ExtendLease(ctx context.Context, key string, lease banklink.Lease, ttl time.Duration) error {
	_, lk, _ := s.keys(key)
	n, err := s.extend.Run(ctx, s.rdb, []string{lk}, lease.Owner, max(ttl.Milliseconds(), 1)).Int64()
	switch {
	case err != nil:
		return err
	case n != 1:
		return banklink.ErrLeaseLost
	}
	return nil
}

// releaseLua deletes the lease if ARGV[1] still holds it.
const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

// ReleaseLease ends the lease if lease still holds it.
func (s *Store) ReleaseLease(ctx context.Context, key string, lease banklink.Lease) error {
	_, lk, _ := s.keys(key)
	return s.release.Run(ctx, s.rdb, []string{lk}, lease.Owner).Err()
}
