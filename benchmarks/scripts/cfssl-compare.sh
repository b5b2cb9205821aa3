#!/usr/bin/env bash
# Side-by-side race of certificate signing endpoints on loopback (issue 10): cfssl serve today, the
# CloudCore sample's HTTPS join endpoint (issue 9), served alone by io.oneca.benchmarks.join.JoinEndpointServer.
#
# Creates an ECDSA P-256 CA with `cfssl gencert -initca`, starts `cfssl serve` on 127.0.0.1 on a
# free port with a signing profile like OneCA's (server auth + client auth, 24 h), and drives it with
# io.oneca.benchmarks.join.SigningLoadDriver: closed loop, HTTP/1.1 keep-alive, 1 and 8 connections,
# a CSR mix generated up front (default 90% P-256, 5% P-384, 5% RSA 2048); an answer counts only if
# its certificate parses and certifies the request's key and name. Each (target, connections) is run
# RUNS times; the table shows the median with min-max. The same run measures the client itself
# against a built-in endpoint answering pre-signed certificates, and OpenSSL's single-core
# `openssl speed ecdsap256` sign+verify limit.
#
# Usage (from anywhere; it finds the repository from its own path):
#   benchmarks/scripts/cfssl-compare.sh [--quick] [--no-build]
#     --quick     1 run of 2 s after 1 s warm-up per point, 1 s of openssl: a smoke run only.
#     --no-build  use the already built benchmarks/target jar and lib/.
# Environment: RUNS (default 3), WARMUP (default 10s: the JVM side needs it to reach steady state), DURATION (default 10s), CONNECTIONS
#              (default "1 8"), MIX (default p256=90,p384=5,rsa2048=5), CSRS (default 512),
#              OPENSSL_RUNS (default 3), OPENSSL_SECONDS (default 5), CFSSL_LOGLEVEL (cfssl
#              serve -loglevel, default 1 = INFO as shipped, 2 = warnings only), KEEP_JSON (a
#              directory to keep every run's JSON result in).
# Needs: Java 17 and Maven (to build); cfssl (Debian golang-cfssl) and openssl, installed with
#        apt-get when missing and running as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib/common.sh
source "$ROOT/benchmarks/scripts/lib/common.sh"
BUILD=1
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-1 8}"
MIX="${MIX:-p256=90,p384=5,rsa2048=5}"
CSRS="${CSRS:-512}"
OPENSSL_RUNS="${OPENSSL_RUNS:-3}"
OPENSSL_SECONDS="${OPENSSL_SECONDS:-5}"
CFSSL_LOGLEVEL="${CFSSL_LOGLEVEL:-1}"
if [[ $QUICK == 1 ]]; then
  RUNS=1 WARMUP=1s DURATION=2s OPENSSL_RUNS=1 OPENSSL_SECONDS=1
fi
# Targets, in table order. Each NAME has target_NAME_start (sets TARGET_URL and returns 0, or
# explains why it cannot run and returns 3), target_NAME_stop, and TARGET_FORMAT_NAME.
TARGETS=(cfssl oneca_join)

require_command openssl openssl
require_command cfssl golang-cfssl

