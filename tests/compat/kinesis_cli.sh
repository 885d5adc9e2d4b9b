#!/usr/bin/env bash
# Compatibility check of Sluice's Kinesis JSON API with the real AWS CLI (v1 or v2; Debian package
# `awscli`). Every request is an `aws kinesis ...` command; tests/compat/cli_check.py (python3,
# standard library only) reads the CLI's JSON answers and compares them with what was written.
#
#   tests/compat/kinesis_cli.sh [ENDPOINT_URL]
#
# Needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (or AWS_DEFAULT_REGION); the
# endpoint is the argument or AWS_ENDPOINT_URL_KINESIS. Against the dev cluster (./infra/run.sh
# running in another shell):
#
#   . .data/dev.env && tests/compat/kinesis_cli.sh
#
# Optional: SLUICE_COMPAT_STREAM (the stream to create; default a unique compat-cli-… name),
# SLUICE_EXPECTED_ACCOUNT_ID (the tenant's account id, checked in the stream ARN and in the
# not-found message), SLUICE_COMPAT_WAIT_S (bound of every wait, default 60).
#
# Creates a 2-shard stream, writes with put-record (with and without --explicit-hash-key and
# --sequence-number-for-ordering) and put-records, reads every shard back with each iterator
# type, changes the retention, registers, describes, lists and deregisters a stream consumer,
# checks three error answers, reshards (split-shard, merge-shards, update-shard-count) and reads
# parents to their end (ChildShards, no next iterator) and on into their children, and deletes the
# stream. The AT_TIMESTAMP
# step compares the client's clock with the server's arrival times, so run it on the server's
# machine (or one whose clock agrees within a few hundred milliseconds). Prints a line per step;
# exits 1 with "FAIL: ..." on the first failed check (also when the CLI itself fails).
set -euo pipefail
# Command substitutions fail the script too, e.g. x="$(check ...)".
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENDPOINT="${1:-${AWS_ENDPOINT_URL_KINESIS:-}}"
STREAM="${SLUICE_COMPAT_STREAM:-compat-cli-$(date +%s)-$RANDOM$RANDOM}"
WAIT_S="${SLUICE_COMPAT_WAIT_S:-60}"
ACCOUNT="${SLUICE_EXPECTED_ACCOUNT_ID:-}"
SHARD_COUNT=2

fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}
step() { printf '== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }

[[ -n "$ENDPOINT" ]] || fail "no endpoint: pass it as the argument or set AWS_ENDPOINT_URL_KINESIS"
[[ -n "${AWS_ACCESS_KEY_ID:-}" && -n "${AWS_SECRET_ACCESS_KEY:-}" ]] ||
  fail "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (. .data/dev.env for the dev cluster)"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-}}"
[[ -n "$AWS_DEFAULT_REGION" ]] || fail "set AWS_REGION (or AWS_DEFAULT_REGION)"
command -v aws >/dev/null 2>&1 || fail "aws (the AWS CLI) is not on PATH: install the Debian package awscli"
command -v python3 >/dev/null 2>&1 || fail "python3 is not on PATH"

# No pager (v2), no retries: a failed request must show, not be hidden behind a retry that may
# also write a record twice.
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
unset AWS_SESSION_TOKEN AWS_PROFILE

