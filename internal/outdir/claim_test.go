package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const aReport = `{"schema": "fix401.report/v1", "tool": {"name": "fix401", "version": "test"},
  "artifacts": {"screenshots": ["screenshots/00-reproduce-1.png", "screenshots/05-relogin-1.png", "../../etc/passwd", "screenshots/../x"]}}`

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// previousReport lays out an earlier run's folder in dir.
func previousReport(t *testing.T, dir string) {
	t.Helper()
	write(t, filepath.Join(dir, "report.json"), aReport)
	for _, f := range []string{"report.html", "report.md", "contact.md", "network.har", "screenshots/00-reproduce-1.png", "screenshots/05-relogin-1.png"} {
		write(t, filepath.Join(dir, f), "x")
	}
}

func wantError(t *testing.T, err error, msg, hint string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, msg) || !strings.Contains(e.Hint, hint) {
		t.Fatalf("error %v, want %q with hint %q", err, msg, hint)
	}
}

func TestTakeNewAndEmptyFolders(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "new", "deeper"), t.TempDir()} {
		c, err := Take(dir, false)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if !exists(filepath.Join(dir, lockName)) {
			t.Error("no lock while claimed")
		}
		c.Release()
		if exists(filepath.Join(dir, lockName)) {
			t.Error("the lock outlives Release")
		}
	}
}

func TestTakeRefusesWhatIsNotItsOwn(t *testing.T) {
	root := t.TempDir()
	// A folder with the user's files: refused, with or without --force.
	mine := filepath.Join(root, "mine")
	write(t, filepath.Join(mine, "thesis.pdf"), "years of work")
	for _, force := range []bool{false, true} {
		_, err := Take(mine, force)
		wantError(t, err, "exists and is not empty", "--force replaces only a previous fix401 report")
	}
	// A report.json that is not ours is not a report of ours.
	other := filepath.Join(root, "other")
	write(t, filepath.Join(other, "report.json"), `{"schema": "acme/1"}`)
	_, err := Take(other, true)
	wantError(t, err, "exists and is not empty", "")
	// A file is not a folder.
	file := filepath.Join(root, "file")
	write(t, file, "x")
	_, err = Take(file, true)
	wantError(t, err, "is a file, not a folder", "")
	if data, _ := os.ReadFile(filepath.Join(mine, "thesis.pdf")); string(data) != "years of work" {
		t.Error("the user's file changed")
	}
	// Under a file: cannot be created.
	_, err = Take(filepath.Join(file, "sub"), false)
	wantError(t, err, "not a directory", "")
}

func TestForceReplacesOnlyThePreviousReport(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "ticket")
	previousReport(t, dir)
	_, err := Take(dir, false)
	wantError(t, err, "holds an earlier fix401 report", "--force replaces it")

	// Beside the report: a note of the user's, and a screenshots link to
	// a folder outside with a PNG and a thesis in it.
	write(t, filepath.Join(dir, "notes.txt"), "call back Tuesday")
	outside := filepath.Join(root, "outside")
	write(t, filepath.Join(outside, "thesis.pdf"), "years of work")
	write(t, filepath.Join(outside, "holiday.png"), "png")
	if err := os.RemoveAll(filepath.Join(dir, "screenshots")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "screenshots")); err != nil {
		t.Fatal(err)
	}
	c, err := Take(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	for _, f := range reportFiles {
		if exists(filepath.Join(dir, f)) {
			t.Errorf("%s was not replaced", f)
		}
	}
	if exists(filepath.Join(dir, "screenshots")) {
		t.Error("the screenshots link is still there")
	}
	for _, f := range []string{"thesis.pdf", "holiday.png"} {
		if !exists(filepath.Join(outside, f)) {
			t.Errorf("%s behind the link was deleted", f)
		}
	}
	if !exists(filepath.Join(dir, "notes.txt")) {
		t.Error("the user's note beside the report was deleted")
	}
}

func TestForceKeepsOtherFilesInScreenshots(t *testing.T) {
	dir := t.TempDir()
	previousReport(t, dir)
	write(t, filepath.Join(dir, "screenshots", "readme.txt"), "mine")
	write(t, filepath.Join(dir, "screenshots", "holiday.png"), "mine too")
	c, err := Take(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	c.Release()
	if exists(filepath.Join(dir, "screenshots", "00-reproduce-1.png")) || exists(filepath.Join(dir, "screenshots", "05-relogin-1.png")) {
		t.Error("the report's own screenshots are still there")
	}
	for _, f := range []string{"readme.txt", "holiday.png"} {
		if !exists(filepath.Join(dir, "screenshots", f)) {
			t.Errorf("screenshots/%s, not the report's, was removed", f)
		}
	}
}

// TestLeftoversOfAFailedWrite: an empty screenshots folder and temporary
// files are no reason to refuse the folder next time.
func TestLeftoversOfAFailedWrite(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "screenshots"), 0o755)
	write(t, filepath.Join(dir, ".report.json.tmp-123"), "half")
	c, err := Take(dir, false)
	if err != nil {
		t.Fatalf("leftovers refused: %v", err)
	}
	c.Release()
	if exists(filepath.Join(dir, "screenshots")) || exists(filepath.Join(dir, ".report.json.tmp-123")) {
		t.Error("the leftovers are still there")
	}
}

// TestLockWithoutPid: a lock being written by another run (no pid in it
// yet, as an older fix401 could leave) is held until it is old.
func TestLockWithoutPid(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, lockName), "")
	_, err := Take(dir, false)
	wantError(t, err, "is in use by another fix401 run", "")
	old := time.Now().Add(-2 * staleLock)
	os.Chtimes(filepath.Join(dir, lockName), old, old)
	c, err := Take(dir, false)
	if err != nil {
		t.Fatalf("an old empty lock: %v", err)
	}
	c.Release()
}

func TestOneRunAtATime(t *testing.T) {
	dir := t.TempDir()
	c, err := Take(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// The same process stands in for a second run here by its parent's
	// pid, which is alive.
	write(t, filepath.Join(dir, lockName), strconv.Itoa(os.Getppid())+"\n")
	_, err = Take(dir, true)
	wantError(t, err, "is in use by another fix401 run", "wait for it")
	c.Release()
	// A lock left by a run that is gone is taken over.
	write(t, filepath.Join(dir, lockName), "999999999\n")
	c, err = Take(dir, false)
	if err != nil {
		t.Fatalf("a stale lock: %v", err)
	}
	c.Release()
}

// A folder a run owns inside --out (check's per-check folder) that is a
// link leads out of --out: the report there is somebody else's, and is
// neither replaced nor written.
func TestTakeInsideRefusesALinkOut(t *testing.T) {
	root := t.TempDir()
	elsewhere := filepath.Join(root, "elsewhere")
	previousReport(t, elsewhere)
	out := filepath.Join(root, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(out, "nightly")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	_, err := TakeInside(link)
	wantError(t, err, "is a symbolic link", "remove the link")
	if !exists(filepath.Join(elsewhere, "report.json")) || !exists(filepath.Join(elsewhere, "screenshots", "00-reproduce-1.png")) {
		t.Error("the report behind the link was touched")
	}
	// Its own folder, a previous report in it: replaced as Take(force).
	own := filepath.Join(out, "daily")
	previousReport(t, own)
	c, err := TakeInside(own)
	if err != nil {
		t.Fatal(err)
	}
	c.Release()
}
