package reports

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// view is what the human-readable formats show, worked out once so that the
// HTML, the Markdown and the contact message never tell different stories.
// Everything in it is plain text: each format escapes it its own way.
type view struct {
	R        *Report
	Tone     string // good, bad, warn, neutral: the badge's colour
	Badge    string
	Verdict  string // the whole run in one sentence
	When     string
	Duration string

	Fix       *Step // the fixing step, when there is one
	FixID     string
	FixPhrase string       // "clearing cookies and site data"
	Browsers  []browserFix // what to do in the reader's browser, empty when unknown

	Steps  []stepView
	Before *shot
	After  *shot

	Failing []failingRow
	// SignIns are the distinct sign-in redirect chains the run saw.
	SignIns []signInView
	Env     []pair
	Diag    diagView
	Files   []string // the run's other files, for the reader who has the folder
	// Findings are the diagnosis's findings, causes first.
	Findings []findingView
}

type findingView struct {
	F        Finding
	Label    string // Cause, Warning, Note
	Tone     string
	Evidence []pair
}

// findingViews orders d's findings causes first and labels them.
func findingViews(d Diagnosis) []findingView {
	var out []findingView
	for _, sev := range []struct {
		s           Severity
		label, tone string
	}{{Cause, "Cause", "bad"}, {Warning, "Warning", "warn"}, {Notice, "Note", "neutral"}} {
		for _, f := range d.Findings {
			if f.Severity == sev.s {
				out = append(out, findingView{F: f, Label: sev.label, Tone: sev.tone, Evidence: evidencePairs(f.Evidence)})
			}
		}
	}
	return out
}

type browserFix struct {
	Name  string
	Steps []string
}

type stepView struct {
	S        *Step
	Mark     string // ✓ ✗ – ! ·
	Tone     string
	Label    string // the result in words
	Name     string // title, else id
	Load     string // "401 Unauthorized · http_401", empty without a load
	Reason   string
	Fixing   bool
	Evidence []pair
}

type shot struct {
	Label string // Before, After, The page
	Path  string
	Step  string
	Load  string
	Type  string // the image's media type, "" when the file is missing or not an image
	Data  []byte
}

// signInView is one sign-in's redirect chain, with the load it was.
type signInView struct {
	Step  string // the step whose load it was
	Title string
	Hops  []Hop
	More  int // hops left out (Load.SignInHops is already bounded)
}

type failingRow struct {
	FailingRequest
	Seen []string // step ids whose loads saw it
}

type pair struct{ K, V string }

type diagView struct {
	Any        bool // anything to show beyond the summary
	Challenges []challengeView
	// Which columns of the challenge table have anything in them: an
	// empty column is noise, and a table of bare scheme names says no more
	// than the header lines above it.
	Realm, Params, Token68 bool
}

// Table says whether the challenge table is worth showing.
func (d diagView) Table() bool { return d.Realm || d.Params || d.Token68 }

type challengeView struct {
	Scheme, Realm, Params, Token68 string
}

func newView(r *Report, files map[string][]byte) *view {
	v := &view{R: r, When: formatWhen(r.StartedAt), Duration: formatDuration(r.DurationMS)}
	if r.FixedBy != nil {
		v.FixID = *r.FixedBy
		for i := range r.Steps {
			if r.Steps[i].ID == *r.FixedBy {
				v.Fix = &r.Steps[i]
				break
			}
		}
		v.FixPhrase = remedyPhrase(*r.FixedBy, v.Fix)
		if v.Fix != nil {
			for _, b := range v.Fix.Instructions {
				v.Browsers = append(v.Browsers, browserFix{Name: b.Browser, Steps: b.Steps})
			}
		}
	}
	v.verdict()
	for i := range r.Steps {
		v.Steps = append(v.Steps, newStepView(&r.Steps[i], r.FixedBy))
	}
	v.shots(files)
	v.failing()
	v.signIns()
	v.environment()
	for _, f := range []string{r.Artifacts.JSON, r.Artifacts.Markdown, r.Artifacts.Contact, r.Artifacts.HAR} {
		if f != "" {
			v.Files = append(v.Files, f)
		}
	}
	d := &r.Diagnosis
	v.Findings = findingViews(*d)
	for _, c := range d.Challenges {
		v.Diag.Challenges = append(v.Diag.Challenges, newChallengeView(c))
		cv := v.Diag.Challenges[len(v.Diag.Challenges)-1]
		v.Diag.Realm = v.Diag.Realm || cv.Realm != ""
		v.Diag.Params = v.Diag.Params || cv.Params != ""
		v.Diag.Token68 = v.Diag.Token68 || c.Token68 != nil
	}
	v.Diag.Any = len(d.HeaderLines) > 0 || len(d.Challenges) > 0 || len(d.Explanations) > 0 ||
		len(d.Warnings) > 0 || d.HeaderError != nil || d.BearerError != nil || d.IISSubstatus != nil ||
		d.RetryAfterS != nil || d.Intermittent
	return v
}

