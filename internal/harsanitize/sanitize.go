// Package harsanitize writes a sanitized copy of an HTTP Archive (HAR 1.2)
// that any tool recorded (Chrome, Edge and Firefox DevTools, Playwright,
// Charles, Fiddler), for `fix401 har sanitize`: a support desk asks for
// the HAR of a failing sign-in, and since session tokens in customers'
// HARs were replayed (Okta, 2023) none should travel unsanitized.
//
// Secrets are found by structure, never by searching the finished text:
// header values by the header's name, cookie values by their place,
// parameters of URLs, forms and JSON bodies by their names (and, for query
// and form parameters, by a key's shape), the value attributes of HTML
// form inputs by their input's name. Each value found is replaced by a
// pseudonym, [redacted:KIND#N], the same one wherever the same value is
// met, so that the file still shows which request carried which cookie. A
// JWT keeps its header and claims and loses its signature. Bodies are then
// cleared of the secrets collected so far (a page that echoes the session
// cookie), the one place where a literal replacement is right: those are
// known values, not guesses.
//
// The file is streamed: one entry at a time is read, rewritten and
// written, so a 200 MB HAR takes memory for its largest entry (and the
// secrets found), not for itself.
//
// A body may echo a secret first sent in a later entry. A caller that can
// read its input twice (a regular file) runs Collect first and hands what
// it found to Sanitize, which then scrubs every body of every secret of
// the file:
//
//	k, err := harsanitize.Collect(f)
//	// f.Seek(0, io.SeekStart)
//	c, err := harsanitize.Sanitize(f, w, harsanitize.Options{Known: k})
package harsanitize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fix401/fix401/internal/harfile"
)

// Options tune Sanitize.
type Options struct {
	// Version is the fix401 version named in the log's comment.
	Version string
	// Known, from Collect over the same HAR, makes this the second of two
	// passes: every secret of the file is known before the first entry,
	// so a body echoing a secret first sent in a later entry loses it
	// too, and pseudonyms are numbered as one pass would number them.
	// Nil is one pass. Sanitize does not change Known.
	Known *Known
}

// Known is what Collect found in a HAR: its secret values and their
// pseudonyms. Its size goes with the number of distinct secrets, not with
// the size of the file. It may be used by several Sanitize at once.
type Known struct {
	t    *table
	jwts int
}

// Len is the number of distinct secret values known (a value and the
// forms it was met in count once each).
func (k *Known) Len() int {
	if k == nil {
		return 0
	}
	return len(k.t.repl)
}

// Collect reads a HAR from r as Sanitize does, writing nothing, and
// returns the secrets it holds, for Options.Known of a second pass over
// the same file. Its errors are Sanitize's: a file that is not a HAR 1.2
// gives a *harfile.FormatError.
func Collect(r io.Reader) (*Known, error) {
	c := Counts{Values: map[Kind]int{}}
	s := &sanitizer{c: &c, collecting: true}
	s.t = newTable(&c)
	if _, err := s.run(r, nil, Options{}); err != nil {
		return nil, err
	}
	s.t.counts = nil
	return &Known{t: s.t, jwts: c.JWTs}, nil
}

// Counts says what Sanitize replaced.
type Counts struct {
	Entries int
	// Values counts the distinct secret values given a pseudonym, per
	// kind: the N of the last [redacted:KIND#N].
	Values map[Kind]int
	// Places counts where a value was replaced by structure (a cookie
	// sent with 40 requests counts 40 times).
	Places int
	// JWTs counts the distinct JWTs whose signature was dropped.
	JWTs int
	// Echoes counts secrets found again, and replaced, in bodies and
	// comments.
	Echoes int
	// Dropped counts custom fields dropped (_initiator,
	// _webSocketMessages...).
	Dropped int
}

