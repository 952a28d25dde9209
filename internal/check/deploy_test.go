package check_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sjson "sigs.k8s.io/json"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/fix401/fix401/internal/check"
	"github.com/fix401/fix401/internal/cli"
	"github.com/fix401/fix401/internal/realserver"
)

// The deployment examples are documentation people copy: every fix401
// command line in them must be one `fix401 check` accepts, and every
// config in them must pass the config rules. Each format is read the way
// its own tool reads it, as far as a test can: YAML as YAML, XML as XML,
// Dockerfile and systemd units line by line.

const deployDir = "../../deploy"

func deployEnv(name string) string {
	return map[string]string{"REPORTS_PASSWORD": "pw-from-secret", "API_TOKEN": "token-from-secret"}[name]
}

// checkCommand fails unless args (after the program name) is a `check`
// command line that fix401's own flag set parses.
func checkCommand(t *testing.T, where string, args []string) {
	t.Helper()
	root := cli.NewRootCmd(&cli.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }})
	cmd, rest, err := root.Find(args)
	if err != nil || cmd.Name() != "check" {
		t.Errorf("%s: %q is not a fix401 check command (%v)", where, args, err)
		return
	}
	f := cmd.Flags()
	if err := f.Parse(rest); err != nil {
		t.Errorf("%s: fix401 check rejects %q: %v", where, rest, err)
		return
	}
	if len(f.Args()) > 0 {
		t.Errorf("%s: fix401 check takes no arguments, got %q", where, f.Args())
	}
	if !f.Changed("config") {
		t.Errorf("%s: no --config in %q", where, rest)
	}
	// Values the flag set takes as plain strings but fix401 checks later.
	if s, _ := f.GetString("shard"); s != "" && !strings.Contains(s, "$") {
		if _, err := check.ParseShard(s); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
	if u, _ := f.GetString("browser-url"); u != "" && !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "http://") {
		t.Errorf("%s: --browser-url %q", where, u)
	}
}

