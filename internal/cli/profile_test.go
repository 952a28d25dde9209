package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

// checksum hashes every file name and content under dir.
func checksum(t *testing.T, dir string) string {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\n", rel)
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestProfileIsTheStartingStateAndStaysUntouched: a user's profile holds
// the session cookie the page needs; diagnose --profile starts from it
// (healthy) and leaves the profile byte for byte as it was.
func TestProfileIsTheStartingStateAndStaysUntouched(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "profile-session", Path: "/", Expires: time.Now().Add(time.Hour)})
			fmt.Fprint(w, "<!doctype html><title>Signed in</title>")
			return
		}
		if c, err := r.Cookie("sid"); err == nil && c.Value == "profile-session" {
			fmt.Fprint(w, "<!doctype html><title>Reports</title><h1>Q3</h1>")
			return
		}
		w.WriteHeader(401)
		fmt.Fprint(w, "<!doctype html><title>401 Unauthorized</title>")
	}))
	defer ts.Close()

	// The user's profile: a Chrome that signed in once and was closed.
	// Not t.TempDir: Chromium's helpers may write into a profile for a
	// moment after the browser exits, which would fail its cleanup.
	root, err := os.MkdirTemp("", "fix401-userprofile-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	prof := filepath.Join(root, "Chrome")
	os.Mkdir(prof, 0o700)
	path, err := browser.Find("", os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := browser.Launch(context.Background(), browser.Options{ExecPath: path, UserDataDir: prof})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.NewSession(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Navigate(context.Background(), ts.URL+"/login", browser.LoadOptions{Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	b.Close()
	before := checksum(t, prof)

	var stdout, stderr bytes.Buffer
	io := &IO{In: &bytes.Buffer{}, Out: &stdout, ErrOut: &stderr, Getenv: os.Getenv}
	code := Run(context.Background(), []string{"diagnose", "-q", "--steps", "reproduce", "--profile", prof,
		"--out", filepath.Join(t.TempDir(), "out"), ts.URL + "/reports"}, io)
	if code != ExitOK {
		t.Fatalf("with the profile: exit %d, want 0 (the profile's cookie makes the page load)\n%s%s", code, stdout.String(), stderr.String())
	}
	if after := checksum(t, prof); after != before {
		t.Error("the profile changed")
	}
	code = Run(context.Background(), []string{"diagnose", "-q", "--steps", "reproduce",
		"--out", filepath.Join(t.TempDir(), "out"), ts.URL + "/reports"}, io)
	if code != ExitUnresolved {
		t.Errorf("without the profile: exit %d, want 11", code)
	}
}
