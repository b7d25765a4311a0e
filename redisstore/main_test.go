package redisstore_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the fleet child when the fleet tests re-execute the test
// binary as a replica (see fleet_test.go), else the tests: the chaos
// scenarios all at once unless -parallel says otherwise. Each has a
// redis-server, a wallet and a paced fleet of its own and mostly waits
// (a 10s stall, a refresh answered after 16s); at GOMAXPROCS of them at
// once (2 on a 2-core machine) the package took 80s of mostly waiting.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
