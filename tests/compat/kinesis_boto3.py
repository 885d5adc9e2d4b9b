#!/usr/bin/env python3
"""Compatibility check of Sluice's Kinesis JSON API with boto3 (Debian package python3-boto3).

    python3 tests/compat/kinesis_boto3.py [ENDPOINT_URL]

Needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (or AWS_DEFAULT_REGION); the
endpoint is the argument or AWS_ENDPOINT_URL_KINESIS. boto3 speaks HTTP/1.1 only, so give it the
gateway's HTTP/1.1 port. Against the dev cluster (./infra/run.sh running in another shell):

    . .data/dev.env && python3 tests/compat/kinesis_boto3.py

Optional environment:
    SLUICE_COMPAT_STREAM        the stream to create (default: a unique compat-boto3-... name)
    SLUICE_EXPECTED_ACCOUNT_ID  the tenant's account id, checked in the ARN and not-found message
    SLUICE_ITERATOR_LIFETIME_S  the gateway's Sluice:Kinesis:IteratorLifetime in seconds; when set,
                                an iterator is left unused that long (plus 2 s) and must then be
                                refused with ExpiredIteratorException (skipped when unset: the
                                default lifetime is 5 minutes)
    SLUICE_COMPAT_WAIT_S        bound of every wait (default 60)

Creates a 2-shard stream, writes with put_record (with and without ExplicitHashKey and
SequenceNumberForOrdering) and 10,000 binary records with put_records in batches of 500, reads
every shard back with each iterator type, changes the retention, checks the error answers,
reshards (split_shard, merge_shards, update_shard_count), reads the whole stream back across
parents and children as a Kinesis consumer does (each parent to its ChildShards before its
children), and deletes the stream. The AT_TIMESTAMP step compares this machine's clock with the server's arrival
times, so run it on the server's machine (or one whose clock agrees within a few hundred ms).
Prints a line per step; exits 1 with "FAIL: ..." on the first failed check.
"""

import hashlib
import math
import os
import random
import re
import sys
import time
from datetime import datetime, timezone

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    print("FAIL: boto3 is not installed for this python3: install the Debian package python3-boto3", file=sys.stderr)
    sys.exit(1)

SHARD_COUNT = 2
TOTAL_BATCH_RECORDS = 10_000
BATCH_SIZE = 500
MAX_HASH_KEY = 2**128 - 1
WAIT_S = float(os.environ.get("SLUICE_COMPAT_WAIT_S", "60"))


class CheckFailed(Exception):
    pass


def fail(message):
    raise CheckFailed(message)


def check(condition, message):
    if not condition:
        fail(message)


def step(message):
    print(f"== {message}", flush=True)


def ok(message):
    print(f"   ok: {message}", flush=True)


