#!/usr/bin/env bash
# Local development mode only (duband --dev_accounts): logs ACCOUNT in with
# the credentials duband generated in DATA_DIR (default ./data) and prints
# "export DUBAN_TOKEN_FILE=..." for the session's token file (mode 0600).
# A bootstrap administrator is logged in with its TOTP secret; at its first
# login its password is changed to a new random one, kept in
# DATA_DIR/dev-admin-passwords.txt (mode 0600).
set -euo pipefail
account="${1:?usage: scripts/dev-login.sh ACCOUNT [DATA_DIR]}"
dir="${2:-data}"
ctl="${DUBANCTL:-$(dirname "$0")/../${DUBAN_BUILD_DIR:-build}/clients/dubanctl}"
umask 077
mkdir -p "$dir/tokens"
tok="$dir/tokens/$account"
pw="$(awk -v a="$account" '$1==a{print $2}' "$dir/dev-credentials.txt" 2>/dev/null || true)"
if [ -n "$pw" ]; then
  printf '%s\n' "$pw" | "$ctl" --token-file="$tok" login "$account" >/dev/null
else
  secret="$(awk -v a="$account" '/^account: /{cur=$2} cur==a && /^totp_secret: /{print $2}' "$dir/bootstrap-credentials.txt")"
  [ -n "$secret" ] || { echo "dev-login: no credentials for '$account' in $dir" >&2; exit 2; }
  pw="$(awk -v a="$account" '$1==a{p=$2} END{print p}' "$dir/dev-admin-passwords.txt" 2>/dev/null || true)"
  [ -n "$pw" ] || pw="$(awk -v a="$account" '/^account: /{cur=$2} cur==a && /^password: /{print $2}' "$dir/bootstrap-credentials.txt")"
  out="$(printf '%s\n' "$pw" | "$ctl" --token-file="$tok" login "$account" --totp="$("$ctl" totp code "$secret")")"
  if grep -q "may only change" <<<"$out"; then
    new="Dev-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')-7a"
    printf '%s\n%s\n' "$pw" "$new" | "$ctl" --token-file="$tok" passwd >/dev/null
    echo "$account $new" >>"$dir/dev-admin-passwords.txt"
    printf '%s\n' "$new" | "$ctl" --token-file="$tok" login "$account" --totp="$("$ctl" totp code "$secret")" >/dev/null
  fi
fi
echo "export DUBAN_TOKEN_FILE=$tok"
