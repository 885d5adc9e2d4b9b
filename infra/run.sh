#!/usr/bin/env bash
# Runs the whole Sluice system locally: PostgreSQL, Redis, three storage nodes (their embedded
# controllers stand by), the standalone controller and the gateway,
# all on 127.0.0.1, with data, logs, keys and the dev credentials (a token and an access key of
# tenant `dev`, in .data/dev.env) under ./.data/. Ctrl-C stops everything.
#
#   ./infra/run.sh                  build once (Release), start, wait until healthy, stay up
#   ./infra/run.sh --no-build       skip the build (same as SLUICE_SKIP_BUILD=1)
#   ./infra/run.sh --services-only  only PostgreSQL and Redis (to run the hosts from an IDE)
#
# Ports (all on 127.0.0.1), overridable:
#   SLUICE_PG_PORT=15432  SLUICE_REDIS_PORT=16379  SLUICE_HTTP_PORT=8080  SLUICE_GRPC_PORT=8081
#   SLUICE_HTTPS_PORT=8443 (TLS, HTTP/1.1 and HTTP/2 by ALPN; self-signed .data/tls/gateway.crt)
#   SLUICE_NODE_BASE_PORT=9100   node N: gRPC BASE+N (9101..), HTTP BASE+100+N (9201..)
#   SLUICE_CONTROLLER_PORT=9300  the standalone controller's /readyz and /controller
# Other knobs: SLUICE_NODE_COUNT=3, SLUICE_START_TIMEOUT=180 (seconds to become healthy),
#   SLUICE_STOP_TIMEOUT=20 (seconds per process before SIGKILL), SLUICE_TOKEN_TTL_DAYS=30,
#   SLUICE_QUOTAS=kinesis (Kinesis' per-shard limits, kept in Redis) | bench (every limit x1000, still
#   kept in Redis: what `sluice bench` needs to measure the system rather than the quotas) | off.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=infra/lib.sh
. "$ROOT/infra/lib.sh"

services_only=0
for arg in "$@"; do
  case "$arg" in
    --no-build) SLUICE_SKIP_BUILD=1 ;;
    --services-only) services_only=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option $arg (try --help)" ;;
  esac
done

PG_PORT="${SLUICE_PG_PORT:-15432}"
REDIS_PORT="${SLUICE_REDIS_PORT:-16379}"
HTTP_PORT="${SLUICE_HTTP_PORT:-8080}"
GRPC_PORT="${SLUICE_GRPC_PORT:-8081}"
HTTPS_PORT="${SLUICE_HTTPS_PORT:-8443}"
NODE_BASE_PORT="${SLUICE_NODE_BASE_PORT:-9100}"
CONTROLLER_PORT="${SLUICE_CONTROLLER_PORT:-9300}"
NODE_COUNT="${SLUICE_NODE_COUNT:-3}"
START_TIMEOUT="${SLUICE_START_TIMEOUT:-180}"
TOKEN_TTL_DAYS="${SLUICE_TOKEN_TTL_DAYS:-30}"
QUOTAS="${SLUICE_QUOTAS:-kinesis}"

DATA="$ROOT/.data"
LOGS="$DATA/logs"
CONFIG="Release"
NODE_DLL="$ROOT/storage-nodes/Sluice.StorageNode/bin/$CONFIG/net10.0/Sluice.StorageNode.dll"
GATEWAY_DLL="$ROOT/gateway/Sluice.Gateway/bin/$CONFIG/net10.0/Sluice.Gateway.dll"
CONTROLLER_DLL="$ROOT/services/Sluice.Controller.Host/bin/$CONFIG/net10.0/Sluice.Controller.Host.dll"
CLI_DLL="$ROOT/sdk/Sluice.Cli/bin/$CONFIG/net10.0/sluice.dll"
METADATA="Host=127.0.0.1;Port=$PG_PORT;Database=sluice;Username=sluice"

# Fail early, and clearly, when a port is taken (often: another ./infra/run.sh).
ports=("$PG_PORT" "$REDIS_PORT")
if ((!services_only)); then
  ports+=("$HTTP_PORT" "$GRPC_PORT" "$HTTPS_PORT" "$CONTROLLER_PORT")
  for ((n = 1; n <= NODE_COUNT; n++)); do
    ports+=("$((NODE_BASE_PORT + n))" "$((NODE_BASE_PORT + 100 + n))")
  done
fi
for port in "${ports[@]}"; do
  if port_in_use "$port"; then
    die "127.0.0.1:$port is already in use (another ./infra/run.sh?); see --help for the port variables"
  fi
done

trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