func (v *view) verdict() {
	r := v.R
	failure := v.failurePhrase()
	switch r.Outcome {
	case Fixed:
		v.Badge, v.Tone = "Fixed", "good"
		v.Verdict = "Fixed by " + v.FixPhrase
		switch {
		case r.Confirmed == nil:
			v.Verdict += "."
		case *r.Confirmed:
			v.Verdict += ", and confirmed on a second load."
		default:
			v.Badge, v.Tone = "Fix did not hold", "warn"
			v.Verdict += ", but the fix did not hold on a second load."
		}
		if p := r.IsolationPhrase(); p != "" {
			v.Verdict += " " + strings.ToUpper(p[:1]) + p[1:] + "."
		}
	case Unresolved:
		v.Badge, v.Tone = "Unresolved", "bad"
		if r.Environment.RecordedBy != "" {
			v.Badge = "Auth failure recorded"
			v.Verdict = "The recording shows " + failure + ". No remedy ran: the next steps say what to try first."
			return
		}
		switch tried := v.tried(); tried {
		case 0:
			v.Verdict = "Unresolved: " + failure + ", and no remedy could be tried."
		case 1:
			v.Verdict = "Unresolved: " + failure + ", and the one remedy tried did not fix it."
		default:
			v.Verdict = fmt.Sprintf("Unresolved: %s, and none of the %d remedies tried fixed it.", failure, tried)
		}
	case Healthy:
		v.Badge, v.Tone = "Healthy", "good"
		v.Verdict = "Healthy: the page loads"
		if r.Environment.RecordedBy != "" {
			v.Badge, v.Verdict = "No auth failure recorded", "The recording shows no authentication failure: the page loads"
		}
		if st := v.baselineStatus(); st != "" {
			v.Verdict += " (" + st + ")"
		}
		v.Verdict += "."
	case NotAuthFailure:
		v.Badge, v.Tone = "Not an auth failure", "warn"
		v.Verdict = "Not an authentication failure: " + failure + "."
	case Error:
		v.Badge, v.Tone = "Error", "bad"
		v.Verdict = "The run failed"
		if r.Error != nil && *r.Error != "" {
			v.Verdict += ": " + strings.TrimSuffix(*r.Error, ".")
		}
		v.Verdict += "."
	default:
		v.Badge, v.Tone = string(r.Outcome), "neutral"
		v.Verdict = r.Diagnosis.Summary
	}
}

// tried counts the remedies that were applied and did not fix the page.
func (v *view) tried() int {
	n := 0
	for _, s := range v.R.Steps {
		if s.ID != "reproduce" && (s.Result == StillFailing || s.Result == StepError) {
			n++
		}
	}
	return n
}

// failurePhrase names what failed: the status where it says it all, the
// kind where the status would mislead (a 200 that is an access-denied page).
func (v *view) failurePhrase() string {
	d := v.R.Diagnosis
	st := v.baselineStatus()
	switch d.Kind {
	case "http_401", "forbidden_403", "other_status":
		if st != "" {
			return "the page answers " + st
		}
	case "soft_401":
		if b := v.baseline(); b != nil && len(b.SignInHops) > 0 && b.Reason != "" {
			// A single sign-on: where the browser was sent says it all.
			reason, _, _ := strings.Cut(b.Reason, ", whose page reads")
			return reason
		}
		if st != "" {
			return "the page answers " + st + " but shows an access-denied page"
		}
		return "the page shows an access-denied page"
	case "subresource_401":
		return "the page loads but requests it makes answer 401"
	case "proxy_407":
		return "a proxy answers 407 Proxy Authentication Required"
	case "network_error":
		if b := v.baseline(); b != nil && b.NetError != "" {
			return "the page could not be loaded (" + b.NetError + ")"
		}
		if b := v.baseline(); b != nil && b.TimedOut {
			return "the page did not finish loading in time"
		}
		return "the page could not be loaded"
	}
	if KnownKind(d.Kind) {
		return "the page fails with " + KindPhrase(d.Kind)
	}
	return "the page fails (" + d.Kind + ")"
}

