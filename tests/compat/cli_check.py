#!/usr/bin/env python3
"""Checks behind tests/compat/kinesis_cli.sh: reads the AWS CLI's JSON answers and compares them
with what the script wrote. Standard library only, so it runs on any python3 (the AWS CLI needs
one anyway); every request to the service is made by the AWS CLI itself, never from here.

    cli_check.py get FILE PATH                       a value (dotted path; list index as a number)
    cli_check.py shards FILE PATH COUNT              checks a shard list, prints "id start end" lines
    cli_check.py summary FILE STREAM SHARDS HOURS [ACCOUNT]   checks DescribeStreamSummary
    cli_check.py same-shards SHARDS_TXT FILE PATH    the same shards as SHARDS_TXT
    cli_check.py batch COUNT PREFIX SHARDS_TXT JSON META      writes a PutRecords --records file
    cli_check.py check-put RESULT SHARDS_TXT PK DATA_B64 EHK EPOCH [AFTER_SEQ]  one PutRecord
    cli_check.py check-batch RESULT META SHARDS_TXT EPOCH      one PutRecords
    cli_check.py page FILE OUT_TSV                   appends a GetRecords page, prints "count millis next"
    cli_check.py nth EXPECTED SHARD INDEX            the INDEX-th sequence number of the shard
    cli_check.py expect EXPECTED SHARD ACTUAL MODE [ARG]       MODE: all | at SEQ | after SEQ |
                                                     from-epoch N | only-epoch N
    cli_check.py error STDERR_FILE CODE [MESSAGE]    the CLI failed with CODE (and exactly MESSAGE)

EXPECTED lines are "shard<TAB>sequence<TAB>partition key<TAB>base64 data<TAB>epoch", ACTUAL lines
"sequence<TAB>partition key<TAB>base64 data". Exits 1 with "FAIL: ..." when a check fails.
"""

import base64
import hashlib
import json
import re
import sys

MAX_HASH_KEY = 2**128 - 1


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"{path} is not JSON ({e}): {text[:500]!r}")


def walk(value, path):
    for part in path.split(".") if path else []:
        if isinstance(value, list):
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            value = None
        if value is None:
            return None
    return value


def read_shards(path):
    shards = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            shard_id, start, end = line.split()
            shards.append((shard_id, int(start), int(end)))
    return shards


def shard_of(shards, partition_key, explicit_hash_key):
    if explicit_hash_key:
        key = int(explicit_hash_key)
    else:
        key = int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")
    for shard_id, start, end in shards:
        if start <= key <= end:
            return shard_id
    fail(f"hash key {key} is in no shard's range")


def read_expected(path, shard):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s, seq, pk, data, epoch = line.rstrip("\n").split("\t")
            if s == shard:
                rows.append((seq, pk, data, int(epoch)))
    seqs = [int(r[0]) for r in rows]
    if len(set(seqs)) != len(seqs):
        fail(f"PutRecord/PutRecords handed out one sequence number twice in {shard}")
    rows.sort(key=lambda r: int(r[0]))
    return rows


