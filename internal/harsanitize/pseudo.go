package harsanitize

import (
	"encoding/base64"
	"html"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Kind is the kind of secret a pseudonym stands for.
type Kind string

// The kinds, in the order the summary lists them.
const (
	KindCookie        Kind = "cookie"
	KindAuthorization Kind = "authorization"
	KindToken         Kind = "token"
	KindCode          Kind = "code"
	KindPassword      Kind = "password"
	KindSAML          Kind = "saml"
	KindSecret        Kind = "secret"
	KindParam         Kind = "param"
)

// Kinds lists every kind in summary order.
var Kinds = []Kind{KindCookie, KindAuthorization, KindToken, KindCode, KindPassword, KindSAML, KindSecret, KindParam}

// Shortest values looked for in bodies. Structure replaces a value however
// short it is (sid=1 still becomes sid=[redacted:cookie#1]), but echoes
// are found by the value alone, and "en" or "dark" would be found in every
// page; these are the lengths fix401's own HAR uses.
const (
	minEcho       = 6
	minEchoCookie = 8
)

// table gives every secret value its pseudonym, the same one each time it
// is met, and remembers the value so that bodies echoing it lose it too.
type table struct {
	repl   map[string]pseudonym // secret value → what is written instead
	next   map[Kind]int
	counts *Counts
	echo   echoSet
}

type pseudonym struct {
	r    string
	echo bool // looked for in bodies and taken from any field that is it whole
}

func newTable(c *Counts) *table {
	return &table{repl: map[string]pseudonym{}, next: map[Kind]int{}, counts: c}
}

// clone is a copy of t that counts into c, for a pass that starts from
// what Collect found; t stays as it is.
func (t *table) clone(c *Counts) *table {
	n := &table{repl: maps.Clone(t.repl), next: maps.Clone(t.next), counts: c}
	n.echo = echoSet{bits: slices.Clone(t.echo.bits), shift: t.echo.shift, n: t.echo.n}
	if t.echo.index != nil {
		n.echo.index = make(map[uint64][]echoPat, len(t.echo.index))
		for k, p := range t.echo.index {
			n.echo.index[k] = slices.Clip(slices.Clone(p))
		}
	}
	return n
}

// known returns the pseudonym of v when v is a secret met before that is
// looked for everywhere (see echoable).
func (t *table) known(v string) (string, bool) {
	p, ok := t.repl[v]
	return p.r, ok && p.echo
}

// isPlaceholder reports a value this package wrote (a HAR sanitized twice
// keeps its pseudonyms).
func isPlaceholder(v string) bool {
	return strings.HasPrefix(v, "[redacted") && strings.HasSuffix(v, "]") ||
		strings.HasSuffix(v, ".[redacted-signature]")
}

// pseudo returns what replaces v, a secret of kind k: a JWT keeps its
// header and claims, anything else becomes [redacted:KIND#N] with N
// counting the kind's distinct values in order of first appearance.
func (t *table) pseudo(v string, k Kind) string {
	if v == "" || isPlaceholder(v) {
		return v
	}
	t.counts.Places++
	return t.assign(v, k)
}

// assign is pseudo for a value remembered but not written (the password
// inside a Basic credential).
func (t *table) assign(v string, k Kind) string {
	if v == "" || isPlaceholder(v) {
		return v
	}
	if p, ok := t.repl[v]; ok {
		return p.r
	}
	if r, sig, ok := stripJWT(v); ok {
		t.repl[v] = pseudonym{r, t.collect(v, r, k)}
		t.counts.JWTs++
		t.collect(sig, signatureMark, k)
		return r
	}
	t.next[k]++
	r := "[redacted:" + string(k) + "#" + strconv.Itoa(t.next[k]) + "]"
	t.repl[v] = pseudonym{r, t.collect(v, r, k)}
	return r
}

// alias makes v, another form of a secret already seen (the decoded
// user:password of a Basic credential, a form value as the browser encoded
// it), stand for the same pseudonym, and be looked for in bodies.
func (t *table) alias(v, r string, k Kind) {
	if v == "" || isPlaceholder(v) {
		return
	}
	echo := t.collect(v, r, k)
	if _, ok := t.repl[v]; !ok {
		t.repl[v] = pseudonym{r, echo}
	}
}

// collect adds v's forms to the values looked for in bodies, and reports
// whether it did: not when v is too short or ordinary to be found there
// without garbling pages (see echoable).
func (t *table) collect(v, r string, k Kind) bool {
	if !echoable(v, k) {
		return false
	}
	t.echo.add(v, r, true)
	for _, f := range []string{url.QueryEscape(v), url.PathEscape(v), html.EscapeString(v), strings.ReplaceAll(v, "/", `\/`)} {
		if f != v {
			t.echo.add(f, r, true)
		}
	}
	switch k {
	case KindAuthorization, KindPassword, KindSecret, KindCookie:
		// A page may echo a credential base64-encoded (a debug dump of a
		// Basic credential or of the cookies); at offset 0 of its blob it
		// has these forms. Not for every token and parameter: a HAR has
		// thousands of those, and memory goes with the values looked for.
		std := strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(v)), "=")
		t.echo.add(std, r, false)
		if u := toURLAlphabet.Replace(std); u != std {
			t.echo.add(u, r, false)
		}
	}
	return true
}

