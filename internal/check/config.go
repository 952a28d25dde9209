package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/inputfile"
	suggestpkg "github.com/fix401/fix401/internal/suggest"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/internal/urlfix"
	"github.com/fix401/fix401/steps"
)

// Config is a parsed, validated checks file.
type Config struct {
	File   string // the path as given, for messages and the JUnit suite
	Checks []Check
	// Expanded are the values of the ${VAR}s the file used: they may be
	// secret (a token in a URL), so the browser's environment does not
	// get the variables that hold them.
	Expanded []string
	// Modules are serve's named probe settings (the keys of a check,
	// without name and url), with the defaults applied; "defaults" is
	// the defaults themselves.
	Modules map[string]Check
}

// Probe is the check serve runs for target with the named module ("" is
// "defaults"); ok is false for an unknown module.
func (c *Config) Probe(module, target string) (Check, bool) {
	if module == "" {
		module = "defaults"
	}
	m, ok := c.Modules[module]
	if !ok {
		return Check{}, false
	}
	m.Name, m.URL, m.urlSecrets = "probe", target, nil
	return m, true
}

// ModuleNames lists the modules, sorted.
func (c *Config) ModuleNames() []string {
	names := make([]string, 0, len(c.Modules))
	for n := range c.Modules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ExpectKind is what a check must see.
type ExpectKind string

// The three expectations of the contract.
const (
	ExpectHealthy      ExpectKind = "healthy"       // the first load is healthy
	ExpectAuthRequired ExpectKind = "auth_required" // a fresh anonymous browser gets an auth failure
	ExpectFixedBy      ExpectKind = "fixed_by"      // this remedy fixes it
)

// Expect is a check's expectation.
type Expect struct {
	Kind ExpectKind
	Step string // for ExpectFixedBy
}

func (e Expect) String() string {
	if e.Kind == ExpectFixedBy {
		return "fixed_by " + e.Step
	}
	return string(e.Kind)
}

// Check is one entry of checks:, with the defaults applied.
type Check struct {
	Name   string
	URL    string // ${NAME} expanded, scheme added as diagnose does
	Line   int    // where the entry starts in the file
	Expect Expect

	Steps   []string      // run only these (empty: every step)
	Skip    []string      // never run these
	Timeout time.Duration // one page load; 0: the run's default
	MaxWait time.Duration // longest Retry-After wait; 0: the run's default

	// Credentials and state are by reference: the names stay here for
	// messages, the values only in the unexported fields.
	User           string
	PasswordEnv    string
	PasswordFile   string
	BearerTokenEnv string
	LoginURL       string
	Cookies        string // path, resolved against the config's folder
	Proxy          string
	// ProxyUser answers a proxy's 407 with the password from the
	// variable ProxyPasswordEnv names.
	ProxyUser        string
	ProxyPasswordEnv string
	// Diagnose makes serve walk the remedies on a failed probe (its
	// default is the first load's verdict alone: a walk can outlast a
	// scrape); check always walks as its expectation needs.
	Diagnose bool
	// Retries runs a failing check again up to this many times: it fails
	// only when it fails every time.
	Retries int

	password      string
	bearerToken   string
	proxyPassword string
	urlSecrets    []string // see parser.urlSecrets
}

// URLSecrets are the values ${VAR}s put into the check's URL parameters:
// the browser sends them from the first load, so what pages show is
// masked for them from the start, and every output masks them.
func (c *Check) URLSecrets() []string { return c.urlSecrets }

// ShownURL is the check's URL as every output shows it: redacted, and
// without what the environment put in its parameters.
func (c *Check) ShownURL() string { return redact.Literal(redact.URL(c.URL), c.urlSecrets...) }

// Credentials are a check's resolved secrets, for the steps that answer a
// challenge or send a token.
type Credentials struct {
	User, Password, BearerToken string
	ProxyUser, ProxyPassword    string
}

// Credentials returns the check's resolved credentials.
func (c *Check) Credentials() Credentials {
	return Credentials{User: c.User, Password: c.password, BearerToken: c.bearerToken, ProxyUser: c.ProxyUser, ProxyPassword: c.proxyPassword}
}

// Secrets are the literal values to keep out of every text the run writes.
func (c *Check) Secrets() []string {
	var s []string
	for _, v := range append([]string{c.password, c.bearerToken, c.proxyPassword}, c.urlSecrets...) {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// Problem is one thing wrong with a config file, located.
type Problem struct {
	File string
	Line int    // 0 when the whole file is concerned
	Path string // checks[2].url; "" for the file itself
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ConfigError is every problem of a config file, in file order.
type ConfigError struct {
	Problems []Problem
}

func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// KnownSteps returns every step id a config may name, in order.
func KnownSteps() []string { return steps.IDs() }

// checkKeys are the keys of a check (and of defaults:), in the order the
// documentation lists them: the yaml names of entry's fields.
var checkKeys = entryKeys()

// secretKeys would put a secret in the file; they get their own message
// rather than "unknown key" because the fix is different.
var secretKeys = []string{"password", "token", "bearer_token"}

const inlineSecret = "inline secret: use password_env/password_file/bearer_token_env"

// Load reads and parses a config file. Relative password_file and cookies
// paths start at the file's folder, so a scheduler's working directory does
// not matter. A file that cannot be read at all is a plain error; anything
// wrong inside it is a *ConfigError.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := inputfile.Read(path, inputfile.MaxConfig)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, filepath.Dir(path), getenv)
}

// Parse parses a config. file names it in messages; dir is where relative
// paths start; getenv resolves ${NAME} and the *_env keys.
func Parse(file string, data []byte, dir string, getenv func(string) string) (*Config, error) {
	p := &parser{file: file, dir: dir, getenv: getenv}
	cfg := p.parse(data)
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &ConfigError{Problems: p.problems}
	}
	return cfg, nil
}

type parser struct {
	expanded []string // values ${VAR}s gave
	// urlSecrets are values ${VAR}s put into a URL's query or fragment
	// (a key, a signature): they travel in the URL from the first load.
	urlSecrets []string
	file       string
	dir        string
	getenv     func(string) string
	problems   []Problem
}

func (p *parser) add(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// quoted matches a quoted string in an error message.
var quoted = regexp.MustCompile(`"[^"]*"`)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// jsonProblem says where a config written as JSON (it starts with "{")
// breaks JSON's grammar; ok is false for YAML, or for valid JSON.
func jsonProblem(file string, data []byte) (Problem, bool) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Problem{}, false
	}
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return Problem{}, false
	}
	line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
	return Problem{File: file, Line: line, Msg: "not valid JSON: " + se.Error()}, true
}

