package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// loadSession reads a saved session into s; false when file is "" or
// does not exist yet.
func loadSession(file string, s any) (bool, error) {
	if file == "" {
		return false, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, usagef("reading the session file: %v", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return false, usagef("the session file %s: %v", file, err)
	}
	return true, nil
}

// saveSession writes s to file (mode 0600, replaced atomically): it holds
// tokens. Nothing when file is "".
func saveSession(file string, s any) error {
	if file == "" {
		return nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".banklink-session-*")
	if err != nil {
		return fmt.Errorf("saving the session: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the session: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the session: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the session: %w", err)
	}
	return os.Rename(tmp.Name(), file)
}

// at prints a past or future time for a person.
func at(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Local().Format(time.RFC3339)
}

// when prints an expiry for a person.
func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	left := time.Until(t).Round(time.Second)
	if left < 0 {
		return t.Local().Format(time.RFC3339) + " (expired)"
	}
	return t.Local().Format(time.RFC3339) + " (in " + left.String() + ")"
}

// keepSession saves the client's current session to file, when it has one
// (a call may have renewed it).
func keepSession[S any](file string, current func() (S, bool)) error {
	if s, ok := current(); ok {
		return saveSession(file, s)
	}
	return nil
}