// failureNoun is failurePhrase as the object of "fails with".
func (v *view) failureNoun() string {
	st := v.baselineStatus()
	switch v.R.Diagnosis.Kind {
	case "http_401", "forbidden_403", "other_status":
		if st != "" {
			return st
		}
	case "soft_401":
		if st != "" {
			return "an access-denied page (the server answers " + st + ")"
		}
		return "an access-denied page"
	case "subresource_401":
		return "401 on requests the page makes, although the page itself loads"
	case "proxy_407":
		return "407 Proxy Authentication Required from a proxy"
	case "network_error":
		if b := v.baseline(); b != nil && b.NetError != "" {
			return "a network error (" + b.NetError + ")"
		}
		if b := v.baseline(); b != nil && b.TimedOut {
			return "a page that never finishes loading"
		}
		return "a network error"
	}
	if KnownKind(v.R.Diagnosis.Kind) {
		return KindPhrase(v.R.Diagnosis.Kind)
	}
	return "an error (" + v.R.Diagnosis.Kind + ")"
}

// baseline is the load that reproduced the problem: the first step's.
func (v *view) baseline() *Load {
	if len(v.R.Steps) == 0 {
		return nil
	}
	s := &v.R.Steps[0]
	if len(s.Loads) > 0 {
		return &s.Loads[0]
	}
	return s.Load
}

func (v *view) baselineStatus() string {
	if b := v.baseline(); b != nil && b.Status != nil {
		return statusText(*b.Status, b.StatusText)
	}
	if v.R.Diagnosis.Status != nil {
		return statusText(*v.R.Diagnosis.Status, "")
	}
	return ""
}

func remedyPhrase(id string, s *Step) string {
	if s != nil && s.FixedPhrase != "" {
		return s.FixedPhrase
	}
	if s != nil && s.Title != "" {
		return "the step \u201c" + s.Title + "\u201d"
	}
	return "the step " + id
}

func newStepView(s *Step, fixedBy *string) stepView {
	sv := stepView{S: s, Name: s.Title, Fixing: fixedBy != nil && *fixedBy == s.ID && s.Result == StepFixed}
	if sv.Name == "" {
		sv.Name = s.ID
	}
	switch s.Result {
	case StepFixed:
		sv.Mark, sv.Tone, sv.Label = "✓", "good", "fixed"
	case StillFailing:
		sv.Mark, sv.Tone, sv.Label = "✗", "bad", "still failing"
	case Failing:
		sv.Mark, sv.Tone, sv.Label = "✗", "bad", "failing"
	case Skipped:
		sv.Mark, sv.Tone, sv.Label = "–", "neutral", "skipped"
	case StepError:
		sv.Mark, sv.Tone, sv.Label = "!", "warn", "error"
	default:
		sv.Mark, sv.Tone, sv.Label = "·", "neutral", "info"
		if s.Result != Info {
			sv.Label = string(s.Result)
		}
		// A diagnostic step whose page loaded is good news, not a footnote.
		if s.Load != nil && s.Load.OK {
			sv.Mark, sv.Tone, sv.Label = "✓", "good", "loads"
		}
	}
	if s.Load != nil {
		sv.Load = loadPhrase(s.Load)
		sv.Reason = s.Load.Reason
	}
	sv.Evidence = evidencePairs(s.Evidence)
	if s.Load != nil && len(s.Load.Dialogs) > 0 {
		sv.Evidence = append(sv.Evidence, pair{"dialogs dismissed", strings.Join(s.Load.Dialogs, " · ")})
	}
	if s.Load != nil && s.Load.Hung != "" {
		sv.Evidence = append(sv.Evidence, pair{"page hung", s.Load.Hung})
	}
	return sv
}

// loadStatus is what the server (or the network) answered a load.
func loadStatus(l *Load) string {
	switch {
	case l.Status != nil:
		return statusText(*l.Status, l.StatusText)
	case l.NetError != "":
		return l.NetError
	}
	return "no response"
}

