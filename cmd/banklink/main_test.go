package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// execEnv makes the test binary run as the banklink command: the tests
// run it as a process, as users do.
const execEnv = "BANKLINK_CLI_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		main() // exits
	}
	goleak.VerifyTestMain(m)
}

// cli runs banklink with args and extra environment; it returns the exit
// code, standard output and standard error.
func cli(t *testing.T, stdin io.Reader, extraEnv []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(cleanEnv(), execEnv+"=1"), extraEnv...)
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, out.String(), errOut.String()
}

// cleanEnv is the environment without any provider variable of the
// developer's, and without the race detector's one-second sleep at exit
// (GORACE's atexit_sleep_ms, 1000 by default: the tests run the command
// about 40 times). A race the command hits is still reported and still
// makes it exit 66, which no test expects; only one in its last second
// would go unseen.
func cleanEnv() []string {
	out := []string{"GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "DFCU_"), strings.HasPrefix(k, "FINTRACT_"), strings.HasPrefix(k, "FINTIV_"),
			strings.HasPrefix(k, "MERCHANT_"), strings.HasPrefix(k, "NIP_"), k == "GORACE":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// fakeProc is a running `banklink fake`.
type fakeProc struct {
	cmd        *exec.Cmd
	controlURL string
	env        map[string]map[string]string // provider → its examples' variables
}

func (f *fakeProc) vars(providers ...string) []string {
	var out []string
	for _, p := range providers {
		for k, v := range f.env[p] {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func startFake(t *testing.T, args ...string) *fakeProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"fake", "--addr", "127.0.0.1:0", "--json"}, args...)...)
	cmd.Env = append(cleanEnv(), execEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	var info map[string]json.RawMessage
	require.NoError(t, json.NewDecoder(bufio.NewReader(stdout)).Decode(&info), "banklink fake printed no JSON")
	f := &fakeProc{cmd: cmd, env: map[string]map[string]string{}}
	require.NoError(t, json.Unmarshal(info["control"], &f.controlURL))
	for _, p := range []string{"dfcu", "fintract", "fintiv", "merchant", "nip"} {
		var svc struct {
			Env map[string]string `json:"env"`
		}
		require.NoError(t, json.Unmarshal(info[p], &svc), p)
		f.env[p] = svc.Env
	}
	return f
}

// control posts a JSON control request.
func (f *fakeProc) control(t *testing.T, path, body string) map[string]any {
	t.Helper()
	method := http.MethodPost
	if body == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, f.controlURL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", out)
	return out
}

func calls(t *testing.T, f *fakeProc, provider, route string) int {
	t.Helper()
	c := f.control(t, "calls", "")
	routes := c[provider].(map[string]any)["routes"].(map[string]any)
	n, _ := routes[route].(float64)
	return int(n)
}

func TestFakeServesTheProvidersAndObeysTheControlEndpoint(t *testing.T) {
	f := startFake(t)
	dfcuEnv := f.vars("dfcu")

	code, out, errOut := cli(t, nil, dfcuEnv, "dfcu", "loans", dfcutest.AccountWithLoans)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "Paul Logan")
	assert.Contains(t, out, "L000001")
	assert.NotContains(t, out+errOut, dfcutest.DefaultPassword, "secrets are never echoed")

	// A fault injected at run time takes effect: four 503s outlast the
	// retries, and the exit code says "no verdict".
	f.control(t, "faults", `{"provider":"dfcu","route":"loans","faults":[{"status":503},{"status":503},{"status":503},{"status":503}]}`)
	before := calls(t, f, "dfcu", "loans")
	code, _, errOut = cli(t, nil, dfcuEnv, "dfcu", "loans", dfcutest.AccountWithLoans)
	assert.Equal(t, exitNoVerdict, code, errOut)
	assert.Contains(t, errOut, "503")
	assert.Equal(t, before+4, calls(t, f, "dfcu", "loans"))

	// A refusal is exit 3, whatever the provider.
	code, _, errOut = cli(t, nil, append(dfcuEnv, "DFCU_PASSWORD=wrong"), "dfcu", "loans", dfcutest.AccountWithLoans)
	assert.Equal(t, exitRefused, code, errOut)
	code, _, _ = cli(t, nil, dfcuEnv, "dfcu", "loans", "9999999999")
	assert.Equal(t, exitRefused, code, "an unknown account")

	// Sessions: saved, shown without tokens, refreshed after the fake
	// expired every access token.
	session := filepath.Join(t.TempDir(), "dfcu.json")
	code, _, errOut = cli(t, nil, dfcuEnv, "dfcu", "login", "--session", session)
	require.Equal(t, exitOK, code, errOut)
	raw, err := os.ReadFile(session)
	require.NoError(t, err)
	var saved struct {
		Access string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(raw, &saved))
	code, out, _ = cli(t, nil, nil, "session", "show", session)
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "dfcu")
	assert.NotContains(t, out, saved.Access)
	f.control(t, "expire", `{"provider":"dfcu"}`)
	refreshes := calls(t, f, "dfcu", "refresh")
	code, out, errOut = cli(t, nil, []string{"DFCU_BASE_URL=" + f.env["dfcu"]["DFCU_BASE_URL"]}, "session", "refresh", session, "--json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"refreshed": true`)
	assert.Equal(t, refreshes+1, calls(t, f, "dfcu", "refresh"))

	// NIP through the same process.
	code, out, errOut = cli(t, nil, f.vars("nip"), "merchant", "nip", merchanttest.NIPAccount, merchanttest.NIPBank, "--json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "NNAJI, JOSHUA & VIVIAN")
	code, _, _ = cli(t, nil, f.vars("nip"), "merchant", "nip", "123", merchanttest.NIPBank)
	assert.Equal(t, exitRefused, code, "input refused before sending")

	// Fintiv, with its APP key and tenant.
	code, out, errOut = cli(t, nil, f.vars("fintiv"), "fintiv", "me")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "test20190417")

	// SIGTERM stops the fake cleanly.
	require.NoError(t, f.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, f.cmd.Wait())
}

// Fintract's two-step login, with the OTP the fake sent read back through
// the control endpoint and typed on standard input, then an upload with
// its progress.
// loginFintract runs `banklink fintract login --session session`, the OTP
// the fake sent read back through the control endpoint and typed on
// standard input; it returns standard output and error.
func loginFintract(t *testing.T, f *fakeProc, session string) (string, string) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			resp, err := http.Get(f.controlURL + "fintract/otp?email=" + fintracttest.CustomerEmail)
			if err == nil {
				var body struct {
					OTP string `json:"otp"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if body.OTP != "" {
					_, _ = io.WriteString(pw, body.OTP+"\n")
					pw.Close()
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		pw.Close()
	}()
	code, out, errOut := cli(t, pr, f.vars("fintract"), "fintract", "login", "--session", session)
	require.Equal(t, exitOK, code, errOut)
	return out, errOut
}

func TestFintractLoginAndUploadWithProgress(t *testing.T) {
	f := startFake(t)
	session := filepath.Join(t.TempDir(), "fintract.json")
	out, errOut := loginFintract(t, f, session)
	assert.Contains(t, out, "JohnDoe0303")
	assert.NotContains(t, out+errOut, fintracttest.CustomerPassword)

	file := filepath.Join(t.TempDir(), "statement.csv")
	require.NoError(t, os.WriteFile(file, bytes.Repeat([]byte("date,amount\n"), 50_000), 0o600))
	code, out, errOut := cli(t, nil, f.vars("fintract"), "fintract", "upload", "--session", session, file)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "https://")
	assert.Contains(t, errOut, "uploaded 100%", "plain progress lines off a terminal")
	assert.Contains(t, errOut, "uploaded 50%")
	assert.Equal(t, 1, calls(t, f, "fintract", "upload"))
}

// The examples run unchanged against `banklink fake`, configured by their
// usual variables.
func TestExamplesRunAgainstTheFakeProcess(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to run the examples")
	}
	f := startFake(t)
	for _, tc := range []struct {
		example string
		env     []string
		want    string
	}{
		{"dfcu", f.vars("dfcu"), "Paul Logan"},
		{"merchant", f.vars("merchant", "nip"), `is "NNAJI, JOSHUA & VIVIAN"`},
	} {
		cmd := exec.Command("go", "run", "github.com/banklink/banklink-go/examples/"+tc.example)
		cmd.Env = append(cleanEnv(), tc.env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		assert.Contains(t, string(out), tc.want)
		assert.NotContains(t, string(out), "in-process", "the example used the fake process, not its own")
	}
	assert.Positive(t, calls(t, f, "merchant", "login"))
}

// inProcess runs the command line in this process (help and argument
// checks: no prompt, no signal, no network; a process per line would cost
// a second each under -race).
func inProcess(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{in: strings.NewReader(""), out: &out, errOut: &errOut, getenv: func(string) string { return "" }})
	return code, out.String(), errOut.String()
}

func TestHelpIsComplete(t *testing.T) {
	code, out, _ := inProcess("--help")
	require.Equal(t, exitOK, code)
	for _, want := range []string{"fake", "dfcu", "fintract", "fintiv", "merchant", "session", "Exit codes:", "--json"} {
		assert.Contains(t, out, want)
	}
	for _, args := range [][]string{
		{"fake", "--help"}, {"dfcu", "loans", "--help"}, {"dfcu", "login", "--help"}, {"fintract", "login", "--help"},
		{"fintract", "upload", "--help"}, {"fintract", "info", "--help"}, {"fintiv", "me", "--help"},
		{"merchant", "login", "--help"}, {"merchant", "nip", "--help"}, {"session", "show", "--help"}, {"session", "refresh", "--help"},
	} {
		code, out, _ := inProcess(args...)
		assert.Equal(t, exitOK, code, "%v", args)
		assert.Contains(t, out, "Usage:", "%v", args)
		assert.Contains(t, out, "Flags:", "%v", args)
	}
	code, _, errOut := inProcess("dfcu", "loans")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "ACCOUNT")
	code, _, _ = inProcess("fake", "--nope")
	assert.Equal(t, exitUsage, code)
	code, _, errOut = inProcess("dfcu", "loans", "1")
	assert.Equal(t, exitUsage, code, "no DFCU_BASE_URL")
	assert.Contains(t, errOut, "DFCU_BASE_URL")
}

// --port-each: a port per fake, the control endpoint on --addr.
func TestFakePortEach(t *testing.T) {
	f := startFake(t, "--port-each")
	base := f.env["dfcu"]["DFCU_BASE_URL"]
	assert.NotContains(t, base, "/dfcu/", "its own port, no path prefix")
	code, out, errOut := cli(t, nil, f.vars("dfcu"), "dfcu", "loans", dfcutest.AccountWithLoans)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "Paul Logan")
	code, out, errOut = cli(t, nil, f.vars("nip"), "merchant", "nip", merchanttest.NIPAccount, merchanttest.NIPBank)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "NNAJI")
	assert.Equal(t, 1, calls(t, f, "dfcu", "loans"))
}
