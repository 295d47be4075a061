#!/usr/bin/env bash
# `make test` / `make lint` / `make test-offline`: the test suite in tiers.
#
#   lint     ruff check, ruff format --check (addons/ scripts/ tests/) and
#            pylint + pylint_odoo with the OCA mandatory checks (.pylintrc)
#            on every addon under addons/
#   offline  pytest tests/ (no Odoo, no database)
#   odoo     fresh database TEST_DB, install every installable addon under
#            addons/ with demo data (log must hold no ERROR/CRITICAL line),
#            then pytest-odoo on addons/*/tests with an HTTP server for
#            HttpCase; any skipped test is a failure
#
# Environment:
#   TIERS="lint offline odoo"   tiers to run (default: all three)
#   TEST_DB=name                database of the odoo tier (default
#                               sales_backoffice_test; dropped and re-created)
#   PYTEST_ARGS="..."           extra arguments for the odoo tier's pytest
#   INSTALL_TIMEOUT / PYTEST_TIMEOUT  seconds (default 1200 / 1800)
#
# Exits non-zero when any tier fails or could not run.  The last line is
# "N passed, N failed" (tests of the pytest tiers; failed counts failures,
# errors, skips and one per tier that failed outside pytest).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT="$(pwd)"
TIERS="${TIERS:-lint offline odoo}"
TEST_DB="${TEST_DB:-sales_backoffice_test}"
INSTALL_TIMEOUT="${INSTALL_TIMEOUT:-1200}"
PYTEST_TIMEOUT="${PYTEST_TIMEOUT:-1800}"
LOG_DIR="$REPO_ROOT/.run/logs"
mkdir -p "$LOG_DIR"

declare -A STATUS=() DETAIL=() COUNTED=()
ORDER=()
CLOSING=()
TOTAL_PASSED=0
TOTAL_FAILED=0
START=$SECONDS

banner() { printf '\n======== %s ========\n' "$*"; }

# set_status TIER PASS|FAIL DETAIL
set_status() {
    STATUS[$1]="$2"
    DETAIL[$1]="$3"
}

want_tier() { [[ " $TIERS " == *" $1 "* ]]; }

# count_junit TIER XML: add the report's counts to the totals; sets JUNIT_*
count_junit() {
    local tier="$1" xml="$2" line
    JUNIT_PASSED=0 JUNIT_FAILED=0 JUNIT_ERRORS=0 JUNIT_SKIPPED=0
    if [[ ! -s "$xml" ]]; then
        return 1
    fi
    if ! line="$("$ODOO_PYTHON" scripts/junit_summary.py "$xml" 2> >(sed 's/^/    /' >&2))"; then
        return 1
    fi
    local kv
    for kv in $line; do
        case "$kv" in
        passed=*) JUNIT_PASSED="${kv#*=}" ;;
        failed=*) JUNIT_FAILED="${kv#*=}" ;;
        errors=*) JUNIT_ERRORS="${kv#*=}" ;;
        skipped=*) JUNIT_SKIPPED="${kv#*=}" ;;
        esac
    done
    COUNTED[$tier]=$((JUNIT_FAILED + JUNIT_ERRORS + JUNIT_SKIPPED))
    TOTAL_PASSED=$((TOTAL_PASSED + JUNIT_PASSED))
    TOTAL_FAILED=$((TOTAL_FAILED + JUNIT_FAILED + JUNIT_ERRORS + JUNIT_SKIPPED))
    echo "$tier: passed=$JUNIT_PASSED failed=$JUNIT_FAILED errors=$JUNIT_ERRORS skipped=$JUNIT_SKIPPED"
}

# the closing "=== ... in Ns ===" line of a pytest output file
pytest_closing_line() {
    grep -E '^=+ .* in [0-9.]+s.* =+$' "$1" | tail -n 1
}

# ---------------------------------------------------------------- tools
banner "environment"
TOOLS_OK=1
if ! (source scripts/odoo_env.sh --tools-only); then
    TOOLS_OK=0
else
    source scripts/odoo_env.sh --tools-only
    echo "ODOO_PYTHON=$ODOO_PYTHON"
fi
PY="${ODOO_PYTHON:-/opt/odoo-venv/bin/python}"
ADDONS_LIST="$("$PY" scripts/list_addons.py addons 2>/dev/null || true)"
echo "addons: ${ADDONS_LIST:-<none>}"

