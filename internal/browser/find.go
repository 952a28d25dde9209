package browser

import (
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/oscmd"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrNotFound is returned by Find when no Chromium-based browser was found.
var ErrNotFound = errors.New("no Chrome or Chromium found")

// lookPath resolves a program name or path; tests replace it to stage which
// browsers are installed.
var lookPath = oscmd.LookPath

// Find returns the browser executable to start. explicit (the --chrome flag)
// wins, then the FIX401_CHROME variable, then the names on PATH and the places
// each OS's installers use, full Chrome and Chromium first: a diagnosis should
// meet a page as the person's own browser does. getenv is injected because
// only the CLI reads the process environment.
func Find(explicit string, getenv func(string) string) (string, error) {
	return find(explicit, getenv, false)
}

// FindShell is Find for runs of many pages that no one watches (check): it
// prefers a headless shell (Debian's chromium-headless-shell, Chrome for
// Testing's chrome-headless-shell, the chromedp/headless-shell image) when
// one is installed. It is the same engine without the browser's window UI,
// which full Chromium builds, lays out and paints for every browser context
// even when headless: a page load in a new context costs about 125 ms of
// CPU in the shell against 290 ms in Chromium, and a check runs in a
// context of its own. Its requests differ a little (see Flags and IsShell).
func FindShell(explicit string, getenv func(string) string) (string, error) {
	return find(explicit, getenv, true)
}

func find(explicit string, getenv func(string) string, shellFirst bool) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	for _, c := range []struct{ path, from string }{
		{explicit, "--chrome"},
		{getenv("FIX401_CHROME"), "FIX401_CHROME"},
	} {
		if c.path == "" {
			continue
		}
		p, err := lookPath(c.path)
		if err != nil {
			return "", &PathError{From: c.from, Path: c.path}
		}
		return p, nil
	}
	list := candidates(runtime.GOOS, getenv)
	if shellFirst {
		list = append(shells(runtime.GOOS), list...)
	}
	for _, c := range list {
		if p, err := lookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// PathError is a browser path the person gave that is not an executable.
type PathError struct {
	From string // "--chrome" or "FIX401_CHROME"
	Path string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%s %q: no such program (or it is not executable)", e.From, e.Path)
}

// Unwrap makes a PathError an ErrNotFound.
func (e *PathError) Unwrap() error { return ErrNotFound }

// candidates lists, in order of preference, the names and paths where a
// Chromium-based browser is usually installed on goos.
func candidates(goos string, getenv func(string) string) []string {
	switch goos {
	case "darwin":
		var out []string
		for _, app := range []string{
			"Google Chrome.app/Contents/MacOS/Google Chrome",
			"Chromium.app/Contents/MacOS/Chromium",
			"Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
			"Brave Browser.app/Contents/MacOS/Brave Browser",
		} {
			out = append(out, filepath.Join("/Applications", app))
			if home := getenv("HOME"); home != "" {
				out = append(out, filepath.Join(home, "Applications", app))
			}
		}
		return append(append(out, "chromium", "google-chrome"), shells(goos)...)
	case "windows":
		out := []string{"chrome.exe", "msedge.exe"}
		for _, root := range []string{getenv("ProgramFiles"), getenv("ProgramFiles(x86)"), getenv("LocalAppData")} {
			if root == "" {
				continue
			}
			out = append(out,
				filepath.Join(root, `Google\Chrome\Application\chrome.exe`),
				filepath.Join(root, `Chromium\Application\chrome.exe`),
				filepath.Join(root, `Microsoft\Edge\Application\msedge.exe`),
			)
		}
		return append(out, shells(goos)...)
	default:
		return append([]string{
			"chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
			"chrome", "microsoft-edge",
			"/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
			"/opt/google/chrome/chrome",
		}, shells(goos)...)
	}
}

// IsShell reports whether path is a headless shell rather than a full
// browser, by its name: every build of it is called *headless-shell*.
func IsShell(path string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(path)), "headless-shell")
}

// acceptLanguage is the Accept-Language header Chrome sends in the locale
// of the environment (LC_ALL, else LC_MESSAGES, else LANG): its language
// and region first, then the bare language, then English, as Chrome's own
// defaults are; "en-US,en;q=0.9" where the locale says nothing (C, POSIX).
func acceptLanguage(getenv func(string) string) string {
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	loc, _, _ = strings.Cut(loc, ".") // de_DE.UTF-8
	loc, _, _ = strings.Cut(loc, "@") // sr_RS@latin
	lang, region, _ := strings.Cut(loc, "_")
	lang = strings.ToLower(lang)
	if len(lang) < 2 || len(lang) > 3 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "" {
		lang, region = "en", "US"
	}
	var tags []string
	if region != "" {
		tags = append(tags, lang+"-"+strings.ToUpper(region))
	}
	tags = append(tags, lang)
	if lang != "en" {
		tags = append(tags, "en-US", "en")
	}
	// q falls by 0.1 from the second tag on, as Chrome writes it.
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			fmt.Fprintf(&b, ",%s;q=0.%d", t, max(10-i, 1))
			continue
		}
		b.WriteString(t)
	}
	return b.String()
}

// shells lists where a headless shell is usually installed on goos. Full
// browsers come first for a diagnosis, but a machine (or an image) with only
// a shell still works.
func shells(goos string) []string {
	switch goos {
	case "windows":
		return []string{"chrome-headless-shell.exe"}
	case "darwin":
		return []string{"chrome-headless-shell"}
	default:
		return []string{
			"chromium-headless-shell", "chrome-headless-shell", "headless-shell",
			"/usr/bin/chromium-headless-shell", "/headless-shell/headless-shell",
		}
	}
}

// InstallHint is the one line that tells a person how to get a browser.
func InstallHint(goos string) string {
	switch goos {
	case "darwin":
		return "install Google Chrome (or Chromium), or pass --chrome /path/to/browser"
	case "windows":
		return "install Google Chrome or Microsoft Edge, or pass --chrome C:\\path\\to\\chrome.exe"
	default:
		return "install Chromium (Debian/Ubuntu: sudo apt-get install chromium), or pass --chrome /path/to/browser"
	}
}
