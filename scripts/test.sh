#!/usr/bin/env bash
# Run wiredesk's whole test suite, including the integration tests that need
# a real Kafka broker: starts the local broker (scripts/kafka-local.sh) unless
# it is already running, runs every cargo test target with the ignored
# (broker) tests included, checks docker-compose.yml against the config, and
# stops the broker again only if this script started it.
#
#   scripts/test.sh [CARGO_TEST_ARGS...] [-- TEST_BINARY_ARGS...]
#   e.g. scripts/test.sh dedup                  (tests whose name has "dedup")
#        scripts/test.sh --test kafka -- --nocapture
#
# Exit code: the tests' exit code (or the compose check's, if tests passed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KAFKA="$ROOT/scripts/kafka-local.sh"
started_broker=0

# arguments before a `--` go to cargo test, the rest to the test binaries
cargo_args=()
test_args=()
while (($#)); do
    if [[ "$1" == "--" ]]; then
        shift
        test_args=("$@")
        break
    fi
    cargo_args+=("$1")
    shift
done

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if ((started_broker)); then
        "$KAFKA" stop || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Compile first: a build error needs no broker, and the broker then starts
# without competing with rustc for the CPU.
test_rc=0
cargo test --all-targets --no-run "${cargo_args[@]}" || test_rc=$?

if ((test_rc == 0)); then
    if "$KAFKA" status >/dev/null 2>&1; then
        echo "test.sh: using the Kafka broker that is already running" >&2
    else
        started_broker=1
        "$KAFKA" start
    fi
    export WIREDESK_TEST_BROKERS="${WIREDESK_TEST_BROKERS:-127.0.0.1:${WIREDESK_KAFKA_PORT:-19092}}"
    echo "test.sh: WIREDESK_TEST_BROKERS=$WIREDESK_TEST_BROKERS" >&2

    cargo test --all-targets "${cargo_args[@]}" -- --include-ignored "${test_args[@]}" || test_rc=$?
    # --all-targets leaves out doctests; the crate example is a test too.
    if ((${#cargo_args[@]} == 0)); then
        cargo test --doc || test_rc=$?
    fi
fi

compose_rc=0
python3 "$ROOT/scripts/check-compose.py" || compose_rc=$?

if ((test_rc != 0)); then
    exit "$test_rc"
fi
exit "$compose_rc"
