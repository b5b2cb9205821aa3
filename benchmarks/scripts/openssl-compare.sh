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

if ! command -v openssl >/dev/null 2>&1; then
  if [[ $(id -u) != 0 ]]; then
    echo "openssl is missing; run as root to install it, or: apt-get install -y openssl" >&2
    exit 1
  fi
  echo "installing openssl" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi
if [[ ${#PIN[@]} -gt 0 ]] && ! command -v taskset >/dev/null 2>&1; then
  echo "--pin needs taskset (Debian package util-linux)" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Prints "<sign/s> <verify/s>" from one `openssl speed` run.
openssl_once() {
  "${PIN[@]}" openssl speed -seconds "$OPENSSL_SECONDS" ecdsap256 2>/dev/null \
    | awk '/^ *256 bits ecdsa \(nistp256\)/ { print $(NF-1), $NF; found=1 } END { exit !found }'
}

# Prints "median min max" of the numbers on stdin.
stats() {
  sort -g | awk '{ v[NR]=$1 } END {
    if (NR == 0) exit 1
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}

echo "== machine"
echo "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "$(openssl version)"
java -version 2>&1 | head -1

echo "== openssl speed -seconds $OPENSSL_SECONDS ecdsap256 (single thread) x $OPENSSL_RUNS ${PIN[*]:+(pinned: ${PIN[*]})}"
: > "$WORK/openssl.txt"
for ((run = 1; run <= OPENSSL_RUNS; run++)); do
  openssl_once | tee -a "$WORK/openssl.txt" | awk -v r="$run" '{ printf "run %d: sign %s/s, verify %s/s\n", r, $1, $2 }'
done
read -r SIGN SIGN_MIN SIGN_MAX < <(awk '{ print $1 }' "$WORK/openssl.txt" | stats)
read -r VERIFY VERIFY_MIN VERIFY_MAX < <(awk '{ print $2 }' "$WORK/openssl.txt" | stats)
LIMIT=$(awk -v s="$SIGN" -v v="$VERIFY" 'BEGIN { printf "%.1f", 1 / (1/s + 1/v) }')
echo "sign/s median $SIGN (min $SIGN_MIN, max $SIGN_MAX); verify/s median $VERIFY (min $VERIFY_MIN, max $VERIFY_MAX)"
echo "OpenSSL sign+verify limit per core: 1 / (1/$SIGN + 1/$VERIFY) = $LIMIT issuances/s"

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
  echo "== building benchmarks (mvn -B -q -DskipTests -pl benchmarks -am package)"
  mvn -B -q -DskipTests -pl benchmarks -am package
fi
JAR="$(ls benchmarks/target/benchmarks-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1 || true)"
if [[ -z "$JAR" || ! -d benchmarks/target/lib ]]; then
  echo "benchmarks/target has no jar and lib/: run without --no-build" >&2
  exit 1
fi
CP="$JAR:benchmarks/target/lib/*"
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
