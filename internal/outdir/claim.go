package outdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/proc"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// lockName is the file that marks a folder as being written by a run.
const lockName = ".fix401.lock"

// reportFiles are the files a fix401 report folder consists of, besides
// the PNGs in screenshots/: what --force may replace, and nothing else.
var reportFiles = []string{"report.json", "report.html", "report.md", "contact.md", "network.har"}

// Error is a folder that cannot take the run's report, said in one line
// with a hint; the command line turns it into exit status 2.
type Error struct {
	Msg  string
	Hint string
}

func (e *Error) Error() string { return e.Msg }

// Claim is a folder reserved for one run's report until Release.
type Claim struct {
	Dir     string
	lock    string
	created bool // Take made the folder: Release removes it if still empty
}

// Take reserves dir for a run's report, before the run starts, so that a
// folder that cannot take it costs nothing:
//   - a folder that does not exist is created; one that is not writable,
//     or is a file, is refused;
//   - a folder that holds anything is refused, unless force is set and it
//     holds a previous fix401 report, whose own files (and only those) are
//     then removed; symlinks are never followed;
//   - a second run into the same folder at the same time is refused (a
//     lock file, taken over when the run that made it is gone).
//
// check and serve reuse their per-check folders on every run: they call
// Take with force.
func Take(dir string, force bool) (*Claim, error) {
	st, err := os.Lstat(dir)
	switch {
	case err == nil && st.Mode()&fs.ModeSymlink != 0:
		// The folder given may be a link to one: that is the user's
		// choice. What is inside is never followed.
		if st, err = os.Stat(dir); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, unwrap(err))}
		}
		if !st.IsDir() {
			return nil, &Error{Msg: dir + " is a file, not a folder", Hint: "give a new or empty folder"}
		}
	case err == nil && !st.IsDir():
		return nil, &Error{Msg: dir + " is a file, not a folder", Hint: "give a new or empty folder"}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("cannot create %s: %v", dir, unwrap(err))}
		}
	case err != nil:
		return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, unwrap(err))}
	}
	c := &Claim{Dir: dir, lock: filepath.Join(dir, lockName), created: errors.Is(err, fs.ErrNotExist)}
	if err := c.takeLock(); err != nil {
		if c.created {
			os.Remove(dir)
		}
		return nil, err
	}
	if err := c.checkContents(force); err != nil {
		c.Release()
		return nil, err
	}
	return c, nil
}

// TakeInside reserves dir, a folder a run owns inside the --out it was
// given (a check's own folder, which a schedule reuses on every run; a demo
// scenario's), as Take with force does. A symlink there leads out of --out,
// where a report would replace somebody else's files: it is refused.
func TakeInside(dir string) (*Claim, error) {
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, &Error{Msg: dir + " is a symbolic link: fix401 does not follow links out of --out", Hint: "remove the link, or give another --out"}
	}
	return Take(dir, true)
}

// Release gives the folder back; one that Take made and nothing was
// written to (a run that failed before its report) goes again.
func (c *Claim) Release() {
	if c != nil && c.lock != "" {
		os.Remove(c.lock)
		c.lock = ""
		if c.created {
			os.Remove(c.Dir) // only when empty
		}
	}
}

// staleLock is how old a lock without a pid in it may be before it is
// taken for the leftover of a run that died while making it.
const staleLock = time.Minute

// takeLock makes the lock file, which also proves the folder writable. It
// is written whole under another name and linked into place, so that it
// is never seen without its pid, and of two runs only one can link it.
func (c *Claim) takeLock() error {
	for range 3 {
		tmp, err := os.CreateTemp(c.Dir, ".fix401-lock-*")
		if err != nil {
			return &Error{Msg: fmt.Sprintf("%s is not writable: %v", c.Dir, unwrap(err)), Hint: "give a folder you can write to"}
		}
		_, werr := tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n")
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			return &Error{Msg: fmt.Sprintf("%s is not writable: %v", c.Dir, unwrap(errors.Join(werr, cerr)))}
		}
		err = os.Link(tmp.Name(), c.lock)
		os.Remove(tmp.Name())
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return &Error{Msg: fmt.Sprintf("cannot lock %s: %v", c.Dir, unwrap(err))}
		}
		held, pid := c.lockHeld()
		if held {
			msg := c.Dir + " is in use by another fix401 run"
			if pid > 0 {
				msg = fmt.Sprintf("%s is in use by another fix401 run (pid %d)", c.Dir, pid)
			}
			return &Error{Msg: msg, Hint: "wait for it to finish, or give another folder"}
		}
		// Left by a run that is gone (killed): take it over.
		os.Remove(c.lock)
	}
	return &Error{Msg: c.Dir + " is in use by another fix401 run", Hint: "wait for it to finish, or give another folder"}
}