install_if_missing postgresql redis-server curl
if ((!services_only)); then
  build_solution
  for dll in "$NODE_DLL" "$GATEWAY_DLL" "$CONTROLLER_DLL"; do
    [[ -f "$dll" ]] || die "$dll is missing: build with 'dotnet build Service.sln -c Release'"
  done
  [[ -f "$CLI_DLL" ]] || log "warning: $CLI_DLL is missing, so ./infra/sluice will not work"
fi

mkdir -p "$DATA" "$LOGS"
for f in "$LOGS"/*.log; do [[ -e "$f" ]] && : >"$f"; done

start_postgres "$DATA/pg" "$PG_PORT" "$LOGS/postgres.log"
start_redis "$DATA/redis" "$REDIS_PORT" "$LOGS/redis.log"

if ((services_only)); then
  cat <<EOF

PostgreSQL and Redis are up (Ctrl-C stops them):
  ConnectionStrings__Metadata='$METADATA'
  Redis: 127.0.0.1:$REDIS_PORT
  Logs:  $LOGS/postgres.log, $LOGS/redis.log
EOF
else
  # The JWT signing key: made once, kept, so tokens stay valid across restarts.
  if [[ ! -s "$DATA/signing.key" ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$DATA/signing.key")
  fi
  chmod 600 "$DATA/signing.key"
  SIGNING_KEY="$(cat "$DATA/signing.key")"
  # The master key that encrypts access key secrets and wraps streams' data keys in PostgreSQL
  # (gateway and storage nodes): made once, kept, or the stored keys no longer decrypt. Base64 of 32 bytes (Sluice:Security:MasterKey).
  if [[ ! -s "$DATA/master.key" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 -w0 >"$DATA/master.key")
  fi
  chmod 600 "$DATA/master.key"
  MASTER_KEY="$(cat "$DATA/master.key")"

  # A self-signed certificate for the TLS port, made once; clients trust this file explicitly
  # (AWS_CA_BUNDLE=$SLUICE_TLS_CA for the AWS CLI and boto3, NODE_EXTRA_CA_CERTS for Node.js).
  TLS_DIR="$DATA/tls"
  if [[ ! -s "$TLS_DIR/gateway.crt" || ! -s "$TLS_DIR/gateway.key" ]]; then
    mkdir -p "$TLS_DIR"
    dotnet "$GATEWAY_DLL" tls-cert --cert "$TLS_DIR/gateway.crt" --key "$TLS_DIR/gateway.key" --days 825 >>"$LOGS/tls-cert.log" 2>&1 ||
      { log_tail "$LOGS/tls-cert.log"; die "'Sluice.Gateway.dll tls-cert' failed"; }
  fi

  gateway_env=(
    "ConnectionStrings__Metadata=$METADATA"
    "ConnectionStrings__Redis=127.0.0.1:$REDIS_PORT"
    "Sluice__Gateway__HttpPort=$HTTP_PORT"
    "Sluice__Gateway__GrpcPort=$GRPC_PORT"
    "Sluice__Gateway__HttpsPort=$HTTPS_PORT"
    "Sluice__Gateway__TlsCertificatePath=$TLS_DIR/gateway.crt"
    "Sluice__Gateway__TlsKeyPath=$TLS_DIR/gateway.key"
    "Sluice__Auth__SigningKey=$SIGNING_KEY"
    "Sluice__Security__MasterKey=$MASTER_KEY"
  )
  case "$QUOTAS" in
    kinesis) ;;
    bench)
      # 1 GiB/s and 1,000,000 records/s in, 2 GiB/s and 5,000 reads/s out per shard; tenants 64 GiB/s.
      gateway_env+=(
        "Sluice__Quotas__ShardIngressBytesPerSecond=1073741824"
        "Sluice__Quotas__ShardIngressRecordsPerSecond=1000000"
        "Sluice__Quotas__ShardEgressBytesPerSecond=2147483648"
        "Sluice__Quotas__ShardReadCallsPerSecond=5000"
        "Sluice__Quotas__TenantIngressBytesPerSecond=68719476736"
        "Sluice__Quotas__TenantEgressBytesPerSecond=68719476736"
      )
      ;;
    off) gateway_env+=("Sluice__Quotas__Enabled=false") ;;
    *) die "SLUICE_QUOTAS must be kinesis, bench or off (got '$QUOTAS')" ;;
  esac

  node_pids=()
  for ((n = 1; n <= NODE_COUNT; n++)); do
    grpc=$((NODE_BASE_PORT + n))
    http=$((NODE_BASE_PORT + 100 + n))
    mkdir -p "$DATA/nodes/node-$n"
    log "starting node-$n (gRPC 127.0.0.1:$grpc, HTTP 127.0.0.1:$http)"
    # From the host's output folder: ASP.NET reads appsettings*.json from the working directory.
    spawn "$LOGS/node-$n.log" "$(dirname "$NODE_DLL")" env \
      "ConnectionStrings__Metadata=$METADATA" \
      "Sluice__Node__Id=node-$n" \
      "Sluice__Node__DataDir=$DATA/nodes/node-$n" \
      "Sluice__Node__GrpcPort=$grpc" \
      "Sluice__Node__HttpPort=$http" \
      "Sluice__Node__AdvertisedAddress=http://127.0.0.1:$grpc" \
      "Sluice__Controller__Id=node-$n" \
      "Sluice__Security__MasterKey=$MASTER_KEY" \
      dotnet "$NODE_DLL"
    node_pids+=("$!")
    track_pid "node-$n" "$!" TERM "$LOGS/node-$n.log"
  done

  # The standalone controller; one controller of all (it and the nodes' embedded ones) is active.
  log "starting controller (HTTP 127.0.0.1:$CONTROLLER_PORT)"
  spawn "$LOGS/controller.log" "$(dirname "$CONTROLLER_DLL")" env \
    "ConnectionStrings__Metadata=$METADATA" \
    "Sluice__ControllerHost__HttpPort=$CONTROLLER_PORT" \
    "Sluice__Controller__Id=controller" \
    dotnet "$CONTROLLER_DLL"
  controller_pid=$!
  track_pid controller "$controller_pid" TERM "$LOGS/controller.log"

  log "starting gateway (REST 127.0.0.1:$HTTP_PORT, gRPC 127.0.0.1:$GRPC_PORT)"
  spawn "$LOGS/gateway.log" "$(dirname "$GATEWAY_DLL")" env "${gateway_env[@]}" dotnet "$GATEWAY_DLL"
  gateway_pid=$!
  track_pid gateway "$gateway_pid" TERM "$LOGS/gateway.log"

  log "waiting for /readyz (up to ${START_TIMEOUT}s each)"
  for ((n = 1; n <= NODE_COUNT; n++)); do
    wait_for_url "http://127.0.0.1:$((NODE_BASE_PORT + 100 + n))/readyz" "$START_TIMEOUT" \
      "node-$n" "${node_pids[$((n - 1))]}" "$LOGS/node-$n.log" || exit 1
  done
  wait_for_url "http://127.0.0.1:$CONTROLLER_PORT/readyz" "$START_TIMEOUT" \
    controller "$controller_pid" "$LOGS/controller.log" || exit 1
  wait_for_url "http://127.0.0.1:$HTTP_PORT/readyz" "$START_TIMEOUT" \
    gateway "$gateway_pid" "$LOGS/gateway.log" || exit 1

  # gateway_cli LOG ARGS...: runs a subcommand of the gateway binary with the gateway's settings;
  # its stdout is the result, its stderr goes to .data/logs/LOG.log (shown when it fails).
  gateway_cli() {
    local logfile="$LOGS/$1.log"
    shift
    if ! (cd "$(dirname "$GATEWAY_DLL")" && env "${gateway_env[@]}" dotnet "$GATEWAY_DLL" "$@" 2>>"$logfile"); then
      log_tail "$logfile"
      log "'Sluice.Gateway.dll $1' failed"
      return 1
    fi
  }

  log "issuing the dev token (tenant dev, ${TOKEN_TTL_DAYS} days)"
  token_out="$(gateway_cli token token --tenant dev --ttl-days "$TOKEN_TTL_DAYS")" || exit 1
  # The JWT is the last line that looks like one (header.payload.signature).
  TOKEN="$(printf '%s\n' "$token_out" | grep -E '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' |
    tail -1 || true)"
  if [[ -z "$TOKEN" ]]; then
    printf '%s\n' "$token_out" >>"$LOGS/token.log"
    log_tail "$LOGS/token.log"
    die "no JWT in the output of 'token'"
  fi

  # The dev access key (Kinesis API, tenant dev). Its secret cannot be read back from the
  # gateway, so it is kept in .data/dev-access-key.env and reused while the gateway still lists
  # that key as Active; otherwise (new database, key deleted or disabled) another is made.
  ACCESS_KEY_FILE="$DATA/dev-access-key.env"
  ACCESS_KEY_ID=""
  ACCESS_KEY_SECRET=""
  if [[ -s "$ACCESS_KEY_FILE" ]]; then
    ACCESS_KEY_ID="$(sed -n 's/^AWS_ACCESS_KEY_ID=//p' "$ACCESS_KEY_FILE")"
    ACCESS_KEY_SECRET="$(sed -n 's/^AWS_SECRET_ACCESS_KEY=//p' "$ACCESS_KEY_FILE")"
  fi
  if [[ -n "$ACCESS_KEY_ID" && -n "$ACCESS_KEY_SECRET" ]]; then
    keys_out="$(gateway_cli access-key access-key list --tenant dev)" || exit 1
    if ! printf '%s\n' "$keys_out" |
      awk -F '\t' -v id="$ACCESS_KEY_ID" '$1 == id && $2 == "Active" { found = 1 } END { exit !found }'; then
      log "the saved dev access key $ACCESS_KEY_ID is no longer active: making another"
      ACCESS_KEY_ID=""
    fi
  else
    ACCESS_KEY_ID=""
  fi
  if [[ -z "$ACCESS_KEY_ID" ]]; then
    log "creating the dev access key (tenant dev)"
    key_out="$(gateway_cli access-key access-key create --tenant dev --description 'dev cluster (infra/run.sh)')" ||
      exit 1
    ACCESS_KEY_ID="$(printf '%s\n' "$key_out" | sed -n 's/^AWS_ACCESS_KEY_ID=//p')"
    ACCESS_KEY_SECRET="$(printf '%s\n' "$key_out" | sed -n 's/^AWS_SECRET_ACCESS_KEY=//p')"
    [[ -n "$ACCESS_KEY_ID" && -n "$ACCESS_KEY_SECRET" ]] || die "no access key in the output of 'access-key create'"
    (
      umask 077
      printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$ACCESS_KEY_ID" "$ACCESS_KEY_SECRET" >"$ACCESS_KEY_FILE"
    )
  fi
  chmod 600 "$ACCESS_KEY_FILE"

  (
    umask 077
    cat >"$DATA/dev.env" <<EOF
export SLUICE_HTTP=http://127.0.0.1:$HTTP_PORT
export SLUICE_GRPC=http://127.0.0.1:$GRPC_PORT
export SLUICE_TOKEN=$TOKEN
export AWS_ACCESS_KEY_ID='$ACCESS_KEY_ID'
export AWS_SECRET_ACCESS_KEY='$ACCESS_KEY_SECRET'
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:$HTTP_PORT
export SLUICE_KINESIS_H2=http://127.0.0.1:$GRPC_PORT
export SLUICE_KINESIS_TLS=https://127.0.0.1:$HTTPS_PORT
export SLUICE_TLS_CA=$TLS_DIR/gateway.crt
export SLUICE_SCHEMA_REGISTRY=http://127.0.0.1:$HTTP_PORT/schema-registry
EOF
  )

  nodes_list=""
  for ((n = 1; n <= NODE_COUNT; n++)); do
    nodes_list+="  node-$n   gRPC http://127.0.0.1:$((NODE_BASE_PORT + n))  health http://127.0.0.1:$((NODE_BASE_PORT + 100 + n))/readyz"$'\n'
  done
  cat <<EOF

Sluice is up. Ctrl-C stops everything; running ./infra/run.sh again keeps the data.

  REST     http://127.0.0.1:$HTTP_PORT/v1     (OpenAPI: http://127.0.0.1:$HTTP_PORT/swagger)
  gRPC     http://127.0.0.1:$GRPC_PORT        (sluice.v1, h2c)
  Kinesis  http://127.0.0.1:$HTTP_PORT, h2c http://127.0.0.1:$GRPC_PORT, TLS https://127.0.0.1:$HTTPS_PORT   (SigV4: the dev access key)
  Schemas  http://127.0.0.1:$HTTP_PORT/schema-registry   (Confluent-compatible; the token, or Basic with the dev access key)
${nodes_list}  control  http://127.0.0.1:$CONTROLLER_PORT/controller   (which controller is active; the nodes' embedded ones stand by)
  Postgres Host=127.0.0.1;Port=$PG_PORT;Database=sluice;Username=sluice
  Redis    127.0.0.1:$REDIS_PORT   (quotas: $QUOTAS; metrics: http://127.0.0.1:$HTTP_PORT/metrics)
  Logs     .data/logs/<name>.log

In another shell:
  . .data/dev.env
  dotnet sdk/Sluice.Cli/bin/Release/net10.0/sluice.dll streams list     # or: ./infra/sluice streams list
  curl -H "Authorization: Bearer \$SLUICE_TOKEN" \$SLUICE_HTTP/v1/streams
  curl -H "Authorization: Bearer \$SLUICE_TOKEN" \$SLUICE_SCHEMA_REGISTRY/subjects
  aws --endpoint-url \$AWS_ENDPOINT_URL_KINESIS kinesis list-streams

EOF
fi

# Stay up until Ctrl-C, or until one of the processes dies (then stop the rest and fail).
supervise
