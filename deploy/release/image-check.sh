#!/usr/bin/env bash
# image-check: the snapshot's image for serve (snapshot.sh built it) does
# its job. Without a container engine, it is started the way a runtime
# starts it: the image's filesystem, under a writable overlay, as the root
# of a private mount namespace (/dev, /proc, a tmpfs /tmp), as the image's
# user, in its working directory, with its entrypoint and command and a
# config at the path the command names. On this machine's network, serve
# then probes a page of the lab: a healthy page answers probe_success 1,
# a Basic-protected one probe_success 0 with the finding's kind, and the
# failed probe's report is kept. Nothing outside a temporary folder
# changes; the namespace's mounts end with it.
#
# Usage: deploy/release/image-check.sh (after snapshot.sh, from its environment)
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
arch=$(go env GOARCH)
image=ghcr.io/fix401/fix401:$version-$arch
podman image exists "$image" || { echo "fix401: the snapshot built no image $image"; exit 1; }

# What a runtime reads from the image.
fmt='{{.Config.User}}|{{range .Config.Entrypoint}}{{.}} {{end}}|{{range .Config.Cmd}}{{.}} {{end}}|{{.Config.WorkingDir}}|{{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}}|{{index .Config.Labels "org.opencontainers.image.version"}}'
IFS='|' read -r user entrypoint cmd workdir ports label < <(podman image inspect --format "$fmt" "$image")
[ "$user" = 10401:10401 ] || { echo "fix401: the image runs as '$user', want the unprivileged 10401:10401"; exit 1; }
[ "$ports" = 9401/tcp ] || { echo "fix401: the image exposes '$ports', want 9401/tcp"; exit 1; }
[ "$label" = "$version" ] || { echo "fix401: the image's version label is '$label', want $version"; exit 1; }
case "$cmd" in "serve --config /etc/fix401/checks.yaml "*) ;; *) echo "fix401: the image's command is '$cmd', want serve"; exit 1 ;; esac

work=$(mktemp -d)
lab=""
serve=""
# stop_serve ends serve as a runtime stops a container (SIGTERM), then its
# namespace: unshare passes no signal on to the process it started.
stop_serve() {
	[ -n "$serve" ] || return 0
	local p
	for p in $(cat /proc/"$serve"/task/*/children 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
	wait "$serve" 2>/dev/null || true
	serve=""
}
cleanup() {
	stop_serve
	if [ -n "$lab" ]; then kill "$lab" 2>/dev/null || true; fi
	podman image umount "$image" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
	for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

labport=$(free_port)
bin/fix401 lab --addr "127.0.0.1:$labport" >"$work/lab.log" 2>&1 &
lab=$!
wait_port "$labport" || { echo "fix401: the lab did not start (see $work/lab.log)"; exit 1; }
mkdir -p "$work/up/etc/fix401" "$work/ovl" "$work/root"
cat >"$work/up/etc/fix401/checks.yaml" <<EOF
defaults:
  timeout: 10s
checks:
  - name: lab-basic
    url: http://127.0.0.1:$labport/s/basic/
EOF
chmod -R a+rX "$work/up"
layers=$(podman image mount "$image")
port=$(free_port)
# The command as the image gives it; --listen again (the last one counts)
# keeps the probe off the host's port 9401.
# shellcheck disable=SC2086
unshare --mount --fork --kill-child sh -c '
	set -e
	mount --make-rprivate /
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/up,workdir=$2/ovl" "$2/root"
	mount --rbind /dev "$2/root/dev"
	mount -t proc proc "$2/root/proc"
	mount -t tmpfs tmpfs "$2/root/tmp"
	r=$2/root u=$3; shift 3
	exec chroot --userspec="$u" "$r" env -i HOME=/home/fix401 PATH=/usr/local/bin:/usr/bin:/bin \
		sh -c "cd \"\$0\" && exec \"\$@\"" "$@"
 ' image-check "$layers" "$work" "$user" "$workdir" $entrypoint $cmd --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
serve=$!
fail() { stop_serve; cat "$work/serve.log" >&2; echo "fix401: $1"; exit 1; }
wait_port "$port" || fail "serve in the image did not listen"

probe() { curl -sS --max-time 30 "http://127.0.0.1:$port/probe?target=$1"; }
ready=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/-/ready")
[ "$ready" = 200 ] || fail "serve in the image is not ready (/-/ready answered $ready)"
out=$(probe "http://127.0.0.1:$labport/s/healthy/")
grep -qx 'probe_success 1' <<<"$out" || { echo "$out" >&2; fail "a healthy page's probe from the image did not succeed"; }
out=$(probe "http://127.0.0.1:$labport/s/basic/")
grep -qx 'probe_success 0' <<<"$out" && grep -q '^fix401_probe_failure_info{.*kind="http_401"' <<<"$out" ||
	{ echo "$out" >&2; fail "a Basic-protected page's probe from the image did not fail with kind http_401"; }
stop_serve
reports=$(find "$work/up/home/fix401/reports" -name report.json 2>/dev/null | wc -l)
[ "$reports" -ge 1 ] || fail "serve in the image kept no report of the failed probe"
echo "fix401: $image ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')) runs serve as 10401: a healthy page probed 1, a Basic-protected one 0 (http_401), its report kept"
