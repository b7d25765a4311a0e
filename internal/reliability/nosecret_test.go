package reliability_test

import "testing"

func TestAssertNoSecretTellsLeaksFromChance(t *testing.T) {
	for _, c := range []struct {
		text string
		leak bool
	}{
		{`"time":"2026-12-02T02:01:34.826461106Z"`, false}, {`{"pin":"8264"}`, true}, {`pin=8264&x`, true}, {`PIN 8264 refused`, true},
		{`"elapsed":8264`, true}, {`0xc0008264ab`, false}, {`pin: 8264`, true},
	} {
		inner := &testing.T{}
		assertNoSecret(inner, c.text, "8264")
		if inner.Failed() != c.leak {
			t.Errorf("%q: leak=%v, want %v", c.text, inner.Failed(), c.leak)
		}
	}
}
