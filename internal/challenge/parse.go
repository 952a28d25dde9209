package challenge

import (
	"fmt"
	"strings"
)

// paramSchemes are schemes whose specifications define the challenge as
// auth-params only. For them `name=` at the end of a challenge is read as a
// parameter with a missing value, not as a one-character-padded token68: the
// grammar allows both readings, and for these schemes the first is the only
// plausible one (and the one a technician needs to hear about).
var paramSchemes = map[string]bool{
	"basic":         true,
	"digest":        true,
	"bearer":        true,
	"mutual":        true,
	"hoba":          true,
	"scram-sha-1":   true,
	"scram-sha-256": true,
}

// meta is what the parser knows about a challenge beyond the public fields;
// the scheme rules need it but callers do not.
type meta struct {
	quoted   map[string]bool // param name -> value was a quoted-string
	complete bool            // parsing moved past this challenge without error
}

type parser struct {
	res    Result
	meta   []meta
	nf     int // number of field lines, for error positions
	fi     int // current field line
	s      string
	i      int
	cur    int  // index of the challenge parameters attach to; -1 before the first
	canArg bool // current challenge may take auth-params in later list elements
	err    bool
}

func parse(fields []string) Result {
	p := &parser{
		res: Result{Challenges: []Challenge{}, Warnings: []string{}},
		nf:  len(fields),
		cur: -1,
	}
	for fi, f := range fields {
		p.fi = fi
		p.s = p.unfold(f)
		p.i = 0
		// The boundary between field lines is just a list separator (RFC
		// 9110 §5.3): a parameter list may go on in the next line, but a
		// scheme that ends its line takes no parameters from the next one.
		if !p.field() {
			break
		}
	}
	if !p.err {
		if p.cur >= 0 {
			p.meta[p.cur].complete = true
		}
		p.res.Valid = true
		if len(p.res.Challenges) == 0 {
			p.warn("no challenge in the header: the server did not say how to authenticate")
		}
	}
	schemeWarnings(p)
	return p.res
}

// unfold replaces obsolete line folding (RFC 9112 §5.2) with spaces of the
// same length, which keeps error columns pointing at the original bytes.
// Trailing OWS is dropped because it is not part of a field value.
func (p *parser) unfold(f string) string {
	var b []byte
	for i := 0; i < len(f); i++ {
		n := 0
		switch {
		case f[i] == '\r' && i+2 < len(f) && f[i+1] == '\n' && isWS(f[i+2]):
			n = 2
		case f[i] == '\n' && i+1 < len(f) && isWS(f[i+1]):
			n = 1
		}
		if n == 0 {
			continue
		}
		if b == nil {
			b = []byte(f)
			p.warn(fmt.Sprintf("%s uses obsolete line folding (RFC 9112 §5.2); read as spaces", p.lineName()))
		}
		for k := 0; k < n; k++ {
			b[i+k] = ' '
		}
		i += n - 1
	}
	if b != nil {
		f = string(b)
	}
	return strings.TrimRight(f, " \t")
}

func (p *parser) lineName() string {
	if p.nf > 1 {
		return fmt.Sprintf("field line %d", p.fi+1)
	}
	return "the field value"
}

func (p *parser) warn(msg string) {
	p.res.Warnings = append(p.res.Warnings, msg)
}

// fail records the first syntax error, positioned at byte pos of the current
// field line (1-based column, counted in bytes).
func (p *parser) fail(pos int, format string, args ...any) bool {
	where := fmt.Sprintf("column %d: ", pos+1)
	if p.nf > 1 {
		where = fmt.Sprintf("field line %d, column %d: ", p.fi+1, pos+1)
	}
	msg := where + fmt.Sprintf(format, args...)
	p.res.Error = &msg
	p.err = true
	return false
}