func (p *parser) parse(data []byte) *Config {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		err = nil // an empty file: said below
	}
	if err == nil {
		// A second document would be ignored by a plain decode: a config
		// pasted twice, or two files concatenated, is refused instead.
		var next yaml.Node
		if derr := dec.Decode(&next); derr == nil {
			p.add(&next, "", "the file holds more than one YAML document (a second starts here, at ---): give one config per file")
			return nil
		}
	}
	if err != nil {
		if jp, ok := jsonProblem(p.file, data); ok {
			// JSON is YAML too, but a JSON file's mistake is better told
			// in JSON's terms than in the YAML parser's.
			p.problems = append(p.problems, jp)
			return nil
		}
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.problems = append(p.problems, Problem{File: p.file, Line: line, Msg: m[2]})
		} else {
			p.problems = append(p.problems, Problem{File: p.file, Msg: strings.TrimPrefix(msg, "yaml: ")})
		}
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.add(nil, "", "empty config: want a checks: list")
		return nil
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.add(root, "", "want a mapping with a checks: list, got %s", kindName(root))
		return nil
	}
	var defaults *entry
	var checksNode, modulesNode *yaml.Node
	p.mapping(root, "", func(k, v *yaml.Node) {
		switch k.Value {
		case "modules":
			if v.Kind != yaml.MappingNode {
				p.add(v, "modules", "want a mapping of module names to check keys, got %s", kindName(v))
				return
			}
			modulesNode = v
		case "defaults":
			if v.Kind != yaml.MappingNode {
				p.add(v, "defaults", "want a mapping of check keys, got %s", kindName(v))
				return
			}
			defaults = p.entry(v, "defaults", true)
		case "checks":
			checksNode = v
		default:
			p.add(k, k.Value, "unknown key%s (keys: defaults, checks, modules)", suggest(k.Value, []string{"defaults", "checks", "modules"}))
		}
	})
	modules := p.modules(modulesNode, defaults)
	if checksNode == nil && modulesNode != nil {
		// A config for serve alone: modules, and no checks.
		return &Config{File: p.file, Modules: modules, Expanded: p.expanded}
	}
	if checksNode == nil {
		p.add(root, "", "no checks: add a checks: list")
		return nil
	}
	if checksNode.Kind != yaml.SequenceNode {
		p.add(checksNode, "checks", "want a list of checks, got %s", kindName(checksNode))
		return nil
	}
	if len(checksNode.Content) == 0 {
		p.add(checksNode, "checks", "empty list: add at least one check")
		return nil
	}
	cfg := &Config{File: p.file, Modules: modules}
	names := map[string]int{} // lower-case name → line of its first use
	for i, item := range checksNode.Content {
		item = deref(item)
		path := fmt.Sprintf("checks[%d]", i)
		if item.Kind != yaml.MappingNode {
			p.add(item, path, "want a mapping with name and url, got %s", kindName(item))
			continue
		}
		f := p.entry(item, path, false)
		f.inherit(defaults)
		c, ok := p.finish(f, item, path)
		if c.Name != "" {
			// Names are compared without case: they name folders, and
			// Windows and macOS file systems do not tell case apart.
			key := strings.ToLower(c.Name)
			if first, dup := names[key]; dup {
				p.add(f.node["name"], path+".name", "duplicate name %q (first at line %d)", c.Name, first)
				ok = false
			} else {
				names[key] = f.node["name"].Line
			}
		}
		if ok {
			cfg.Checks = append(cfg.Checks, c)
		}
	}
	cfg.Expanded = p.expanded
	return cfg
}