# AWS CLI v2 reads blob arguments as base64 unless told otherwise; v1 always takes them raw (and
# does not know the option). fileb:// is raw bytes in both.
cli_version="$(aws --version 2>&1)"
blob_args=()
if [[ "$cli_version" == aws-cli/2* ]]; then blob_args=(--cli-binary-format raw-in-base64-out); fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-compat-cli.XXXXXX")"
stream_created=0
cleanup() {
  if ((stream_created)); then
    aws --endpoint-url "$ENDPOINT" kinesis delete-stream --stream-name "$STREAM" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

check() { python3 "$HERE/cli_check.py" "$@"; }

# kin OP ARGS...: `aws kinesis OP` against the endpoint; JSON on stdout, the CLI's stderr in $work/err.
kin() { aws --endpoint-url "$ENDPOINT" --output json kinesis "$@" 2>"$work/err"; }

# must OP ARGS... >FILE: kin, failing the script with the CLI's message when it fails.
must() {
  if ! kin "$@"; then
    fail "aws kinesis $1 failed: $(tr '\n' ' ' <"$work/err")"
  fi
}

# expect_error CODE MESSAGE OP ARGS...: the request must fail with CODE (and MESSAGE unless empty).
expect_error() {
  local code="$1" message="$2"
  shift 2
  if kin "$@" >"$work/out"; then
    fail "aws kinesis $1 succeeded; expected $code: $(head -c 500 "$work/out")"
  fi
  if [[ -n "$message" ]]; then
    check error "$work/err" "$code" "$message"
  else
    check error "$work/err" "$code"
  fi
}

# wait_for_status STATUS: polls describe-stream-summary until the stream has STATUS.
wait_for_status() {
  local want="$1" status="" deadline=$((SECONDS + WAIT_S))
  while :; do
    must describe-stream-summary --stream-name "$STREAM" >"$work/summary.json"
    status="$(check get "$work/summary.json" StreamDescriptionSummary.StreamStatus)"
    [[ "$status" == "$want" ]] && return 0
    [[ "$status" =~ ^(CREATING|UPDATING|ACTIVE)$ ]] || fail "stream status is '$status'"
    ((SECONDS < deadline)) || fail "stream still $status after ${WAIT_S}s (waiting for $want)"
    sleep 0.5
  done
}

# read_shard ITERATOR OUT_TSV: follows NextShardIterator from ITERATOR until a page is empty with
# MillisBehindLatest 0 (caught up), appending "sequence, partition key, base64 data" lines.
read_shard() {
  local it="$1" out="$2" meta count millis pages=0 deadline=$((SECONDS + WAIT_S))
  : >"$out"
  while :; do
    must get-records --shard-iterator "$it" >"$work/page.json"
    meta="$(check page "$work/page.json" "$out")"
    read -r count millis it <<<"$meta"
    pages=$((pages + 1))
    [[ "$it" != - ]] || fail "GetRecords of an open shard answered no NextShardIterator"
    if ((count == 0 && millis == 0)); then return 0; fi
    ((SECONDS < deadline)) || fail "not caught up after $pages GetRecords pages in ${WAIT_S}s"
  done
}

# read_to_end ITERATOR OUT_TSV: follows NextShardIterator from ITERATOR to the end of a closed
# shard (a page with ChildShards and no NextShardIterator), appending its records to OUT_TSV; the
# child shard ids go to $work/children.txt.
read_to_end() {
  local it="$1" out="$2" meta count millis children pages=0 deadline=$((SECONDS + WAIT_S))
  : >"$out"
  while :; do
    must get-records --shard-iterator "$it" >"$work/page.json"
    meta="$(check page "$work/page.json" "$out")"
    read -r count millis it <<<"$meta"
    children="$(check children "$work/page.json")"
    pages=$((pages + 1))
    if [[ -n "$children" ]]; then
      printf '%s\n' "$children" >"$work/children.txt"
      return 0
    fi
    [[ "$it" != - ]] || fail "GetRecords answered neither NextShardIterator nor ChildShards"
    ((SECONDS < deadline)) || fail "no end of the closed shard after $pages GetRecords pages in ${WAIT_S}s"
  done
}

# put_to SHARD HASH_KEY PK EPOCH: put-record with an explicit hash key that must land in SHARD.
put_to() {
  local shard="$1" ehk="$2" pk="$3" epoch="$4"
  head -c "$((1 + RANDOM % 300))" /dev/urandom >"$work/data.bin"
  must put-record --stream-name "$STREAM" --partition-key "$pk" --data "fileb://$work/data.bin" \
    --explicit-hash-key "$ehk" >"$work/put.json"
  check check-put-to "$work/put.json" "$shard" "$pk" "$(base64 -w0 <"$work/data.bin")" "$epoch" >>"$work/expected.tsv"
}

# iterator SHARD TYPE [ARGS...]: prints a shard iterator.
iterator() {
  local shard="$1" type="$2"
  shift 2
  must get-shard-iterator --stream-name "$STREAM" --shard-id "$shard" --shard-iterator-type "$type" "$@" \
    >"$work/iterator.json"
  local it
  it="$(check get "$work/iterator.json" ShardIterator)"
  [[ -n "$it" ]] || fail "GetShardIterator $type answered no ShardIterator"
  printf '%s\n' "$it"
}

# put_one PK EHK EPOCH [SEQUENCE_FOR_ORDERING]: put-record of random binary data (fileb://),
# checked and appended to the expected records; prints the sequence number.
put_one() {
  local pk="$1" ehk="$2" epoch="$3" after="${4:-}" args=() size
  size=$((1 + RANDOM % 600))
  head -c "$size" /dev/urandom >"$work/data.bin"
  [[ -z "$ehk" ]] || args+=(--explicit-hash-key "$ehk")
  [[ -z "$after" ]] || args+=(--sequence-number-for-ordering "$after")
  must put-record --stream-name "$STREAM" --partition-key "$pk" --data "fileb://$work/data.bin" \
    "${args[@]}" >"$work/put.json"
  check check-put "$work/put.json" "$work/shards.txt" "$pk" "$(base64 -w0 <"$work/data.bin")" "$ehk" "$epoch" \
    "$after" >>"$work/expected.tsv"
  tail -n 1 "$work/expected.tsv" | cut -f 2
}

# put_batch COUNT PREFIX EPOCH: one put-records of COUNT text records, checked and appended.
put_batch() {
  check batch "$1" "$2" "$work/shards.txt" "$work/batch.json" "$work/batch.meta"
  must put-records --stream-name "$STREAM" --records "file://$work/batch.json" "${blob_args[@]}" >"$work/putb.json"
  check check-batch "$work/putb.json" "$work/batch.meta" "$work/shards.txt" "$3" >>"$work/expected.tsv"
}

printf 'AWS CLI: %s\nendpoint %s, stream %s\n' "$cli_version" "$ENDPOINT" "$STREAM"
: >"$work/expected.tsv"

step "create-stream ($SHARD_COUNT shards); wait stream-exists until ACTIVE"
# create-stream answers while the stream is CREATING; it takes records once ACTIVE. A Kinesis user
# waits for that with `aws kinesis wait stream-exists` (which polls every 10 s).
must create-stream --stream-name "$STREAM" --shard-count "$SHARD_COUNT" >/dev/null
stream_created=1
must describe-stream-summary --stream-name "$STREAM" >"$work/summary.json"
first="$(check get "$work/summary.json" StreamDescriptionSummary.StreamStatus)"
[[ "$first" =~ ^(CREATING|ACTIVE)$ ]] || fail "a new stream is '$first', not CREATING or ACTIVE"
if ! kin wait stream-exists --stream-name "$STREAM" >/dev/null; then
  fail "aws kinesis wait stream-exists failed: $(tr '\n' ' ' <"$work/err")"
fi
wait_for_status ACTIVE
check summary "$work/summary.json" "$STREAM" "$SHARD_COUNT" 24 "$ACCOUNT"
if [[ -z "$ACCOUNT" ]]; then
  ACCOUNT="$(check get "$work/summary.json" StreamDescriptionSummary.StreamARN | cut -d: -f5)"
fi
ok "$first at first; ACTIVE once wait stream-exists returned; summary names account $ACCOUNT"

step "list-streams, describe-stream, list-shards"
must list-streams >"$work/list.json"
names="$(check get "$work/list.json" StreamNames)"
[[ "$names" == *"\"$STREAM\""* ]] || fail "list-streams does not list $STREAM: $(head -c 1000 "$work/list.json")"
# --no-paginate: the raw answer (the CLI's paginator would drop HasMoreShards).
must describe-stream --stream-name "$STREAM" --no-paginate >"$work/describe.json"
[[ "$(check get "$work/describe.json" StreamDescription.StreamStatus)" == ACTIVE ]] || fail "describe-stream status is not ACTIVE"
[[ "$(check get "$work/describe.json" StreamDescription.StreamName)" == "$STREAM" ]] || fail "describe-stream names another stream"
[[ "$(check get "$work/describe.json" StreamDescription.HasMoreShards)" == false ]] || fail "describe-stream HasMoreShards is not false"
check shards "$work/describe.json" StreamDescription.Shards "$SHARD_COUNT" >"$work/shards.txt"
must list-shards --stream-name "$STREAM" >"$work/shards.json"
check same-shards "$work/shards.txt" "$work/shards.json" Shards
mapfile -t shard_ids < <(cut -d' ' -f1 "$work/shards.txt")
mapfile -t shard_starts < <(cut -d' ' -f2 "$work/shards.txt")
ok "listed; shards ${shard_ids[*]} tile the hash key space; list-shards agrees"

step "put-record: by partition key, by explicit hash key, with sequence-number-for-ordering"
for i in 1 2 3 4; do put_one "cli-key-$i" "" 0 >/dev/null; done
for i in "${!shard_ids[@]}"; do put_one "cli-explicit-$i" "${shard_starts[$i]}" 0 >/dev/null; done
previous=""
for i in 1 2 3; do
  previous="$(put_one "cli-ordered" "" 0 "$previous")"
done
ok "$(wc -l <"$work/expected.tsv") records, each in the shard its hash key names"

step "put-records: two batches"
put_batch 100 cli-b1 0
put_batch 37 cli-b2 0
ok "$(wc -l <"$work/expected.tsv") records in all"

# Everything so far arrived before T, everything from here on after it (whole seconds, so no
# client's timestamp rounding matters).
now="$(date +%s.%N)"
at_time=$((${now%.*} + 1))
sleep "$(awk -v t="$at_time" -v n="$now" 'BEGIN { printf "%.3f", t - n + 0.3 }')"
at_iso="$(date -u -d "@$at_time" +%Y-%m-%dT%H:%M:%SZ)"

step "records after $at_iso (for AT_TIMESTAMP)"
put_batch 20 cli-b3 1
for i in "${!shard_ids[@]}"; do put_one "cli-late-$i" "${shard_starts[$i]}" 1 >/dev/null; done
ok "$(wc -l <"$work/expected.tsv") records in all"

for i in "${!shard_ids[@]}"; do
  shard="${shard_ids[$i]}"
  step "read $shard back"
  it="$(iterator "$shard" TRIM_HORIZON)"
  read_shard "$it" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" all)"
  ok "TRIM_HORIZON: all $n records, once each, in sequence order, same bytes and keys"

  middle="$(check nth "$work/expected.tsv" "$shard" "$((n / 2))")"
  it="$(iterator "$shard" AT_SEQUENCE_NUMBER --starting-sequence-number "$middle")"
  read_shard "$it" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" at "$middle")"
  ok "AT_SEQUENCE_NUMBER: $n records"
  it="$(iterator "$shard" AFTER_SEQUENCE_NUMBER --starting-sequence-number "$middle")"
  read_shard "$it" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" after "$middle")"
  ok "AFTER_SEQUENCE_NUMBER: $n records"
  it="$(iterator "$shard" AT_TIMESTAMP --timestamp "$at_iso")"
  read_shard "$it" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" from-epoch 1)"
  ok "AT_TIMESTAMP: $n records"

  it="$(iterator "$shard" LATEST)"
  put_one "cli-after-latest-$i" "${shard_starts[$i]}" "$((2 + i))" >/dev/null
  read_shard "$it" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" only-epoch "$((2 + i))")"
  ((n == 1)) || fail "LATEST read $n records"
  ok "LATEST: only the record put after it"
done

step "increase/decrease-stream-retention-period"
must increase-stream-retention-period --stream-name "$STREAM" --retention-period-hours 48 >/dev/null
wait_for_status ACTIVE
check summary "$work/summary.json" "$STREAM" "$SHARD_COUNT" 48 "$ACCOUNT"
must decrease-stream-retention-period --stream-name "$STREAM" --retention-period-hours 24 >/dev/null
wait_for_status ACTIVE
check summary "$work/summary.json" "$STREAM" "$SHARD_COUNT" 24 "$ACCOUNT"
ok "24 → 48 → 24 hours"

step "stream consumers: register-stream-consumer, describe-stream-consumer, list-stream-consumers, deregister-stream-consumer"
# (subscribe-to-shard is not in the AWS CLI v1, which leaves out event-stream operations; the SDK scripts subscribe.)
stream_arn="$(check get "$work/summary.json" StreamDescriptionSummary.StreamARN)"
consumer="compat-cli-consumer"
must register-stream-consumer --stream-arn "$stream_arn" --consumer-name "$consumer" >"$work/consumer.json"
consumer_arn="$(check get "$work/consumer.json" Consumer.ConsumerARN)"
[[ "$consumer_arn" =~ ^"$stream_arn"/consumer/"$consumer":[0-9]+$ ]] ||
  fail "ConsumerARN $consumer_arn is not $stream_arn/consumer/$consumer:<creation epoch seconds>"
status="$(check get "$work/consumer.json" Consumer.ConsumerStatus)"
[[ "$status" =~ ^(CREATING|ACTIVE)$ ]] || fail "a new consumer is $status"
deadline=$((SECONDS + WAIT_S))
while :; do
  must describe-stream-consumer --consumer-arn "$consumer_arn" >"$work/consumer.json"
  status="$(check get "$work/consumer.json" ConsumerDescription.ConsumerStatus)"
  [[ "$status" == ACTIVE ]] && break
  [[ "$status" == CREATING ]] || fail "consumer status is '$status'"
  ((SECONDS < deadline)) || fail "consumer still $status after ${WAIT_S}s"
  sleep 0.5
done
[[ "$(check get "$work/consumer.json" ConsumerDescription.StreamARN)" == "$stream_arn" ]] || fail "describe-stream-consumer names another stream"
must describe-stream-consumer --stream-arn "$stream_arn" --consumer-name "$consumer" >"$work/consumer2.json"
[[ "$(check get "$work/consumer2.json" ConsumerDescription.ConsumerARN)" == "$consumer_arn" ]] || fail "describe by stream ARN and name found another consumer"
must list-stream-consumers --stream-arn "$stream_arn" >"$work/consumers.json"
[[ "$(check get "$work/consumers.json" Consumers.0.ConsumerARN)" == "$consumer_arn" && -z "$(check get "$work/consumers.json" Consumers.1)" ]] ||
  fail "list-stream-consumers does not list exactly the consumer: $(head -c 500 "$work/consumers.json")"
must describe-stream-summary --stream-name "$STREAM" >"$work/summary.json"
[[ "$(check get "$work/summary.json" StreamDescriptionSummary.ConsumerCount)" == 1 ]] || fail "ConsumerCount is not 1"
expect_error ResourceInUseException "" register-stream-consumer --stream-arn "$stream_arn" --consumer-name "$consumer"
expect_error ResourceInUseException "" delete-stream --stream-name "$STREAM"
must deregister-stream-consumer --consumer-arn "$consumer_arn" >/dev/null
deadline=$((SECONDS + WAIT_S))
while kin describe-stream-consumer --consumer-arn "$consumer_arn" >"$work/consumer.json"; do
  status="$(check get "$work/consumer.json" ConsumerDescription.ConsumerStatus)"
  [[ "$status" == DELETING ]] || fail "a deregistered consumer is $status"
  ((SECONDS < deadline)) || fail "consumer still described ${WAIT_S}s after deregister-stream-consumer"
  sleep 0.5
done
check error "$work/err" ResourceNotFoundException
ok "registered, ACTIVE, described by ARN and by name, listed, counted; a duplicate name and delete-stream are ResourceInUseException; deregistered, DELETING, gone"

step "error answers"
missing="compat-cli-missing-$RANDOM$RANDOM"
expect_error ResourceNotFoundException "Stream $missing under account $ACCOUNT not found." \
  describe-stream --stream-name "$missing"
ok "describe-stream of a missing stream: ResourceNotFoundException"
wrong_secret="$(printf '%s' "$AWS_SECRET_ACCESS_KEY" | rev)"
if AWS_SECRET_ACCESS_KEY="$wrong_secret" kin list-streams >"$work/out"; then
  fail "list-streams signed with a wrong secret succeeded"
fi
check error "$work/err" InvalidSignatureException
ok "a request signed with a wrong secret: InvalidSignatureException"
expect_error InvalidArgumentException "" get-records --shard-iterator "AAAAAAAAAAGarbageIteratorThatNoServerMade0123456789"
ok "get-records with a garbage iterator: InvalidArgumentException"

step "split-shard: the parent closes, two children take its hash keys"
parent="${shard_ids[0]}"
read -r _ parent_start parent_end < <(grep "^$parent " "$work/shards.txt")
middle="$(python3 -c "import sys; print((int(sys.argv[1]) + int(sys.argv[2]) + 1) // 2)" "$parent_start" "$parent_end")"
must split-shard --stream-name "$STREAM" --shard-to-split "$parent" --new-starting-hash-key "$middle" >/dev/null
wait_for_status ACTIVE
[[ "$(check get "$work/summary.json" StreamDescriptionSummary.OpenShardCount)" == $((SHARD_COUNT + 1)) ]] ||
  fail "OpenShardCount after split-shard is not $((SHARD_COUNT + 1))"
must list-shards --stream-name "$STREAM" >"$work/reshard.json"
read -r low high <<<"$(check split-children "$work/reshard.json" "$parent" "$parent_start" "$middle" "$parent_end")"
for i in 1 2 3; do
  put_to "$low" "$parent_start" "cli-low-$i" 7
  put_to "$high" "$parent_end" "cli-high-$i" 7
done
ok "$parent closed with an EndingSequenceNumber; $low and $high take its hash keys and the new records"

step "read $parent to its end: every record, then ChildShards and no next iterator"
read_to_end "$(iterator "$parent" TRIM_HORIZON)" "$work/read.tsv"
n="$(check expect "$work/expected.tsv" "$parent" "$work/read.tsv" all)"
[[ "$(cat "$work/children.txt")" == "$(printf '%s\n' "$low" "$high" | sort | tr '\n' ' ' | sed 's/ $//')" ]] ||
  fail "ChildShards of $parent are $(cat "$work/children.txt"), expected $low and $high"
ok "$n records, then ChildShards $low $high"

step "merge-shards of the children, update-shard-count"
must merge-shards --stream-name "$STREAM" --shard-to-merge "$low" --adjacent-shard-to-merge "$high" >/dev/null
wait_for_status ACTIVE
must list-shards --stream-name "$STREAM" >"$work/reshard.json"
merged="$(check merged-child "$work/reshard.json" "$low" "$high")"
put_to "$merged" "$parent_start" "cli-merged" 8
must update-shard-count --stream-name "$STREAM" --target-shard-count $((SHARD_COUNT + 1)) --scaling-type UNIFORM_SCALING >"$work/scale.json"
[[ "$(check get "$work/scale.json" CurrentShardCount) $(check get "$work/scale.json" TargetShardCount)" == "$SHARD_COUNT $((SHARD_COUNT + 1))" ]] ||
  fail "update-shard-count answered $(head -c 500 "$work/scale.json")"
wait_for_status ACTIVE
[[ "$(check get "$work/summary.json" StreamDescriptionSummary.OpenShardCount)" == $((SHARD_COUNT + 1)) ]] ||
  fail "OpenShardCount after update-shard-count is not $((SHARD_COUNT + 1))"
expect_error InvalidArgumentException "" split-shard --stream-name "$STREAM" --shard-to-split "$parent" --new-starting-hash-key "$middle"
ok "$low + $high → $merged; update-shard-count $SHARD_COUNT → $((SHARD_COUNT + 1)); a closed shard cannot split again"

for shard in "$low" "$high" "$merged"; do
  step "read $shard to its end"
  read_to_end "$(iterator "$shard" TRIM_HORIZON)" "$work/read.tsv"
  n="$(check expect "$work/expected.tsv" "$shard" "$work/read.tsv" all)"
  ok "$n records, then ChildShards $(cat "$work/children.txt")"
done

step "delete-stream"
must delete-stream --stream-name "$STREAM" >/dev/null
deadline=$((SECONDS + WAIT_S))
while kin describe-stream-summary --stream-name "$STREAM" >/dev/null; do
  ((SECONDS < deadline)) || fail "stream still described ${WAIT_S}s after delete-stream"
  sleep 0.5
done
check error "$work/err" ResourceNotFoundException
stream_created=0
if ! kin wait stream-not-exists --stream-name "$STREAM" >/dev/null; then
  fail "aws kinesis wait stream-not-exists failed: $(tr '\n' ' ' <"$work/err")"
fi
ok "gone; wait stream-not-exists returned"

printf 'PASS: AWS CLI compatibility (%s records written and read back)\n' "$(wc -l <"$work/expected.tsv")"
