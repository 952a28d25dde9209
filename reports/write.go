package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// JSON renders the report as indented JSON with a trailing newline.
func JSON(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so that a reader (or an interrupted run) never sees a
// half-written file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// WriteDir writes the report and its files into dir: the files
// (screenshots) first, then the human-readable formats, and report.json
// last, each atomically, so report.json only ever names files that exist.
// If a write fails (a full disk), the files written so far are removed
// again: a folder with a report.html that points at a report.json never
// written would mislead. The folder itself is the caller's (see outdir).
func WriteDir(dir string, r *Report, files map[string][]byte) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	var written, made []string
	defer func() {
		if err != nil {
			for _, p := range written {
				os.Remove(p)
			}
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i]) // only when empty
			}
		}
	}()
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if sub := filepath.Dir(p); sub != filepath.Clean(dir) {
			// Never write through a link out of the folder.
			if st, err := os.Lstat(sub); err == nil && st.Mode()&os.ModeSymlink != 0 {
				return fmt.Errorf("writing %s: %s is a link", name, sub)
			}
			if _, err := os.Stat(sub); errors.Is(err, os.ErrNotExist) {
				made = append(made, sub)
			}
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		if err := WriteFileAtomic(p, data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		written = append(written, p)
		return nil
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := write(name, files[name]); err != nil {
			return err
		}
	}

	// The network log (network.har) arrives among files, with
	// r.Artifacts.HAR already set by the caller. A HAR built here instead
	// belongs at this spot: written before the renderers run, so that
	// report.html and report.md can link to it.

	// Every artifact is named before anything is rendered: the HTML and
	// Markdown list the other files, and report.json lists them all.
	r.Artifacts.JSON = "report.json"
	r.Artifacts.HTML = "report.html"
	r.Artifacts.Markdown = "report.md"
	r.Artifacts.Contact = "contact.md"
	page, err := HTML(r, files)
	if err != nil {
		return fmt.Errorf("rendering report.html: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{r.Artifacts.HTML, page},
		{r.Artifacts.Markdown, Markdown(r)},
		{r.Artifacts.Contact, ContactMessage(r)},
	} {
		if err := write(f.name, f.data); err != nil {
			return err
		}
	}

	data, err := JSON(r)
	if err != nil {
		return err
	}
	return write(r.Artifacts.JSON, data)
}
