//go:build race

package banklink_test

// defaultSimSeeds is how many seeds TestFleetSimulation runs: 200 under
// the race detector, which runs them about five times slower (the
// README's test command); CI also runs the suite without it, where all
// 500 run.
const defaultSimSeeds = 200