// lockHeld says whether the lock belongs to a live run, and its pid.
func (c *Claim) lockHeld() (bool, int) {
	st, err := os.Lstat(c.lock)
	if err != nil {
		return false, 0 // gone meanwhile: try again
	}
	data, _ := os.ReadFile(c.lock)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	switch {
	case pid <= 0:
		// No pid (not ours, or written by an older fix401): held until
		// it is old.
		return time.Since(st.ModTime()) < staleLock, 0
	case pid == os.Getpid():
		return true, pid // this process holds it already
	}
	return proc.Alive(pid), pid
}

// checkContents refuses a folder that holds anything but the lock, unless
// force is set and what it holds is a previous fix401 report.
func (c *Claim) checkContents(force bool) error {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("%s: %v", c.Dir, unwrap(err))}
	}
	empty := true
	for _, e := range entries {
		if e.Name() != lockName && !leftover(c.Dir, e) {
			empty = false
		}
	}
	if empty {
		return clearLeftovers(c.Dir, entries)
	}
	if !isReport(c.Dir) {
		return &Error{Msg: c.Dir + " exists and is not empty", Hint: "give a new or empty folder (--force replaces only a previous fix401 report)"}
	}
	if !force {
		return &Error{Msg: c.Dir + " holds an earlier fix401 report", Hint: "--force replaces it, or give another folder"}
	}
	return clearReport(c.Dir)
}

// leftover says whether e is what a write that failed half-way may leave
// in a report folder: an empty screenshots folder, a temporary file of
// fix401's atomic writes.
func leftover(dir string, e fs.DirEntry) bool {
	switch {
	case e.Name() == "screenshots" && e.IsDir():
		sub, err := os.ReadDir(filepath.Join(dir, e.Name()))
		return err == nil && len(sub) == 0
	case strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") && e.Type().IsRegular():
		return true
	}
	return false
}

func clearLeftovers(dir string, entries []fs.DirEntry) error {
	for _, e := range entries {
		if e.Name() != lockName && leftover(dir, e) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// isReport says whether dir holds a fix401 report: a report.json of ours.
func isReport(dir string) bool {
	p := filepath.Join(dir, "report.json")
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() || st.Size() > 64<<20 {
		return false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var r struct {
		Schema string `json:"schema"`
		Tool   struct {
			Name string `json:"name"`
		} `json:"tool"`
	}
	return json.Unmarshal(data, &r) == nil && strings.HasPrefix(r.Schema, "fix401.report/") && r.Tool.Name == "fix401"
}

// clearReport removes a previous report's own files from dir: the known
// report files, the screenshots its report.json lists, and what a failed
// write left. A symlink is removed as a link, never followed; anything
// else stays.
func clearReport(dir string) error {
	shots := listedScreenshots(dir)
	for _, name := range reportFiles {
		if err := removeEntry(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	sd := filepath.Join(dir, "screenshots")
	st, err := os.Lstat(sd)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &Error{Msg: fmt.Sprintf("%s: %v", sd, unwrap(err))}
	case !st.IsDir():
		// A link or a file where the screenshots go: only the entry.
		return removeEntry(sd)
	}
	for _, name := range shots {
		if err := removeEntry(filepath.Join(sd, name)); err != nil {
			return err
		}
	}
	os.Remove(sd) // only if now empty
	entries, _ := os.ReadDir(dir)
	return clearLeftovers(dir, entries)
}

// listedScreenshots are the file names in screenshots/ that dir's
// report.json names as its own.
func listedScreenshots(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil
	}
	var r struct {
		Artifacts struct {
			Screenshots []string `json:"screenshots"`
		} `json:"artifacts"`
	}
	if json.Unmarshal(data, &r) != nil {
		return nil
	}
	var out []string
	for _, p := range r.Artifacts.Screenshots {
		// Only plain names inside screenshots/: a report.json is no
		// licence to delete elsewhere.
		if name, ok := strings.CutPrefix(p, "screenshots/"); ok && name != "" && !strings.ContainsAny(name, `/\`) && name != ".." {
			out = append(out, name)
		}
	}
	return out
}

// removeEntry removes a file or a link (not a folder); a missing one is
// fine.
func removeEntry(p string) error {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && st.IsDir() {
		return &Error{Msg: p + " is a folder where a report file belongs", Hint: "give a new or empty folder"}
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &Error{Msg: fmt.Sprintf("cannot replace %s: %v", p, unwrap(err))}
	}
	return nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
