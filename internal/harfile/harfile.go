// Package harfile reads an HTTP Archive (HAR 1.2) as a stream: the members
// of its log one by one and its entries one at a time, so that a 200 MB
// recording is never held whole in memory, and a file that is not a HAR,
// or not all of one, is told apart in one line.
//
// It is the reading half shared by `fix401 analyze` (which decodes each
// entry into the fields a diagnosis needs) and `fix401 har sanitize`
// (which rewrites each entry and copies the rest).
package harfile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Visitor receives a HAR's parts in the order the file has them.
type Visitor struct {
	// Member is every member of "log" but "entries", raw (version,
	// creator, browser, pages, comment, and any custom field).
	Member func(name string, raw json.RawMessage) error
	// Entry is each element of "log.entries", raw; i counts from 0.
	Entry func(i int, raw json.RawMessage) error
	// Decode, when set instead of Entry, decodes each element itself from
	// dec (one dec.Decode): one pass over a large file instead of two.
	Decode func(i int, dec *json.Decoder) error
}

// Summary is what Walk learned of the file.
type Summary struct {
	Version string
	Creator string // "name version"
	Browser string // "name version", when the log says
	Entries int
	Bytes   int64 // read from the file
}

// FormatError says why a file is not a readable HAR; its message is one
// line a person can act on.
type FormatError struct{ Msg string }

func (e *FormatError) Error() string { return e.Msg }

func formatErr(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

// Walk reads a HAR from r and hands its parts to v. It checks what HAR 1.2
// requires of the log (version 1.2, a creator, an entries array) and
// returns a *FormatError for a file that is not JSON, not a HAR, another
// HAR version, or cut short; errors from v are returned as they are.
func Walk(r io.Reader, v Visitor) (Summary, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3) // a UTF-8 byte order mark, as Windows tools write
	}
	cr := &countingReader{r: br}
	dec := json.NewDecoder(cr)
	dec.UseNumber()
	var sum Summary
	err := walk(dec, v, &sum)
	sum.Bytes = cr.n
	if err == nil {
		return sum, nil
	}
	var fe *FormatError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &fe):
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF) && cr.n > 0:
		err = formatErr("the file ends in the middle of the HAR (after %d bytes): it was cut short, download or export it again", cr.n)
	case errors.Is(err, io.EOF):
		err = formatErr("the file is empty")
	case errors.As(err, &se):
		if se.Offset <= 1 {
			err = formatErr("not a HAR: the file is not JSON (a HAR is the JSON file a browser's Network panel exports)")
		} else {
			err = formatErr("not a HAR: the JSON is broken at byte %d: %s", se.Offset, se.Error())
		}
	case isTypeError(err):
		err = formatErr("not a HAR: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return sum, err
}

func isTypeError(err error) bool {
	var ue *json.UnmarshalTypeError
	return errors.As(err, &ue)
}

func walk(dec *json.Decoder, v Visitor, sum *Summary) error {
	if err := expectDelim(dec, '{', "not a HAR: the file is JSON but not an object with a \"log\""); err != nil {
		return err
	}
	sawLog := false
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return err
		}
		if name != "log" {
			if err := skip(dec); err != nil {
				return err
			}
			continue
		}
		sawLog = true
		if err := walkLog(dec, v, sum); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if !sawLog {
		return formatErr("not a HAR: the JSON has no \"log\" object")
	}
	return nil
}

func walkLog(dec *json.Decoder, v Visitor, sum *Summary) error {
	if err := expectDelim(dec, '{', "not a HAR: \"log\" is not an object"); err != nil {
		return err
	}
	sawEntries, sawCreator := false, false
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return err
		}
		if name == "entries" {
			sawEntries = true
			if err := walkEntries(dec, v, sum); err != nil {
				return err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		switch name {
		case "version":
			if err := json.Unmarshal(raw, &sum.Version); err != nil {
				return formatErr("not a HAR: log.version is not a string")
			}
			if sum.Version != "1.2" {
				return formatErr("HAR version %q is not supported: fix401 reads HAR 1.2, which every current browser and proxy exports", sum.Version)
			}
		case "creator":
			sawCreator = true
			sum.Creator = nameVersion(raw)
		case "browser":
			sum.Browser = nameVersion(raw)
		}
		if v.Member != nil {
			if err := v.Member(name, raw); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	switch {
	case sum.Version == "":
		return formatErr("not a HAR 1.2: log.version is missing")
	case !sawCreator:
		return formatErr("not a HAR 1.2: log.creator is missing")
	case !sawEntries:
		return formatErr("not a HAR 1.2: log.entries is missing")
	}
	return nil
}

func walkEntries(dec *json.Decoder, v Visitor, sum *Summary) error {
	if err := expectDelim(dec, '[', "not a HAR: log.entries is not an array"); err != nil {
		return err
	}
	for dec.More() {
		if v.Decode != nil {
			if err := v.Decode(sum.Entries, dec); err != nil {
				return err
			}
			sum.Entries++
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if len(raw) == 0 || raw[0] != '{' {
			return formatErr("not a HAR: entry %d of log.entries is not an object", sum.Entries)
		}
		if v.Entry != nil {
			if err := v.Entry(sum.Entries, raw); err != nil {
				return err
			}
		}
		sum.Entries++
	}
	_, err := dec.Token()
	return err
}

func nameVersion(raw json.RawMessage) string {
	var c struct{ Name, Version string }
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return strings.TrimSpace(c.Name + " " + c.Version)
}

func expectDelim(dec *json.Decoder, want json.Delim, msg string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return formatErr("%s", msg)
	}
	return nil
}

func key(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, _ := t.(string)
	return s, nil
}

// skip reads past one value of any kind without keeping it.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