def read_actual(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            seq, pk, data = line.rstrip("\n").split("\t")
            rows.append((seq, pk, data))
    return rows


def cmd_get(path, expr):
    value = walk(load(path), expr)
    if value is None:
        print("")
    elif isinstance(value, bool):
        print("true" if value else "false")
    elif isinstance(value, (dict, list)):
        print(json.dumps(value))
    else:
        print(value)


def cmd_shards(path, expr, count):
    shards = walk(load(path), expr)
    if not isinstance(shards, list):
        fail(f"{expr} is not a list in {path}")
    if len(shards) != int(count):
        fail(f"{expr} has {len(shards)} shards, expected {count}")
    parsed = []
    for shard in shards:
        shard_id = shard.get("ShardId", "")
        if not re.fullmatch(r"shardId-\d{12}", shard_id):
            fail(f"bad ShardId {shard_id!r}")
        keys = shard.get("HashKeyRange") or {}
        try:
            start, end = int(keys["StartingHashKey"]), int(keys["EndingHashKey"])
        except (KeyError, ValueError):
            fail(f"{shard_id} has no valid HashKeyRange: {shard!r}")
        starting = walk(shard, "SequenceNumberRange.StartingSequenceNumber")
        if not starting or not str(starting).isdigit():
            fail(f"{shard_id} has no SequenceNumberRange.StartingSequenceNumber: {shard!r}")
        if walk(shard, "SequenceNumberRange.EndingSequenceNumber") is not None:
            fail(f"{shard_id} of a new stream is closed (has an EndingSequenceNumber)")
        parsed.append((shard_id, start, end))
    parsed.sort(key=lambda s: s[1])
    if len({s[0] for s in parsed}) != len(parsed):
        fail(f"duplicate shard ids in {expr}")
    expected_start = 0
    for shard_id, start, end in parsed:
        if start != expected_start or end < start:
            fail(f"hash key ranges do not tile 0..2^128-1: {shard_id} is {start}..{end}, expected to start at {expected_start}")
        expected_start = end + 1
    if expected_start != MAX_HASH_KEY + 1:
        fail(f"hash key ranges end at {expected_start - 1}, not at 2^128-1")
    for shard_id, start, end in parsed:
        print(shard_id, start, end)


def cmd_summary(path, stream, shards, hours, account=""):
    summary = walk(load(path), "StreamDescriptionSummary")
    if not isinstance(summary, dict):
        fail(f"no StreamDescriptionSummary in {path}")
    checks = {
        "StreamName": stream,
        "StreamStatus": "ACTIVE",
        "OpenShardCount": int(shards),
        "RetentionPeriodHours": int(hours),
    }
    for key, want in checks.items():
        if summary.get(key) != want:
            fail(f"DescribeStreamSummary {key} is {summary.get(key)!r}, expected {want!r}")
    arn = summary.get("StreamARN", "")
    match = re.fullmatch(r"arn:aws:kinesis:[a-z0-9-]+:(\d{12}):stream/(.+)", arn)
    if not match or match.group(2) != stream:
        fail(f"StreamARN {arn!r} is not arn:aws:kinesis:REGION:ACCOUNT:stream/{stream}")
    if account and match.group(1) != account:
        fail(f"StreamARN {arn!r} names account {match.group(1)}, the tenant's is {account}")
    if summary.get("StreamCreationTimestamp") is None:
        fail("DescribeStreamSummary has no StreamCreationTimestamp")


def cmd_same_shards(shards_txt, path, expr):
    listed = walk(load(path), expr) or []
    got = sorted((s["ShardId"], int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in listed)
    want = sorted(read_shards(shards_txt))
    if got != want:
        fail(f"{expr} in {path} lists {got}, DescribeStream listed {want}")


def cmd_batch(count, prefix, shards_txt, json_path, meta_path):
    """Text records (the CLI's JSON input cannot carry arbitrary bytes); every 5th one carries an
    ExplicitHashKey: the first hash key of a shard, in turn."""
    shards = read_shards(shards_txt)
    records, meta = [], []
    for i in range(int(count)):
        pk = f"{prefix}-pk-{i}"
        data = f"{prefix} record {i} " + "x" * (i % 40)
        record = {"Data": data, "PartitionKey": pk}
        ehk = ""
        if i % 5 == 0:
            ehk = str(shards[(i // 5) % len(shards)][1])
            record["ExplicitHashKey"] = ehk
        records.append(record)
        meta.append((pk, base64.b64encode(data.encode("utf-8")).decode("ascii"), ehk))
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(records, f)
    with open(meta_path, "w", encoding="utf-8") as f:
        for pk, data, ehk in meta:
            f.write(f"{pk}\t{data}\t{ehk}\n")


def check_sequence(seq, where):
    if not isinstance(seq, str) or not seq.isdigit():
        fail(f"{where}: SequenceNumber {seq!r} is not a decimal string")


def cmd_check_put(result_path, shards_txt, pk, data_b64, ehk, epoch, after_seq=""):
    result = load(result_path)
    shard, seq = result.get("ShardId"), result.get("SequenceNumber")
    check_sequence(seq, f"PutRecord {pk}")
    want = shard_of(read_shards(shards_txt), pk, ehk)
    if shard != want:
        fail(f"PutRecord {pk} (ExplicitHashKey {ehk or 'none'}) went to {shard}, its hash key is in {want}")
    if after_seq and int(seq) <= int(after_seq):
        fail(f"PutRecord with SequenceNumberForOrdering {after_seq} got {seq}, which is not greater")
    print(f"{shard}\t{seq}\t{pk}\t{data_b64}\t{epoch}")


def cmd_check_batch(result_path, meta_path, shards_txt, epoch):
    result = load(result_path)
    shards = read_shards(shards_txt)
    with open(meta_path, encoding="utf-8") as f:
        meta = [line.rstrip("\n").split("\t") for line in f]
    if result.get("FailedRecordCount") != 0:
        fail(f"PutRecords FailedRecordCount is {result.get('FailedRecordCount')!r}: {json.dumps(result)[:1000]}")
    entries = result.get("Records") or []
    if len(entries) != len(meta):
        fail(f"PutRecords answered {len(entries)} results for {len(meta)} records")
    for (pk, data, ehk), entry in zip(meta, entries):
        if "ErrorCode" in entry:
            fail(f"PutRecords record {pk} failed: {entry}")
        check_sequence(entry.get("SequenceNumber"), f"PutRecords {pk}")
        want = shard_of(shards, pk, ehk)
        if entry.get("ShardId") != want:
            fail(f"PutRecords {pk} (ExplicitHashKey {ehk or 'none'}) went to {entry.get('ShardId')}, its hash key is in {want}")
        print(f"{want}\t{entry['SequenceNumber']}\t{pk}\t{data}\t{epoch}")


def cmd_page(path, out_tsv):
    page = load(path)
    records = page.get("Records")
    if not isinstance(records, list):
        fail(f"GetRecords answer has no Records list: {json.dumps(page)[:500]}")
    millis = page.get("MillisBehindLatest")
    if not isinstance(millis, int) or millis < 0:
        fail(f"GetRecords MillisBehindLatest is {millis!r}")
    with open(out_tsv, "a", encoding="utf-8") as f:
        for r in records:
            for field in ("SequenceNumber", "PartitionKey", "Data", "ApproximateArrivalTimestamp"):
                if r.get(field) is None:
                    fail(f"a record has no {field}: {r!r}")
            check_sequence(r["SequenceNumber"], "GetRecords")
            f.write(f"{r['SequenceNumber']}\t{r['PartitionKey']}\t{r['Data']}\n")
    print(len(records), millis, page.get("NextShardIterator") or "-")


def cmd_nth(expected_path, shard, index):
    rows = read_expected(expected_path, shard)
    print(rows[int(index)][0])


def cmd_expect(expected_path, shard, actual_path, mode, arg=""):
    rows = read_expected(expected_path, shard)
    seqs = [r[0] for r in rows]
    if mode == "all":
        want = rows
    elif mode in ("at", "after"):
        if arg not in seqs:
            fail(f"{arg} is not a sequence number written to {shard}")
        i = seqs.index(arg)
        want = rows[i:] if mode == "at" else rows[i + 1:]
    elif mode in ("from-epoch", "only-epoch"):
        want = [r for r in rows if (r[3] >= int(arg) if mode == "from-epoch" else r[3] == int(arg))]
        if rows[len(rows) - len(want):] != want and mode == "from-epoch":
            fail(f"records of epoch {arg} and later do not sort after the earlier ones in {shard}")
    else:
        fail(f"unknown mode {mode}")
    got = read_actual(actual_path)
    where = f"{shard} read {mode} {arg}".rstrip()
    for i in range(1, len(got)):
        if int(got[i][0]) <= int(got[i - 1][0]):
            fail(f"{where}: sequence numbers out of order at record {i}: {got[i - 1][0]} then {got[i][0]}")
    got_seqs = [g[0] for g in got]
    want_seqs = [w[0] for w in want]
    if got_seqs != want_seqs:
        missing = [s for s in want_seqs if s not in set(got_seqs)]
        extra = [s for s in got_seqs if s not in set(want_seqs)]
        fail(f"{where}: read {len(got)} records, expected {len(want)}; missing {missing[:5]}, unexpected {extra[:5]}")
    for g, w in zip(got, want):
        if g[1] != w[1] or g[2] != w[2]:
            fail(f"{where}: record {g[0]} came back as ({g[1]!r}, {g[2]!r}), was written as ({w[1]!r}, {w[2]!r})")
    print(len(got))


def cmd_error(stderr_path, code, message=None):
    with open(stderr_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    match = re.search(r"An error occurred \(([^)]*)\) when calling the \w+ operation(?: \([^)]*\))?: (.*)", text)
    if not match:
        fail(f"expected a {code} error, the CLI said: {text.strip()[:1000]!r}")
    if match.group(1) != code:
        fail(f"expected {code}, got {match.group(1)}: {match.group(2)}")
    if message is not None and match.group(2).strip() != message:
        fail(f"{code} message is {match.group(2).strip()!r}, expected {message!r}")


def cmd_check_put_to(result_path, shard, pk, data_b64, epoch):
    """A put-record after a reshard must land in SHARD; prints the expected-records line."""
    result = load(result_path)
    seq = result.get("SequenceNumber")
    check_sequence(seq, f"PutRecord {pk}")
    if result.get("ShardId") != shard:
        fail(f"PutRecord {pk} went to {result.get('ShardId')}, expected {shard}")
    print(f"{shard}\t{seq}\t{pk}\t{data_b64}\t{epoch}")


def cmd_children(path):
    """Prints the ChildShards of a GetRecords page (nothing while the shard goes on)."""
    page = load(path)
    children = page.get("ChildShards")
    if not children:
        return
    if page.get("NextShardIterator") is not None:
        fail(f"GetRecords answered ChildShards and a NextShardIterator: {json.dumps(page)[:500]}")
    if page.get("MillisBehindLatest") != 0:
        fail(f"GetRecords at the end of a shard answered MillisBehindLatest {page.get('MillisBehindLatest')!r}")
    for child in children:
        if not child.get("ShardId") or not child.get("ParentShards") or not child.get("HashKeyRange"):
            fail(f"a ChildShards entry lacks ShardId, ParentShards or HashKeyRange: {child!r}")
    print(" ".join(sorted(c["ShardId"] for c in children)))


def cmd_split_children(path, parent, start, middle, end):
    """list-shards after split-shard: PARENT has an EndingSequenceNumber, its two children split its range at MIDDLE."""
    shards = {s["ShardId"]: s for s in load(path)["Shards"]}
    if not shards[parent]["SequenceNumberRange"].get("EndingSequenceNumber"):
        fail(f"split parent {parent} has no EndingSequenceNumber")
    children = sorted((s for s in shards.values() if s.get("ParentShardId") == parent), key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
    ranges = [(int(c["HashKeyRange"]["StartingHashKey"]), int(c["HashKeyRange"]["EndingHashKey"])) for c in children]
    if ranges != [(int(start), int(middle) - 1), (int(middle), int(end))]:
        fail(f"children of {parent} have ranges {ranges}, expected [{start}, {int(middle) - 1}] and [{middle}, {end}]")
    if any(c.get("SequenceNumberRange", {}).get("EndingSequenceNumber") or c.get("AdjacentParentShardId") for c in children):
        fail(f"a new child of {parent} looks closed or merged: {children}")
    print(children[0]["ShardId"], children[1]["ShardId"])


def cmd_merged_child(path, parent, adjacent):
    """list-shards after merge-shards: one open shard with PARENT and ADJACENT as parents, covering both."""
    shards = {s["ShardId"]: s for s in load(path)["Shards"]}
    merged = [s for s in shards.values() if s.get("ParentShardId") == parent and s.get("AdjacentParentShardId") == adjacent]
    if len(merged) != 1:
        fail(f"expected one shard merged from {parent} and {adjacent}, found {merged}")
    low, high = shards[parent]["HashKeyRange"], shards[adjacent]["HashKeyRange"]
    want = (min(int(low["StartingHashKey"]), int(high["StartingHashKey"])), max(int(low["EndingHashKey"]), int(high["EndingHashKey"])))
    got = (int(merged[0]["HashKeyRange"]["StartingHashKey"]), int(merged[0]["HashKeyRange"]["EndingHashKey"]))
    if got != want:
        fail(f"merged shard {merged[0]['ShardId']} covers {got}, expected {want}")
    print(merged[0]["ShardId"])


COMMANDS = {
    "get": cmd_get,
    "shards": cmd_shards,
    "summary": cmd_summary,
    "same-shards": cmd_same_shards,
    "batch": cmd_batch,
    "check-put": cmd_check_put,
    "check-batch": cmd_check_batch,
    "page": cmd_page,
    "nth": cmd_nth,
    "expect": cmd_expect,
    "error": cmd_error,
    "check-put-to": cmd_check_put_to,
    "children": cmd_children,
    "split-children": cmd_split_children,
    "merged-child": cmd_merged_child,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail(f"usage: cli_check.py {'|'.join(COMMANDS)} ...")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
