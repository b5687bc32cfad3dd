#!/usr/bin/env bash
# One entry point for people and CI:
#   ./dev.sh run    set everything up, then run the whole system on this machine
#   ./dev.sh test   set everything up, then run every test, in parallel (extra args go to pytest)
#   ./dev.sh setup  only set up (.venv with the project and its tools; Debian packages)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
# What Qt needs on a bare Debian/Ubuntu (architecture.md): xcb for real windows,
# EGL/GL/fontconfig/dbus on minimal systems, libpulse0 for QtMultimedia and QtTextToSpeech.
DEB_PACKAGES="python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
 libxcb-randr0 libxcb-shape0 libpulse0
 socat"  # socat: a pair of real serial ports for the display tests
# Only for the tests: a real headless browser opens the citizen's pages behind the QR codes.
TEST_DEB_PACKAGES="chromium chromium-driver"

system_packages() {  # [PACKAGES]: default $DEB_PACKAGES
    command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian: the README lists the needs
    local missing=()
    for pkg in ${1:-$DEB_PACKAGES}; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "Installing Debian packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "Some Debian packages the project needs are missing. Please run:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
    fi
}

python_env() {
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # Reinstall only when the dependency list changed since the last install.
    if [ ! -f "$VENV/.installed" ] || [ setup.cfg -nt "$VENV/.installed" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e '.[all,test,dev]'
        touch "$VENV/.installed"
    fi
}

setup() {
    system_packages
    python_env
}

# Device keys are shown once, at the first run, and kept in this file; without it, add one.
device_key() {
    local data=$1 name=$2 kind=$3 key
    key=$(awk -v n="$name" '$1 == "device" && $2 == n {print $NF}' "$data/first-run-credentials.txt" 2>/dev/null || true)
    if [ -z "$key" ]; then
        key=$("$VENV/bin/qms-server" add-device "$name-$(date +%s)" --kind "$kind" --data-dir "$data" | awk '{print $NF}' | tail -1)
    fi
    echo "$key"
}

# The server (demo catalogue, SQLite in $QMS_DATA_DIR) and the apps, all on this machine.
# Tickets print to preview://: each one is saved as a PNG under $QMS_DATA_DIR/tickets.
run_system() {
    local data=${QMS_DATA_DIR:-qms-data} port=${QMS_PORT:-8000}
    local url="http://127.0.0.1:$port" pids=()
    # The interactive API pages (/api/v1/docs) load Swagger UI from a CDN: on for development only.
    QMS_API_DOCS=${QMS_API_DOCS:-1} "$VENV/bin/qms-server" run --demo --data-dir "$data" --port "$port" "$@" &
    pids+=($!)
    trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
    for _ in $(seq 100); do
        "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('$url/api/v1/healthz', timeout=1)" \
            2>/dev/null && break
        sleep 0.2
    done
    # Device keys go in the environment (or the settings file), never on the command line: any
    # account on the machine reads a command line.
    QMS_DEVICE_KEY="$(device_key "$data" kiosk-1 kiosk)" "$VENV/bin/qms-kiosk" --server "$url" \
        --printer "preview://$data/tickets" --windowed &
    pids+=($!)
    QMS_DEVICE_KEY="$(device_key "$data" display-1 display)" "$VENV/bin/qms-display" --server "$url" --windowed &
    pids+=($!)
    # The demo officer's password is in the same file; without it the counter opens at sign-in.
    local password
    password=$(awk '$1 == "user" && $2 == "canbo1" {print $NF}' "$data/first-run-credentials.txt" 2>/dev/null || true)
    if [ -n "$password" ]; then
        QMS_PASSWORD="$password" "$VENV/bin/qms-counter" --server "$url" --counter 1 --user canbo1 \
            --data-dir "$data/counter-1" &
    else
        "$VENV/bin/qms-counter" --server "$url" --counter 1 --data-dir "$data/counter-1" &
    fi
    pids+=($!)
    wait "${pids[0]}"
}

cmd=${1:-}
shift || true
case "$cmd" in
    setup)
        setup ;;
    test)
        setup
        system_packages "$TEST_DEB_PACKAGES"
        # In parallel processes (most of a test is waiting on its server, apps or devices),
        # the end-to-end ones one at a time; QMS_TEST_WORKERS=0 runs everything in one process.
        exec "$VENV/bin/python" -m pytest -n "${QMS_TEST_WORKERS:-3}" --dist loadgroup "$@" ;;
    run)
        setup
        run_system "$@" ;;
    *)
        sed -n '2,5p' "$0" >&2
        exit 2 ;;
esac
