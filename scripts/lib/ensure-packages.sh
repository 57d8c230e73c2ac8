# Helpers shared by the project's scripts: install missing Debian packages, check the Rust toolchain.

# ensure_packages COMMAND:PACKAGE...  installs PACKAGE with apt-get when COMMAND is not on the PATH.
ensure_packages() {
    local missing=()
    local pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "missing packages: ${missing[*]}; run as root or install sudo" >&2
            return 1
        }
        sudo="sudo"
    fi
    echo "installing ${missing[*]} with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_cargo  fails with instructions when the Rust toolchain is missing.
ensure_cargo() {
    command -v cargo >/dev/null 2>&1 || {
        echo "cargo not found: install Rust 1.88 or newer (https://rustup.rs), then run this again" >&2
        return 1
    }
}
