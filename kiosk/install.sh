#!/usr/bin/env bash
# install.sh: turn a fresh Debian 12, Ubuntu or Raspberry Pi OS machine into a
# Bansos Desa kiosk (cage + Chromium on tty1, receipts via CUPS). Run as root from
# this folder; safe to run again (it updates in place and keeps kiosk.env).
#
# Usage: sudo ./install.sh [--url URL] [--paper 58|80] [--dry-run]
#   --url URL     home page of the Bansos Desa server (default: the one already in
#                 /etc/bansos-kiosk/kiosk.env, else http://127.0.0.1:5000/)
#   --paper 58|80 receipt paper width in mm (default 80); must match the printer
#                 and the paper width registered for this kiosk in the staff pages
#   --dry-run     print what would be done, change nothing (root not needed)
set -euo pipefail

src=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
env_file=/etc/bansos-kiosk/kiosk.env
default_url=http://127.0.0.1:5000/
url=""
paper=80
dry_run=false

die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '==> %s\n' "$*"; }

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# Runs a command, or only shows it with --dry-run.
run() {
    if $dry_run; then
        printf '+'; printf ' %q' "$@"; printf '\n'
    else
        "$@"
    fi
}

# Writes stdin to $1 with mode $2 and owner $3 (user:group), or shows it with --dry-run.
put() {
    local dest=$1 mode=$2 owner=$3 tmp
    if $dry_run; then
        printf '+ write %s (mode %s, owner %s):\n' "$dest" "$mode" "$owner"
        sed 's/^/    /'
        return
    fi
    tmp=$(mktemp)
    cat >"$tmp"
    install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$tmp" "$dest"
    rm -f "$tmp"
}

while (($#)); do
    case $1 in
        --url) url=${2:-}; shift 2 || die "--url needs a value" ;;
        --url=*) url=${1#--url=}; shift ;;
        --paper) paper=${2:-}; shift 2 || die "--paper needs a value" ;;
        --paper=*) paper=${1#--paper=}; shift ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
done

[[ $paper == 58 || $paper == 80 ]] || die "--paper must be 58 or 80, not '$paper'"
if ! $dry_run && ((EUID != 0)); then
    die "must be run as root (try: sudo $0 ...), or use --dry-run"
fi

# The URL ends up in a file that bash sources and in a sed replacement: allow only
# characters that need no quoting there.
url_re='^https?://[][A-Za-z0-9._~:/?#@!&+,;=%-]+$'
valid_url() { [[ $1 =~ $url_re ]]; }

# Without --url keep the server the kiosk already uses, so a re-run for a new
# version does not silently point the kiosk back at localhost.
if [[ -z $url && -r $env_file ]]; then
    url=$(
        # shellcheck source=/dev/null
        . "$env_file" >/dev/null 2>&1 && printf '%s' "${KIOSK_URL:-}"
    ) || url=""
fi
url_given=${url:+yes}
url=${url:-$default_url}
valid_url "$url" || die "not a plain http(s) URL: '$url'"
# Origin (scheme://host:port) for the policy's URLAllowlist.
rest=${url#*://}
origin=${url%%://*}://${rest%%[/?#]*}
width=$((paper * 1000)) # micrometres: 58 mm = 58000, 80 mm = 80000

sed_escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }

# --- packages ---------------------------------------------------------------------
# Debian and Raspberry Pi OS bookworm call it "chromium"; older Raspberry Pi OS and
# Ubuntu (where it is a snap, see README) "chromium-browser".
chromium_pkg=chromium
if command -v apt-cache >/dev/null && ! apt-cache show chromium >/dev/null 2>&1 &&
    apt-cache show chromium-browser >/dev/null 2>&1; then
    chromium_pkg=chromium-browser
fi
say "installing packages"
run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y cage "$chromium_pkg" cups curl

# --- the kiosk user ---------------------------------------------------------------
# Seat devices (video, render, input) and the printer (lp). No password, no shell:
# the only way in is the systemd unit.
groups=()
for g in video render input lp; do
    if getent group "$g" >/dev/null; then groups+=("$g"); fi
done
group_list=$(IFS=,; printf '%s' "${groups[*]}")
say "creating user kiosk (groups: ${group_list:-none})"
if ! id kiosk >/dev/null 2>&1; then
    run useradd --create-home --user-group --shell /usr/sbin/nologin \
        --comment "Bansos Desa kiosk" kiosk
fi
if [[ -n $group_list ]]; then run usermod -a -G "$group_list" kiosk; fi

# --- files ------------------------------------------------------------------------
say "installing launcher, flags and policy (paper ${paper} mm, server $origin)"
run install -D -m 0755 "$src/bansos-kiosk-launcher" /usr/local/bin/bansos-kiosk-launcher
run install -D -m 0644 "$src/chromium-flags.conf" /usr/share/bansos-kiosk/chromium-flags.conf
run install -D -m 0644 "$src/README.md" /usr/share/bansos-kiosk/README.md
sed -e "s|\"width\": *80000|\"width\": $width|" \
    -e "s|\"http://127.0.0.1:5000\"|\"$(sed_escape "$origin")\"|" \
    "$src/policies/bansos-kiosk.json" |
    put /etc/chromium/policies/managed/bansos-kiosk.json 0644 root:root

# kiosk.env holds the enrolment link (a secret): root writes it, only the kiosk
# group reads it. Created once; afterwards only KIOSK_URL is updated, on --url.
run install -d -m 0750 -o root -g kiosk /etc/bansos-kiosk
if [[ ! -e $env_file ]]; then
    sed "s|^KIOSK_URL=.*|KIOSK_URL='$(sed_escape "$url")'|" "$src/kiosk.env.example" |
        put "$env_file" 0640 root:kiosk
else
    if [[ -n $url_given ]]; then
        run sed -i "s|^KIOSK_URL=.*|KIOSK_URL='$(sed_escape "$url")'|" "$env_file"
    fi
    run chown root:kiosk "$env_file"
    run chmod 0640 "$env_file"
fi

# --- services ---------------------------------------------------------------------
say "enabling the kiosk service on tty1"
run install -D -m 0644 "$src/bansos-kiosk.service" /etc/systemd/system/bansos-kiosk.service
run systemctl daemon-reload
run systemctl set-default graphical.target
run systemctl enable bansos-kiosk.service
run systemctl enable cups.service

say "done. Next steps (see README.md):"
cat <<EOF
  1. Create the receipt printer queue "bansos-receipt" in CUPS (${paper} mm driver).
  2. Put this device's enrolment link into $env_file as KIOSK_ENROL_URL.
  3. Reboot (or: systemctl start bansos-kiosk.service).
EOF
