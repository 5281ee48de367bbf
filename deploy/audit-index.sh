#!/bin/sh
# One audit of one app version, chosen by index from a list: the entry point of a
# Kubernetes Indexed Job pod, a GitHub Actions matrix job or a GitLab parallel job.
#
#   APPS_FILE        the list (default /config/apps.txt): one app version per line,
#                    "APP_ID VERSION POLICY CAPTURE... [AUDIT OPTIONS]", # starts
#                    a comment
#   PRIVAUDIT_STORE  where the run goes: sqlite:PATH or postgres://USER@HOST/DB
#   the index        JOB_COMPLETION_INDEX (Kubernetes, 0-based), else CI_NODE_INDEX
#                    (GitLab parallel, 1-based), else AUDIT_INDEX (0-based)
#   PRIVAUDIT_ARGS   more options for `privaudit audit` (e.g. --fail-on critical)
#
# Findings are results, not failures: exit 1 from the audit (findings at --fail-on)
# counts as done once the run is stored. Exit 2 (bad input, store unreachable)
# fails the job so the engine retries it.
set -eu

apps=${APPS_FILE:-/config/apps.txt}
if [ -n "${JOB_COMPLETION_INDEX:-}" ]; then
  index=$JOB_COMPLETION_INDEX
elif [ -n "${CI_NODE_INDEX:-}" ]; then
  index=$((CI_NODE_INDEX - 1))
else
  index=${AUDIT_INDEX:?set JOB_COMPLETION_INDEX, CI_NODE_INDEX or AUDIT_INDEX}
fi
: "${PRIVAUDIT_STORE:?set PRIVAUDIT_STORE (sqlite:PATH or postgres://USER@HOST/DB)}"
[ -r "$apps" ] || { echo "audit-index: $apps: cannot read the app list" >&2; exit 2; }

# The index-th line that is not blank or a comment.
line=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$apps" | sed -n "$((index + 1))p")
[ -n "$line" ] || { echo "audit-index: $apps: no app at index $index" >&2; exit 2; }

# shellcheck disable=SC2086 # word splitting of the list line and PRIVAUDIT_ARGS is wanted
set -- $line
[ "$#" -ge 4 ] || { echo "audit-index: $apps: line for index $index needs APP_ID VERSION POLICY CAPTURE..." >&2; exit 2; }
app=$1 version=$2 policy=$3
shift 3

echo "audit-index: $index: $app $version" >&2
status=0
# shellcheck disable=SC2086
${PRIVAUDIT:-privaudit} audit --policy "$policy" --store "$PRIVAUDIT_STORE" \
  --app-id "$app" --app-version "$version" ${PRIVAUDIT_ARGS:-} --format json \
  -o "${OUTPUT_DIR:-/tmp}/$app-$version.json" "$@" || status=$?
[ "$status" -le 1 ] || exit "$status"
exit 0
