#!/usr/bin/env bash
# Regenerates tests/data/accounts.yaml: the e2e tests' accounts, each with
# its own argon2id hash (fresh salt) of the one test password
# (tests/daemon_harness.h kTestPassword). Usage: make_accounts.sh build/services/duband
set -euo pipefail
duband="$1"
pw='Duban-test-2023'
out="$(dirname "$0")/accounts.yaml"
hash() { printf '%s\n' "$pw" | "$duband" --hash_password; }
{
  echo "# Accounts of the end-to-end tests (tests/daemon_harness.h). Password of each: $pw."
  echo "# Regenerate with tests/data/make_accounts.sh build/services/duband."
  echo "lockout_threshold: 5"
  echo "idle_timeout: 30m"
  echo "board_owners: {enforcement: safety_office, scorecard: leading_group_office}"
  echo "accounts:"
  while IFS='|' read -r id unit roles kind extra; do
    [ -z "$id" ] && continue
    echo "  - id: $id"
    [ -n "$unit" ] && echo "    unit: $unit"
    echo "    roles: [$roles]"
    [ -n "$kind" ] && echo "    kind: $kind"
    [ -n "$extra" ] && echo "    $extra"
    echo "    password_hash: \"$(hash)\""
  done <<'LIST'
office|市发改局|leading_group_office||
领导小组办公室|市发改局|leading_group_office||
李磊||leader||
leader-safety||"leader:safety"||
supervisor|市政府督查室|supervisor||
auditor||auditor||
tf-safety|市应急管理局|"task_force_office:safety"||
市安委办|市安委办|safety_office||
市应急管理局|市应急管理局|safety_office, unit_contact||
市商务局|市商务局|unit_contact||
市住建局|市住建局|unit_contact||
swj|市商务局|unit_contact||
fgj|市发改局|unit_contact||
yjj|市应急管理局|unit_contact||
wjj|市卫健局|unit_contact||
zjj|市住建局|unit_contact||
kjj|市科技局|unit_contact||
gxj|市工信局|unit_contact||
bridge-fgj||"notification_bridge:fgj"|service|
cert-client||auditor|service|client_cert_subject: duban-test-client
office-clerk|市发改局|"act_for:swj,kjj"||
LIST
  # A contact account for every other unit of the demo plan (id = unit id).
  declared=" office swj fgj yjj wjj zjj kjj gxj "
  awk '/^units:/{u=1; next} /^[a-z_]+:/{u=0} u && /^  - id: /{print $3}' "$(dirname "$0")/../../config/demo/plan.yaml" |
  while read -r unit; do
    case "$declared" in *" $unit "*) continue ;; esac
    echo "  - id: $unit"
    echo "    unit: $unit"
    echo "    roles: [unit_contact]"
    echo "    password_hash: \"$(hash)\""
  done
} > "$out"
echo "wrote $out"
