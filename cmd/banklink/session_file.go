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
		return false, fmt.Errorf("reading the session file: %w", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return false, fmt.Errorf("the session file %s: %w", file, err)
	}
	return true, nil
}

// saveSession writes s to file, mode 0600 (it holds tokens): to a
// temporary file beside it, flushed to the disk, then renamed over it and
// the folder flushed, so the file is the old session or the new one,
// never a part. If that fails (a full disk), the new session goes to a
// recovery file, 0600, beside it or else in the temporary folder, and the
// error says where: a renewed single-use token is never lost. Nothing
// when file is "".
func saveSession(file string, s any) error {
	if file == "" {
		return nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	err = writeAtomic(file, b)
	if err == nil {
		return nil
	}
	for _, dir := range []string{filepath.Dir(file), os.TempDir()} {
		if kept, rerr := writeNew(dir, filepath.Base(file)+".recovered-*", b); rerr == nil {
			return fmt.Errorf("saving the session to %s: %w; the new session is in %s (mode 0600): move it over %s, the saved one may no longer work", file, err, kept, file)
		}
	}
	return fmt.Errorf("saving the session to %s: %w (and no recovery file could be written)", file, err)
}

// writeAtomic replaces file with b: temporary file, fsync, rename, fsync
// of the folder.
func writeAtomic(file string, b []byte) error {
	tmp, err := writeNew(filepath.Dir(file), ".banklink-session-*", b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		_ = d.Sync() // not every system syncs a folder; the rename is done
		d.Close()
	}
	return nil
}

// writeNew writes b to a new file (mode 0600) in dir, named by pattern,
// flushed to the disk, and returns its name.
func writeNew(dir, pattern string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// checkWritable refuses, before anything is sent, a session file the
// command could not write afterwards (a read-only folder,
// --session <(...)): a renewal or a login would otherwise spend a token
// and lose the session it got. Nothing when file is "".
func checkWritable(file string) error {
	if file == "" {
		return nil
	}
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		return usagef("--session %s is not a regular file: the session could not be written back (nothing was sent)", file)
	}
	probe, err := writeNew(filepath.Dir(file), ".banklink-probe-*", nil)
	if err != nil {
		return usagef("--session %s: its folder is not writable (%v): the session could not be written back (nothing was sent)", file, err)
	}
	os.Remove(probe)
	return nil
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