var kindWords = map[Kind][2]string{
	KindCookie:        {"cookie", "cookies"},
	KindAuthorization: {"authorization credential", "authorization credentials"},
	KindToken:         {"token", "tokens"},
	KindCode:          {"code", "codes"},
	KindPassword:      {"password", "passwords"},
	KindSAML:          {"SAML message", "SAML messages"},
	KindSecret:        {"secret", "secrets"},
	KindParam:         {"other value", "other values"},
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Summary says what was replaced, in words, for one line: "37 cookies, 5
// authorization credentials, 12 tokens (distinct values, in 230 places),
// 4 JWT signatures, 9 echoes in bodies; dropped 120 custom fields".
func (c Counts) Summary() string {
	var parts []string
	for _, k := range Kinds {
		if n := c.Values[k]; n > 0 {
			parts = append(parts, plural(n, kindWords[k][0], kindWords[k][1]))
		}
	}
	s := strings.Join(parts, ", ")
	if s != "" {
		s += " (distinct values, replaced in " + plural(c.Places, "place", "places") + ")"
	}
	var more []string
	if s != "" {
		more = append(more, s)
	}
	if c.JWTs > 0 {
		more = append(more, plural(c.JWTs, "JWT signature", "JWT signatures"))
	}
	if c.Echoes > 0 {
		more = append(more, plural(c.Echoes, "echo in bodies", "echoes in bodies"))
	}
	s = strings.Join(more, ", ")
	if s == "" {
		s = "no secrets found"
	}
	if c.Dropped > 0 {
		s += "; dropped " + plural(c.Dropped, "custom field", "custom fields")
	}
	return s
}

// sanitizer holds what one run has learned: the pseudonyms so far.
type sanitizer struct {
	t     *table
	c     *Counts
	names map[string]nameInfo
	// collecting is Collect's pass: secrets are found, nothing is
	// written, bodies are not searched for echoes.
	collecting bool
	depth      int // JSON inside JSON (or a form, an input) being walked
}

// Sanitize reads a HAR from r and writes its sanitized copy to w. A file
// that is not a HAR 1.2 gives a *harfile.FormatError (one line); an error
// writing w is returned as it is. On error, what was written to w is not
// a HAR: write to a temporary file and keep it only on success.
//
// With o.Known nil, secrets are collected in this one pass: an entry's
// headers, cookies and URLs are read before its bodies are scrubbed, and a
// body is scrubbed of every secret seen up to its entry, so a page that
// echoes a secret first sent in a later entry keeps that echo. With
// o.Known from Collect over the same file, every body is scrubbed of every
// secret of the file.
func Sanitize(r io.Reader, w io.Writer, o Options) (Counts, error) {
	c := Counts{Values: map[Kind]int{}}
	s := &sanitizer{c: &c}
	if o.Known != nil {
		s.t = o.Known.t.clone(&c)
		c.JWTs = o.Known.jwts
	} else {
		s.t = newTable(&c)
	}
	return s.run(r, w, o)
}

// run is one pass over a HAR; w is nil for Collect's.
func (s *sanitizer) run(r io.Reader, w io.Writer, o Options) (Counts, error) {
	c := s.c
	out := &output{discard: w == nil}
	if w != nil {
		out.w = bufio.NewWriterSize(w, 1<<16)
	}
	out.start()
	sawComment := false
	sum, err := harfile.Walk(r, harfile.Visitor{
		Member: func(name string, raw json.RawMessage) (err error) {
			defer s.recover("log."+name, &err)
			val, keep := s.member(name, raw, o)
			if name == "comment" {
				sawComment = true
			}
			if !keep {
				s.c.Dropped++
				return nil
			}
			return out.member(name, val)
		},
		Entry: func(i int, raw json.RawMessage) (err error) {
			defer s.recover(fmt.Sprintf("entry %d", i), &err)
			b, err := s.entry(i, raw)
			if err != nil {
				return err
			}
			return out.entry(b)
		},
	})
	if err != nil {
		return *c, err
	}
	if !sawComment {
		if err := out.member("comment", jsonString(comment(o))); err != nil {
			return *c, err
		}
	}
	c.Entries = sum.Entries
	for k, n := range s.t.next {
		c.Values[k] = n
	}
	return *c, out.finish()
}

// recover makes a bug met on some input the sanitizer did not foresee an
// error of one line (the output left unfinished, so never kept) rather
// than a crash with a stack trace. The panic's value says where in the
// code, never what the file holds.
func (s *sanitizer) recover(where string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("internal error sanitizing %s: %v", where, p)
	}
}

// comment is what the log's comment says of this file.
func comment(o Options) string {
	v := o.Version
	if v == "" {
		v = "dev"
	}
	return "Sanitized by fix401 har sanitize " + v + ": the values of credentials, cookies, tokens, codes, passwords, " +
		"SAML messages and other secrets (in headers, cookies, URLs, form, JSON and multipart bodies, HTML forms) are " +
		"replaced with [redacted:KIND#N] (in URLs percent-encoded: %5Bredacted:code%231%5D), the same value always " +
		"with the same pseudonym; names, schemes and cookie attributes are kept. JWTs keep their header and claims and lose their signature ([redacted-signature]). " +
		"Bodies lost the secrets they echoed; custom fields other than a few harmless ones (_resourceType, _priority, " +
		"_transferSize...) were dropped."
}