// loadPhrase is a load in a few words: its status and, when it failed, its kind.
func loadPhrase(l *Load) string {
	parts := []string{loadStatus(l)}
	if k := kindBeyondStatus(l); k != "" {
		parts = append(parts, k)
	}
	if l.TimedOut {
		parts = append(parts, "timed out")
	}
	return strings.Join(parts, " · ")
}

// kindBeyondStatus is a failed load's kind in words, or "" when its status
// says it already ("401 Unauthorized") or it did not fail.
func kindBeyondStatus(l *Load) string {
	switch {
	case l.OK || l.Kind == "" || l.Kind == "none":
		return ""
	case l.Status != nil && *l.Status > 0 && (l.Kind == "http_401" || l.Kind == "proxy_407" || l.Kind == "forbidden_403" || l.Kind == "other_status"):
		return ""
	}
	return KindPhrase(l.Kind)
}

// kindWords say what a failure kind is, for the pages and lines people
// read; the ids (Load.Kind) are for report.json and the machine outputs.
var kindWords = map[string]string{
	"http_401":        "401 Unauthorized",
	"soft_401":        "an access-denied or sign-in page",
	"subresource_401": "401 on requests the page made",
	"proxy_407":       "407 Proxy Authentication Required",
	"forbidden_403":   "403 Forbidden",
	"other_status":    "an HTTP error",
	"network_error":   "a network error",
	"none":            "no failure",
}

