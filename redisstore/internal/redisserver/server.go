// Package redisserver runs a real redis-server for tests: from PATH, on a
// free loopback port, stopped when the test ends.
package redisserver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// InstallHint is what to do when redis-server is missing.
const InstallHint = "redis-server is not in PATH: install it with `sudo apt-get install -y redis-server` " +
	"(Debian/Ubuntu; `brew install redis` on macOS), or set REDIS_ADDR to a Redis the tests may flush"

// Server is a redis-server process the test started.
type Server struct {
	// Addr is host:port.
	Addr string
	port int
	dir  string
	bin  string
	cmd  *exec.Cmd
	tb   testing.TB
}

// Addr returns REDIS_ADDR when set, else the address of a redis-server
// this test starts (and stops at its end).
func Addr(tb testing.TB) string {
	tb.Helper()
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return Start(tb).Addr
}

// Start starts a redis-server of the test's own (one it can stop and
// restart), failing the test with InstallHint when there is none.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(InstallHint)
	}
	s := &Server{bin: bin, dir: tb.TempDir(), tb: tb}
	var lastErr error
	for try := 0; try < 5; try++ {
		if s.port, lastErr = freePort(); lastErr != nil {
			continue
		}
		if lastErr = s.start(); lastErr == nil {
			tb.Cleanup(s.Stop)
			return s
		}
	}
	tb.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs the server on s.port and waits until it answers PING.
func (s *Server) start() error {
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.port)
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--protected-mode", "yes")
	s.cmd.Stdout, s.cmd.Stderr = nil, nil
	if err := s.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ping(s.Addr) == nil {
			return nil
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	return fmt.Errorf("redis-server on %s did not answer PING", s.Addr)
}

// ping sends a PING and reads +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Stop kills the server (its data is lost: no persistence) and waits for
// it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port, empty.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	var err error
	for try := 0; try < 50; try++ { // the port may take a moment to be free again
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.tb.Fatalf("restarting redis-server: %v", err)
}

// Pause stops the server process with SIGSTOP: connections stay open and
// nothing answers, as with a Redis stalled by the kernel or a long fork.
func (s *Server) Pause() {
	s.tb.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.tb.Fatalf("pausing redis-server: %v", err)
	}
	s.tb.Cleanup(s.Resume) // never leave a stopped process behind
}

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
}
