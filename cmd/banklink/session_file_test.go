package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A session whose final write fails (here the rename: the path is a
// folder) goes to a 0600 recovery file beside it, and the error says
// where: a renewed single-use token is never lost.
func TestSaveSessionKeepsARecoveryFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "session.json")
	require.NoError(t, os.Mkdir(target, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(target, "x"), nil, 0o600)) // a rename over it fails

	err := saveSession(target, map[string]string{"access": "new-access", "refresh": "new-refresh"})
	require.Error(t, err)
	m := regexp.MustCompile(`the new session is in (\S+) \(mode 0600\)`).FindStringSubmatch(err.Error())
	require.NotNil(t, m, err.Error())
	kept := m[1]
	assert.Equal(t, dir, filepath.Dir(kept), "beside the session file")
	b, rerr := os.ReadFile(kept)
	require.NoError(t, rerr)
	assert.Contains(t, string(b), "new-refresh")
	fi, serr := os.Stat(kept)
	require.NoError(t, serr)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// A successful save replaces the file whole, mode 0600, and leaves no
// temporary file behind.
func TestSaveSessionReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "session.json")
	require.NoError(t, saveSession(target, map[string]string{"v": "1"}))
	require.NoError(t, saveSession(target, map[string]string{"v": "2"}))
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":"2"}`, string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	fi, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
