#!/usr/bin/env bash
# The shell logic of the GitHub Action (action.yml): install an exact version of the package, run
# `atlas-access-review run` with the Action's inputs, write the job summary and the step outputs, and
# exit with the tool's exit code (0 ok, 1 gate, 2 bad input, 3 Atlas, 4 output, 5 SMTP).
#
# Inputs come as AAR_* variables (action.yml maps them; tests set them directly), credentials as the
# Atlas CLI's MONGODB_ATLAS_* variables, SMTP settings as SMTP_*. GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
# RUNNER_TEMP are the runner's. AAR_COMMAND, when set, is the command to run instead of installing the
# package (the tests run the clone's CLI against the simulator this way).
set -euo pipefail

fail() {
  echo "::error title=atlas-access-review::$1"
  exit 2
}

version="${AAR_VERSION:-}"
out_dir="${AAR_OUT_DIR:-atlas-access-review}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this from action.yml}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set: run this from action.yml}"

# An exact version only: a range or a tag would run whatever is published next.
if [[ -z "${AAR_COMMAND:-}" ]]; then
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "version must be an exact version such as 0.1.0, not '${version}'"
  prefix="${RUNNER_TEMP:-/tmp}/atlas-access-review-${version}"
  # npm's own exit code (1) would read as a failed gate: an install that fails is bad input (exit 2).
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --omit=dev "@atlas-access-review/cli@${version}" >&2 ||
    fail "could not install @atlas-access-review/cli@${version} from the npm registry (is that version published? see npm's error above)"
  command=("$prefix/node_modules/.bin/atlas-access-review")
else
  read -r -a command <<<"$AAR_COMMAND"
fi

args=(run --snapshot "$out_dir/snapshot.json" --quiet --format sarif)

# Organizations: ids separated by spaces, commas or newlines; none means every organization visible.
read -r -a orgs <<<"$(tr ',\n' '  ' <<<"${AAR_ORGS:-}")"
if [[ ${#orgs[@]} -eq 0 ]]; then
  # An Atlas CLI profile may name the organization itself (its org_id).
  [[ -n "${MONGODB_ATLAS_PROFILE:-}" ]] || args+=(--all-orgs)
else
  for org in "${orgs[@]}"; do args+=(--org "$org"); done
fi
[[ -z "${AAR_POLICY:-}" ]] || args+=(--policy "$AAR_POLICY")
[[ -z "${AAR_WAIVERS:-}" ]] || args+=(--waivers "$AAR_WAIVERS")
[[ -z "${AAR_BASELINE:-}" ]] || args+=(--baseline "$AAR_BASELINE")
[[ -z "${AAR_PREVIOUS:-}" ]] || args+=(--previous "$AAR_PREVIOUS")
[[ -z "${AAR_FAIL_ON:-}" ]] || args+=(--fail-on "$AAR_FAIL_ON")

# Report formats: the Markdown report is always written (it is the job summary); the others on request.
declare -A file_of=(
  [html]=access-review.html [xlsx]=access-review.xlsx [json]=access-review.json
  [csv]=access-review-roster.csv [junit]=access-review-junit.xml [markdown]=access-review.md
)
formats="markdown $(tr ',\n' '  ' <<<"${AAR_FORMATS:-html,xlsx,json,junit}")"
declare -A wanted=()
for format in $formats; do
  [[ -n "${file_of[$format]:-}" ]] || fail "unknown format '${format}': use html, xlsx, json, csv, junit or markdown"
  wanted[$format]=1
done
for format in "${!wanted[@]}"; do args+=("--$format" "$out_dir/${file_of[$format]}"); done

read -r -a email_to <<<"$(tr ',\n' '  ' <<<"${AAR_EMAIL_TO:-}")"
for to in "${email_to[@]}"; do args+=(--email-to "$to"); done
read -r -a email_cc <<<"$(tr ',\n' '  ' <<<"${AAR_EMAIL_CC:-}")"
for cc in "${email_cc[@]}"; do args+=(--email-cc "$cc"); done

mkdir -p "$out_dir"
sarif="$out_dir/access-review.sarif"
status=0
"${command[@]}" "${args[@]}" >"$sarif" || status=$?

# The summary: the Markdown report when the run got that far, else one line with the exit code.
if [[ -s "$out_dir/access-review.md" ]]; then
  cat "$out_dir/access-review.md" >>"$GITHUB_STEP_SUMMARY"
else
  echo "**atlas-access-review** stopped with exit code ${status} before writing a report; see the step's log." >>"$GITHUB_STEP_SUMMARY"
fi
[[ -s "$sarif" ]] || rm -f "$sarif"

{
  echo "exit-code=${status}"
  echo "report-dir=${out_dir}"
  if [[ -f "$sarif" ]]; then echo "sarif-file=${sarif}"; else echo "sarif-file="; fi
} >>"$GITHUB_OUTPUT"

case "$status" in
  0) ;;
  1) echo "::error title=atlas-access-review::findings at or above the fail-on severity (exit 1); see the job summary" ;;
  *) echo "::error title=atlas-access-review::atlas-access-review exited ${status} (2 bad input, 3 Atlas or network, 4 output refused, 5 email not delivered)" ;;
esac
exit "$status"