# ---------------------------------------------------------------- lint
tier_lint() {
    ORDER+=(lint)
    banner "tier lint"
    if ((TOOLS_OK == 0)); then
        set_status lint FAIL "could not run: ODOO_PYTHON / requirements.txt not usable"
        return
    fi
    local failed=() dirs=(addons scripts tests) addon_dirs=()
    echo "--- ruff check ${dirs[*]}"
    "$PY" -m ruff check --no-fix --output-format=concise "${dirs[@]}" || failed+=("ruff check")
    echo "--- ruff format --check ${dirs[*]}"
    "$PY" -m ruff format --check "${dirs[@]}" || failed+=("ruff format")
    local d
    for d in addons/*/; do
        [[ -f "$d/__manifest__.py" ]] && addon_dirs+=("${d%/}")
    done
    if ((${#addon_dirs[@]} == 0)); then
        failed+=("pylint (no addon under addons/)")
    else
        echo "--- pylint --rcfile=.pylintrc ${addon_dirs[*]}"
        "$PY" -m pylint --rcfile=.pylintrc "${addon_dirs[@]}" || failed+=("pylint")
    fi
    if ((${#failed[@]})); then
        set_status lint FAIL "failed: ${failed[*]}"
    else
        set_status lint PASS "ruff check, ruff format, pylint_odoo (${#addon_dirs[@]} addons)"
    fi
}

# ---------------------------------------------------------------- offline
tier_offline() {
    ORDER+=(offline)
    banner "tier offline: pytest tests/"
    if ((TOOLS_OK == 0)); then
        set_status offline FAIL "could not run: ODOO_PYTHON / requirements.txt not usable"
        return
    fi
    local out="$LOG_DIR/pytest-offline.out" xml="$LOG_DIR/pytest-offline.xml" rc
    rm -f "$xml"
    # -p no:odoo: pytest-odoo would import Odoo; this tier must not need it
    "$PY" -m pytest -p no:odoo -rs --junitxml="$xml" tests/ 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    CLOSING+=("offline: $(pytest_closing_line "$out")")
    if ! count_junit offline "$xml"; then
        set_status offline FAIL "pytest exit $rc, no JUnit report"
    elif ((rc == 5)); then
        set_status offline FAIL "no test collected (pytest exit 5)"
    elif ((rc != 0)); then
        set_status offline FAIL "pytest exit $rc"
    elif ((JUNIT_SKIPPED > 0)); then
        set_status offline FAIL "$JUNIT_SKIPPED skipped test(s): skips are failures"
    else
        set_status offline PASS "$JUNIT_PASSED passed"
    fi
}

# ---------------------------------------------------------------- odoo
odoo_tier_fail() {
    set_status odoo FAIL "$1"
}

tier_odoo() {
    ORDER+=(odoo)
    banner "tier odoo: environment"
    if ! (source scripts/odoo_env.sh); then
        odoo_tier_fail "could not run: Odoo environment not usable (see the ERROR above)"
        return
    fi
    source scripts/odoo_env.sh
    PY="$ODOO_PYTHON"
    if [[ -z "$ADDONS_LIST" ]]; then
        odoo_tier_fail "could not run: no installable addon under addons/"
        return
    fi
    if [[ ! "$TEST_DB" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
        odoo_tier_fail "TEST_DB='$TEST_DB' is not a valid database name"
        return
    fi

    banner "tier odoo: install $ADDONS_LIST into a fresh $TEST_DB"
    local log="$LOG_DIR/odoo-install.log" rc t0=$SECONDS
    dropdb --if-exists --force "$TEST_DB" || {
        odoo_tier_fail "could not drop database $TEST_DB"
        return
    }
    rm -rf "${ODOO_DATA_DIR:?}/filestore/$TEST_DB"
    rm -f "$log"
    timeout "$INSTALL_TIMEOUT" "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$TEST_DB" \
        -i "$ADDONS_LIST" --without-demo= --stop-after-init --log-level=info \
        --logfile="$log"
    rc=$?
    echo "install: exit $rc after $((SECONDS - t0))s, log: $log"
    local errors
    errors="$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" 2>/dev/null || true)"
    if [[ -n "$errors" ]]; then
        echo "--- ERROR/CRITICAL lines of the install log:"
        echo "$errors"
        echo "--- first error with its context:"
        grep -m1 -A25 -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log"
        odoo_tier_fail "install logged $(wc -l <<<"$errors") ERROR/CRITICAL line(s) ($log)"
        return
    fi
    if ((rc != 0)); then
        tail -n 30 "$log" 2>/dev/null
        odoo_tier_fail "install failed (odoo-bin exit $rc; $log)"
        return
    fi
    local expected installed missing=()
    installed="$(psql -d "$TEST_DB" -X -tAq -c "SELECT name FROM ir_module_module WHERE state = 'installed'")"
    IFS=',' read -r -a expected <<<"$ADDONS_LIST"
    local m
    for m in "${expected[@]}"; do
        grep -qx "$m" <<<"$installed" || missing+=("$m")
    done
    if ((${#missing[@]})); then
        odoo_tier_fail "not installed after the install step: ${missing[*]}"
        return
    fi
    local demo
    demo="$(psql -d "$TEST_DB" -X -tAq -c "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND NOT demo")"
    if [[ "$demo" != "0" ]]; then
        odoo_tier_fail "demo data not loaded for $demo installed module(s)"
        return
    fi

    local test_dirs=() d
    for m in "${expected[@]}"; do
        d="addons/$m/tests"
        [[ -d "$d" ]] && test_dirs+=("$d")
    done
    banner "tier odoo: pytest-odoo ${test_dirs[*]:-<no tests folder>}"
    if ((${#test_dirs[@]} == 0)); then
        odoo_tier_fail "no tests folder in any addon"
        return
    fi
    local out="$LOG_DIR/pytest-odoo.out" xml="$LOG_DIR/pytest-odoo.xml" plog="$LOG_DIR/pytest-odoo-server.log"
    rm -f "$xml" "$plog"
    t0=$SECONDS
    # pytest-odoo binds its HTTP server to http_interface (127.0.0.1 in the
    # config) on a free port it picks itself.  Odoo's own log goes to $plog.
    # shellcheck disable=SC2086
    timeout "$PYTEST_TIMEOUT" "$PY" -m pytest -rs --junitxml="$xml" \
        --odoo-config="$ODOO_CONF" --odoo-database="$TEST_DB" --odoo-http \
        --odoo-log-level=warn --odoo-extra="logfile=$plog" \
        ${PYTEST_ARGS:-} "${test_dirs[@]}" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    echo "pytest-odoo: exit $rc after $((SECONDS - t0))s; Odoo log: $plog"
    CLOSING+=("odoo: $(pytest_closing_line "$out")")
    if ! count_junit odoo "$xml"; then
        odoo_tier_fail "pytest exit $rc, no JUnit report"
    elif ((rc == 5)); then
        odoo_tier_fail "no test collected (pytest exit 5)"
    elif ((rc == 124)); then
        odoo_tier_fail "pytest timed out after ${PYTEST_TIMEOUT}s"
    elif ((rc != 0)); then
        set_status odoo FAIL "pytest exit $rc"
    elif ((JUNIT_SKIPPED > 0)); then
        set_status odoo FAIL "$JUNIT_SKIPPED skipped test(s): skips are failures"
    else
        set_status odoo PASS "installed $ADDONS_LIST; $JUNIT_PASSED passed"
    fi
}

want_tier lint && tier_lint
want_tier offline && tier_offline
want_tier odoo && tier_odoo

# ---------------------------------------------------------------- summary
banner "summary ($((SECONDS - START))s)"
rc=0
for t in "${ORDER[@]}"; do
    printf '  %-8s %-4s %s\n' "$t" "${STATUS[$t]:-FAIL}" "${DETAIL[$t]:-did not finish}"
    if [[ "${STATUS[$t]:-FAIL}" != PASS ]]; then
        rc=1
        # a failed tier whose failure no test count shows counts as one
        if ((${COUNTED[$t]:-0} == 0)); then
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    fi
done
if ((${#ORDER[@]} == 0)); then
    echo "  no tier selected (TIERS='$TIERS')"
    rc=1
fi
if ((${#CLOSING[@]})); then
    echo "pytest closing lines:"
    printf '  %s\n' "${CLOSING[@]}"
fi
echo "(failed counts test failures, errors and skips, plus one per tier that failed outside pytest)"
echo "${TOTAL_PASSED} passed, ${TOTAL_FAILED} failed"
exit "$rc"