WORK="$(mktemp -d)"
TARGET_ARGS=()
CFSSL_PID=""
JOIN_PID=""
cleanup() {
  target_cfssl_stop || true
  target_oneca_join_stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port: prints a loopback port nothing listens on right now (the caller retries if it is taken
# by the time the server binds).
free_port() {
  local port attempt
  for ((attempt = 0; attempt < 50; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 2>/dev/null; exec 3<>"/dev/tcp/127.0.0.1/$port"); then
      echo "$port"
      return 0
    fi
  done
  echo "no free loopback port found in 50 tries" >&2
  return 1
}

# cfssl_ready PORT: succeeds when cfssl answers POST /api/v1/cfssl/info with success=true.
cfssl_ready() {
  local port="$1" answer
  answer="$(exec 2>/dev/null; exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'POST /api/v1/cfssl/info HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' >&3
    timeout 2 cat <&3)" || return 1
  [[ $answer == *'"success":true'* ]]
}

# ---- target: cfssl serve -------------------------------------------------------------------------
TARGET_FORMAT_cfssl=cfssl
target_cfssl_start() {
  local dir="$WORK/cfssl" attempt port deadline
  mkdir -p "$dir"
  cat > "$dir/ca-csr.json" <<'JSON'
{"CN": "OneCA benchmark cfssl CA", "key": {"algo": "ecdsa", "size": 256},
 "names": [{"O": "OneCA benchmarks"}]}
JSON
  # The profile OneCA issues: digital signature, server auth + client auth, 24 h.
  cat > "$dir/config.json" <<'JSON'
{"signing": {"default": {"expiry": "24h",
  "usages": ["digital signature", "server auth", "client auth"]}}}
JSON
  (cd "$dir" && cfssl gencert -initca ca-csr.json 2>"$dir/gencert.log" | cfssljson -bare ca) \
    || { cat "$dir/gencert.log" >&2; return 1; }
  echo "cfssl CA: $(openssl x509 -in "$dir/ca.pem" -noout -subject) ($(openssl x509 -in "$dir/ca.pem" -noout -text | grep -m1 -o 'ASN1 OID: [a-z0-9]*'))"
  for ((attempt = 1; attempt <= 3; attempt++)); do
    port="$(free_port)"
    # Log level as shipped (1 = INFO: ~4 lines per signature) unless CFSSL_LOGLEVEL says otherwise;
    # the log goes to a file in the temp dir.
    cfssl serve -loglevel "$CFSSL_LOGLEVEL" -address 127.0.0.1 -port "$port" -ca "$dir/ca.pem" -ca-key "$dir/ca-key.pem" \
      -config "$dir/config.json" > "$dir/serve.log" 2>&1 &
    CFSSL_PID=$!
    deadline=$((SECONDS + 15))
    while ((SECONDS < deadline)) && kill -0 "$CFSSL_PID" 2>/dev/null; do
      if cfssl_ready "$port"; then
        TARGET_URL="http://127.0.0.1:$port"
        echo "cfssl serve (pid $CFSSL_PID) ready on $TARGET_URL"
        return 0
      fi
      sleep 0.1
    done
    echo "cfssl serve did not become ready on port $port (attempt $attempt); its log:" >&2
    tail -5 "$dir/serve.log" >&2
    target_cfssl_stop
  done
  return 1
}
target_cfssl_stop() {
  [[ -n $CFSSL_PID ]] || return 0
  local pid="$CFSSL_PID" deadline=$((SECONDS + 5))
  CFSSL_PID=""
  kill "$pid" 2>/dev/null || return 0
  while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# ---- target: the OneCA join endpoint (CloudCore sample, issue 9) ---------------------------------
# JoinEndpointServer: one CloudCore sample replica (CloudCoreReplica: its public HTTPS listener with the
# join endpoint; ECDSA P-256 CA on an in-memory store: a join stores nothing); it writes its token key,
# CA bundle and URL to a directory. The driver mints one token per CSR up front and speaks HTTPS (TLS handshake once per
# keep-alive connection; cfssl is plain HTTP, so OneCA pays for TLS here). The server logs one audit
# line per join at INFO (to a file), like cfssl as shipped.
TARGET_FORMAT_oneca_join=oneca-join
target_oneca_join_start() {
  local dir="$WORK/oneca-join" deadline
  mkdir -p "$dir"
  java -cp "$BENCH_CP" io.oneca.benchmarks.join.JoinEndpointServer "$dir" 0 > "$dir/serve.log" 2>&1 &
  JOIN_PID=$!
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)) && kill -0 "$JOIN_PID" 2>/dev/null; do
    if [[ -s $dir/url ]]; then
      TARGET_URL="$(cat "$dir/url")"
      TARGET_ARGS=(--join-key "$dir/join-token.key" --trust "$dir/ca-bundle.pem")
      echo "OneCA join endpoint (pid $JOIN_PID) ready on $TARGET_URL"
      return 0
    fi
    sleep 0.1
  done
  echo "the join endpoint did not become ready; its log:" >&2
  tail -5 "$dir/serve.log" >&2
  target_oneca_join_stop
  return 1
}
target_oneca_join_stop() {
  [[ -n $JOIN_PID ]] || return 0
  local pid="$JOIN_PID" deadline=$((SECONDS + 5))
  JOIN_PID=""
  TARGET_ARGS=()
  kill "$pid" 2>/dev/null || return 0
  while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# json_field FILE NAME: a number from the driver's pretty-printed JSON.
json_field() {
  sed -n "s/^ *\"$2\" : \\([-0-9.eE]*\\|\"NaN\"\\|NaN\\),\\{0,1\\}\$/\\1/p" "$1" | head -1
}

# drive LABEL URL|--canned FORMAT CONNECTIONS RUN: one driver run; its JSON goes to $WORK/results.
drive() {
  local label="$1" url="$2" format="$3" conns="$4" run="$5" out
  out="$WORK/results/$label-c$conns-r$run.json"
  local where=(--url "$url" "${TARGET_ARGS[@]}")
  [[ $url == --canned ]] && where=(--canned)
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.io.oneca.core=error -cp "$BENCH_CP" io.oneca.benchmarks.join.SigningLoadDriver \
    "${where[@]}" --format "$format" --target "$label" --connections "$conns" --warmup "$WARMUP" \
    --duration "$DURATION" --csrs "$CSRS" --mix "$MIX" --json "$out" | sed 's/^/  /' \
    || echo "  (run had errors: they are counted in the table, never as throughput)"
}

# summarize LABEL CONNECTIONS: one table row from that label's runs.
summarize() {
  local label="$1" conns="$2" files rps p50 p99 errors cpu
  files=("$WORK/results/$label-c$conns-"r*.json)
  [[ -e ${files[0]} ]] || return 0
  rps="$(for f in "${files[@]}"; do json_field "$f" requestsPerSecond; done | stats)"
  p50="$(for f in "${files[@]}"; do json_field "$f" p50Millis; done | stats 3)"
  p99="$(for f in "${files[@]}"; do json_field "$f" p99Millis; done | stats 3)"
  cpu="$(for f in "${files[@]}"; do json_field "$f" clientCpuMicrosPerRequest; done | stats)"
  errors="$(for f in "${files[@]}"; do json_field "$f" errors; done | awk '{ s += $1 } END { print s + 0 }')"
  awk -v l="$label" -v c="$conns" -v n="${#files[@]}" -v r="$rps" -v a="$p50" -v b="$p99" -v e="$errors" -v u="$cpu" '
    function f(x, d) { split(x, v, " "); return sprintf("%." d "f (%." d "f-%." d "f)", v[1], v[2], v[3]) }
    BEGIN { printf "%-12s %5s %4s %24s %26s %26s %7s %10s\n", l, c, n, f(r, 0), f(a, 3), f(b, 3), e, f(u, 0) }'
}

echo "== machine"
print_machine
echo "cfssl: $(cfssl version 2>/dev/null | tr '\n' ' ')(serve -loglevel $CFSSL_LOGLEVEL)"
build_benchmarks "$ROOT" "$BUILD"
mkdir -p "$WORK/results"

echo "== openssl speed -seconds $OPENSSL_SECONDS ecdsap256 (single thread) x $OPENSSL_RUNS"
openssl_limit "$OPENSSL_RUNS" "$OPENSSL_SECONDS" "$WORK"

echo "== load: $RUNS run(s) x connections {$CONNECTIONS}, warm-up $WARMUP, measured $DURATION, CSR mix $MIX ($CSRS CSRs)"
echo "-- client ceiling: the driver against its built-in endpoint of pre-signed answers (same JVM)"
for ((run = 1; run <= RUNS; run++)); do
  for conns in $CONNECTIONS; do
    drive client-only --canned cfssl "$conns" "$run"
  done
done
MEASURED=(client-only)
for target in "${TARGETS[@]}"; do
  echo "-- target $target"
  status=0
  "target_${target}_start" || status=$?
  if [[ $status == 3 ]]; then
    continue
  elif [[ $status != 0 ]]; then
    echo "target $target failed to start" >&2
    exit 1
  fi
  format_var="TARGET_FORMAT_$target"
  for ((run = 1; run <= RUNS; run++)); do
    for conns in $CONNECTIONS; do
      drive "$target" "$TARGET_URL" "${!format_var}" "$conns" "$run"
    done
  done
  "target_${target}_stop"
  MEASURED+=("$target")
done

echo
echo "== results: median (min-max) of $RUNS run(s); latency of correct answers; errors summed over runs"
printf "%-12s %5s %4s %24s %26s %26s %7s %10s\n" target conns runs "req/s" "p50 ms" "p99 ms" errors "client us/req"
for label in "${MEASURED[@]}"; do
  for conns in $CONNECTIONS; do
    summarize "$label" "$conns"
  done
done
echo "client-only = the load driver plus a trivial endpoint in one JVM: the most this client can drive."
# ratio CONNECTIONS: median join req/s / median cfssl req/s, or n/a when either was not measured.
ratio() {
  local j c
  j="$(for f in "$WORK/results/oneca_join-c$1-"r*.json; do [[ -e $f ]] && json_field "$f" requestsPerSecond; done | stats | cut -d' ' -f1 || true)"
  c="$(for f in "$WORK/results/cfssl-c$1-"r*.json; do [[ -e $f ]] && json_field "$f" requestsPerSecond; done | stats | cut -d' ' -f1 || true)"
  if [[ -n $j && -n $c ]]; then awk -v j="$j" -v c="$c" 'BEGIN { printf "%.2f", j / c }'; else echo "n/a"; fi
}
for conns in $CONNECTIONS; do
  echo "ratio join/cfssl on $conns connection(s): $(ratio "$conns")x (goal: >= 2x)"
done
echo "OpenSSL sign+verify limit per core: $LIMIT issuances/s (sign $SIGN/s, verify $VERIFY/s; medians)."
echo "load average after the run (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n ${KEEP_JSON:-} ]]; then
  mkdir -p "$KEEP_JSON"
  cp "$WORK/results/"*.json "$KEEP_JSON/"
  echo "JSON results copied to $KEEP_JSON"
fi
