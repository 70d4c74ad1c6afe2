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

install_build_prerequisites() {
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
    if ! command -v tauri-driver >/dev/null; then
        cargo install tauri-driver --locked --version '^2'
    fi
}