// echoable reports whether a secret is looked for in bodies. Passwords and
// credentials always are, from minEcho bytes. Other values only when they
// look like one: a cookie "consent=accepted" or a "state=/reports/q3" is a
// secret where it stands (and is replaced there), but replacing every
// "accepted" and every path of every page would ruin the evidence for
// nothing. Such values have a letter and a digit, or are long and not a
// word, a path or a URL.
func echoable(v string, k Kind) bool {
	min := minEcho
	if k == KindCookie {
		min = minEchoCookie
	}
	if len(v) < min {
		return false
	}
	if k == KindPassword || k == KindAuthorization {
		return true
	}
	if strings.HasPrefix(v, "/") || strings.Contains(v, "://") || strings.Contains(v, " ") {
		return false
	}
	letter, digit, upper := false, false, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
			letter, upper = true, true
		case c >= 'a' && c <= 'z':
			letter = true
		}
	}
	return letter && digit || len(v) >= 16 && (upper || digit || !letter)
}

var toURLAlphabet = strings.NewReplacer("+", "-", "/", "_")

// echoSet finds many literal values in a body in one pass. Every value is
// at least minEcho bytes long, so the first minEcho bytes at each position
// of the body are a key: a bit table answers "no value starts here" for
// almost every position, and only the rest look in the map.
type echoSet struct {
	bits  []uint64 // by a hash of the key; at least 16 bits a value
	shift uint     // 64 - log2(bits)
	index map[uint64][]echoPat
	n     int
}

type echoPat struct {
	v, r  string
	whole bool // not found inside a longer word
}

func echoKey(s string) uint64 {
	var k uint64
	for i := 0; i < minEcho; i++ {
		k = k<<8 | uint64(s[i])
	}
	return k
}

func (e *echoSet) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> e.shift }

// grow keeps the bit table sparse (a bit in 16 set at most), so that it
// still says "no" for almost every position of a body as values pile up.
func (e *echoSet) grow() {
	size := uint(16)
	for (1<<size)/16 < e.n {
		size++
	}
	if e.bits != nil && 64-e.shift >= size {
		return
	}
	e.shift = 64 - size
	e.bits = make([]uint64, (1<<size)/64)
	for k := range e.index {
		s := e.slot(k)
		e.bits[s/64] |= 1 << (s % 64)
	}
}

func (e *echoSet) add(v, r string, whole bool) {
	if len(v) < minEcho {
		return
	}
	if e.index == nil {
		e.index = map[uint64][]echoPat{}
	}
	k := echoKey(v)
	pats := e.index[k]
	for _, p := range pats {
		if p.v == v {
			return
		}
	}
	e.n++
	pats = append(pats, echoPat{v: v, r: r, whole: whole})
	// Longest first: "alice:wonderland" must win over "alice:" where both
	// start.
	slices.SortStableFunc(pats, func(a, b echoPat) int { return len(b.v) - len(a.v) })
	e.index[k] = pats
	e.grow()
	s := e.slot(k)
	e.bits[s/64] |= 1 << (s % 64)
}

// replace returns s with every value of the set replaced, and how many
// were.
func (e *echoSet) replace(s string) (string, int) {
	if e.n == 0 || len(s) < minEcho {
		return s, 0
	}
	var b strings.Builder
	last, n := 0, 0
	var k uint64
	for i := 0; i < minEcho-1; i++ {
		k = k<<8 | uint64(s[i])
	}
	const mask = 1<<(8*minEcho) - 1
	for i := 0; i+minEcho <= len(s); i++ {
		k = (k<<8 | uint64(s[i+minEcho-1])) & mask
		if i < last {
			continue
		}
		slot := e.slot(k)
		if e.bits[slot/64]&(1<<(slot%64)) == 0 {
			continue
		}
		for _, p := range e.index[k] {
			if !strings.HasPrefix(s[i:], p.v) {
				continue
			}
			j := i + len(p.v)
			if p.whole && (wordByte(p.v[0]) && i > 0 && wordByte(s[i-1]) ||
				wordByte(p.v[len(p.v)-1]) && j < len(s) && wordByte(s[j])) {
				continue
			}
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			b.WriteString(p.r)
			last = j
			n++
			break
		}
	}
	if n == 0 {
		return s, 0
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// wordByte reports whether c continues a word (as redact.Literal sees
// it): the password "secret1" is not taken out of "mysecret123".
func wordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
