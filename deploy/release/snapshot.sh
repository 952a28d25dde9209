#!/usr/bin/env bash
# snapshot: GoReleaser's whole snapshot of deploy/release/goreleaser.yaml —
# the archives for Windows, macOS and Linux on amd64 and arm64, their
# checksums, and serve's container image for this machine's architecture —
# on a machine without a Docker engine. GoReleaser builds images with
# `docker buildx build`; podman answers to that name (as Debian's
# podman-docker package makes it do machine-wide, here only on this
# script's PATH) and builds without a daemon, in a storage of its own under
# .cache/containers. Then image-check.sh runs the image.
#
# No registry is reachable here, so the Dockerfile's base,
# debian:trixie-slim, is made once from Debian's packages by debootstrap's
# minbase variant, as the official image is, and kept in that storage.
#
# Usage: deploy/release/snapshot.sh GORELEASER (make release-snapshot)
set -euo pipefail
cd "$(dirname "$0")/../.."
goreleaser=$1
root=$PWD
if [ "$(id -u)" != 0 ]; then
	# debootstrap, podman's vfs storage and image-check.sh's mounts need it.
	echo "fix401: make release-snapshot needs root (debootstrap, podman's storage and the image check's mounts): run it as root, as CI does; make release-check checks the configuration without it" >&2
	exit 1
fi

c=$root/.cache/containers
mkdir -p "$c/bin" "$c/storage" "$c/run"
ln -sf "$(command -v podman)" "$c/bin/docker"
# vfs and chroot work in any sandbox (no overlay mount, no OCI runtime for
# the build's RUN lines); cgroupfs and file events need no systemd. The
# build's RUN lines share this machine's network, where apt reaches Debian.
cat >"$c/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$c/storage"
runroot = "$c/run"
EOF
cat >"$c/containers.conf" <<'EOF'
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[containers]
netns = "host"
EOF
export CONTAINERS_STORAGE_CONF=$c/storage.conf CONTAINERS_CONF=$c/containers.conf BUILDAH_ISOLATION=chroot
export PATH=$c/bin:$PATH

base=docker.io/library/debian:trixie-slim
if ! podman image exists "$base"; then
	mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
	echo "fix401: making $base with debootstrap from $mirror (once; no registry here)"
	rootfs=$(mktemp -d)
	trap 'rm -rf "$rootfs"' EXIT
	debootstrap --variant=minbase trixie "$rootfs" "$mirror" >"$c/debootstrap.log" 2>&1 ||
		{ echo "fix401: debootstrap of Debian trixie failed: see $c/debootstrap.log"; exit 1; }
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
	tar -C "$rootfs" -c . | podman import --quiet - "$base" >/dev/null
	rm -rf "$rootfs"
	trap - EXIT
fi

log=$c/goreleaser.log
echo "fix401: goreleaser release --snapshot (archives, checksums, the image; a few minutes; log: $log)"
"$goreleaser" release --snapshot --clean --config deploy/release/goreleaser.yaml >"$log" 2>&1 || {
	tail -n 30 "$log" >&2
	echo "fix401: goreleaser's snapshot failed (above; the whole log is $log)"
	exit 1
}
(cd dist && sha256sum --quiet -c checksums.txt) || { echo "fix401: dist/checksums.txt does not match the archives"; exit 1; }
archives=$(grep -c . dist/checksums.txt)
[ "$archives" -eq 6 ] || { echo "fix401: $archives archives in dist/, want 6 (Windows, macOS, Linux on amd64 and arm64)"; exit 1; }
echo "fix401: $archives archives in dist/, checksums verified"
bash deploy/release/image-check.sh
