// Package check is `fix401 check`: the scheduled regression check of many
// URLs from one config file (DESIGN.md §2, "check (contract)").
//
// It has three parts, each usable alone:
//
//   - the config (Load, Parse): YAML or JSON, decoded through yaml.Node so
//     that every problem names the file, the line and the field, and every
//     problem of a file is reported at once. Secrets are accepted only by
//     reference (password_env, password_file, bearer_token_env); ${NAME} in
//     url, login_url, proxy, password_file and cookies is expanded from the
//     environment, so one file serves a lab on a random port and a CronJob.
//   - the runner (Run): every check in one shared browser, each in its own
//     browser context, a bounded number at once, the whole run bounded by
//     its context; a check that does not pass keeps its full diagnosis and
//     gets a report folder named after it.
//   - the outputs: a table, a JSON summary, JUnit XML (strict Ant schema) and
//     Prometheus text for node_exporter's textfile collector.
//
// The environment and the clock are injected; the package never reads
// os.Getenv, so tests and `fix401 check` see exactly the same rules.
package check