// member rewrites a member of log other than entries; keep is false for
// one that is dropped.
func (s *sanitizer) member(name string, raw []byte, o Options) (val []byte, keep bool) {
	switch name {
	case "version", "creator", "browser":
		return raw, true
	case "comment":
		prev, _ := str(raw)
		prev, _ = s.text(prev)
		if prev != "" {
			prev += "\n\n"
		}
		return jsonString(prev + comment(o)), true
	case "pages":
		return s.pages(raw), true
	}
	return nil, false
}

// pages rewrites log.pages: a page's title is often its URL (Chrome's
// are), query string and all.
func (s *sanitizer) pages(raw []byte) []byte {
	items, ok := splitArray(raw)
	if !ok {
		return []byte("[]")
	}
	b := []byte{'['}
	n := 0
	for _, it := range items {
		p, ok := splitObject(it)
		if !ok {
			s.c.Dropped++
			continue
		}
		s.keepKnown(&p, pageFields)
		if m := p.get("title"); m != nil {
			if t, ok := str(m.val); ok {
				if isURL(t) {
					t = s.url(t)
				}
				t, _ = s.text(t)
				m.val = jsonString(t)
			} else {
				m.val = jsonString("")
			}
		}
		if m := p.get("pageTimings"); m != nil {
			m.val = s.plain(m.val, pageTimingsFields)
		} else {
			p.set("pageTimings", []byte("{}"))
		}
		s.comment(&p)
		if n > 0 {
			b = append(b, ',')
		}
		b = p.encode(b)
		n++
	}
	return append(b, ']')
}

// text clears free text (a body, a comment) of the secrets seen so far
// and of JWT signatures; it reports how many echoes went.
func (s *sanitizer) text(v string) (string, int) {
	v = s.stripJWTsInText(v)
	if s.collecting {
		return v, 0
	}
	v, n := s.t.echo.replace(v)
	s.c.Echoes += n
	return v, n
}

// comment clears an object's "comment", free text a person wrote.
func (s *sanitizer) comment(o *object) {
	m := o.get("comment")
	if m == nil {
		return
	}
	c, ok := str(m.val)
	if !ok {
		o.del("comment")
		return
	}
	c, _ = s.text(c)
	m.val = jsonString(c)
}

// output writes the sanitized HAR as it is made, indented as DevTools
// writes it: {"log":{ then each member of log in the order the input has
// them, the entries as one array as they come.
type output struct {
	discard   bool // Collect's pass: nothing is written
	w         *bufio.Writer
	members   int
	inEntries bool
	entries   int
	sawArray  bool
	buf       []byte
	err       error
}

func (o *output) write(b []byte) {
	if o.err == nil && !o.discard {
		_, o.err = o.w.Write(b)
	}
}

func (o *output) start() { o.write([]byte("{\n  \"log\": {")) }

func (o *output) sep() {
	if o.members > 0 {
		o.write([]byte(","))
	}
	o.write([]byte("\n    "))
	o.members++
}

func (o *output) closeEntries() {
	if o.inEntries {
		o.write([]byte("\n    ]"))
		o.inEntries = false
	}
}

func (o *output) member(name string, val []byte) error {
	o.closeEntries()
	o.sep()
	o.write(quote(nil, name))
	o.write([]byte(": "))
	o.indent(val, "    ")
	return o.err
}

func (o *output) entry(b []byte) error {
	if !o.sawArray {
		o.sep()
		o.write([]byte(`"entries": [`))
		o.sawArray, o.inEntries = true, true
	} else if !o.inEntries {
		// harfile hands the entries of one array; a second "entries" in
		// the same log is not something it does.
		return formatErr("not a HAR: log has two \"entries\" arrays")
	}
	if o.entries > 0 {
		o.write([]byte(","))
	}
	o.write([]byte("\n      "))
	o.indent(b, "      ")
	o.entries++
	return o.err
}

func (o *output) indent(b []byte, prefix string) {
	if o.discard {
		return
	}
	o.buf = indent(o.buf[:0], b, prefix)
	o.write(o.buf)
	if cap(o.buf) > 4<<20 {
		o.buf = nil // a huge entry's buffer is not kept for the small ones after it
	}
}

func (o *output) finish() error {
	o.closeEntries()
	if !o.sawArray {
		o.sep()
		o.write([]byte(`"entries": []`))
	}
	o.write([]byte("\n  }\n}\n"))
	if o.err != nil || o.discard {
		return o.err
	}
	return o.w.Flush()
}

func formatErr(format string, args ...any) error {
	return &harfile.FormatError{Msg: fmt.Sprintf(format, args...)}
}