// modules reads serve's modules: each is a check's keys without name and
// url, on top of the defaults; "defaults" is always one.
func (p *parser) modules(n *yaml.Node, defaults *entry) map[string]Check {
	out := map[string]Check{}
	finish := func(e *entry, node *yaml.Node, path, name string) {
		// A module has no URL of its own: a probe brings it. A stand-in
		// lets finish check the rest.
		e.node["name"], e.node["url"] = node, node
		e.Name, e.URL = nameValue(name), urlValue("http://probe.invalid/")
		if c, ok := p.finish(e, node, path); ok {
			out[name] = c
		}
	}
	d := &entry{node: map[string]*yaml.Node{}}
	d.inherit(defaults)
	root := &yaml.Node{Kind: yaml.MappingNode}
	if n != nil {
		root = n
	}
	finish(d, root, "defaults", "defaults")
	if n == nil {
		return out
	}
	p.mapping(n, "modules", func(k, v *yaml.Node) {
		path := "modules." + k.Value
		if msg := badName(k.Value); msg != "" {
			p.add(k, path, "%s", strings.Replace(msg, "name", "module name", 1))
			return
		}
		if k.Value == "defaults" {
			p.add(k, path, "defaults is the module of the top-level defaults: name this module otherwise")
			return
		}
		if v.Kind != yaml.MappingNode {
			p.add(v, path, "want a mapping of check keys, got %s", kindName(v))
			return
		}
		e := p.entry(v, path, true)
		for _, key := range []string{"url"} {
			if kn, has := e.node[key]; has {
				p.add(kn, path+"."+key, "a module has no url: the probe's target is the url")
			}
		}
		e.inherit(defaults)
		finish(e, v, path, k.Value)
	})
	return out
}

