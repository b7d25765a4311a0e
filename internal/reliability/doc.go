// Package reliability holds the SDK's cross-provider reliability and
// security suite (its tests): the fault matrix that writes RELIABILITY.md,
// redirect and transport safety per auth scheme, and the canary-secret
// test. It has no code of its own.
package reliability
