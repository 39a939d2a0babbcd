#!/usr/bin/env bash
# First step of `npm start` and `npm test`: makes a fresh clone ready, and does nothing when it already is.
#   1. the Debian packages the tests and the demo need (scripts/install-system-deps.sh; apt, sudo if not root)
#   2. `npm ci` when node_modules is missing or was installed from another package-lock.json
# code-server itself is installed on first use by scripts/lib/code-server.js.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-deps.sh </dev/null

stamp=node_modules/.custodian-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] npm ci (package-lock.json changed or node_modules missing)"
  npm ci --no-fund --no-audit </dev/null
  echo "$want" > "$stamp"
fi
