package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/internal/harfile"
	"github.com/fix401/fix401/internal/harsanitize"
	"github.com/fix401/fix401/internal/inputfile"
	"github.com/fix401/fix401/internal/suggest"
)

// maxSanitizeHAR bounds the HAR files har sanitize reads: a long
// recording with bodies reaches hundreds of megabytes, none that a support
// desk asks for reaches this.
const maxSanitizeHAR = 2 << 30

func newHarCmd(io *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "har",
		Short: "Work on HAR files (HTTP Archive) recorded by any browser or proxy",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				var subs []string
				for _, s := range c.Commands() {
					subs = append(subs, s.Name())
				}
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("unknown command %q for %q%s", args[0], c.CommandPath(), suggest.Hint(args[0], subs)),
					Hint: "fix401 har sanitize IN.har -o OUT.har"}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return &ExitError{Code: ExitUsage, Err: errors.New("har needs a subcommand"), Hint: "fix401 har sanitize IN.har -o OUT.har"}
		},
	}
	c.AddCommand(newHarSanitizeCmd(io))
	return c
}

func newHarSanitizeCmd(io *IO) *cobra.Command {
	var out string
	var force bool
	c := &cobra.Command{
		Use:   "sanitize IN [-o OUT]",
		Short: "Write a copy of a HAR that is safe to attach to a ticket",
		Long: `Writes a sanitized copy of a HAR recorded by any tool (Chrome, Edge and
Firefox DevTools, Playwright, Charles, Fiddler); IN "-" reads standard input,
and without -o the copy goes to standard output.

Credentials, cookie values, tokens, codes, passwords, SAML messages and other
secrets are found by the file's structure (headers, cookies, URLs, form, JSON
and multipart bodies, HTML forms) and replaced with pseudonyms that keep
correlation: the same value is always [redacted:cookie#3]. JWTs keep their
header and claims and lose their signature. Bodies lose the secrets they
echo. Custom fields (_initiator, _webSocketMessages...) are dropped but for a
few harmless ones. The input is never overwritten; OUT appears only once it
is complete. What was replaced is said on stderr, in one line.`,
		Example: `  fix401 har sanitize ~/Downloads/signin.har -o signin-sanitized.har
  fix401 har sanitize - < signin.har > signin-sanitized.har`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("har sanitize takes one input file (or - for standard input), got %d arguments", len(args)),
					Hint: "fix401 har sanitize IN.har -o OUT.har"}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runHarSanitize(c.Context(), io, args[0], out, force)
		},
	}
	c.Flags().StringVarP(&out, "out", "o", "", "file to write (default: standard output; - is standard output too)")
	c.Flags().BoolVar(&force, "force", false, "let -o replace an existing file (never the input)")
	return c
}

