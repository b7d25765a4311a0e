package banklink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// MemoryStore is a SessionStore in this process's memory: for clients of
// one process that share an account, and for tests. Its zero value is not
// ready: use NewMemoryStore. It is safe for concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]memorySession
	leases   map[string]memoryLease
	fences   map[string]uint64
}

type memorySession struct {
	data    []byte
	version uint64
}

type memoryLease struct {
	Lease
	until time.Time
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{sessions: map[string]memorySession{}, leases: map[string]memoryLease{}, fences: map[string]uint64{}}
}

// LoadSession returns a copy of the session stored under key.
func (m *MemoryStore) LoadSession(_ context.Context, key string) ([]byte, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[key]
	return append([]byte(nil), s.data...), s.version, nil
}

// CompareAndSwapSession stores a copy of data as the version after old,
// refusing a write under a fence older than the key's last lease.
func (m *MemoryStore) CompareAndSwapSession(_ context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if fence != 0 && m.fences[key] != fence {
		return 0, ErrLeaseLost
	}
	s := m.sessions[key]
	if s.version != old {
		return s.version, ErrVersionConflict
	}
	m.sessions[key] = memorySession{data: append([]byte(nil), data...), version: old + 1}
	return old + 1, nil
}

// AcquireLease takes key's lease for ttl.
func (m *MemoryStore) AcquireLease(_ context.Context, key string, ttl time.Duration) (Lease, error) {
	var id [16]byte
	_, _ = rand.Read(id[:])
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if l, ok := m.leases[key]; ok && now.Before(l.until) {
		return Lease{}, ErrLeaseBusy
	}
	m.fences[key]++
	l := Lease{Owner: hex.EncodeToString(id[:]), Fence: m.fences[key]}
	m.leases[key] = memoryLease{Lease: l, until: now.Add(ttl)}
	return l, nil
}

// ExtendLease makes lease last ttl from now if it still holds key's lease.
func (m *MemoryStore) ExtendLease(_ context.Context, key string, lease Lease, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	l, ok := m.leases[key]
	if !ok || l.Owner != lease.Owner || !now.Before(l.until) {
		return ErrLeaseLost
	}
	l.until = now.Add(ttl)
	m.leases[key] = l
	return nil
}

// ReleaseLease ends the lease if it is still lease's.
func (m *MemoryStore) ReleaseLease(_ context.Context, key string, lease Lease) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.leases[key]; ok && l.Owner == lease.Owner {
		delete(m.leases, key)
	}
	return nil
}
