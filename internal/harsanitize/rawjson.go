package harsanitize

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The HAR around the values is handled as raw JSON, one level at a time:
// an entry's members are split without decoding what they hold, so that
// fields fix401 does not change (timings, a 5 MB script body of an entry
// it has no reason to touch beyond scanning) are copied as they are and
// the order of every object stays the file's. harfile has already checked
// the syntax of every entry, so these scanners can be simple.

// member is one name/value pair of an object, in file order.
type member struct {
	name string
	key  []byte // the name as written, quotes and escapes included
	val  []byte // raw JSON, or a new encoding once changed
}

// object is a JSON object's members in order.
type object []member

// get returns the member called name, or nil.
func (o object) get(name string) *member {
	for i := range o {
		if o[i].name == name {
			return &o[i]
		}
	}
	return nil
}

// set replaces name's value, or adds the member at the end.
func (o *object) set(name string, val []byte) {
	if m := o.get(name); m != nil {
		m.val = val
		return
	}
	*o = append(*o, member{name: name, key: quote(nil, name), val: val})
}

// del removes name.
func (o *object) del(name string) {
	for i := range *o {
		if (*o)[i].name == name {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

// encode writes o as compact JSON (the values as they are).
func (o object) encode(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, m.key...)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}')
}

// splitObject splits raw, which must be an object, into its members. A
// name given twice keeps its last value, as JSON parsers do: sanitizing
// the first and copying the second would leak what the reader sees.
func splitObject(raw []byte) (object, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	i++
	var o object
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case '}':
			return o, true
		case ',':
			i++
			continue
		case '"':
		default:
			return nil, false
		}
		end := skipString(raw, i)
		if end < 0 {
			return nil, false
		}
		key := raw[i:end]
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		vend := skipValue(raw, i)
		if vend < 0 {
			return nil, false
		}
		name, ok := decodeString(key)
		if !ok {
			return nil, false
		}
		o.del(name)
		o = append(o, member{name: name, key: key, val: raw[i:vend]})
		i = vend
	}
}

// splitArray splits raw, which must be an array, into its elements.
func splitArray(raw []byte) ([][]byte, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	i++
	var out [][]byte
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ']':
			return out, true
		case ',':
			i++
			continue
		}
		end := skipValue(raw, i)
		if end < 0 {
			return nil, false
		}
		out = append(out, raw[i:end])
		i = end
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] ('"'),
// or -1 when it does not end. Bodies make most of a HAR, so the closing
// quote is looked for with IndexByte, and a quote found is checked for
// the backslashes before it.
func skipString(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := skipString(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !(b[j] == ',' || b[j] == '}' || b[j] == ']' || b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t') {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// decodeString decodes a JSON string literal, quotes included, as
// encoding/json does (an invalid byte or a lone surrogate becomes U+FFFD),
// without its second validation pass: bodies are most of a HAR's bytes.
func decodeString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	i := 0
	for i < len(in) && in[i] != '\\' && in[i] >= 0x20 && in[i] < utf8.RuneSelf {
		i++
	}
	if i == len(in) {
		return string(in), true
	}
	out := make([]byte, i, len(in))
	copy(out, in[:i])
	for i < len(in) {
		c := in[i]
		switch {
		case c == '\\':
			if i+1 >= len(in) {
				return "", false
			}
			switch e := in[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(in[i+2:])
				if !ok {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if i+1 < len(in) && in[i] == '\\' && in[i+1] == 'u' {
						r2, ok = hex4(in[i+2:])
					}
					if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return "", false
			}
			i += 2
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, in[i:i+size]...)
			}
			i += size
		}
	}
	return string(out), true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// str returns the string a raw value holds, if it is one.
func str(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	return decodeString(raw)
}

// isNull reports a JSON null (or nothing at all).
func isNull(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

const hexDigits = "0123456789abcdef"

// quote appends s as a JSON string. Unlike encoding/json it leaves <, >
// and & alone, as DevTools does: \u003c in every HTML body helps nobody.
func quote(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 end lines in JavaScript.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonString returns s encoded as a JSON string.
func jsonString(s string) []byte { return quote(nil, s) }

// jsonInt returns n encoded as JSON.
func jsonInt(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// indent appends src, compact or not, to dst with one member or element
// a line and two spaces a level, after prefix, as DevTools writes HARs.
// src is valid JSON (harfile has checked what came in, quote writes what
// goes out), so it needs no scanner: strings are skipped whole.
func indent(dst, src []byte, prefix string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case ' ', '\t', '\n', '\r':
		case '"':
			end := skipString(src, i)
			if end < 0 {
				end = len(src)
			}
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			j := skipSpace(src, i+1)
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				dst = append(dst, src[j])
				i = j
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',')
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
