package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// screen collects what a command writes to its terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the screen shows want (10s at most: a command that
// never prompts fails the test, it does not hang it).
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// onTerminal starts banklink with args on a pseudo-terminal of its own,
// as a person runs it.
func onTerminal(t *testing.T, env []string, args ...string) (*exec.Cmd, *os.File, *screen) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(cleanEnv(), execEnv+"=1"), env...)
	tty, err := pty.Start(cmd)
	require.NoError(t, err)
	t.Cleanup(func() { tty.Close() })
	s := &screen{}
	go func() { _, _ = io.Copy(s, tty) }()
	return cmd, tty, s
}

func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command did not end")
		return -1
	}
}

// Ctrl-C at the password prompt ends the command at once, with 130, and
// nothing typed is sent: the fake's login counter does not move. (It
// used to wait for Enter, then send the password anyway, and exit 1.)
func TestCtrlCAtThePasswordPromptSendsNothing(t *testing.T) {
	f := startFake(t)
	before := calls(t, f, "dfcu", dfcutest.RouteToken)
	env := []string{"DFCU_BASE_URL=" + f.env["dfcu"]["DFCU_BASE_URL"], "DFCU_USERNAME=" + dfcutest.DefaultUsername}
	cmd, tty, s := onTerminal(t, env, "dfcu", "loans", dfcutest.AccountWithLoans)
	s.waitFor(t, "DFCU password: ")
	_, err := tty.Write([]byte(dfcutest.DefaultPassword)) // typed, never Enter
	require.NoError(t, err)
	_, err = tty.Write([]byte{3}) // Ctrl-C
	require.NoError(t, err)
	assert.Equal(t, exitInterrupted, exitOf(t, cmd), s.String())
	// The process has ended; its last words may still be on their way
	// from the terminal to the copying goroutine on a loaded machine.
	s.waitFor(t, "interrupted")
	assert.Equal(t, before, calls(t, f, "dfcu", dfcutest.RouteToken), "the password went to the login endpoint")
}

// Ctrl-C while a call waits for its answer: 130 as well.
func TestCtrlCDuringACallExits130(t *testing.T) {
	f := startFake(t)
	f.control(t, "faults", `{"provider":"dfcu","route":"loans","faults":[{"delay":"30s"}]}`)
	cmd, tty, s := onTerminal(t, f.vars("dfcu"), "dfcu", "loans", dfcutest.AccountWithLoans)
	deadline := time.Now().Add(10 * time.Second)
	for calls(t, f, "dfcu", dfcutest.RouteLoans) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_, err := tty.Write([]byte{3})
	require.NoError(t, err)
	assert.Equal(t, exitInterrupted, exitOf(t, cmd), s.String())
}

// `banklink session refresh <(cat FILE)`: a session the command could not
// write back is refused before the refresh spends a token (it used to
// refresh, then fail to write: the new pair was lost and the saved one
// dead).
func TestSessionRefreshRefusesAFileItCannotWriteBeforeSpending(t *testing.T) {
	f := startFake(t)
	session := filepath.Join(t.TempDir(), "dfcu.json")
	code, _, errOut := cli(t, nil, f.vars("dfcu"), "dfcu", "login", "--session", session)
	require.Equal(t, exitOK, code, errOut)
	saved, err := os.ReadFile(session)
	require.NoError(t, err)

	r, w, err := os.Pipe()
	require.NoError(t, err)
	go func() { _, _ = w.Write(saved); w.Close() }()
	before := calls(t, f, "dfcu", dfcutest.RouteRefresh)
	cmd := exec.Command(os.Args[0], "session", "refresh", "/dev/fd/3")
	cmd.Env = append(append(cleanEnv(), execEnv+"=1"), "DFCU_BASE_URL="+f.env["dfcu"]["DFCU_BASE_URL"])
	cmd.ExtraFiles = []*os.File{r}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	r.Close()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, stderr.String())
	assert.Equal(t, exitUsage, ee.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "nothing was sent")
	assert.Equal(t, before, calls(t, f, "dfcu", dfcutest.RouteRefresh), "the refresh token was spent")
}

// Usage errors, and only they, exit 2 with the pointer to --help.
func TestOnlyUsageErrorsExit2(t *testing.T) {
	f := startFake(t)
	for _, timeout := range []string{"0", "-1s"} {
		code, _, errOut := cli(t, nil, f.vars("dfcu"), "dfcu", "loans", dfcutest.AccountWithLoans, "--timeout", timeout)
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, "--timeout must be positive")
	}
	code, _, errOut := cli(t, nil, nil, "session", "show", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, exitFailure, code, errOut)
	assert.NotContains(t, errOut, "--help", "a missing file is not a usage error")

	busy := strings.TrimPrefix(f.env["dfcu"]["DFCU_BASE_URL"], "http://")
	busy = strings.TrimSuffix(busy, "/")
	code, _, errOut = cli(t, nil, nil, "fake", "--addr", busy)
	assert.Equal(t, exitFailure, code, errOut)
	assert.NotContains(t, errOut, "--help", "an address in use is not a usage error")
}

// --timeout bounds an upload when it is given (it was listed and ignored).
func TestUploadHonoursTimeout(t *testing.T) {
	f := startFake(t)
	session := filepath.Join(t.TempDir(), "fintract.json")
	loginFintract(t, f, session)
	f.control(t, "faults", `{"provider":"fintract","route":"upload","faults":[{"delay":"30s"}]}`)
	file := filepath.Join(t.TempDir(), "statement.pdf")
	require.NoError(t, os.WriteFile(file, []byte("%PDF-1.4 statement"), 0o600))
	start := time.Now()
	code, _, errOut := cli(t, nil, f.vars("fintract"), "fintract", "upload", "--session", session, "--timeout", "1s", "--no-progress", file)
	assert.Equal(t, exitNoVerdict, code, errOut)
	assert.Less(t, time.Since(start), 20*time.Second, "the 30s delay was not cut by --timeout 1s")
}

// One --json convention: snake_case keys, for results and errors alike.
func TestJSONConvention(t *testing.T) {
	f := startFake(t)
	code, out, errOut := cli(t, nil, f.vars("dfcu"), "dfcu", "loans", dfcutest.AccountWithLoans, "--json")
	require.Equal(t, exitOK, code, errOut)
	var loans map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &loans))
	assert.Contains(t, loans, "customer_id")
	assert.Contains(t, loans, "customer_name")

	code, _, errOut = cli(t, nil, f.vars("dfcu"), "dfcu", "loans", "9999999999", "--json")
	require.Equal(t, exitRefused, code, errOut)
	var failure map[string]any
	require.NoError(t, json.Unmarshal([]byte(errOut), &failure), errOut)
	assert.Equal(t, "not found", failure["category"])
	assert.Contains(t, failure, "status", "the HTTP status of the answer (DFCU says \"not found\" with a 200)")
	assert.EqualValues(t, exitRefused, failure["exit_code"])
}

// Advice in the command's terms: plain http to another host names
// --insecure, not the Go option (it said "opt in with
// banklink.WithInsecureHTTP()"), and nothing is sent.
func TestAdviceInTheCommandsTerms(t *testing.T) {
	code, _, errOut := cli(t, nil, []string{"DFCU_BASE_URL=http://loans.example.com/", "DFCU_USERNAME=u", "DFCU_PASSWORD=p"},
		"dfcu", "loans", dfcutest.AccountWithLoans)
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "--insecure")
	assert.NotContains(t, errOut, "WithInsecureHTTP")
}
