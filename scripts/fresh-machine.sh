#!/usr/bin/env bash
# Checks the README's two commands on a fresh machine: a minimal Debian 12 made by debootstrap (the
# base system only: no chromium, g++, openssl, age, ss…), given what the README assumes — Node.js 20
# (copied from this machine, with its headers for node-gyp) and git — then a clone of HEAD, then
#   npm test                 must end with "N passed, 0 failed"
#   npm start                must print "Custodian is running: URL", and URL must answer
# run as the README says. The machine's network settings come along (its CA certificates, npm's
# cafile), since the registries are reached through them. Needs root and debootstrap.
#   sudo scripts/fresh-machine.sh [DIR]        (DIR defaults to /tmp/custodian-fresh; removed first)
# Logs: DIR/npm-test.log, DIR/npm-start.log.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-/tmp/custodian-fresh}"
FS="$DIR/root"
PORT="${PORT:-8099}"

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: error: run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "fresh-machine: error: install debootstrap first (apt-get install debootstrap)" >&2; exit 1; }

unmount_all() {
  for m in dev/shm dev/pts dev sys proc; do mountpoint -q "$FS/$m" && umount -l "$FS/$m"; done
  return 0
}
# Whatever still runs inside the machine (npm start's code-server): the processes whose root is $FS.
stop_start() {
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$FS" ] && kill "${p#/proc/}" 2>/dev/null
  done
  return 0
}
trap 'stop_start; sleep 2; unmount_all' EXIT

if [ -d "$FS" ]; then unmount_all; rm -rf "$DIR"; fi
mkdir -p "$DIR"
echo "[fresh-machine] debootstrap bookworm (minbase) into $FS"
debootstrap --variant=minbase bookworm "$FS" http://deb.debian.org/debian >"$DIR/debootstrap.log"

# What the README assumes: Node.js 20 with npm (and Node's headers, as npm is set to build against them), and git.
cp "$(command -v node)" "$FS/usr/bin/node"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
mkdir -p "$FS/usr/lib/node_modules" && cp -a "$NPM_DIR" "$FS/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$FS/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$FS/usr/bin/npx"
[ -d /usr/include/node ] && mkdir -p "$FS/usr/include" && cp -a /usr/include/node "$FS/usr/include/"
# This machine's network: resolver, CA certificates of its egress, npm's settings.
cp /etc/resolv.conf "$FS/etc/resolv.conf"
mkdir -p "$FS/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$FS/usr/local/share/ca-certificates/" 2>/dev/null || true
for f in /etc/npmrc "$HOME/.npmrc"; do [ -f "$f" ] && mkdir -p "$FS$(dirname "$f")" && cp "$f" "$FS$f"; done

mount --bind /proc "$FS/proc"; mount --bind /sys "$FS/sys"; mount --bind /dev "$FS/dev"
mount --bind /dev/pts "$FS/dev/pts"; mkdir -p "$FS/dev/shm"; mount -t tmpfs tmpfs "$FS/dev/shm"

in_machine() {
  chroot "$FS" env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ${NODE_EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS} ${SSL_CERT_FILE:+SSL_CERT_FILE=$SSL_CERT_FILE} \
    bash -c "$1"
}
in_machine 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null && update-ca-certificates >/dev/null'
echo "[fresh-machine] $(in_machine 'node --version; git --version; dpkg-query -W -f="\${Package}\n" | wc -l' | tr '\n' ' ') packages"

git clone -q "$ROOT_DIR" "$FS/root/custodian"
echo "[fresh-machine] clone at $(git -C "$FS/root/custodian" log --oneline -1)"

echo "[fresh-machine] npm test (log: $DIR/npm-test.log)"
status=0
in_machine 'cd /root/custodian && npm test' >"$DIR/npm-test.log" 2>&1 || status=$?
tail -n 8 "$DIR/npm-test.log"
[ "$status" -eq 0 ] || { echo "[fresh-machine] npm test FAILED (exit $status)"; exit 1; }

echo "[fresh-machine] npm start (log: $DIR/npm-start.log)"
in_machine "cd /root/custodian && PORT=$PORT npm start" >"$DIR/npm-start.log" 2>&1 &
url=""
for _ in $(seq 1 180); do
  url="$(grep -o 'Custodian is running: [^ ]*' "$DIR/npm-start.log" | sed 's/Custodian is running: //' || true)"
  [ -n "$url" ] && break
  sleep 1
done
[ -n "$url" ] || { echo "[fresh-machine] npm start printed no URL"; tail -n 20 "$DIR/npm-start.log"; exit 1; }
node -e 'fetch(process.argv[1]).then((r) => { console.log(`[fresh-machine] ${process.argv[1]} answered ${r.status}`); process.exit(r.ok ? 0 : 1); }, (e) => { console.error(e.message); process.exit(1); })' "$url"
echo "[fresh-machine] both README commands work on a fresh machine"