// KindPhrase is a failure kind in words; a kind this version does not
// know loses its underscores at least.
func KindPhrase(kind string) string {
	if w, ok := kindWords[kind]; ok {
		return w
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// KnownKind reports whether kind is a failure kind id of this version.
func KnownKind(kind string) bool {
	_, ok := kindWords[kind]
	return ok
}

func statusText(code int, text string) string {
	if text == "" {
		text = http.StatusText(code)
	}
	if text == "" {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + text
}

func (v *view) shots(files map[string][]byte) {
	type found struct {
		step string
		load *Load
	}
	var first, last, fixed *found
	for i := range v.R.Steps {
		s := &v.R.Steps[i]
		loads := []*Load{}
		for j := range s.Loads {
			loads = append(loads, &s.Loads[j])
		}
		if len(loads) == 0 && s.Load != nil {
			loads = append(loads, s.Load)
		}
		for _, l := range loads {
			if l.Screenshot == nil || *l.Screenshot == "" {
				continue
			}
			f := &found{s.ID, l}
			if first == nil {
				first = f
			}
			last = f
		}
		if v.Fix == s && s.Load != nil && s.Load.Screenshot != nil && *s.Load.Screenshot != "" {
			fixed = &found{s.ID, s.Load}
		}
	}
	if first == nil {
		return
	}
	after := last
	if fixed != nil {
		after = fixed
	}
	mk := func(label string, f *found) *shot {
		sh := &shot{Label: label, Path: *f.load.Screenshot, Step: f.step, Load: loadPhrase(f.load)}
		if data, ok := files[sh.Path]; ok {
			if t := http.DetectContentType(data); slices.Contains([]string{"image/png", "image/jpeg", "image/gif", "image/webp"}, t) {
				sh.Type, sh.Data = t, data
			}
		}
		return sh
	}
	if after.step == first.step || *after.load.Screenshot == *first.load.Screenshot || v.R.Outcome == Healthy {
		// Before and after only mean something across a remedy: the
		// baseline's own second load is the same picture again.
		v.Before = mk("The page", first)
		return
	}
	v.Before = mk("Before", first)
	v.After = mk("After", after)
}

func (v *view) failing() {
	idx := map[FailingRequest]int{}
	for _, s := range v.R.Steps {
		loads := s.Loads
		if len(loads) == 0 && s.Load != nil {
			loads = []Load{*s.Load}
		}
		for _, l := range loads {
			for _, f := range l.FailingRequests {
				i, ok := idx[f]
				if !ok {
					i = len(v.Failing)
					idx[f] = i
					v.Failing = append(v.Failing, failingRow{FailingRequest: f})
				}
				if !slices.Contains(v.Failing[i].Seen, s.ID) {
					v.Failing[i].Seen = append(v.Failing[i].Seen, s.ID)
				}
			}
		}
	}
}

// signIns picks the sign-in chains worth drawing: each distinct sequence
// of hosts and paths once, in the order the run met them, at most four
// (the first sign-in page, what relogin went through, a loop).
func (v *view) signIns() {
	seen := map[string]bool{}
	for _, s := range v.R.Steps {
		loads := s.Loads
		if len(loads) == 0 && s.Load != nil {
			loads = []Load{*s.Load}
		}
		for _, l := range loads {
			if len(l.SignInHops) == 0 {
				continue
			}
			var key strings.Builder
			for _, h := range l.SignInHops {
				key.WriteString(h.Host + h.Path + " ")
			}
			if seen[key.String()] || len(v.SignIns) == 4 {
				continue
			}
			seen[key.String()] = true
			title := fmt.Sprintf("%s: %d hops", s.ID, len(l.SignInHops))
			if l.Reason != "" {
				title += ", " + l.Reason
			}
			v.SignIns = append(v.SignIns, signInView{Step: s.ID, Title: title, Hops: l.SignInHops})
		}
	}
}

// SideClass is the hop's side as a CSS class: one of three fixed words,
// whatever the report file says.
func (h Hop) SideClass() string {
	switch h.Side {
	case "app", "provider":
		return h.Side
	}
	return "other"
}

// HopStatus is a hop's answer in words: its status, or the browser's error.
func (h Hop) HopStatus() string {
	switch {
	case h.Status > 0 && h.Error != "":
		return strconv.Itoa(h.Status) + " then " + h.Error
	case h.Status > 0:
		return strconv.Itoa(h.Status)
	case h.Error != "":
		return h.Error
	}
	return "no answer"
}

func (v *view) environment() {
	e := v.R.Environment
	add := func(k, val string) {
		if val != "" {
			v.Env = append(v.Env, pair{k, val})
		}
	}
	if e.RecordedBy != "" {
		// A recording: whose browser and tool, not fix401's.
		add("Recorded by", e.RecordedBy)
		add("Browser", e.Browser)
		add("Read by", "fix401 analyze: no browser ran, no remedy was tried")
		return
	}
	add("OS", e.OS)
	add("Architecture", e.Arch)
	add("Browser", e.Browser)
	if e.RemoteBrowser {
		add("Browser runs", "remote (--browser-url)")
	} else {
		add("Browser runs", "on this machine")
	}
	if e.Sandbox != nil {
		if *e.Sandbox {
			add("Chrome's sandbox", "on")
		} else {
			why := e.SandboxOff
			if why == "" {
				// Reports from before sandbox_off: only root turned it off.
				why = "fix401 ran as root, where Chromium cannot use it"
			}
			add("Chrome's sandbox", "off ("+why+")")
		}
	}
	add("Browser launches", strconv.FormatInt(e.BrowserLaunches, 10))
	add("Started from", startedFrom(e))
}

// startedFrom says whose browser state the run began with, which decides how
// far its result carries over to the user's browser.
func startedFrom(e Environment) string {
	switch {
	case e.Profile && e.CookiesFile:
		return "a copy of the user's profile, plus a cookie file"
	case e.Profile:
		return "a copy of the user's profile"
	case e.CookiesFile:
		return "a clean profile with the user's cookie file"
	}
	return "a clean profile"
}

func newChallengeView(c Challenge) challengeView {
	cv := challengeView{Scheme: c.Scheme, Realm: c.Params["realm"]}
	if c.Token68 != nil {
		cv.Token68 = *c.Token68
	}
	keys := make([]string, 0, len(c.Params))
	for k := range c.Params {
		if k != "realm" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var ps []string
	for _, k := range keys {
		ps = append(ps, k+"="+strconv.Quote(c.Params[k]))
	}
	cv.Params = strings.Join(ps, ", ")
	return cv
}

func evidencePairs(ev map[string]any) []pair {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return evidenceOrder(keys[i]) < evidenceOrder(keys[j]) })
	out := make([]pair, 0, len(keys))
	for _, k := range keys {
		v, label := ev[k], evidenceLabel(k)
		// Failure kinds are ids for machines: a page says them in words.
		if words, ok := kindsInWords(v); k == "kind" && ok {
			v, label = words, "result"
		} else if k == "kinds" && ok {
			v, label = words, "each load's result"
		}
		out = append(out, pair{label, formatValue(v)})
	}
	return out
}

// evidenceOrder is the key evidence sorts by: alphabetical, but for a pair
// of before and after, which read in time order ("ip_before", "ip_after").
func evidenceOrder(k string) string {
	if base, ok := strings.CutSuffix(k, "_before"); ok {
		return base + "\x00"
	}
	if base, ok := strings.CutSuffix(k, "_after"); ok {
		return base + "\x01"
	}
	return k
}

// evidenceLabel is an evidence key (report.json's) as a page shows it:
// words, with the unit of a number in brackets ("retry_after_s": "retry
// after (s)").
func evidenceLabel(k string) string {
	for _, unit := range []string{"ms", "s", "mb", "kb"} {
		if base, ok := strings.CutSuffix(k, "_"+unit); ok {
			return strings.ReplaceAll(base, "_", " ") + " (" + unit + ")"
		}
	}
	return strings.ReplaceAll(k, "_", " ")
}

// kindsInWords turns a failure kind id, or a list of them (reproduce's
// verdict of each load), into words. It reports false, and leaves v, when
// v is anything else (a "kind" that is not a failure kind: a token's).
func kindsInWords(v any) (any, bool) {
	var ids []string
	switch t := v.(type) {
	case string:
		if !KnownKind(t) {
			return v, false
		}
		return KindPhrase(t), true
	case []string:
		ids = t
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return v, false
			}
			ids = append(ids, s)
		}
	default:
		return v, false
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		if !KnownKind(id) {
			return v, false
		}
		out[i] = KindPhrase(id)
	}
	return out, true
}

