#!/usr/bin/env bash
# Installs the Debian packages Custodian's tests and `npm start` need, skipping those already present.
# Safe to re-run; non-interactive. Used by .ci/run and named in the README.
#   chromium             headless browser that drives code-server's web workbench (playwright-core)
#   libkrb5-dev          gssapi.h for code-server's `kerberos` native module
#   ripgrep              stands in for @vscode/ripgrep's GitHub download during the code-server install
#   g++ make python3     node-gyp builds (node-pty, kerberos, …)
#   openssl openssh-client age oathtool hyperfine   interop tests and benchmarks
#   putty-tools          puttygen: PuTTY key files the commit guard must refuse
#   time                 GNU time (/usr/bin/time -f %M): peak RSS in npm run bench
#   iproute2             `ss`: the agent names the process asking for a key (agent-peer.ts)
#   python3-yaml         PyYAML, an oracle of the value-quoting tests
#   python3-cryptography the independent format oracle (test/oracles/custodian_oracle.py) of the vector tests
#   fonts-noto-color-emoji  the 🔒 badge of decrypted tabs in screenshots, as desktops show it (not a tofu box)
set -euo pipefail

PKGS=(chromium libkrb5-dev ripgrep openssl openssh-client age oathtool putty-tools hyperfine time g++ make python3 python3-yaml python3-cryptography iproute2 ca-certificates fonts-noto-color-emoji)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "[install-system-deps] all present: ${PKGS[*]}"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "custodian: error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi

echo "[install-system-deps] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
echo "[install-system-deps] done"