// isFix401 reports whether a program path or name is fix401.
func isFix401(prog string) bool {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(strings.Trim(prog, `"`), `\`, "/")))
	return base == "fix401" || base == "fix401.exe"
}

// shellWords splits one shell command into words: quotes and backslashes
// as sh reads them, variables left as written, and the command ending at
// an unquoted redirection, pipe, ; or &&.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case r == ' ' || r == '\t':
			flush()
		case strings.ContainsRune("><|;&#", r) && !inWord:
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	return words
}

// windowsWords splits a Windows command line the way the C runtime does
// for the simple cases a task's Arguments use: spaces separate, double
// quotes group.
func windowsWords(s string) []string {
	var words []string
	var cur strings.Builder
	in, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// scriptCommands finds the fix401 command lines of a shell script: lines
// joined at a trailing backslash, then each line split into words.
func scriptCommands(script string) [][]string {
	var out [][]string
	script = strings.ReplaceAll(script, "\\\n", " ")
	for _, line := range strings.Split(script, "\n") {
		w := shellWords(strings.TrimSpace(line))
		if len(w) > 0 && isFix401(w[0]) {
			out = append(out, w[1:])
		}
	}
	return out
}

func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
}

// walk calls fn on every mapping inside v.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walk(c, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, fn)
		}
	}
}

func listOf(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			out = append(out, strings.TrimSpace(toString(e)))
		}
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDeployCommandLines(t *testing.T) {
	found := map[string]int{}
	add := func(file string, args []string) {
		found[file]++
		checkCommand(t, file, args)
	}

	// Kubernetes: containers whose command or image is fix401.
	k8s := filepath.Join(deployDir, "kubernetes", "cronjob.yaml")
	var completions, jobCompletions string
	for _, doc := range yamlDocs(t, k8s) {
		walk(doc, func(m map[string]any) {
			if c, ok := m["completions"]; ok {
				completions = toString(c)
			}
			for _, key := range []string{"containers", "initContainers"} {
				list, _ := m[key].([]any)
				for _, c := range list {
					ctr, _ := c.(map[string]any)
					cmd, args := listOf(ctr["command"]), listOf(ctr["args"])
					image, _ := ctr["image"].(string)
					switch {
					case len(cmd) > 0 && isFix401(cmd[0]):
						add(k8s, append(cmd[1:], args...))
					case len(cmd) == 0 && strings.Contains(image, "fix401"):
						add(k8s, args) // the image's ENTRYPOINT is fix401
					default:
						continue
					}
					envs, _ := ctr["env"].([]any)
					for _, e := range envs {
						if em, _ := e.(map[string]any); em["name"] == "JOB_COMPLETIONS" {
							jobCompletions = toString(em["value"])
						}
					}
				}
			}
		})
	}
	if completions == "" || jobCompletions != completions {
		t.Errorf("%s: JOB_COMPLETIONS=%q but completions: %q; the shards would not cover every check", k8s, jobCompletions, completions)
	}

	// Dockerfile: ENTRYPOINT and CMD in exec (JSON) form.
	docker := filepath.Join(deployDir, "docker", "Dockerfile")
	var entrypoint, cmd []string
	for _, line := range lines(t, docker) {
		kw, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(kw) {
		case "ENTRYPOINT", "CMD":
			var v []string
			if err := json.Unmarshal([]byte(rest), &v); err != nil {
				t.Errorf("%s: %s is not in exec form: %v", docker, kw, err)
			}
			if strings.ToUpper(kw) == "CMD" {
				cmd = v
			} else {
				entrypoint = v
			}
		}
	}
	if len(entrypoint) != 1 || !isFix401(entrypoint[0]) {
		t.Errorf("%s: ENTRYPOINT %q, want [\"fix401\"]", docker, entrypoint)
	}
	add(docker, cmd)

	// systemd: ExecStart lines, continued with a backslash.
	unit := filepath.Join(deployDir, "systemd", "fix401-check.service")
	for _, line := range lines(t, unit) {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			w := shellWords(strings.TrimLeft(v, "-@:+!"))
			if len(w) == 0 || !isFix401(w[0]) {
				t.Errorf("%s: ExecStart runs %q", unit, w)
				continue
			}
			add(unit, w[1:])
		}
	}

	// Windows Task Scheduler XML.
	task := filepath.Join(deployDir, "windows", "fix401-check.xml")
	var doc struct {
		XMLName xml.Name
		Exec    []struct {
			Command   string `xml:"Command"`
			Arguments string `xml:"Arguments"`
		} `xml:"Actions>Exec"`
	}
	data, err := os.ReadFile(task)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", task, err)
	}
	if doc.XMLName.Space != "http://schemas.microsoft.com/windows/2004/02/mit/task" || doc.XMLName.Local != "Task" {
		t.Errorf("%s: root is %v, not a Task Scheduler task", task, doc.XMLName)
	}
	for _, e := range doc.Exec {
		if !isFix401(e.Command) {
			t.Errorf("%s: Exec runs %q", task, e.Command)
			continue
		}
		add(task, windowsWords(e.Arguments))
	}

	// GitLab CI: script lines of every job.
	gitlab := filepath.Join(deployDir, "ci", "gitlab-ci.yml")
	for _, d := range yamlDocs(t, gitlab) {
		for _, job := range d {
			jm, _ := job.(map[string]any)
			for _, key := range []string{"before_script", "script", "after_script"} {
				for _, s := range listOf(jm[key]) {
					for _, c := range scriptCommands(s) {
						add(gitlab, c)
					}
				}
			}
		}
	}

	// GitHub Actions: run: of every step.
	github := filepath.Join(deployDir, "ci", "github-workflow.yml")
	for _, d := range yamlDocs(t, github) {
		jobs, _ := d["jobs"].(map[string]any)
		for _, job := range jobs {
			jm, _ := job.(map[string]any)
			// GitHub replaces ${{ … }} before the shell sees the script:
			// a matrix value by its first value, anything else by a word.
			strategy, _ := jm["strategy"].(map[string]any)
			matrix, _ := strategy["matrix"].(map[string]any)
			expand := func(run string) string {
				return ghExpr.ReplaceAllStringFunc(run, func(e string) string {
					name := strings.TrimPrefix(ghExpr.FindStringSubmatch(e)[1], "matrix.")
					if vals, ok := matrix[name].([]any); ok && len(vals) > 0 {
						return toString(vals[0])
					}
					return "expr"
				})
			}
			steps, _ := jm["steps"].([]any)
			for _, s := range steps {
				sm, _ := s.(map[string]any)
				if run, ok := sm["run"].(string); ok {
					for _, c := range scriptCommands(expand(run)) {
						add(github, c)
					}
				}
			}
		}
	}

	for _, f := range []string{k8s, docker, unit, task, gitlab, github} {
		if found[f] == 0 {
			t.Errorf("%s: no fix401 command line found", f)
		}
	}
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// lines returns a file's lines with backslash continuations joined and
// comments dropped, as Dockerfile and systemd read them.
func lines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";")) {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The example config is valid, and the ConfigMap carries the same checks.
func TestDeployConfigs(t *testing.T) {
	main, err := check.Load(filepath.Join(deployDir, "checks.yaml"), deployEnv)
	if err != nil {
		t.Fatal(err)
	}
	var cm string
	for _, doc := range yamlDocs(t, filepath.Join(deployDir, "kubernetes", "cronjob.yaml")) {
		if doc["kind"] == "ConfigMap" {
			data, _ := doc["data"].(map[string]any)
			cm, _ = data["checks.yaml"].(string)
		}
	}
	if cm == "" {
		t.Fatal("no checks.yaml in the ConfigMap")
	}
	inCluster, err := check.Parse("configmap/checks.yaml", []byte(cm), "", deployEnv)
	if err != nil {
		t.Fatal(err)
	}
	strip := func(cs []check.Check) []check.Check {
		out := make([]check.Check, len(cs))
		for i, c := range cs {
			c.Line = 0
			out[i] = c
		}
		return out
	}
	if !reflect.DeepEqual(strip(main.Checks), strip(inCluster.Checks)) {
		t.Errorf("the ConfigMap's checks differ from deploy/checks.yaml")
	}
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string][]string{
		`fix401 check --config "$X" --out a\ b`:            {"fix401", "check", "--config", "$X", "--out", "a b"},
		`fix401 check --config 'c.yaml' --json > out.json`: {"fix401", "check", "--config", "c.yaml", "--json"},
		`fix401 check --shard "$((I - 1))/$N" && echo ok`:  {"fix401", "check", "--shard", "$((I - 1))/$N"},
	} {
		if got := shellWords(in); !reflect.DeepEqual(got, want) {
			t.Errorf("shellWords(%q) = %q, want %q", in, got, want)
		}
	}
	if got := windowsWords(`check --config "C:\Program Files\x.yaml" --json`); !reflect.DeepEqual(got, []string{"check", "--config", `C:\Program Files\x.yaml`, "--json"}) {
		t.Errorf("windowsWords = %q", got)
	}
}

// TestSystemdUnitsVerify has systemd itself read the service and the timer
// (systemd-analyze verify, where systemd is installed): an unknown key, a
// bad value or a timer without its service fails. It runs in a root of its
// own, with the units where the install notes put them, the system's unit
// library beside them and a stand-in /usr/local/bin/fix401: verify checks
// that the ExecStart program is there, not what it does.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze here")
	}
	lib := "/usr/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(lib, "sysinit.target")); err != nil {
		t.Skip("no systemd unit library at " + lib)
	}
	root := t.TempDir()
	units := filepath.Join(root, "etc/systemd/system")
	for _, d := range []string{units, filepath.Join(root, "usr/local/bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "usr/local/bin/fix401"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A copy, not a link: verify resolves the library's own links inside
	// the root.
	if err := os.MkdirAll(filepath.Join(root, "usr/lib/systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", lib, filepath.Join(root, "usr/lib/systemd/")).CombinedOutput(); err != nil {
		t.Fatalf("copying the unit library: %v\n%s", err, out)
	}
	args := []string{"verify", "--man=no", "--root=" + root}
	for _, name := range []string{"fix401-check.service", "fix401-check.timer"} {
		data, err := os.ReadFile(filepath.Join(deployDir, "systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(units, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(units, name))
	}
	out, err := exec.Command(analyze, args...).CombinedOutput()
	// verify exits 0 on unknown keys and only says so: a line about our
	// units is a finding. Lines about the system's own units are not ours.
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "fix401-check.") {
			ours = append(ours, line)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestKubernetesManifestTypes decodes every document of the Kubernetes
// example into the API's own Go types, strictly: a misspelled or misplaced
// field, which a cluster would reject or silently drop, fails here, where
// no cluster is at hand.
func TestKubernetesManifestTypes(t *testing.T) {
	for file, want := range map[string]map[string]int{
		"cronjob.yaml": {"CronJob": 1, "ConfigMap": 1},
		"serve.yaml":   {"Deployment": 1, "Service": 1, "ConfigMap": 1},
	} {
		t.Run(file, func(t *testing.T) { kubernetesManifest(t, file, want) })
	}
}

// kubernetesManifest decodes every document of deploy/kubernetes/file as
// the API server would, and compares the kinds with want.
func kubernetesManifest(t *testing.T, file string, want map[string]int) {
	path := filepath.Join(deployDir, "kubernetes", file)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		doc, err := yaml.Marshal(&node)
		if err != nil {
			t.Fatal(err)
		}
		// As the API server reads it: YAML to JSON (duplicate keys fail),
		// then JSON into the type with case-sensitive field names, no
		// unknown fields and no number where a string belongs.
		js, err := k8syaml.YAMLToJSONStrict(doc)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, node.Line, err)
		}
		var meta metav1.TypeMeta
		if err := json.Unmarshal(js, &meta); err != nil {
			t.Fatalf("%s:%d: %v", path, node.Line, err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "batch/v1 CronJob":
			obj = &batchv1.CronJob{}
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "v1 Service":
			obj = &corev1.Service{}
		default:
			t.Errorf("%s:%d: %s %s is not a kind this test knows", path, node.Line, meta.APIVersion, meta.Kind)
			continue
		}
		strict, err := k8sjson.UnmarshalStrict(js, obj)
		if err == nil {
			err = errors.Join(strict...)
		}
		if err != nil {
			t.Errorf("%s: the %s that starts at line %d: %v", path, meta.Kind, node.Line, err)
			continue
		}
		kinds[meta.Kind]++
		if cj, ok := obj.(*batchv1.CronJob); ok {
			spec := cj.Spec.JobTemplate.Spec
			if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
				t.Errorf("%s: the CronJob's Job is not Indexed: --shard would not default from JOB_COMPLETION_INDEX", path)
			}
			if spec.Completions == nil || spec.Parallelism == nil || *spec.Parallelism > *spec.Completions {
				t.Errorf("%s: completions %v, parallelism %v", path, spec.Completions, spec.Parallelism)
			}
			if p := spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
				t.Errorf("%s: a Job's pods must have restartPolicy Never or OnFailure, got %q", path, p)
			}
		}
		if d, ok := obj.(*appsv1.Deployment); ok {
			// serve's args name its config: it must parse, as serve reads it.
			for _, c := range d.Spec.Template.Spec.Containers {
				if len(c.Args) == 0 || c.Args[0] != "serve" || c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/-/ready" {
					t.Errorf("%s: container %s: args %v, readiness %+v", path, c.Name, c.Args, c.ReadinessProbe)
					continue
				}
				root := cli.NewRootCmd(&cli.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }})
				cmd, rest, err := root.Find(c.Args)
				if err == nil {
					err = cmd.Flags().Parse(rest)
				}
				if err != nil || cmd.Name() != "serve" || !cmd.Flags().Changed("config") || len(cmd.Flags().Args()) > 0 {
					t.Errorf("%s: fix401 %q: %v", path, c.Args, err)
				}
			}
		}
		if cm, ok := obj.(*corev1.ConfigMap); ok && cm.Data["probes.yaml"] != "" {
			cfg, err := check.Parse("probes.yaml", []byte(cm.Data["probes.yaml"]), t.TempDir(), func(string) string { return "set" })
			if err != nil {
				t.Errorf("%s: the ConfigMap's probes.yaml: %v", path, err)
			} else if len(cfg.Modules) < 2 {
				t.Errorf("%s: modules %v", path, cfg.ModuleNames())
			}
		}
	}
	if !maps.Equal(kinds, want) {
		t.Errorf("%s: kinds %v, want %v", path, kinds, want)
	}
}

// TestPrometheusRules runs promtool over deploy/prometheus: the scrape
// config checks, and the alert rules pass their unit tests.
func TestPrometheusRules(t *testing.T) {
	realserver.Need(t, "prometheus", "promtool")
	dir := filepath.Join(deployDir, "prometheus")
	for _, args := range [][]string{{"check", "config", "prometheus.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command("promtool", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
