package redisstore_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the fleet child when the fleet tests re-execute the test
// binary as a replica (see fleet_test.go), else the tests.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	goleak.VerifyTestMain(m)
}