func runHarSanitize(ctx context.Context, streams *IO, in, out string, force bool) error {
	var r io.Reader
	var inInfo os.FileInfo
	name := in
	if in == "-" {
		r, name = streams.In, "standard input"
		if f, ok := streams.In.(*os.File); ok {
			inInfo, _ = f.Stat() // stdin redirected from the file -o names
		}
	} else {
		if err := inputfile.Check(in, maxSanitizeHAR); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		f, err := os.Open(in)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", in, unwrapPathError(err))}
		}
		defer f.Close()
		r = f
		if inInfo, err = f.Stat(); err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", in, unwrapPathError(err))}
		}
	}
	// A file that grows while read, or an endless pipe, stops at the cap;
	// an interrupt stops the read.
	var known *harsanitize.Known
	if f, ok := r.(*os.File); ok && in != "-" {
		// A file can be read twice: first every secret it holds, so that
		// a body echoing one sent only later loses it too.
		k, err := harsanitize.Collect(&harInput{ctx: ctx, r: f, left: maxSanitizeHAR + 1, name: name})
		if err != nil {
			return harSanitizeErr(ctx, name, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %v", name, err)}
		}
		known = k
	}
	r = &harInput{ctx: ctx, r: r, left: maxSanitizeHAR + 1, name: name}

	if out == "" || out == "-" {
		counts, err := harsanitize.Sanitize(r, streams.Out, harsanitize.Options{Version: Version(), Known: known})
		if err != nil {
			return harSanitizeErr(ctx, name, err)
		}
		fmt.Fprintf(streams.ErrOut, "fix401: sanitized %d entries to standard output: %s\n", counts.Entries, counts.Summary())
		return nil
	}
	if st, err := os.Stat(out); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		// A pipe or a device (/dev/stdout, a FIFO a script reads): written
		// to as it is, never replaced by a file.
		if err := checkHarOut(in, inInfo, out, true); err != nil {
			return err
		}
		f, err := os.OpenFile(out, os.O_WRONLY, 0)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s: %v", out, unwrapPathError(err))}
		}
		counts, err := harsanitize.Sanitize(r, f, harsanitize.Options{Version: Version(), Known: known})
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return harSanitizeErr(ctx, name, err)
		}
		fmt.Fprintf(streams.ErrOut, "fix401: sanitized %d entries into %s: %s\n", counts.Entries, out, counts.Summary())
		return nil
	}

	if err := checkHarOut(in, inInfo, out, force); err != nil {
		return err
	}
	// Written next to OUT and renamed at the end: OUT is whole or not
	// there, never the first half of a HAR. It keeps CreateTemp's 0600: a
	// sanitized HAR still holds user names and pages, for its owner to
	// pass on.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".fix401-*.tmp")
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s: cannot write in its folder: %v", out, unwrapPathError(err)), Hint: "give a file in a folder you can write to"}
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	counts, err := harsanitize.Sanitize(r, tmp, harsanitize.Options{Version: Version(), Known: known})
	if err != nil {
		return harSanitizeErr(ctx, name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %v", out, unwrapPathError(err))
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("writing %s: %v", out, unwrapPathError(err))
	}
	done = true
	fmt.Fprintf(streams.ErrOut, "fix401: sanitized %d entries into %s: %s\n", counts.Entries, out, counts.Summary())
	return nil
}

// checkHarOut refuses an OUT that is the input, by name, through a link
// or as the same file (os.SameFile), whatever --force says, and an OUT
// that exists without --force.
func checkHarOut(in string, inInfo os.FileInfo, out string, force bool) error {
	refuse := &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s is the input file: refusing to overwrite it", out),
		Hint: "write the sanitized copy to another file; the original stays as it is"}
	if in != "-" {
		a, err1 := filepath.Abs(in)
		b, err2 := filepath.Abs(out)
		if err1 == nil && err2 == nil && a == b {
			return refuse
		}
	}
	st, err := os.Stat(out)
	switch {
	case err == nil:
		if inInfo != nil && os.SameFile(inInfo, st) {
			return refuse
		}
		if st.IsDir() {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s is a folder", out), Hint: "give the name of the file to write"}
		}
		if !force {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s exists", out), Hint: "--force replaces it, or give another file"}
		}
	case errors.Is(err, os.ErrNotExist):
		if _, lerr := os.Lstat(out); lerr == nil && !force {
			// A dangling link: writing through it would create a file
			// somewhere else.
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s is a link to a file that does not exist", out), Hint: "--force replaces the link, or give another file"}
		}
		dir := filepath.Dir(out)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s: the folder %s does not exist", out, dir), Hint: "create it first, or give a file in an existing folder"}
		}
	default:
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("-o %s: %v", out, unwrapPathError(err))}
	}
	return nil
}

// harSanitizeErr turns what Sanitize returned into the command's error: a
// file that is not a HAR is a usage error.
func harSanitizeErr(ctx context.Context, name string, err error) error {
	var fe *harfile.FormatError
	var le *harTooBig
	switch {
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.As(err, &le):
		return &ExitError{Code: ExitUsage, Err: err}
	case errors.As(err, &fe):
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %s", name, fe.Msg)}
	}
	return err
}

// harInput stops at a size cap and when ctx ends.
type harInput struct {
	ctx  context.Context
	r    io.Reader
	left int64
	name string
}

type harTooBig struct{ msg string }

func (e *harTooBig) Error() string { return e.msg }

func (b *harInput) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, context.Cause(b.ctx)
	}
	if b.left <= 0 {
		return 0, &harTooBig{fmt.Sprintf("%s is more than the %d GiB a HAR can be here", b.name, maxSanitizeHAR>>30)}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