// mapping calls fn for each key of a mapping node, reporting duplicate and
// non-scalar keys.
func (p *parser) mapping(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		kp := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			p.add(k, path, "keys must be plain words, got %s", kindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.add(k, kp, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// entry is one mapping of check keys (a check, or defaults:), decoded
// into typed fields by their yaml names. Each field's type reads its own
// value and says what is wrong with it, at its line; node records every
// key that was present (valid or not), so that an invalid value is not
// silently replaced by a default.
type entry struct {
	Name           nameValue  `yaml:"name"`
	URL            urlValue   `yaml:"url"`
	Expect         expectSpec `yaml:"expect"`
	Steps          stepList   `yaml:"steps"`
	Skip           skipList   `yaml:"skip"`
	Timeout        duration   `yaml:"timeout"`
	MaxWait        duration   `yaml:"max_wait"`
	User           text       `yaml:"user"`
	PasswordEnv    envSecret  `yaml:"password_env"`
	PasswordFile   fileSecret `yaml:"password_file"`
	BearerTokenEnv envSecret  `yaml:"bearer_token_env"`
	LoginURL       urlValue   `yaml:"login_url"`
	Cookies        fileRef    `yaml:"cookies"`
	Proxy          urlValue   `yaml:"proxy"`
	ProxyUser      text       `yaml:"proxy_user"`
	ProxyPwEnv     envSecret  `yaml:"proxy_password_env"`
	Diagnose       flag       `yaml:"diagnose"`
	Retries        count      `yaml:"retries"`

	node map[string]*yaml.Node
}

// fieldValue is a field of entry: it reads its value from v, reporting
// problems to p at path.
type fieldValue interface {
	decode(p *parser, v *yaml.Node, path string)
}

type (
	text       string
	nameValue  string
	urlValue   string
	stepList   []string
	skipList   []string
	duration   time.Duration
	fileRef    string
	expectSpec struct{ Expect }
	envSecret  struct{ Name, Value string } // the variable, and what it holds
	fileSecret struct{ Path, Value string } // the file, and what it holds
	flag       bool
	count      int
)

func (n *count) decode(p *parser, v *yaml.Node, path string) {
	s, ok := p.scalar(v, path)
	if !ok {
		return
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i > 10 {
		p.add(v, path, "want a whole number from 0 to 10, got %q", s)
		return
	}
	*n = count(i)
}

func (f *flag) decode(p *parser, v *yaml.Node, path string) {
	s, ok := p.scalar(v, path)
	if !ok {
		return
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		*f = true
	case "false", "no", "off":
		*f = false
	default:
		p.add(v, path, "want true or false, got %q", s)
	}
}

func (t *text) decode(p *parser, v *yaml.Node, path string) {
	s, _ := p.scalar(v, path)
	*t = text(s)
}

func (n *nameValue) decode(p *parser, v *yaml.Node, path string) {
	if s, ok := p.scalar(v, path); ok {
		if msg := badName(s); msg != "" {
			p.add(v, path, "%s", msg)
		} else {
			*n = nameValue(s)
		}
	}
}

func (u *urlValue) decode(p *parser, v *yaml.Node, path string) { *u = urlValue(p.url(v, path)) }
func (l *stepList) decode(p *parser, v *yaml.Node, path string) { *l = p.stepList(v, path) }
func (d *duration) decode(p *parser, v *yaml.Node, path string) { *d = duration(p.duration(v, path)) }
func (e *expectSpec) decode(p *parser, v *yaml.Node, path string) {
	e.Expect = p.expect(v, path)
}

func (l *skipList) decode(p *parser, v *yaml.Node, path string) {
	*l = p.stepList(v, path)
	for i, id := range *l {
		if id == "reproduce" {
			p.add(v, fmt.Sprintf("%s[%d]", path, i), "reproduce cannot be skipped: it is the baseline every check starts from")
		}
	}
}

func (e *envSecret) decode(p *parser, v *yaml.Node, path string) { e.Name, e.Value = p.env(v, path) }

func (f *fileSecret) decode(p *parser, v *yaml.Node, path string) {
	if file, ok := p.path(v, path); ok {
		f.Path, f.Value = file, p.secretFile(v, path, file)
	}
}

func (f *fileRef) decode(p *parser, v *yaml.Node, path string) {
	if file, ok := p.path(v, path); ok {
		*f = fileRef(file)
		p.readable(v, path, file)
	}
}

// entryKeys lists entry's yaml names, in field order.
func entryKeys() []string {
	t := reflect.TypeFor[entry]()
	var keys []string
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("yaml"); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// field returns the field of e named key in YAML, or nil.
func (e *entry) field(key string) fieldValue {
	v := reflect.ValueOf(e).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("yaml") == key {
			return v.Field(i).Addr().Interface().(fieldValue)
		}
	}
	return nil
}

// entry decodes a mapping of check keys strictly: an unknown key is a
// problem (with the key it most likely meant), as is a secret written in
// the file; each known key is read by its field's type.
func (p *parser) entry(n *yaml.Node, path string, isDefaults bool) *entry {
	e := &entry{node: map[string]*yaml.Node{}}
	p.mapping(n, path, func(k, v *yaml.Node) {
		key, kp := k.Value, join(path, k.Value)
		f := e.field(key)
		switch {
		case slices.Contains(secretKeys, key):
			p.add(k, kp, inlineSecret)
			return
		case f == nil:
			p.add(k, kp, "unknown key%s", suggest(key, checkKeys))
			return
		case isDefaults && key == "name":
			p.add(k, kp, "a name belongs to one check, not to defaults")
			return
		}
		e.node[key] = v
		f.decode(p, v, kp)
	})
	return e
}

// inherit gives e every key of the defaults d that e leaves out.
// password_env and password_file are one setting given two ways: a check
// that gives either inherits neither.
func (e *entry) inherit(d *entry) {
	if d == nil {
		return
	}
	_, ownEnv := e.node["password_env"]
	_, ownFile := e.node["password_file"]
	ev, dv := reflect.ValueOf(e).Elem(), reflect.ValueOf(d).Elem()
	for i := range ev.NumField() {
		key := ev.Type().Field(i).Tag.Get("yaml")
		if key == "" {
			continue
		}
		if (key == "password_env" || key == "password_file") && (ownEnv || ownFile) {
			continue
		}
		if _, own := e.node[key]; own {
			continue
		}
		if n, ok := d.node[key]; ok {
			e.node[key] = n
			ev.Field(i).Set(dv.Field(i))
		}
	}
}

// paramValues are the values of the ${VAR}s written after a URL's ? or #.
func paramValues(raw string, getenv func(string) string) []string {
	q := strings.IndexAny(raw, "?#")
	if q < 0 {
		return nil
	}
	var out []string
	for _, m := range envRef.FindAllStringSubmatch(raw[q:], -1) {
		if v := getenv(m[1]); len(v) >= 3 {
			out = append(out, v)
		}
	}
	return out
}

// envRef is a ${NAME} reference.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// finish checks what only a whole check can show and builds it. Problems
// that come from a default point at the default's line.
func (p *parser) finish(f *entry, n *yaml.Node, path string) (Check, bool) {
	before := len(p.problems)
	urlSecrets := p.urlSecrets
	p.urlSecrets = nil
	at := func(key string) *yaml.Node {
		if v, ok := f.node[key]; ok {
			return v
		}
		return n
	}
	if _, ok := f.node["name"]; !ok {
		p.add(n, path, "missing name")
	}
	if _, ok := f.node["url"]; !ok {
		p.add(n, path, "missing url")
	}
	_, hasPwEnv := f.node["password_env"]
	_, hasPwFile := f.node["password_file"]
	_, hasUser := f.node["user"]
	_, hasBearer := f.node["bearer_token_env"]
	switch {
	case hasPwEnv && hasPwFile:
		p.add(at("password_file"), path+".password_file", "give password_env or password_file, not both")
	case (hasPwEnv || hasPwFile) && !hasUser:
		key := "password_env"
		if hasPwFile {
			key = "password_file"
		}
		p.add(at(key), path+"."+key, "a password needs a user: add user:")
	case hasUser && !hasPwEnv && !hasPwFile:
		p.add(at("user"), path+".user", "user %q has no password: add password_env or password_file", f.User)
	}
	_, hasProxyUser := f.node["proxy_user"]
	_, hasProxyPw := f.node["proxy_password_env"]
	switch {
	case hasProxyUser && !hasProxyPw:
		p.add(at("proxy_user"), path+".proxy_user", "proxy user %q has no password: add proxy_password_env", f.ProxyUser)
	case hasProxyPw && !hasProxyUser:
		p.add(at("proxy_password_env"), path+".proxy_password_env", "a proxy password needs a proxy user: add proxy_user:")
	}
	if f.Expect.Kind == "" {
		f.Expect.Expect = Expect{Kind: ExpectHealthy}
	}
	if f.Expect.Kind == ExpectFixedBy {
		s, ep := f.Expect.Step, path+".expect.fixed_by"
		switch {
		case slices.Contains(f.Skip, s):
			p.add(at("expect"), ep, "%s is in skip, so it can never fix the page", s)
		case len(f.Steps) > 0 && !slices.Contains(f.Steps, s):
			p.add(at("expect"), ep, "%s is not in steps, so it can never fix the page", s)
		case steps.NeedsOf(s).Credentials && !hasBearer && !(hasUser && (hasPwEnv || hasPwFile)) && !(hasProxyUser && hasProxyPw):
			p.add(at("expect"), ep, "%s needs credentials: add user with password_env or password_file, bearer_token_env, or proxy_user with proxy_password_env", s)
		case steps.NeedsOf(s).Proxy && f.Proxy == "":
			p.add(at("expect"), ep, "%s needs a proxy: add proxy:", s)
		}
	}
	password := f.PasswordEnv.Value
	if f.PasswordFile.Path != "" {
		password = f.PasswordFile.Value
	}
	c := Check{
		Name: string(f.Name), URL: string(f.URL), Line: n.Line, Expect: f.Expect.Expect,
		Steps: f.Steps, Skip: f.Skip, Timeout: time.Duration(f.Timeout), MaxWait: time.Duration(f.MaxWait),
		User: string(f.User), PasswordEnv: f.PasswordEnv.Name, PasswordFile: f.PasswordFile.Path, BearerTokenEnv: f.BearerTokenEnv.Name,
		LoginURL: string(f.LoginURL), Cookies: string(f.Cookies), Proxy: string(f.Proxy),
		password: password, bearerToken: f.BearerTokenEnv.Value,
		ProxyUser: string(f.ProxyUser), ProxyPasswordEnv: f.ProxyPwEnv.Name, proxyPassword: f.ProxyPwEnv.Value,
		Diagnose:   bool(f.Diagnose),
		Retries:    int(f.Retries),
		urlSecrets: urlSecrets,
	}
	return c, len(p.problems) == before
}

// scalar returns a scalar's text; lists, mappings and empty values are
// problems.
func (p *parser) scalar(v *yaml.Node, path string) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		p.add(v, path, "want a single value, got %s", kindName(v))
		return "", false
	}
	if v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
		p.add(v, path, "missing value")
		return "", false
	}
	return strings.TrimSpace(v.Value), true
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// badName says why a name cannot be a check's name, or "". The name
// becomes a folder under --out, so it must be a plain file name on every
// system a scheduler runs on.
func badName(s string) string {
	switch {
	case len(s) > 100:
		return fmt.Sprintf("name %q is longer than 100 characters", s[:20]+"…")
	case !safeName.MatchString(s):
		return fmt.Sprintf("name %q cannot name a folder: use letters, digits, '.', '_' and '-', starting with a letter or digit", s)
	}
	base := strings.ToUpper(strings.SplitN(s, ".", 2)[0])
	if slices.Contains([]string{"CON", "PRN", "AUX", "NUL"}, base) ||
		len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return fmt.Sprintf("name %q is a reserved device name on Windows", s)
	}
	return ""
}

// url expands, validates and normalises a URL value. Inline secrets are
// looked for in the text as written, with every ${NAME} reference blanked
// out: a secret that comes from the environment is fine, one typed into the
// file is not.
func (p *parser) url(v *yaml.Node, path string) string {
	raw, ok := p.scalar(v, path)
	if !ok {
		return ""
	}
	expanded, ok := p.expand(v, path, raw)
	if !ok {
		return ""
	}
	p.urlSecrets = append(p.urlSecrets, paramValues(raw, p.getenv)...)
	if placeholder, err := NormalizeURL(os.Expand(raw, func(string) string { return "fix401-env" })); err == nil {
		if u, err := url.Parse(placeholder); err == nil && hasInlineSecret(u) {
			p.add(v, path, inlineSecret)
			return ""
		}
	}
	s, err := NormalizeURL(expanded)
	if err != nil {
		// The message quotes the URL after ${VAR} expansion: what the
		// variables put in it may be secret.
		if expanded != raw {
			// What the variables held may be secret: the message quotes
			// the file's own text, and of the error only its kind.
			p.add(v, path, "not a URL after expanding %s: %s", raw, quoted.ReplaceAllString(strings.TrimPrefix(err.Error(), "malformed URL "), "…"))
		} else {
			p.add(v, path, "%s", redact.Text(err.Error()))
		}
		return ""
	}
	if u, err := url.Parse(s); err == nil {
		if _, has := u.User.Password(); has {
			// Even from ${VAR}: a URL's password goes to every request and
			// into the browser's history, and is refused as diagnose does.
			p.add(v, path, "the URL carries a password: give user with password_env or password_file")
			return ""
		}
	}
	return s
}

func hasInlineSecret(u *url.URL) bool {
	if pw, ok := u.User.Password(); ok && pw != "" && !strings.Contains(pw, "fix401-env") {
		return true
	}
	for _, raw := range []string{u.RawQuery, u.Fragment} {
		q, _ := url.ParseQuery(raw)
		for name, vals := range q {
			if !redact.IsSensitiveParam(name) {
				continue
			}
			for _, val := range vals {
				if val != "" && !strings.Contains(val, "fix401-env") {
					return true
				}
			}
		}
	}
	return false
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expand replaces $NAME and ${NAME} from the environment. An unset (or
// empty) variable is a problem: an empty host or path would otherwise
// surface later as a confusing URL error.
func (p *parser) expand(v *yaml.Node, path, s string) (string, bool) {
	if i := strings.Index(s, "${"); i >= 0 && !strings.Contains(s[i:], "}") {
		p.add(v, path, "unclosed ${ in %q", s)
		return "", false
	}
	var missing []string
	out := os.Expand(s, func(name string) string {
		if !envName.MatchString(name) {
			return "$" + name // not a variable reference: keep the text
		}
		val := p.getenv(name)
		if val == "" && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		if val != "" && !slices.Contains(p.expanded, val) {
			p.expanded = append(p.expanded, val)
		}
		return val
	})
	for _, name := range missing {
		p.add(v, path, "${%s} is not set", name)
	}
	return out, len(missing) == 0
}

// env resolves a *_env key: the name of a variable that must be set.
func (p *parser) env(v *yaml.Node, path string) (name, value string) {
	name, ok := p.scalar(v, path)
	if !ok {
		return "", ""
	}
	if !envName.MatchString(name) {
		p.add(v, path, "%q is not an environment variable name (write the name, without $)", name)
		return "", ""
	}
	value = p.getenv(name)
	if value == "" {
		p.add(v, path, "%s is not set", name)
		return name, ""
	}
	return name, value
}

// path expands a file path and makes it relative to the config's folder.
func (p *parser) path(v *yaml.Node, kp string) (string, bool) {
	raw, ok := p.scalar(v, kp)
	if !ok {
		return "", false
	}
	s, ok := p.expand(v, kp, raw)
	if !ok {
		return "", false
	}
	if !filepath.IsAbs(s) && p.dir != "" {
		s = filepath.Join(p.dir, s)
	}
	return s, true
}

func (p *parser) secretFile(v *yaml.Node, kp, path string) string {
	data, err := inputfile.Read(path, inputfile.MaxPassword)
	if err != nil {
		p.add(v, kp, "cannot read %v", err)
		return ""
	}
	// Files written by editors and `echo` end with a newline that is not
	// part of the password.
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" {
		p.add(v, kp, "%s is empty", path)
	}
	return s
}

func (p *parser) readable(v *yaml.Node, kp, path string) {
	if err := inputfile.Check(path, inputfile.MaxCookies); err != nil {
		p.add(v, kp, "cannot read %v", err)
	}
}

func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (p *parser) duration(v *yaml.Node, path string) time.Duration {
	s, ok := p.scalar(v, path)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		p.add(v, path, "bad duration %q: want a number with a unit, e.g. 20s or 1m30s", s)
	case d <= 0:
		p.add(v, path, "bad duration %q: must be positive", s)
	}
	return d
}

func (p *parser) expect(v *yaml.Node, path string) Expect {
	const want = "want healthy, auth_required or {fixed_by: STEP}"
	switch v.Kind {
	case yaml.ScalarNode:
		switch v.Value {
		case string(ExpectHealthy), string(ExpectAuthRequired):
			return Expect{Kind: ExpectKind(v.Value)}
		case "fixed_by":
			p.add(v, path, "fixed_by needs a step: write {fixed_by: STEP}")
		default:
			if hint := suggest(v.Value, []string{string(ExpectHealthy), string(ExpectAuthRequired)}); hint != "" && v.Tag == "!!str" {
				p.add(v, path, "unknown expectation %q%s: %s", v.Value, hint, want)
			} else {
				p.add(v, path, "%s, got %s", want, kindName(v))
			}
		}
	case yaml.MappingNode:
		var e Expect
		p.mapping(v, path, func(k, val *yaml.Node) {
			if k.Value != "fixed_by" {
				p.add(k, join(path, k.Value), "unknown key%s: %s", suggest(k.Value, []string{"fixed_by"}), want)
				return
			}
			kp := join(path, "fixed_by")
			s, ok := p.scalar(val, kp)
			if !ok {
				return
			}
			switch {
			case s == "reproduce":
				p.add(val, kp, "reproduce cannot fix anything: it is the baseline")
			case !slices.Contains(KnownSteps(), s):
				p.add(val, kp, "unknown step %q%s (steps: %s)", s, suggest(s, KnownSteps()), strings.Join(KnownSteps(), ", "))
			default:
				e = Expect{Kind: ExpectFixedBy, Step: s}
			}
		})
		if e.Kind == "" && len(v.Content) == 0 {
			p.add(v, path, "%s, got an empty mapping", want)
		}
		return e
	default:
		p.add(v, path, "%s, got %s", want, kindName(v))
	}
	return Expect{}
}

// stepList reads a list of step ids; "a, b" in one string is accepted too,
// as --steps a,b is on the command line.
func (p *parser) stepList(v *yaml.Node, path string) []string {
	type item struct {
		id   string
		node *yaml.Node
		path string
	}
	var items []item
	switch v.Kind {
	case yaml.SequenceNode:
		for i, n := range v.Content {
			n = deref(n)
			ip := fmt.Sprintf("%s[%d]", path, i)
			if s, ok := p.scalar(n, ip); ok {
				items = append(items, item{s, n, ip})
			}
		}
	case yaml.ScalarNode:
		s, ok := p.scalar(v, path)
		if !ok {
			return nil
		}
		for i, part := range strings.Split(s, ",") {
			items = append(items, item{strings.TrimSpace(part), v, fmt.Sprintf("%s[%d]", path, i)})
		}
	default:
		p.add(v, path, "want a list of step ids, got %s", kindName(v))
		return nil
	}
	var ids []string
	for _, it := range items {
		switch {
		case it.id == "":
			p.add(it.node, it.path, "empty step id")
		case !slices.Contains(KnownSteps(), it.id):
			p.add(it.node, it.path, "unknown step %q%s (steps: %s)", it.id, suggest(it.id, KnownSteps()), strings.Join(KnownSteps(), ", "))
		case slices.Contains(ids, it.id):
			p.add(it.node, it.path, "%s is listed twice", it.id)
		default:
			ids = append(ids, it.id)
		}
	}
	return ids
}

// suggest returns ` (did you mean x?)` for a near miss, else "".
func suggest(got string, known []string) string { return suggestpkg.Hint(got, known) }

// NormalizeURL applies diagnose's rules for a target URL (urlfix.Normalize).
func NormalizeURL(raw string) (string, error) { return urlfix.Normalize(raw) }
