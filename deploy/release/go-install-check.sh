#!/usr/bin/env bash
# go-install-check: `go install github.com/fix401/fix401/cmd/fix401@latest`
# works as a user will run it once the module is published: outside any
# module, from an empty module cache, with a replace directive or a missing
# file of the module refusing it as the real proxy would. The committed
# module (HEAD) is served from a module proxy on disk, in the layout
# proxy.golang.org serves, under the pseudo-version Go gives an untagged
# commit; its dependencies come from this machine's module cache (then the
# configured proxy; checksums are not looked up, since the database
# has never seen this commit). Nothing outside a temporary folder changes.
set -euo pipefail

mod=github.com/fix401/fix401
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

commit=$(git rev-parse HEAD)
when=$(TZ=UTC git show -s --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD)
iso=$(TZ=UTC git show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)
version=v0.0.0-$when-${commit:0:12}

proxy=$work/proxy
dir=$proxy/$mod/@v
mkdir -p "$dir"
git archive --format=zip --prefix="$mod@$version/" HEAD >"$dir/$version.zip"
git show HEAD:go.mod >"$dir/$version.mod"
info=$(printf '{"Version":"%s","Time":"%s"}' "$version" "$iso")
echo "$info" >"$dir/$version.info"
echo "$info" >"$proxy/$mod/@latest"
: >"$dir/list" # no tag yet: @latest is the newest commit, as on the real proxy

cache=$(go env GOMODCACHE)/cache/download
upstream=$(go env GOPROXY)
cd "$work"
GOPATH=$work/gopath GOMODCACHE=$work/gopath/pkg/mod GOFLAGS=-modcacherw \
	GOPROXY="file://$proxy,file://$cache,$upstream" GOSUMDB=off \
	GOBIN=$work/bin go install "$mod/cmd/fix401@latest" 2>"$work/install.log" || {
	grep -v '^go: downloading' "$work/install.log" >&2
	echo "fix401: go install $mod/cmd/fix401@latest fails (above)"
	exit 1
}

got=$("$work/bin/fix401" version)
case "$got" in
"fix401 $version "*) echo "fix401: go install $mod/cmd/fix401@latest works: $got" ;;
*)
	echo "fix401: go install …@latest built a binary that says \"$got\", not $version"
	exit 1
	;;
esac