def error_of(call, *args, **kwargs):
    """The (code, message) of the ClientError the call must raise."""
    try:
        response = call(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response["Error"].get("Message")
    fail(f"{call.__name__} succeeded, expected an error: {str(response)[:500]}")


def hash_key(partition_key, explicit_hash_key=None):
    if explicit_hash_key is not None:
        return int(explicit_hash_key)
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


class Compat:
    def __init__(self, endpoint, region, key_id, secret, stream, account):
        self.endpoint = endpoint
        self.region = region
        self.key_id = key_id
        self.secret = secret
        self.stream = stream
        self.account = account
        self.kinesis = self.client(key_id, secret)
        self.shards = []  # (shard id, starting hash key, ending hash key), by starting hash key
        # shard id -> {sequence number (int) -> (partition key, data, epoch)}
        self.written = {}
        self.created = False

    def client(self, key_id, secret):
        session = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret, region_name=self.region)
        # No retries: a failed request must show, not be hidden behind a retry that may also
        # write a record twice.
        config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)
        return session.client("kinesis", endpoint_url=self.endpoint, config=config)

    # --- helpers -------------------------------------------------------------------------------

    def summary(self):
        return self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]

    def wait_active(self):
        deadline = time.monotonic() + WAIT_S
        while True:
            summary = self.summary()
            status = summary["StreamStatus"]
            if status == "ACTIVE":
                return summary
            check(status in ("CREATING", "UPDATING"), f"stream status is {status!r}")
            check(time.monotonic() < deadline, f"stream still {status} after {WAIT_S:.0f}s")
            time.sleep(0.5)

    def check_summary(self, summary, retention_hours):
        want = {"StreamName": self.stream, "StreamStatus": "ACTIVE", "OpenShardCount": SHARD_COUNT,
                "RetentionPeriodHours": retention_hours}
        for key, value in want.items():
            check(summary.get(key) == value, f"DescribeStreamSummary {key} is {summary.get(key)!r}, expected {value!r}")
        arn = summary.get("StreamARN", "")
        match = re.fullmatch(r"arn:aws:kinesis:[a-z0-9-]+:(\d{12}):stream/(.+)", arn)
        check(match and match.group(2) == self.stream, f"StreamARN {arn!r} is not arn:aws:kinesis:REGION:ACCOUNT:stream/{self.stream}")
        if self.account:
            check(match.group(1) == self.account, f"StreamARN {arn!r} names account {match.group(1)}, the tenant's is {self.account}")
        else:
            self.account = match.group(1)
        check(isinstance(summary.get("StreamCreationTimestamp"), datetime), "DescribeStreamSummary has no StreamCreationTimestamp")

    def shard_of(self, partition_key, explicit_hash_key=None):
        key = hash_key(partition_key, explicit_hash_key)
        for shard_id, start, end in self.shards:
            if start <= key <= end:
                return shard_id
        fail(f"hash key {key} is in no shard's range")

    def remember(self, shard_id, sequence, partition_key, data, epoch):
        check(isinstance(sequence, str) and sequence.isdigit(), f"SequenceNumber {sequence!r} is not a decimal string")
        records = self.written.setdefault(shard_id, {})
        check(int(sequence) not in records, f"sequence number {sequence} handed out twice in {shard_id}")
        records[int(sequence)] = (partition_key, data, epoch)

    def put_one(self, partition_key, data, epoch, explicit_hash_key=None, after=None):
        args = {"StreamName": self.stream, "PartitionKey": partition_key, "Data": data}
        if explicit_hash_key is not None:
            args["ExplicitHashKey"] = explicit_hash_key
        if after is not None:
            args["SequenceNumberForOrdering"] = after
        result = self.kinesis.put_record(**args)
        want = self.shard_of(partition_key, explicit_hash_key)
        check(result["ShardId"] == want,
              f"PutRecord {partition_key!r} (ExplicitHashKey {explicit_hash_key}) went to {result['ShardId']}, its hash key is in {want}")
        if after is not None:
            check(int(result["SequenceNumber"]) > int(after),
                  f"PutRecord with SequenceNumberForOrdering {after} got {result['SequenceNumber']}, which is not greater")
        self.remember(want, result["SequenceNumber"], partition_key, data, epoch)
        return result["SequenceNumber"]

    def put_batch(self, entries, epoch):
        """entries: (partition key, data, explicit hash key or None)."""
        records = []
        for partition_key, data, explicit_hash_key in entries:
            record = {"PartitionKey": partition_key, "Data": data}
            if explicit_hash_key is not None:
                record["ExplicitHashKey"] = explicit_hash_key
            records.append(record)
        result = self.kinesis.put_records(StreamName=self.stream, Records=records)
        check(result.get("FailedRecordCount") == 0, f"PutRecords FailedRecordCount is {result.get('FailedRecordCount')!r}: "
              f"{[r for r in result.get('Records', []) if 'ErrorCode' in r][:3]}")
        check(len(result["Records"]) == len(entries), f"PutRecords answered {len(result['Records'])} results for {len(entries)} records")
        for (partition_key, data, explicit_hash_key), entry in zip(entries, result["Records"]):
            want = self.shard_of(partition_key, explicit_hash_key)
            check(entry.get("ShardId") == want,
                  f"PutRecords {partition_key!r} (ExplicitHashKey {explicit_hash_key}) went to {entry.get('ShardId')}, its hash key is in {want}")
            self.remember(want, entry.get("SequenceNumber"), partition_key, data, epoch)

    def iterator(self, shard_id, kind, **extra):
        result = self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard_id, ShardIteratorType=kind, **extra)
        it = result.get("ShardIterator")
        check(isinstance(it, str) and it, f"GetShardIterator {kind} answered no ShardIterator")
        return it

    def read(self, it, limit=None):
        """Follows NextShardIterator until a page is empty with MillisBehindLatest 0."""
        records, pages = [], 0
        deadline = time.monotonic() + WAIT_S
        while True:
            args = {"ShardIterator": it}
            if limit is not None:
                args["Limit"] = limit
            page = self.kinesis.get_records(**args)
            pages += 1
            millis = page.get("MillisBehindLatest")
            check(isinstance(millis, int) and millis >= 0, f"GetRecords MillisBehindLatest is {millis!r}")
            if limit is not None:
                check(len(page["Records"]) <= limit, f"GetRecords answered {len(page['Records'])} records for Limit {limit}")
            for r in page["Records"]:
                check(isinstance(r.get("ApproximateArrivalTimestamp"), datetime), f"record {r.get('SequenceNumber')} has no ApproximateArrivalTimestamp")
                records.append((r["SequenceNumber"], r["PartitionKey"], r["Data"]))
            it = page.get("NextShardIterator")
            check(it, "GetRecords of an open shard answered no NextShardIterator")
            if not page["Records"] and millis == 0:
                return records, pages
            check(time.monotonic() < deadline, f"not caught up after {pages} GetRecords pages in {WAIT_S:.0f}s")

    def expect(self, shard_id, got, where, keep):
        """got must be exactly the shard's written records that keep(index, sequence, epoch) accepts, in order."""
        written = sorted(self.written.get(shard_id, {}).items())
        want = [(seq, pk, data) for i, (seq, (pk, data, epoch)) in enumerate(written) if keep(i, seq, epoch)]
        for i in range(1, len(got)):
            check(int(got[i][0]) > int(got[i - 1][0]),
                  f"{shard_id} {where}: sequence numbers out of order at record {i}: {got[i - 1][0]} then {got[i][0]}")
        got_seqs = [int(g[0]) for g in got]
        want_seqs = [w[0] for w in want]
        if got_seqs != want_seqs:
            missing = sorted(set(want_seqs) - set(got_seqs))
            extra = sorted(set(got_seqs) - set(want_seqs))
            fail(f"{shard_id} {where}: read {len(got)} records, expected {len(want)}; missing {missing[:5]}, unexpected {extra[:5]}"
                 f"{', duplicates' if len(set(got_seqs)) != len(got_seqs) else ''}")
        for (seq, pk, data), (_, want_pk, want_data) in zip(got, want):
            check(pk == want_pk and data == want_data,
                  f"{shard_id} {where}: record {seq} came back as ({pk!r}, {data[:32]!r}…), was written as ({want_pk!r}, {want_data[:32]!r}…)")
        return len(got)

    # --- the steps -----------------------------------------------------------------------------

    def run(self):
        print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}; endpoint {self.endpoint}, stream {self.stream}", flush=True)

        step(f"create_stream ({SHARD_COUNT} shards); waiter stream_exists until ACTIVE")
        # CreateStream answers while the stream is CREATING; it takes records once ACTIVE. A Kinesis
        # user waits for that with the stream_exists waiter.
        self.kinesis.create_stream(StreamName=self.stream, ShardCount=SHARD_COUNT)
        self.created = True
        first = self.summary()["StreamStatus"]
        check(first in ("CREATING", "ACTIVE"), f"a new stream is {first!r}, not CREATING or ACTIVE")
        self.kinesis.get_waiter("stream_exists").wait(StreamName=self.stream, WaiterConfig={"Delay": 1, "MaxAttempts": int(WAIT_S)})
        self.check_summary(self.summary(), 24)
        ok(f"{first} at first; ACTIVE once the waiter stream_exists returned; account {self.account}")

        step("list_streams, describe_stream, list_shards")
        names = [n for page in self.kinesis.get_paginator("list_streams").paginate() for n in page["StreamNames"]]
        check(self.stream in names, f"ListStreams does not list {self.stream}: {names[:20]}")
        description = self.kinesis.describe_stream(StreamName=self.stream)["StreamDescription"]
        check(description["StreamName"] == self.stream and description["StreamStatus"] == "ACTIVE", f"DescribeStream: {description}")
        check(description["HasMoreShards"] is False, "DescribeStream HasMoreShards is not false")
        check(description["RetentionPeriodHours"] == 24, f"DescribeStream RetentionPeriodHours is {description['RetentionPeriodHours']}")
        check(len(description["Shards"]) == SHARD_COUNT, f"DescribeStream lists {len(description['Shards'])} shards")
        for shard in description["Shards"]:
            check(re.fullmatch(r"shardId-\d{12}", shard["ShardId"]), f"bad ShardId {shard['ShardId']!r}")
            check(shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit(), f"{shard['ShardId']} has no StartingSequenceNumber")
            check("EndingSequenceNumber" not in shard["SequenceNumberRange"], f"{shard['ShardId']} of a new stream is closed")
            self.shards.append((shard["ShardId"], int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])))
        self.shards.sort(key=lambda s: s[1])
        next_start = 0
        for shard_id, start, end in self.shards:
            check(start == next_start and end >= start, f"hash key ranges do not tile 0..2^128-1 at {shard_id} ({start}..{end})")
            next_start = end + 1
        check(next_start == MAX_HASH_KEY + 1, "hash key ranges do not end at 2^128-1")
        listed = self.kinesis.list_shards(StreamName=self.stream)["Shards"]
        listed = sorted((s["ShardId"], int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in listed)
        check(listed == sorted(self.shards), f"ListShards lists {listed}, DescribeStream {self.shards}")
        ok(f"shards {[s[0] for s in self.shards]} tile the hash key space; ListShards agrees")

        rng = random.Random(20131202)
        step("put_record: by partition key (ASCII and not), by ExplicitHashKey, with SequenceNumberForOrdering")
        for i in range(6):
            self.put_one(f"boto-key-{i}" if i % 2 else f"ключ-{i}-é", rng.randbytes(rng.randint(1, 2000)), 0)
        for shard_id, start, end in self.shards:
            self.put_one(f"boto-explicit-{shard_id}", rng.randbytes(100), 0, explicit_hash_key=str(end))
            self.put_one(f"boto-explicit-{shard_id}", bytes(range(256)), 0, explicit_hash_key=str(start))
        previous = None
        for i in range(4):
            previous = self.put_one("boto-ordered", f"ordered {i}".encode(), 0, after=previous)
        ok(f"{sum(len(r) for r in self.written.values())} records, each in the shard its hash key names")

        step(f"put_records: {TOTAL_BATCH_RECORDS} binary records in batches of {BATCH_SIZE}")
        for batch in range(TOTAL_BATCH_RECORDS // BATCH_SIZE):
            entries = []
            for i in range(BATCH_SIZE):
                n = batch * BATCH_SIZE + i
                ehk = str(rng.randint(0, MAX_HASH_KEY)) if n % 7 == 0 else None
                entries.append((f"pk-{n}", rng.randbytes(rng.randint(1, 1024)), ehk))
            self.put_batch(entries, 0)
        per_shard = {s: len(r) for s, r in self.written.items()}
        check(len(per_shard) == SHARD_COUNT, f"records reached only {sorted(per_shard)}")
        ok(f"{sum(per_shard.values())} records: {per_shard}")

        # Everything so far arrived before at_time, everything from here on after it (whole
        # seconds, so no client's timestamp rounding matters).
        now = time.time()
        at_time = math.floor(now) + 1
        time.sleep(at_time - now + 0.3)
        step(f"records after {datetime.fromtimestamp(at_time, timezone.utc).isoformat()} (for AT_TIMESTAMP)")
        self.put_batch([(f"late-{i}", rng.randbytes(rng.randint(1, 300)), None) for i in range(200)], 1)
        for shard_id, start, _ in self.shards:
            self.put_one(f"late-explicit-{shard_id}", b"late", 1, explicit_hash_key=str(start))
        ok(f"{sum(len(r) for r in self.written.values())} records in all")

        for index, (shard_id, start, _) in enumerate(self.shards):
            step(f"read {shard_id} back")
            got, pages = self.read(self.iterator(shard_id, "TRIM_HORIZON"), limit=1000)
            n = self.expect(shard_id, got, "TRIM_HORIZON", lambda i, s, e: True)
            ok(f"TRIM_HORIZON (Limit 1000): all {n} records in {pages} pages, once each, in sequence order, same bytes and keys")
            middle_index = n // 2
            middle = str(sorted(self.written[shard_id])[middle_index])
            got, _ = self.read(self.iterator(shard_id, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=middle))
            ok(f"AT_SEQUENCE_NUMBER: {self.expect(shard_id, got, 'AT_SEQUENCE_NUMBER', lambda i, s, e: i >= middle_index)} records")
            got, _ = self.read(self.iterator(shard_id, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=middle))
            ok(f"AFTER_SEQUENCE_NUMBER: {self.expect(shard_id, got, 'AFTER_SEQUENCE_NUMBER', lambda i, s, e: i > middle_index)} records")
            got, _ = self.read(self.iterator(shard_id, "AT_TIMESTAMP", Timestamp=datetime.fromtimestamp(at_time, timezone.utc)))
            n = self.expect(shard_id, got, "AT_TIMESTAMP", lambda i, s, e: e >= 1)
            check(n > 0, f"no record of {shard_id} arrived after the AT_TIMESTAMP time")
            ok(f"AT_TIMESTAMP: {n} records")
            latest = self.iterator(shard_id, "LATEST")
            epoch = 2 + index
            self.put_one(f"after-latest-{shard_id}", b"after LATEST", epoch, explicit_hash_key=str(start))
            got, _ = self.read(latest)
            n = self.expect(shard_id, got, "LATEST", lambda i, s, e, epoch=epoch: e == epoch)
            check(n == 1, f"LATEST read {n} records")
            ok("LATEST: only the record put after it")

        lifetime = os.environ.get("SLUICE_ITERATOR_LIFETIME_S")
        if lifetime:
            step(f"an iterator left unused for {lifetime} s + 2 s")
            it = self.iterator(self.shards[0][0], "TRIM_HORIZON")
            time.sleep(float(lifetime) + 2)
            code, message = error_of(self.kinesis.get_records, ShardIterator=it)
            check(code == "ExpiredIteratorException", f"expected ExpiredIteratorException, got {code}: {message}")
            ok(f"ExpiredIteratorException: {message}")
        else:
            step("expired iterator: skipped (set SLUICE_ITERATOR_LIFETIME_S to the gateway's iterator lifetime)")

        step("increase/decrease_stream_retention_period")
        self.kinesis.increase_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=48)
        self.check_summary(self.wait_active(), 48)
        code, message = error_of(self.kinesis.increase_stream_retention_period, StreamName=self.stream, RetentionPeriodHours=24)
        check(code == "InvalidArgumentException", f"increasing the retention to less than it is: expected InvalidArgumentException, got {code}: {message}")
        self.kinesis.decrease_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=24)
        self.check_summary(self.wait_active(), 24)
        ok("24 → 48 → 24 hours; increasing to less is InvalidArgumentException")

        self.enhanced_fan_out()

        step("error answers")
        missing = f"compat-boto3-missing-{rng.randrange(10**9)}"
        code, message = error_of(self.kinesis.describe_stream, StreamName=missing)
        check(code == "ResourceNotFoundException", f"describe_stream of a missing stream: {code}: {message}")
        want = f"Stream {missing} under account {self.account} not found."
        check(message == want, f"ResourceNotFoundException message is {message!r}, expected {want!r}")
        ok("describe_stream of a missing stream: ResourceNotFoundException, Kinesis' message")
        code, message = error_of(self.client(self.key_id, self.secret[::-1]).list_streams)
        check(code == "InvalidSignatureException", f"a request signed with a wrong secret: expected InvalidSignatureException, got {code}: {message}")
        ok("a request signed with a wrong secret: InvalidSignatureException")
        code, message = error_of(self.client("SLU" + "A" * 17, self.secret).list_streams)
        check(code == "UnrecognizedClientException", f"an unknown access key id: expected UnrecognizedClientException, got {code}: {message}")
        ok("an unknown access key id: UnrecognizedClientException")
        code, message = error_of(self.kinesis.get_records, ShardIterator="AAAAAAAAAAGarbageIteratorThatNoServerMade0123456789")
        check(code == "InvalidArgumentException", f"get_records with a garbage iterator: expected InvalidArgumentException, got {code}: {message}")
        ok("get_records with a garbage iterator: InvalidArgumentException")

        self.reshard()

        step("delete_stream")
        self.kinesis.delete_stream(StreamName=self.stream)
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                self.summary()
            except ClientError as e:
                check(e.response["Error"]["Code"] == "ResourceNotFoundException", f"describing a deleted stream: {e}")
                break
            check(time.monotonic() < deadline, f"stream still described {WAIT_S:.0f}s after delete_stream")
            time.sleep(0.5)
        self.created = False
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=self.stream, WaiterConfig={"Delay": 1, "MaxAttempts": int(WAIT_S)})
        ok("gone; waiter stream_not_exists returned")

        total = sum(len(r) for r in self.written.values())
        print(f"PASS: boto3 compatibility ({total} records written and read back)", flush=True)

    def wait_consumer(self, arn, want):
        """Polls describe_stream_consumer until the consumer has status want (or is gone, for want None)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                description = self.kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
            except ClientError as e:
                check(want is None and e.response["Error"]["Code"] == "ResourceNotFoundException", f"describe_stream_consumer: {e}")
                return None
            status = description["ConsumerStatus"]
            if status == want:
                return description
            check(status in ("CREATING", "DELETING"), f"consumer status is {status!r}, waiting for {want}")
            check(time.monotonic() < deadline, f"consumer still {status} after {WAIT_S:.0f}s (waiting for {want})")
            time.sleep(0.5)

    def subscribe(self, arn, shard_id, **position):
        """subscribe_to_shard; retried while the server still holds a subscription just closed (ResourceInUseException)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                return self.kinesis.subscribe_to_shard(ConsumerARN=arn, ShardId=shard_id, StartingPosition=position)["EventStream"]
            except ClientError as e:
                check(e.response["Error"]["Code"] == "ResourceInUseException" and time.monotonic() < deadline, f"subscribe_to_shard: {e}")
                time.sleep(0.5)

    def read_events(self, events, shard_id, count):
        """Reads SubscribeToShardEvents until count records came; returns them and the last continuation."""
        got, continuation, heartbeats = [], None, 0
        deadline = time.monotonic() + WAIT_S
        for event in events:
            check("SubscribeToShardEvent" in event, f"unexpected event {list(event)}")
            e = event["SubscribeToShardEvent"]
            check(isinstance(e.get("MillisBehindLatest"), int), f"SubscribeToShardEvent MillisBehindLatest is {e.get('MillisBehindLatest')!r}")
            continuation = e.get("ContinuationSequenceNumber")
            check(continuation and continuation.isdigit(), f"SubscribeToShardEvent ContinuationSequenceNumber is {continuation!r}")
            heartbeats += not e["Records"]
            for r in e["Records"]:
                check(isinstance(r.get("ApproximateArrivalTimestamp"), datetime), f"record {r.get('SequenceNumber')} has no ApproximateArrivalTimestamp")
                got.append((r["SequenceNumber"], r["PartitionKey"], r["Data"]))
            if len(got) >= count:
                return got, continuation, heartbeats
            check(time.monotonic() < deadline, f"{shard_id}: {len(got)} of {count} records in {WAIT_S:.0f}s of SubscribeToShard events")
        fail(f"{shard_id}: the event stream ended after {len(got)} of {count} records")

    def enhanced_fan_out(self):
        step("enhanced fan-out: register_stream_consumer, subscribe_to_shard and its EventStream, deregister_stream_consumer")
        stream_arn = self.summary()["StreamARN"]
        name = "compat-boto3-consumer"
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]
        arn = consumer["ConsumerARN"]
        check(re.fullmatch(re.escape(f"{stream_arn}/consumer/{name}:") + r"\d+", arn), f"ConsumerARN {arn} is not {stream_arn}/consumer/{name}:<creation time>")
        check(isinstance(consumer["ConsumerCreationTimestamp"], datetime), "RegisterStreamConsumer has no ConsumerCreationTimestamp")
        description = self.wait_consumer(arn, "ACTIVE")
        check(description["StreamARN"] == stream_arn and description["ConsumerName"] == name, f"DescribeStreamConsumer: {description}")
        listed = [c["ConsumerARN"] for page in self.kinesis.get_paginator("list_stream_consumers").paginate(StreamARN=stream_arn) for c in page["Consumers"]]
        check(listed == [arn], f"ListStreamConsumers lists {listed}")
        check(self.summary()["ConsumerCount"] == 1, "DescribeStreamSummary ConsumerCount is not 1")
        ok(f"{arn} ACTIVE, described, listed, counted")

        shard_id, start, _ = self.shards[0]
        count = len(self.written[shard_id])
        events = self.subscribe(arn, shard_id, Type="TRIM_HORIZON")
        got, continuation, _ = self.read_events(events, shard_id, count)
        events.close()
        self.expect(shard_id, got, "SubscribeToShard TRIM_HORIZON", lambda i, s, e: True)
        check(continuation == got[-1][0], f"ContinuationSequenceNumber {continuation} is not the last record's {got[-1][0]}")
        ok(f"TRIM_HORIZON: all {count} records of {shard_id} pushed in order, same bytes and keys")

        events = self.subscribe(arn, shard_id, Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=continuation)
        epoch = 10
        self.put_one(f"efo-live-{shard_id}", b"pushed live", epoch, explicit_hash_key=str(start))
        got, _, heartbeats = self.read_events(events, shard_id, 1)
        events.close()
        self.expect(shard_id, got, "SubscribeToShard AFTER_SEQUENCE_NUMBER", lambda i, s, e: e == epoch)
        ok(f"AFTER_SEQUENCE_NUMBER of the continuation: only the record put since, pushed live ({heartbeats} events without records before it)")

        code, message = error_of(self.kinesis.delete_stream, StreamName=self.stream)
        check(code == "ResourceInUseException", f"delete_stream with a registered consumer: expected ResourceInUseException, got {code}: {message}")
        self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        self.wait_consumer(arn, None)
        ok("delete_stream with a consumer: ResourceInUseException; deregistered, then gone")

    def list_all_shards(self):
        shards, args = [], {"StreamName": self.stream}
        while True:
            page = self.kinesis.list_shards(**args)
            shards.extend(page["Shards"])
            if not page.get("NextToken"):
                return shards
            args = {"NextToken": page["NextToken"]}

    def put_after_reshard(self, prefix, count, explicit_hash_key):
        """put_records to wherever the stream routes now; remembered under the shard each record went to."""
        records = [{"PartitionKey": f"{prefix}-{i}", "Data": f"{prefix}-{i}".encode(), "ExplicitHashKey": str(explicit_hash_key)} for i in range(count)]
        result = self.kinesis.put_records(StreamName=self.stream, Records=records)
        check(result.get("FailedRecordCount") == 0, f"PutRecords after a reshard: FailedRecordCount {result.get('FailedRecordCount')!r}")
        for record, entry in zip(records, result["Records"]):
            self.remember(entry["ShardId"], entry["SequenceNumber"], record["PartitionKey"], record["Data"], 9)
        return {entry["ShardId"] for entry in result["Records"]}

    def read_lineage(self):
        """Every shard from TRIM_HORIZON, parents to their end (ChildShards, no NextShardIterator) before children."""
        shards = self.list_all_shards()
        parents = {s["ShardId"]: [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p] for s in shards}
        closed = {s["ShardId"] for s in shards if s["SequenceNumberRange"].get("EndingSequenceNumber")}
        ready = [shard for shard, ps in parents.items() if not ps]
        done, got = set(), {}
        while ready:
            shard = ready.pop(0)
            it, records, children = self.iterator(shard, "TRIM_HORIZON"), [], []
            deadline = time.monotonic() + WAIT_S
            while True:
                page = self.kinesis.get_records(ShardIterator=it)
                records.extend((r["SequenceNumber"], r["PartitionKey"], r["Data"]) for r in page["Records"])
                if "ChildShards" in page:
                    check(shard in closed, f"GetRecords of open shard {shard} answered ChildShards")
                    check(page.get("NextShardIterator") is None, f"GetRecords at the end of {shard} answered a NextShardIterator with its ChildShards")
                    check(page.get("MillisBehindLatest") == 0, f"GetRecords at the end of {shard}: MillisBehindLatest {page.get('MillisBehindLatest')}")
                    for child in page["ChildShards"]:
                        check(shard in child["ParentShards"], f"child {child['ShardId']} of {shard} does not list it among its ParentShards")
                        check(set(child["ParentShards"]) == set(parents[child["ShardId"]]), f"ChildShards lists parents {child['ParentShards']} of {child['ShardId']}, ListShards {parents[child['ShardId']]}")
                        children.append(child["ShardId"])
                    break
                it = page.get("NextShardIterator")
                check(it, f"GetRecords of {shard} answered neither NextShardIterator nor ChildShards")
                if not page["Records"] and page["MillisBehindLatest"] == 0 and shard not in closed:
                    break
                check(time.monotonic() < deadline, f"{shard} not read to its end in {WAIT_S:.0f}s")
            got[shard] = records
            done.add(shard)
            for child in children:
                if child not in done and child not in ready and all(p in done for p in parents[child]):
                    ready.append(child)
        check(done == set(parents), f"the lineage walk from the stream's first shards missed {sorted(set(parents) - done)}")
        return got

    def reshard(self):
        step("split_shard, then put and read across parent and children")
        parent, start, end = self.shards[0]
        middle = (start + end + 1) // 2
        self.kinesis.split_shard(StreamName=self.stream, ShardToSplit=parent, NewStartingHashKey=str(middle))
        check(self.wait_active()["OpenShardCount"] == SHARD_COUNT + 1, "OpenShardCount after split_shard is not one more")
        shards = {s["ShardId"]: s for s in self.list_all_shards()}
        check(shards[parent]["SequenceNumberRange"].get("EndingSequenceNumber"), f"split parent {parent} has no EndingSequenceNumber")
        children = sorted(shard for shard, s in shards.items() if s.get("ParentShardId") == parent)
        check(len(children) == 2, f"split_shard made {children}, expected two children of {parent}")
        low, high = (shards[c]["HashKeyRange"] for c in children)
        check((int(low["StartingHashKey"]), int(low["EndingHashKey"]), int(high["StartingHashKey"]), int(high["EndingHashKey"])) == (start, middle - 1, middle, end),
              f"children's hash key ranges are {low} and {high}, expected [{start}, {middle - 1}] and [{middle}, {end}]")
        check(self.put_after_reshard("split-low", 20, start) == {children[0]}, f"records for [{start}, ...] did not go to {children[0]}")
        check(self.put_after_reshard("split-high", 20, end) == {children[1]}, f"records for [..., {end}] did not go to {children[1]}")
        ok(f"{parent} closed with an EndingSequenceNumber; {children[0]} and {children[1]} take its hash keys")

        step("merge_shards of the two children, update_shard_count")
        self.kinesis.merge_shards(StreamName=self.stream, ShardToMerge=children[0], AdjacentShardToMerge=children[1])
        check(self.wait_active()["OpenShardCount"] == SHARD_COUNT, "OpenShardCount after merge_shards is not back to the first count")
        merged = [s for s in self.list_all_shards() if s.get("ParentShardId") == children[0]]
        check(len(merged) == 1 and merged[0].get("AdjacentParentShardId") == children[1], f"merge_shards made {merged}")
        self.put_after_reshard("merged", 20, start)
        scaled = self.kinesis.update_shard_count(StreamName=self.stream, TargetShardCount=SHARD_COUNT + 1, ScalingType="UNIFORM_SCALING")
        check((scaled.get("CurrentShardCount"), scaled.get("TargetShardCount"), scaled.get("StreamName")) == (SHARD_COUNT, SHARD_COUNT + 1, self.stream),
              f"UpdateShardCount answered {scaled}")
        check(self.wait_active()["OpenShardCount"] == SHARD_COUNT + 1, "OpenShardCount after update_shard_count is not the target")
        self.put_after_reshard("scaled", 20, 0)
        self.put_after_reshard("scaled-top", 20, MAX_HASH_KEY)
        code, message = error_of(self.kinesis.merge_shards, StreamName=self.stream, ShardToMerge=parent, AdjacentShardToMerge=self.shards[1][0])
        check(code == "InvalidArgumentException" and "not eligible" in message, f"merging a closed shard: {code}: {message}")
        ok(f"{merged[0]['ShardId']} merged from both; UpdateShardCount {scaled['CurrentShardCount']} → {scaled['TargetShardCount']}; a closed shard cannot merge")

        step("read the whole stream back across parents and children")
        got = self.read_lineage()
        total = 0
        for shard in sorted(set(got) | set(self.written)):
            total += self.expect(shard, got.get(shard, []), "lineage read", lambda i, seq, epoch: True)
        ok(f"{total} records in {len(got)} shards, each once, parents before children")

    def cleanup(self):
        if self.created:
            try:
                self.kinesis.delete_stream(StreamName=self.stream)
            except (ClientError, BotoCoreError):
                pass


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AWS_ENDPOINT_URL_KINESIS", "")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    key_id, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not endpoint:
        print("FAIL: no endpoint: pass it as the argument or set AWS_ENDPOINT_URL_KINESIS", file=sys.stderr)
        return 1
    if not (region and key_id and secret):
        print("FAIL: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (. .data/dev.env for the dev cluster)", file=sys.stderr)
        return 1
    stream = os.environ.get("SLUICE_COMPAT_STREAM") or f"compat-boto3-{int(time.time())}-{random.randrange(10**9)}"
    compat = Compat(endpoint, region, key_id, secret, stream, os.environ.get("SLUICE_EXPECTED_ACCOUNT_ID", ""))
    try:
        compat.run()
        return 0
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
    except ClientError as e:
        print(f"FAIL: {e.operation_name} answered {e.response['Error'].get('Code')}: {e.response['Error'].get('Message')} "
              f"(HTTP {e.response.get('ResponseMetadata', {}).get('HTTPStatusCode')})", file=sys.stderr)
    except BotoCoreError as e:  # no connection, a waiter that gave up, a malformed answer
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr)
    finally:
        compat.cleanup()
    return 1


if __name__ == "__main__":
    sys.exit(main())
