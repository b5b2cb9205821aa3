# Shell helpers shared by benchmarks/scripts/*.sh (sourced, not run). Bash 4+, `set -euo pipefail`
# in the caller. Nothing here starts a process that outlives the function that started it.

# require_command CMD PACKAGE: makes CMD available, installing Debian's PACKAGE with apt-get when it
# is missing and we are root; otherwise explains how to install it and returns 1.
require_command() {
  local cmd="$1" pkg="$2"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "$cmd is missing; run this script as root on Debian to install it, or: apt-get install -y $pkg" >&2
    return 1
  fi
  echo "installing $pkg (for $cmd) with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 || { echo "$pkg installed but $cmd is still not on PATH" >&2; return 1; }
}

# stats [DECIMALS]: prints "median min max" of the numbers on stdin (one per line), with DECIMALS
# digits after the point (default 1); fails on no input.
stats() {
  sort -g | awk -v d="${1:-1}" '{ v[NR]=$1 } END {
    if (NR == 0) exit 1
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    f = "%." d "f"
    printf f " " f " " f "\n", m, v[1], v[NR] }'
}

# print_machine: one paragraph about the machine and its load right now.
print_machine() {
  echo "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "$(openssl version 2>/dev/null || echo 'openssl: not installed')"
  java -version 2>&1 | head -1
  echo "load average (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
}

# openssl_once SECONDS [PREFIX...]: prints "<sign/s> <verify/s>" from one single-threaded
# `openssl speed ecdsap256` run; PREFIX (e.g. taskset -c 0) runs before openssl.
openssl_once() {
  local seconds="$1"
  shift
  "$@" openssl speed -seconds "$seconds" ecdsap256 2>/dev/null \
    | awk '/^ *256 bits ecdsa \(nistp256\)/ { print $(NF-1), $NF; found=1 } END { exit !found }'
}

# openssl_limit RUNS SECONDS DIR [PREFIX...]: runs openssl_once RUNS times, prints each run and the
# medians, and sets SIGN SIGN_MIN SIGN_MAX VERIFY VERIFY_MIN VERIFY_MAX and
# LIMIT = 1 / (1/SIGN + 1/VERIFY), the most issuances per second one core can do (one P-256
# verification of the CSR plus one P-256 signature of the certificate each).
openssl_limit() {
  local runs="$1" seconds="$2" dir="$3" run
  shift 3
  : > "$dir/openssl.txt"
  for ((run = 1; run <= runs; run++)); do
    openssl_once "$seconds" "$@" | tee -a "$dir/openssl.txt" \
      | awk -v r="$run" '{ printf "run %d: sign %s/s, verify %s/s\n", r, $1, $2 }'
  done
  read -r SIGN SIGN_MIN SIGN_MAX < <(awk '{ print $1 }' "$dir/openssl.txt" | stats)
  read -r VERIFY VERIFY_MIN VERIFY_MAX < <(awk '{ print $2 }' "$dir/openssl.txt" | stats)
  LIMIT=$(awk -v s="$SIGN" -v v="$VERIFY" 'BEGIN { printf "%.1f", 1 / (1/s + 1/v) }')
  echo "sign/s median $SIGN (min $SIGN_MIN, max $SIGN_MAX); verify/s median $VERIFY (min $VERIFY_MIN, max $VERIFY_MAX)"
  echo "OpenSSL sign+verify limit per core: 1 / (1/$SIGN + 1/$VERIFY) = $LIMIT issuances/s"
}

# build_benchmarks ROOT BUILD: builds the benchmarks module inside the reactor when BUILD is 1 (never
# `mvn install`), then sets BENCH_CP to its jar and runtime dependencies, or fails.
build_benchmarks() {
  local root="$1" build="$2" jar
  if [[ $build == 1 ]]; then
    echo "== building benchmarks (mvn -B -q -DskipTests -pl benchmarks -am package)"
    (cd "$root" && mvn -B -q -DskipTests -pl benchmarks -am package)
  fi
  jar="$(ls "$root"/benchmarks/target/benchmarks-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1 || true)"
  if [[ -z "$jar" || ! -d "$root/benchmarks/target/lib" ]]; then
    echo "benchmarks/target has no jar and lib/: run without --no-build" >&2
    return 1
  fi
  BENCH_CP="$jar:$root/benchmarks/target/lib/*"
}
