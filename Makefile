# fix401 — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/fix401
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DEMO_PORT ?= 18401
LDFLAGS := -X github.com/fix401/fix401/internal/cli.version=$(VERSION)

.DEFAULT_GOAL := help
.PHONY: help deps run-deps build demo test bench release-check release-snapshot fmt vet clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: run-deps ## install what is missing: Go modules, Chromium, and the real servers the tests start (MIT KDC, Apache, Tomcat, an OpenID Provider…)
	@bash .ci/deps.sh --test
	@# From npm, into .cache/npm: ajv for the upstream HAR validator
	@# (testdata/har-schema/validate-har.js), oidc-provider, the OpenID
	@# Provider the single sign-on tests start (testdata/sso/oidc-idp.mjs),
	@# and puppeteer-core and playwright-core, the peers BenchmarkCheckPeers
	@# runs (testdata/bench/peers.mjs; neither downloads a browser).
	@[ -f .cache/npm/node_modules/oidc-provider/package.json ] && [ -d .cache/npm/node_modules/ajv-formats ] && \
	 [ -f .cache/npm/node_modules/puppeteer-core/package.json ] && [ -f .cache/npm/node_modules/playwright-core/package.json ] || \
		npm install --silent --no-audit --no-fund --prefix .cache/npm ajv@8 ajv-formats@3 oidc-provider@9.13.3 \
		  puppeteer-core@24.43.1 playwright-core@1.65.1 >/dev/null || \
		{ echo "fix401: could not install ajv, oidc-provider, puppeteer-core and playwright-core with npm (the HAR and single sign-on tests and the peers benchmark need them)"; exit 1; }

# What building and running fix401 needs: Go modules, Chromium (Debian's
# chromium package), libnss-wrapper.
run-deps:
	@command -v $(GO) >/dev/null || { echo "fix401: Go is missing: install Go 1.26 or newer from https://go.dev/dl/"; exit 1; }
	@$(GO) mod download
	@bash .ci/deps.sh

build: run-deps ## build bin/fix401
	@$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fix401

demo: build ## start the built-in lab, diagnose every scenario, then run the lab's checks
	@rm -rf fix401-demo
	./$(BIN) demo --out fix401-demo
	@echo
	@echo "fix401 check over testdata/checks.yaml:"
	@./$(BIN) lab --addr 127.0.0.1:$(DEMO_PORT) >/dev/null 2>&1 & lab=$$!; \
	 trap 'kill $$lab 2>/dev/null' EXIT; \
	 for i in $$(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$(DEMO_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	 mkdir -p fix401-demo/checks; LAB=http://127.0.0.1:$(DEMO_PORT) LAB_PASSWORD=wonderland ./$(BIN) check -q --config testdata/checks.yaml --out fix401-demo/checks \
	   --junit fix401-demo/checks/junit.xml --metrics fix401-demo/checks/fix401.prom
	@echo
	@echo "Enterprise sign-in against real servers (MIT KDC + Apache mod_auth_gssapi, Samba ntlm_auth, gss-ntlmssp, Apache mod_auth_form, Tomcat 10, squid + nginx, oidc-provider + mod_auth_openidc, SimpleSAMLphp + mod_auth_mellon); reports in fix401-demo/enterprise:"
	@set -o pipefail; FIX401_DEMO_OUT=$(CURDIR)/fix401-demo/enterprise $(GO) test -count=1 -v \
	   -run 'TestKerberos|TestNTLM|TestProxyOnSquid|TestLoginFormOnThe401Page|TestRolesOnTomcat|TestSSO' ./agent 2>&1 | awk '\
	   /is missing: install/ { sub(/^ *[a-z_]+\.go:[0-9]+: /, ""); print "  - skipped: " $$0 " (make deps installs them all)"; next } \
	   /^    --- (PASS|FAIL|SKIP): / { m = ($$2 == "PASS:") ? "✓" : ($$2 == "FAIL:") ? "✗" : "-"; n = $$3; \
	     split(n, p, "/"); sub(/^Test/, "", p[1]); gsub(/_/, " ", p[2]); printf "  %s %-24s %s\n", m, p[1], p[2]; next } \
	   /^(FAIL|ok) / { if ($$1 == "FAIL") bad = 1 } END { exit bad }' 

test: deps ## go vet, gofmt and every test with the race detector (real headless Chromium, real servers)
	@$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) test -race -count=1 -timeout 15m ./...

bench: build ## benchmarks: fix401 against bare Chromium on the lab, printed as ratios
	$(GO) test -timeout 40m -run '^$$' -bench . -benchtime 5x -count 1 ./internal/bench/

# GoReleaser v2 from the Go module proxy, built once into .cache/bin (it
# takes a few minutes: it is a large program).
GORELEASER_VERSION := v2.15.1
GORELEASER := .cache/bin/goreleaser
RELEASE_CONFIG := deploy/release/goreleaser.yaml
$(GORELEASER):
	@echo "fix401: building goreleaser $(GORELEASER_VERSION) into .cache/bin (once; a few minutes)"
	@GOBIN=$(CURDIR)/.cache/bin $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION) || \
		{ echo "fix401: could not build goreleaser $(GORELEASER_VERSION) from the Go module proxy"; exit 1; }

release-check: $(GORELEASER) ## goreleaser check, a snapshot build of this machine's binary, and `go install …@latest` of the committed module
	@$(GORELEASER) check --config $(RELEASE_CONFIG)
	@$(GORELEASER) build --snapshot --clean --single-target --config $(RELEASE_CONFIG)
	@bin=$$(ls dist/fix401_*/fix401* | head -n 1); v=$$($$bin version); echo "$$v"; \
	 case "$$v" in "fix401 "*snapshot*) ;; *) echo "fix401: the snapshot binary does not report its snapshot version"; exit 1;; esac
	@bash deploy/release/go-install-check.sh

release-snapshot: build $(GORELEASER) ## goreleaser check, then the snapshot: six archives and checksums into dist/, serve's image built (podman, no engine needed) and run (what CI runs)
	@bash .ci/deps.sh --release
	@$(GORELEASER) check --config $(RELEASE_CONFIG)
	@bash deploy/release/snapshot.sh $(GORELEASER)
	@bash deploy/release/go-install-check.sh

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and demo reports
	rm -rf bin fix401-demo dist