// formatValue shows evidence as a person would write it: yes/no, lists as
// lists, one line per record. Typed values are first turned into their JSON
// form, so that evidence reads the same whether it comes from a run in this
// process or from a report.json read back.
func formatValue(x any) string {
	switch t := x.(type) {
	case string, bool, float64, nil, []any, map[string]any:
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32:
		return fmt.Sprint(t)
	default:
		data, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		var back any
		if json.Unmarshal(data, &back) != nil {
			return string(data)
		}
		x = back
	}
	switch t := x.(type) {
	case nil:
		return "–"
	case string:
		return t
	case bool:
		if t {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		if len(t) == 0 {
			return "none"
		}
		sep := ", "
		parts := make([]string, len(t))
		for i, e := range t {
			if _, ok := e.(map[string]any); ok {
				sep = "\n"
			}
			parts[i] = formatValue(e)
		}
		return strings.Join(parts, sep)
	case map[string]any:
		return formatRecord(t)
	}
	return fmt.Sprint(x)
}

// formatRecord is one record of a list, such as a URL candidate: what it is
// about first (url, then why), the other fields after it.
func formatRecord(m map[string]any) string {
	var head []string
	used := map[string]bool{}
	for _, k := range []string{"url", "why"} {
		if s, ok := m[k].(string); ok && s != "" {
			head = append(head, s)
			used[k] = true
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	rest := make([]string, 0, len(keys))
	// A failure kind is said in words, and with it the status only when
	// the words do not say it already ("401 Unauthorized", status 401).
	kind, known := "", false
	if k, ok := m["kind"].(string); ok && KnownKind(k) {
		kind, known = KindPhrase(k), true
	}
	for _, k := range keys {
		v, label := m[k], evidenceLabel(k)
		switch {
		case known && k == "kind":
			v, label = kind, "result"
		case known && k == "status" && (formatValue(v) == "0" || strings.HasPrefix(kind, formatValue(v)+" ")):
			continue // no answer at all, or one the result names
		}
		rest = append(rest, label+": "+strings.ReplaceAll(formatValue(v), "\n", "; "))
	}
	out := strings.Join(head, " — ")
	switch {
	case out == "":
		return strings.Join(rest, ", ")
	case len(rest) > 0:
		out += " (" + strings.Join(rest, ", ") + ")"
	}
	return out
}

func formatWhen(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func formatDuration(ms int64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 60_000:
		return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
	}
	d := time.Duration(ms) * time.Millisecond
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// formatMS groups the digits of a step's time, so 40109 reads as 40 109.
func formatMS(ms int64) string {
	s := strconv.FormatInt(ms, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s + "\u00a0ms"
}

// logLine is one report log line as the reader sees it.
func logLine(l LogLine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6d ms  %-5s", l.AtMS, l.Level)
	if l.Step != "" {
		b.WriteString("  [" + l.Step + "]")
	}
	b.WriteString("  " + l.Message)
	return b.String()
}

// segments splits trusted instruction text on backticks: odd segments are
// things to type, shown as code.
func segments(s string) []string { return strings.Split(s, "`") }
