package browser

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// installed stages the browsers lookPath finds, by name or path.
func installed(t *testing.T, programs ...string) {
	t.Helper()
	old := lookPath
	lookPath = func(name string) (string, error) {
		if slices.Contains(programs, name) {
			return "/found/" + name, nil
		}
		return "", errors.New("not found")
	}
	t.Cleanup(func() { lookPath = old })
}

func noEnv(string) string { return "" }

func TestFind(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the candidate names are Linux's")
	}
	for _, c := range []struct {
		name      string
		installed []string
		env       string // FIX401_CHROME
		explicit  string // --chrome
		want      string // from Find
		wantShell string // from FindShell
	}{
		{"both: a diagnosis gets the full browser, a check the shell",
			[]string{"chromium", "chromium-headless-shell"}, "", "", "chromium", "chromium-headless-shell"},
		{"no shell: both get the full browser",
			[]string{"google-chrome"}, "", "", "google-chrome", "google-chrome"},
		{"only a shell: both get it",
			[]string{"/headless-shell/headless-shell"}, "", "", "/headless-shell/headless-shell", "/headless-shell/headless-shell"},
		{"FIX401_CHROME wins over the shell",
			[]string{"chromium", "chromium-headless-shell"}, "chromium", "", "chromium", "chromium"},
		{"--chrome wins over FIX401_CHROME",
			[]string{"chromium", "chromium-headless-shell"}, "chromium", "chromium-headless-shell", "chromium-headless-shell", "chromium-headless-shell"},
	} {
		t.Run(c.name, func(t *testing.T) {
			installed(t, c.installed...)
			env := func(k string) string {
				if k == "FIX401_CHROME" {
					return c.env
				}
				return ""
			}
			if got, err := Find(c.explicit, env); err != nil || got != "/found/"+c.want {
				t.Errorf("Find = %q, %v; want /found/%s", got, err, c.want)
			}
			if got, err := FindShell(c.explicit, env); err != nil || got != "/found/"+c.wantShell {
				t.Errorf("FindShell = %q, %v; want /found/%s", got, err, c.wantShell)
			}
		})
	}
}

func TestFindNothing(t *testing.T) {
	installed(t)
	for _, find := range []func(string, func(string) string) (string, error){Find, FindShell} {
		if _, err := find("", noEnv); !errors.Is(err, ErrNotFound) {
			t.Errorf("with nothing installed: %v, want ErrNotFound", err)
		}
		var pe *PathError
		if _, err := find("/no/such/chrome", noEnv); !errors.As(err, &pe) || pe.From != "--chrome" {
			t.Errorf("a --chrome that is not there: %v, want a PathError from --chrome", err)
		}
	}
}

func TestEveryOSFallsBackToAShell(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		list, sh := candidates(goos, noEnv), shells(goos)
		// Last, so that every full browser comes before them.
		if len(list) <= len(sh) || !slices.Equal(list[len(list)-len(sh):], sh) {
			t.Errorf("%s: Find's candidates %q do not end with the shells %q", goos, list, sh)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for env, want := range map[string]string{
		"":               "en-US,en;q=0.9",
		"C.UTF-8":        "en-US,en;q=0.9",
		"POSIX":          "en-US,en;q=0.9",
		"en_US.UTF-8":    "en-US,en;q=0.9",
		"en_GB.UTF-8":    "en-GB,en;q=0.9",
		"de_DE.UTF-8":    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
		"ja_JP.eucJP":    "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7",
		"sr_RS@latin":    "sr-RS,sr;q=0.9,en-US;q=0.8,en;q=0.7",
		"fr":             "fr,en-US;q=0.9,en;q=0.8",
		"../../etc/what": "en-US,en;q=0.9",
	} {
		got := acceptLanguage(func(k string) string {
			if k == "LANG" {
				return env
			}
			return ""
		})
		if got != want {
			t.Errorf("LANG=%q: %q, want %q", env, got, want)
		}
	}
	// LC_ALL wins over LANG.
	got := acceptLanguage(func(k string) string { return map[string]string{"LC_ALL": "nl_BE.UTF-8", "LANG": "de_DE.UTF-8"}[k] })
	if got != "nl-BE,nl;q=0.9,en-US;q=0.8,en;q=0.7" {
		t.Errorf("LC_ALL over LANG: %q", got)
	}
}

func TestIsShell(t *testing.T) {
	for path, want := range map[string]bool{
		"/usr/bin/chromium-headless-shell": true,
		`C:\cft\chrome-headless-shell.exe`: true,
		"/headless-shell/headless-shell":   true,
		"/usr/bin/chromium":                false,
		"/opt/google/chrome/chrome":        false,
	} {
		if IsShell(path) != want {
			t.Errorf("IsShell(%q) = %v", path, !want)
		}
	}
}

// TestReapOrphans: the profile a killed run left is removed; a live run's,
// one fix401 did not make, and anything else stay.
func TestReapOrphans(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, owner string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(p, "profile"), 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			os.WriteFile(filepath.Join(p, ownerFile), []byte(owner+"\n"), 0o600)
		}
		return p
	}
	dead := mk("fix401-111", "999999999")
	live := mk("fix401-222", strconv.Itoa(os.Getppid()))
	foreign := mk("fix401-333", "")
	other := mk("somebody-else", "999999999")
	got := ReapOrphans(dir)
	if len(got) != 1 || got[0] != dead {
		t.Errorf("removed %q, want only %s", got, dead)
	}
	for _, p := range []string{live, foreign, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}

// TestProfilesHaveSeenNegotiate: a profile fix401 makes starts as a
// browser that has met Negotiate before (see seedLocalState).
func TestProfilesHaveSeenNegotiate(t *testing.T) {
	dir := t.TempDir()
	if err := seedLocalState(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "Local State"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Net struct {
			Seen bool `json:"received_http_auth_negotiate_headers"`
		} `json:"net"`
	}
	if err := json.Unmarshal(data, &st); err != nil || !st.Net.Seen {
		t.Errorf("Local State %s: %v", data, err)
	}
}
