#!/usr/bin/env bash
# make ee: build the execution-environment image from the shipped execution-environment.yml with
# ansible-builder and podman (tests/awx/test_ee_create.py runs the gate inside it).
#
# There is no image registry here, so only the base image is replaced: it is built locally from
# Debian packages (debootstrap minbase, Python in a venv at /opt/ee, the host's CA bundle, see
# docs/docsite/rst/guide_gate.rst) and passed as EE_BASE_IMAGE; the definition keeps its real base.
# The base is cached under a tag made from its recipe and is rebuilt only when that changes.
# podman, runc and debootstrap are installed with apt-get when missing (as root); when they
# cannot be, the script fails naming what is missing. podman runs with runc and ulimits the
# machine allows, through the containers.conf named by CONTAINERS_CONF (the machine's own
# configuration is left alone); print it with `hack/ee-build.sh --containers-conf`.
#
#   hack/ee-build.sh                  build; the last line is the image name
#   QCI_EE_IMAGE=NAME                 the image to build (default localhost/qcloud-ci-ee:latest)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${QCI_EE_WORK:-${QCI_CACHE:-${TMPDIR:-/tmp}}/ee}
IMAGE=${QCI_EE_IMAGE:-localhost/qcloud-ci-ee:latest}
SUITE=bookworm
BASE_PACKAGES=python3,python3-venv,ca-certificates
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
CONF=$WORK/containers.conf

mkdir -p "$WORK"
cat >"$CONF" <<CONF
[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
CONF
export CONTAINERS_CONF=$CONF
if [ "${1:-}" = --containers-conf ]; then
  echo "$CONF"
  exit 0
fi

say() { echo "ee: $*" >&2; }
die() { say "$*"; exit 1; }

# --- the tools: podman (with runc) and debootstrap, installed from Debian's packages when missing
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq >&2 || die "apt-get update failed: cannot install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      die "apt-get install ${missing[*]} failed: the image cannot be built without them"
  else
    die "missing ${missing[*]} and cannot install them here (needs root and apt-get): the image cannot be built"
  fi
fi
for tool in ansible-builder ansible-galaxy; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool (run through hack/make-test/with-env.sh, or make ee)"
done
[ -r "$CA_BUNDLE" ] || die "missing the CA bundle $CA_BUNDLE"

# --- the base image, cached under a tag made from its recipe (this section and the CA bundle)
recipe="suite=$SUITE packages=$BASE_PACKAGES venv=/opt/ee ca=$(sha256sum <"$CA_BUNDLE" | cut -c1-16) v1"
BASE=localhost/qcloud-ci-ee-base:$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
if podman image exists "$BASE"; then
  say "base image $BASE (cached)"
else
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "'"$SUITE"'" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
  rootfs=$(mktemp -d "$WORK/rootfs.XXXXXX")
  drop_rootfs() {  # unmount what debootstrap may have left mounted (proc, sys), then remove it on this file system only
    awk -v root="$rootfs/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l || true
    rm -rf --one-file-system "$rootfs"
  }
  trap drop_rootfs EXIT
  s=$(date +%s)
  say "building the base image $BASE (debootstrap $SUITE)"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    die "debootstrap failed (log: $WORK/debootstrap.log)"
  chroot "$rootfs" python3 -m venv /opt/ee
  # the host's bundle: the package registries are reached through a proxy only it trusts
  cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/host-ca-bundle.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/opt/ee/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/host-ca-bundle.crt' \
    --change 'ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/host-ca-bundle.crt' \
    --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  drop_rootfs
  trap - EXIT
  say "base image built in $(($(date +%s) - s)) s"
fi

# --- the EE from the shipped definition, with the collection tarball of this tree (make test's one
# build of the run when QCI_TARBALL is set, else built here)
ctx=$WORK/build
rm -rf "$ctx"
mkdir -p "$ctx/dist"
if [ -n "${QCI_TARBALL:-}" ]; then
  cp "$QCI_TARBALL" "$ctx/dist/"
else
  ansible-galaxy collection build --force --output-path "$ctx/dist" "$REPO" >&2
fi
cp "$ctx"/dist/qcloud-ci-*.tar.gz "$ctx/dist/qcloud-ci.tar.gz"
cp "$REPO/execution-environment.yml" "$ctx/"
s=$(date +%s)
say "building $IMAGE on $BASE"
ansible-builder build -f "$ctx/execution-environment.yml" -c "$ctx/context" -t "$IMAGE" \
  --container-runtime podman \
  --build-arg EE_BASE_IMAGE="$BASE" --build-arg PYCMD=/opt/ee/bin/python \
  --build-arg PKGMGR=/usr/bin/apt-get --build-arg PKGMGR_PRESERVE_CACHE=always \
  --extra-build-cli-args="--network host" -v 2 >&2
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "built $IMAGE in $(($(date +%s) - s)) s, $((size / 1000000)) MB"
echo "$IMAGE"