// field parses one field line as a run of list elements; it returns false
// after an error.
func (p *parser) field() bool {
	for {
		p.skipOWS()
		if p.i >= len(p.s) {
			return true
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if !p.element() {
			return false
		}
	}
}

// element parses one non-empty list element: a new challenge (scheme plus
// its first argument) or one more auth-param of the current challenge.
func (p *parser) element() bool {
	start := p.i
	name := p.token()
	if name == "" {
		return p.fail(start, "expected an auth scheme, found %s", p.describeAt(start))
	}
	if j := p.afterWS(p.i); j < len(p.s) && p.s[j] == '=' {
		return p.laterParam(start, name)
	}
	return p.challenge(start, name)
}

// laterParam handles an auth-param that starts a list element, i.e. one that
// follows a comma.
func (p *parser) laterParam(start int, name string) bool {
	if p.cur < 0 {
		return p.fail(start, "parameter %q appears before any auth scheme", name)
	}
	c := &p.res.Challenges[p.cur]
	if c.Token68 != nil {
		return p.fail(start, "parameter %q cannot follow the token68 of the %s challenge", name, c.Scheme)
	}
	if !p.canArg {
		return p.fail(start, "parameter %q has no auth scheme: %s is followed by a comma, not a space, so it takes no parameters", name, c.Scheme)
	}
	return p.param(start, name)
}

// challenge starts a new challenge whose scheme token was just read.
func (p *parser) challenge(start int, scheme string) bool {
	if p.cur >= 0 {
		p.meta[p.cur].complete = true
	}
	p.res.Challenges = append(p.res.Challenges, Challenge{Scheme: scheme, Params: map[string]string{}})
	p.meta = append(p.meta, meta{quoted: map[string]bool{}})
	p.cur = len(p.res.Challenges) - 1
	p.canArg = false

	if p.i >= len(p.s) || p.s[p.i] == ',' {
		return true
	}
	if !isWS(p.s[p.i]) {
		return p.fail(p.i, "unexpected %s after auth scheme %q", p.describeAt(p.i), scheme)
	}
	if p.s[p.i] == '\t' {
		p.warn(fmt.Sprintf("challenge %d (%s): a tab separates the scheme from its data; RFC 9110 §11.3 requires a space", p.cur+1, scheme))
	}
	p.skipOWS()
	p.canArg = true
	if p.i >= len(p.s) || p.s[p.i] == ',' {
		// `Basic , realm="x"`: RFC 9110 §5.6.1 lets #auth-param start
		// with empty elements, so the parameters may still follow.
		return true
	}

	// token68 or the first auth-param: the grammar makes it token68 only
	// when nothing but OWS separates it from the end of the element.
	argStart := p.i
	j := argStart
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	bodyEnd := j
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	if k := p.afterWS(j); bodyEnd > argStart && (k >= len(p.s) || p.s[k] == ',') {
		pad := j - bodyEnd
		if pad == 1 && paramSchemes[strings.ToLower(scheme)] && isTokenString(p.s[argStart:bodyEnd]) {
			return p.fail(bodyEnd+1, "missing value for parameter %q", strings.ToLower(p.s[argStart:bodyEnd]))
		}
		t := p.s[argStart:j]
		p.res.Challenges[p.cur].Token68 = &t
		p.canArg = false
		p.i = k
		return true
	}

	name := p.token()
	if name == "" {
		return p.fail(argStart, "unexpected %s after auth scheme %q", p.describeAt(argStart), scheme)
	}
	if j := p.afterWS(p.i); j >= len(p.s) || p.s[j] != '=' {
		return p.fail(argStart, "%q after auth scheme %q is neither a token68 nor a name=value parameter", p.s[argStart:p.elementEnd(argStart)], scheme)
	}
	return p.param(argStart, name)
}

// param parses `BWS "=" BWS ( token / quoted-string )` after a parameter
// name and the list separator after it, then stores the parameter.
func (p *parser) param(start int, name string) bool {
	lname := strings.ToLower(name)
	p.skipOWS()
	p.i++ // '=', checked by the caller
	p.skipOWS()
	if p.i >= len(p.s) || p.s[p.i] == ',' {
		return p.fail(p.i, "missing value for parameter %q", lname)
	}
	var (
		val    string
		quoted bool
	)
	if p.s[p.i] == '"' {
		v, ok := p.quotedString()
		if !ok {
			return false
		}
		val, quoted = v, true
	} else {
		val = p.token()
		if val == "" {
			return p.fail(p.i, "invalid value for parameter %q: %s cannot start a token, so the value must be quoted", lname, p.describeAt(p.i))
		}
	}
	c := &p.res.Challenges[p.cur]
	if _, dup := c.Params[lname]; dup {
		return p.fail(start, "duplicate parameter %q in the %s challenge, which RFC 9110 §11.2 forbids", lname, c.Scheme)
	}
	c.Params[lname] = val
	c.Order = append(c.Order, lname)
	p.meta[p.cur].quoted[lname] = quoted

	p.skipOWS()
	if p.i < len(p.s) && p.s[p.i] != ',' {
		return p.fail(p.i, "expected a comma after parameter %q, found %s", lname, p.describeAt(p.i))
	}
	return true
}

// quotedString reads a quoted-string (RFC 9110 §5.6.4) starting at the
// opening quote and returns its unescaped content.
func (p *parser) quotedString() (string, bool) {
	open := p.i
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.fail(open, "unterminated quoted string")
			}
			n := p.s[p.i+1]
			if isCTL(n) && n != '\t' {
				return "", p.fail(p.i+1, "invalid character %s after a backslash in a quoted string", p.describeAt(p.i+1))
			}
			b.WriteByte(n)
			p.i += 2
		case isCTL(c) && c != '\t':
			if c == '\r' || c == '\n' {
				return "", p.fail(p.i, "line break inside a quoted string; split DevTools values with SplitHeaderLines first")
			}
			return "", p.fail(p.i, "invalid character %s in a quoted string", p.describeAt(p.i))
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.fail(open, "unterminated quoted string")
}

func (p *parser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *parser) skipOWS() { p.i = p.afterWS(p.i) }

func (p *parser) afterWS(j int) int {
	for j < len(p.s) && isWS(p.s[j]) {
		j++
	}
	return j
}

// elementEnd finds where the list element starting at j ends, for quoting
// the offending text in a message; quoted commas are not a concern because
// it is only used where no quoted-string was accepted.
func (p *parser) elementEnd(j int) int {
	if k := strings.IndexByte(p.s[j:], ','); k >= 0 {
		return j + k
	}
	return len(p.s)
}

// describeAt names the byte at j for an error message.
func (p *parser) describeAt(j int) string {
	if j >= len(p.s) {
		return "the end of the value"
	}
	c := p.s[j]
	switch {
	case c == '\r' || c == '\n':
		return "a line break (split DevTools values with SplitHeaderLines first)"
	case c >= 0x80:
		return fmt.Sprintf("non-ASCII byte %q", p.s[j:j+1])
	}
	return fmt.Sprintf("%q", p.s[j:j+1])
}

func isWS(c byte) bool { return c == ' ' || c == '\t' }

func isCTL(c byte) bool { return c < 0x20 || c == 0x7f }

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68Char reports whether c may appear before the padding of a
// token68 (RFC 9110 §11.2).
func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

func isTokenString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return s != ""
}
