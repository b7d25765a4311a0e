//go:build !race

package banklink_test

// defaultSimSeeds is how many seeds TestFleetSimulation runs (200 under
// the race detector, see race_on_test.go).
const defaultSimSeeds = 500
