#!/usr/bin/env bash
# In-process issuance against OpenSSL's ECDSA P-256 sign+verify limit per core (issue 10).
#
# An issuance from a CSR costs one P-256 verification (the CSR's proof of possession) and one P-256
# signature (the certificate), so no CA can issue faster on one core than
#     limit = 1 / (1/sign_per_s + 1/verify_per_s)
# with OpenSSL's own figures. This script measures that limit with `openssl speed` (single process,
# single thread), runs the JMH IssuanceBenchmark (1 thread, CSR -> PEM chain through OneCa.issue)
# and SignatureBenchmark for each provider, and prints issuance as a share of the limit. Goal: >= 50%.
#
# Usage (from the repository root, or anywhere: it finds the root from its own path):
#   benchmarks/scripts/openssl-compare.sh [--pin] [--quick] [--no-build]
#     --pin       run openssl and the JVM on CPU 0 only (taskset), a strict one-core comparison;
#                 without it the JVM's JIT and GC threads may use other cores while the benchmark
#                 thread runs on one.
#     --quick     short JMH runs (1 warmup + 2 measurement iterations of 1 s) and one openssl run of
#                 1 s per operation: a smoke run, not figures to report.
#     --no-build  use the already built benchmarks/target jar and lib/.
# Environment: PROVIDERS (default "BOUNCY_CASTLE,CORRETTO"), OPENSSL_RUNS (default 3),
#              OPENSSL_SECONDS (default 5), FORKS (JMH forks per benchmark, default 1).
# Needs: Java 17 and Maven (to build), openssl (installed with apt-get when missing and root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib/common.sh
source "$ROOT/benchmarks/scripts/lib/common.sh"
PIN=()
QUICK=0
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --pin) PIN=(taskset -c 0) ;;
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
PROVIDERS="${PROVIDERS:-BOUNCY_CASTLE,CORRETTO}"
OPENSSL_RUNS="${OPENSSL_RUNS:-3}"
OPENSSL_SECONDS="${OPENSSL_SECONDS:-5}"
FORKS="${FORKS:-1}"
JMH_TIMING=()
if [[ $QUICK == 1 ]]; then
  OPENSSL_RUNS=1
  OPENSSL_SECONDS=1
  JMH_TIMING=(-wi 1 -w 1s -i 2 -r 1s)
fi

require_command openssl openssl
if [[ ${#PIN[@]} -gt 0 ]] && ! command -v taskset >/dev/null 2>&1; then
  echo "--pin needs taskset (Debian package util-linux)" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== machine"
print_machine

echo "== openssl speed -seconds $OPENSSL_SECONDS ecdsap256 (single thread) x $OPENSSL_RUNS ${PIN[*]:+(pinned: ${PIN[*]})}"
openssl_limit "$OPENSSL_RUNS" "$OPENSSL_SECONDS" "$WORK" "${PIN[@]}"

cd "$ROOT"
build_benchmarks "$ROOT" "$BUILD"
CP="$BENCH_CP"
JMH=("${PIN[@]}" java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.openjdk.jmh.Main -t 1 -f "$FORKS" "${JMH_TIMING[@]}")

echo "== JMH IssuanceBenchmark.issue, 1 thread, $FORKS fork(s), providers $PROVIDERS"
"${JMH[@]}" 'io.oneca.benchmarks.issuance.IssuanceBenchmark.issue' -p provider="$PROVIDERS" \
  -rf csv -rff "$WORK/issuance.csv" > "$WORK/issuance.log" 2>&1 || { tail -40 "$WORK/issuance.log" >&2; exit 1; }
echo "== JMH SignatureBenchmark (sign, verify), 1 thread, $FORKS fork(s), providers $PROVIDERS"
"${JMH[@]}" 'io.oneca.benchmarks.issuance.SignatureBenchmark' -p provider="$PROVIDERS" \
  -rf csv -rff "$WORK/signature.csv" > "$WORK/signature.log" 2>&1 || { tail -40 "$WORK/signature.log" >&2; exit 1; }

# JMH CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",params...;
# the provider is the last column for both benchmarks.
rows() {
  tail -n +2 "$1" | tr -d '"' | awk -F, '{ n = split($1, b, "."); printf "%s %s %s %s\n", b[n], $NF, $5, $6 }'
}

echo
echo "== results (JMH score +- 99.9% error; OpenSSL medians)"
printf "%-14s %-10s %14s %12s %12s\n" "provider" "operation" "ops/s" "+-" "vs OpenSSL"
rows "$WORK/signature.csv" | while read -r op provider score error; do
  ref=$([[ $op == sign ]] && echo "$SIGN" || echo "$VERIFY")
  awk -v p="$provider" -v o="$op" -v s="$score" -v e="$error" -v r="$ref" \
    'BEGIN { printf "%-14s %-10s %14.1f %12.1f %11.1f%%\n", p, o, s, e, 100 * s / r }'
done
rows "$WORK/issuance.csv" | while read -r op provider score error; do
  awk -v p="$provider" -v s="$score" -v e="$error" -v l="$LIMIT" \
    'BEGIN { share = 100 * s / l
             printf "%-14s %-10s %14.1f %12.1f %11.1f%%  (goal >= 50%% of %.1f/s: %s)\n",
                    p, "issue", s, e, share, l, (share >= 50 ? "MET" : "NOT MET") }'
done
