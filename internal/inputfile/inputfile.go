// Package inputfile reads the files a person hands fix401 (a config, a
// cookies export, a password file) with bounds: only a regular file, and
// no more than a size that such a file never reaches, so that a device
// (/dev/zero, /dev/urandom), a FIFO or a huge file is refused in one line
// instead of hanging the run or filling memory.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits for the kinds of files read.
const (
	MaxConfig   = 4 << 20  // a config of thousands of checks is far below this
	MaxCookies  = 16 << 20 // a whole browser's cookie export
	MaxPassword = 64 << 10 // a password, a token or a key
)

// Error says what is wrong with an input file, in one line.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Check makes sure path is a regular file that can be opened for reading
// and is at most max bytes, without reading it: a FIFO is never opened
// (opening one blocks until a writer comes).
func Check(path string, max int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return &Error{path, reason(err)}
	}
	switch {
	case st.IsDir():
		return &Error{path, "is a folder, not a file"}
	case !st.Mode().IsRegular():
		return &Error{path, "is not a regular file (a device, a pipe or a socket)"}
	case st.Size() > max:
		return &Error{path, fmt.Sprintf("is %s, more than the %s such a file can be", size(st.Size()), size(max))}
	}
	f, err := os.Open(path)
	if err != nil {
		return &Error{path, reason(err)}
	}
	return f.Close()
}

// Read reads path after Check, and stops at max bytes whatever the file
// claims (it may grow while read).
func Read(path string, max int64) ([]byte, error) {
	if err := Check(path, max); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{path, reason(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &Error{path, reason(err)}
	}
	if int64(len(data)) > max {
		return nil, &Error{path, fmt.Sprintf("is more than the %s such a file can be", size(max))}
	}
	return data, nil
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
