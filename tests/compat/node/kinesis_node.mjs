#!/usr/bin/env node
// Compatibility check of Sluice's Kinesis JSON API with the AWS SDK for JavaScript v3
// (@aws-sdk/client-kinesis, pinned in package.json next to this file; `npm ci` here first).
//
//     node tests/compat/node/kinesis_node.mjs ENDPOINT_URL HANDLER
//
// HANDLER is
//   http2  the client's default request handler, left unconfigured: for Kinesis that is
//          @smithy/node-http-handler's NodeHttp2Handler (see the client's dist-es/runtimeConfig.js),
//          which speaks HTTP/2 only: with prior knowledge to an http:// endpoint (give it the
//          gateway's cleartext HTTP/2 port) and by ALPN h2 to an https:// one;
//   http1  an explicit NodeHttpHandler (HTTP/1.1; give it the gateway's HTTP/1.1 port).
// Every response is checked to have come over the protocol the handler stands for: HTTP/2 (h2c
// for http://, h2 for https://) or HTTP/1.1.
//
// Needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (the SDK reads them itself). A
// self-signed certificate of an https:// endpoint is trusted through NODE_EXTRA_CA_CERTS. Against
// the dev cluster (./infra/run.sh running in another shell):
//
//     . .data/dev.env && node tests/compat/node/kinesis_node.mjs http://127.0.0.1:GRPC_PORT http2
//
// Optional environment:
//   SLUICE_COMPAT_STREAM        the stream to create (default: a unique compat-node-... name)
//   SLUICE_EXPECTED_ACCOUNT_ID  the tenant's account id, checked in the ARN and not-found message
//   SLUICE_ITERATOR_LIFETIME_S  the gateway's Sluice:Kinesis:IteratorLifetime in seconds; when set,
//                               an iterator is left unused that long (plus 1 s) and must then be
//                               refused with ExpiredIteratorException (skipped when unset: the
//                               default lifetime is 5 minutes)
//   SLUICE_COMPAT_WAIT_S        bound of every wait and of every request (default 60)
//
// Creates a 2-shard stream, writes with PutRecord (with and without ExplicitHashKey and
// SequenceNumberForOrdering) and 10,000 binary records with PutRecords in batches of 500, reads
// every shard back from TRIM_HORIZON, checks the other iterator types on one shard, changes the
// retention, registers a stream consumer and subscribes it to a shard (SubscribeToShard's event
// stream: every record from TRIM_HORIZON, then one pushed live), checks the error answers,
// reshards (SplitShard, MergeShards, UpdateShardCount), reads the whole stream back across parents
// and children as a Kinesis consumer does (each parent to its ChildShards before its children), and
// deletes the stream. The AT_TIMESTAMP step compares this
// machine's clock with the server's arrival times, so run it on the server's machine. Prints a line
// per step; exits 1 with "FAIL: ..." on the first failed check.

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";

const SHARD_COUNT = 2;
const TOTAL_BATCH_RECORDS = 10_000;
const BATCH_SIZE = 500;
const MAX_HASH_KEY = (1n << 128n) - 1n;
const WAIT_S = Number(process.env.SLUICE_COMPAT_WAIT_S || "60");

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

function check(condition, message) {
  if (!condition) {
    fail(typeof message === "function" ? message() : message);
  }
}

const step = (message) => console.log(`== ${message}`);
const ok = (message) => console.log(`   ok: ${message}`);

let sdk;
let smithy;
try {
  sdk = await import("@aws-sdk/client-kinesis");
  smithy = await import("@smithy/node-http-handler");
} catch (e) {
  console.error(`FAIL: cannot load the AWS SDK (${e.message}): run \`npm ci\` in tests/compat/node`);
  process.exit(1);
}
const require = createRequire(import.meta.url);
const sdkVersion = require("@aws-sdk/client-kinesis/package.json").version;
const handlerVersion = require("@smithy/node-http-handler/package.json").version;

const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ListStreamsCommand,
  IncreaseStreamRetentionPeriodCommand,
  DecreaseStreamRetentionPeriodCommand,
  SplitShardCommand,
  MergeShardsCommand,
  UpdateShardCountCommand,
  paginateListStreams,
  RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  ListStreamConsumersCommand,
  DeregisterStreamConsumerCommand,
  SubscribeToShardCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} = sdk;
const { NodeHttp2Handler, NodeHttpHandler } = smithy;

// --- helpers ---------------------------------------------------------------------------------

/** A seeded PRNG (mulberry32), so every run writes the same records. */
function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low, high) => low + Math.floor(next() * (high - low + 1));
  return {
    int,
    bytes: (n) => Uint8Array.from({ length: n }, () => int(0, 255)),
    hashKey: () => {
      let key = 0n;
      for (let i = 0; i < 4; i++) {
        key = (key << 32n) | BigInt(int(0, 0xffffffff));
      }
      return key;
    },
  };
}

function hashKey(partitionKey, explicitHashKey) {
  if (explicitHashKey !== undefined) {
    return BigInt(explicitHashKey);
  }
  return BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`);
}

const compareBigInt = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sameBytes = (a, b) => a instanceof Uint8Array && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b));
const preview = (bytes) => Buffer.from(bytes).subarray(0, 16).toString("hex");
const operation = (command) => command.constructor.name.replace(/Command$/, "");

function describeError(e) {
  const status = e?.$metadata?.httpStatusCode;
  const answer = status === undefined ? "" : ` (HTTP ${status}, request id ${e.$metadata.requestId ?? "none"})`;
  const code = e?.code && e.code !== e.name ? ` [${e.code}]` : "";
  return `${e?.name ?? "Error"}${code}: ${e?.message ?? String(e)}${answer}`;
}

/**
 * Records the protocol each raw response came over, straight from the request handler (before the
 * deserializer reads its body): NodeHttp2Handler's body is the ClientHttp2Stream, whose session
 * knows the negotiated protocol ("h2" by ALPN, "h2c" with prior knowledge); NodeHttpHandler's is the
 * IncomingMessage with its httpVersion.
 */
function protocolOf(body) {
  if (body?.session && typeof body.session.alpnProtocol === "string") {
    return `HTTP/2 (${body.session.alpnProtocol})`;
  }
  if (typeof body?.httpVersion === "string") {
    return `HTTP/${body.httpVersion}`;
  }
  return `an unknown protocol (response body ${body?.constructor?.name ?? typeof body})`;
}

class Compat {
  constructor(endpoint, handler, region, keyId, secret, stream, account) {
    this.endpoint = endpoint;
    this.handler = handler;
    this.region = region;
    this.keyId = keyId;
    this.secret = secret;
    this.stream = stream;
    this.account = account;
    this.expectedProtocol =
      handler === "http1" ? "HTTP/1.1" : `HTTP/2 (${new URL(endpoint).protocol === "https:" ? "h2" : "h2c"})`;
    this.responses = 0;
    this.clients = [];
    this.kinesis = this.client();
    this.shards = []; // {id, start, end} by starting hash key
    this.written = new Map(); // shard id -> Map(sequence number (BigInt) -> {partitionKey, data, epoch})
    this.created = false;
  }

  /** A client with the environment's credentials, or the given ones. */
  client(credentials) {
    const config = {
      endpoint: this.endpoint,
      // No retries: a failed request must show, not be hidden behind a retry that may also write
      // a record twice.
      maxAttempts: 1,
    };
    if (credentials) {
      config.credentials = credentials;
    }
    if (this.handler === "http1") {
      config.requestHandler = new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: WAIT_S * 1000 });
    }
    // http2: no requestHandler, so the client makes its default one.
    const client = new KinesisClient(config);
    const wanted = this.handler === "http1" ? NodeHttpHandler : NodeHttp2Handler;
    const made = client.config.requestHandler;
    check(made instanceof wanted, () => `the client's request handler is a ${made?.constructor?.name}, expected ${wanted.name}`);
    client.middlewareStack.addRelativeTo(
      (next) => async (args) => {
        const result = await next(args);
        const protocol = protocolOf(result.response?.body);
        check(protocol === this.expectedProtocol, () =>
          `${this.handler}: the answer to ${args.request?.headers?.["x-amz-target"]} came over ${protocol}, expected ${this.expectedProtocol}`);
        this.responses++;
        return result;
      },
      { relation: "after", toMiddleware: "deserializerMiddleware", name: "sluiceProtocolCheck" },
    );
    this.clients.push(client);
    return client;
  }

  async send(command, client = this.kinesis) {
    try {
      return await client.send(command, { abortSignal: AbortSignal.timeout(WAIT_S * 1000) });
    } catch (e) {
      if (e instanceof CheckFailed) {
        throw e;
      }
      fail(`${operation(command)} failed: ${describeError(e)}`);
    }
  }

  /** The error code, message and HTTP status the request must be answered with. */
  async errorOf(command, client = this.kinesis) {
    let output;
    try {
      output = await client.send(command, { abortSignal: AbortSignal.timeout(WAIT_S * 1000) });
    } catch (e) {
      if (e instanceof CheckFailed) {
        throw e;
      }
      check(e?.$metadata?.httpStatusCode !== undefined, () => `${operation(command)} got no answer: ${describeError(e)}`);
      return { code: e.name, message: e.message, status: e.$metadata.httpStatusCode };
    }
    const { $metadata, ...rest } = output;
    fail(`${operation(command)} succeeded, expected an error: ${JSON.stringify(rest).slice(0, 500)}`);
  }

  async summary() {
    return (await this.send(new DescribeStreamSummaryCommand({ StreamName: this.stream }))).StreamDescriptionSummary;
  }

  async waitActive() {
    const deadline = performance.now() + WAIT_S * 1000;
    for (;;) {
      const summary = await this.summary();
      const status = summary.StreamStatus;
      if (status === "ACTIVE") {
        return summary;
      }
      check(status === "CREATING" || status === "UPDATING", `stream status is ${status}`);
      check(performance.now() < deadline, `stream still ${status} after ${WAIT_S} s`);
      await sleep(500);
    }
  }

  checkSummary(summary, retentionHours) {
    const want = { StreamName: this.stream, StreamStatus: "ACTIVE", OpenShardCount: SHARD_COUNT, RetentionPeriodHours: retentionHours };
    for (const [key, value] of Object.entries(want)) {
      check(summary[key] === value, () => `DescribeStreamSummary ${key} is ${JSON.stringify(summary[key])}, expected ${JSON.stringify(value)}`);
    }
    const arn = summary.StreamARN ?? "";
    const match = /^arn:aws:kinesis:[a-z0-9-]+:(\d{12}):stream\/(.+)$/.exec(arn);
    check(match && match[2] === this.stream, `StreamARN ${arn} is not arn:aws:kinesis:REGION:ACCOUNT:stream/${this.stream}`);
    if (this.account) {
      check(match[1] === this.account, `StreamARN ${arn} names account ${match[1]}, the tenant's is ${this.account}`);
    } else {
      this.account = match[1];
    }
    check(summary.StreamCreationTimestamp instanceof Date, "DescribeStreamSummary has no StreamCreationTimestamp");
  }

  shardOf(partitionKey, explicitHashKey) {
    const key = hashKey(partitionKey, explicitHashKey);
    const shard = this.shards.find((s) => s.start <= key && key <= s.end);
    check(shard, `hash key ${key} is in no shard's range`);
    return shard.id;
  }

  remember(shardId, sequence, partitionKey, data, epoch) {
    check(typeof sequence === "string" && /^\d+$/.test(sequence), `SequenceNumber ${JSON.stringify(sequence)} is not a decimal string`);
    if (!this.written.has(shardId)) {
      this.written.set(shardId, new Map());
    }
    const records = this.written.get(shardId);
    check(!records.has(BigInt(sequence)), `sequence number ${sequence} handed out twice in ${shardId}`);
    records.set(BigInt(sequence), { partitionKey, data, epoch });
  }

  writtenCount() {
    let n = 0;
    for (const records of this.written.values()) {
      n += records.size;
    }
    return n;
  }

  async putOne(partitionKey, data, epoch, { explicitHashKey, after } = {}) {
    const input = { StreamName: this.stream, PartitionKey: partitionKey, Data: data };
    if (explicitHashKey !== undefined) {
      input.ExplicitHashKey = explicitHashKey;
    }
    if (after !== undefined) {
      input.SequenceNumberForOrdering = after;
    }
    const result = await this.send(new PutRecordCommand(input));
    const want = this.shardOf(partitionKey, explicitHashKey);
    check(result.ShardId === want,
      `PutRecord ${partitionKey} (ExplicitHashKey ${explicitHashKey}) went to ${result.ShardId}, its hash key is in ${want}`);
    if (after !== undefined) {
      check(BigInt(result.SequenceNumber) > BigInt(after),
        `PutRecord with SequenceNumberForOrdering ${after} got ${result.SequenceNumber}, which is not greater`);
    }
    this.remember(want, result.SequenceNumber, partitionKey, data, epoch);
    return result.SequenceNumber;
  }

  /** entries: {partitionKey, data, explicitHashKey (or undefined)}. */
  async putBatch(entries, epoch) {
    const records = entries.map(({ partitionKey, data, explicitHashKey }) =>
      explicitHashKey === undefined ? { PartitionKey: partitionKey, Data: data } : { PartitionKey: partitionKey, Data: data, ExplicitHashKey: explicitHashKey });
    const result = await this.send(new PutRecordsCommand({ StreamName: this.stream, Records: records }));
    check(result.FailedRecordCount === 0, () =>
      `PutRecords FailedRecordCount is ${result.FailedRecordCount}: ${JSON.stringify((result.Records ?? []).filter((r) => r.ErrorCode).slice(0, 3))}`);
    check(result.Records?.length === entries.length, `PutRecords answered ${result.Records?.length} results for ${entries.length} records`);
    entries.forEach(({ partitionKey, data, explicitHashKey }, i) => {
      const entry = result.Records[i];
      const want = this.shardOf(partitionKey, explicitHashKey);
      check(entry.ShardId === want,
        `PutRecords ${partitionKey} (ExplicitHashKey ${explicitHashKey}) went to ${entry.ShardId}, its hash key is in ${want}`);
      this.remember(want, entry.SequenceNumber, partitionKey, data, epoch);
    });
  }

  async iterator(shardId, type, extra = {}) {
    const result = await this.send(new GetShardIteratorCommand({ StreamName: this.stream, ShardId: shardId, ShardIteratorType: type, ...extra }));
    check(typeof result.ShardIterator === "string" && result.ShardIterator.length > 0, `GetShardIterator ${type} answered no ShardIterator`);
    return result.ShardIterator;
  }

  /** Follows NextShardIterator until a page is empty with MillisBehindLatest 0. */
  async read(iterator, limit) {
    const records = [];
    let pages = 0;
    const deadline = performance.now() + WAIT_S * 1000;
    for (;;) {
      const input = { ShardIterator: iterator };
      if (limit !== undefined) {
        input.Limit = limit;
      }
      const page = await this.send(new GetRecordsCommand(input));
      pages++;
      const millis = page.MillisBehindLatest;
      check(Number.isInteger(millis) && millis >= 0, `GetRecords MillisBehindLatest is ${millis}`);
      check(Array.isArray(page.Records), "GetRecords answered no Records");
      if (limit !== undefined) {
        check(page.Records.length <= limit, `GetRecords answered ${page.Records.length} records for Limit ${limit}`);
      }
      for (const r of page.Records) {
        check(r.ApproximateArrivalTimestamp instanceof Date, `record ${r.SequenceNumber} has no ApproximateArrivalTimestamp`);
        check(r.Data instanceof Uint8Array, `record ${r.SequenceNumber} has no binary Data`);
        records.push({ sequence: r.SequenceNumber, partitionKey: r.PartitionKey, data: r.Data });
      }
      iterator = page.NextShardIterator;
      check(iterator, "GetRecords of an open shard answered no NextShardIterator");
      if (page.Records.length === 0 && millis === 0) {
        return { records, pages };
      }
      check(performance.now() < deadline, `not caught up after ${pages} GetRecords pages in ${WAIT_S} s`);
    }
  }

  /** got must be exactly the shard's written records that keep(index, epoch) accepts, in order. */
  expect(shardId, got, where, keep) {
    const written = [...(this.written.get(shardId) ?? new Map()).entries()].sort((a, b) => compareBigInt(a[0], b[0]));
    const want = written.filter(([, w], i) => keep(i, w.epoch));
    for (let i = 1; i < got.length; i++) {
      check(BigInt(got[i].sequence) > BigInt(got[i - 1].sequence),
        `${shardId} ${where}: sequence numbers out of order at record ${i}: ${got[i - 1].sequence} then ${got[i].sequence}`);
    }
    const gotSequences = got.map((g) => BigInt(g.sequence));
    const same = gotSequences.length === want.length && gotSequences.every((s, i) => s === want[i][0]);
    if (!same) {
      const gotSet = new Set(gotSequences);
      const wantSet = new Set(want.map(([s]) => s));
      const missing = [...wantSet].filter((s) => !gotSet.has(s)).slice(0, 5);
      const extra = [...gotSet].filter((s) => !wantSet.has(s)).slice(0, 5);
      fail(`${shardId} ${where}: read ${got.length} records, expected ${want.length}; missing [${missing}], unexpected [${extra}]` +
        `${gotSet.size !== gotSequences.length ? ", duplicates" : ""}`);
    }
    got.forEach((g, i) => {
      const w = want[i][1];
      check(g.partitionKey === w.partitionKey && sameBytes(g.data, w.data), () =>
        `${shardId} ${where}: record ${g.sequence} came back as (${g.partitionKey}, ${g.data.length} bytes ${preview(g.data)}…), ` +
        `was written as (${w.partitionKey}, ${w.data.length} bytes ${preview(w.data)}…)`);
    });
    return got.length;
  }

  // --- the steps -----------------------------------------------------------------------------

  async run() {
    console.log(`@aws-sdk/client-kinesis ${sdkVersion}, @smithy/node-http-handler ${handlerVersion}, node ${process.version}; ` +
      `handler ${this.handler} (${this.kinesis.config.requestHandler.constructor.name}); endpoint ${this.endpoint}, stream ${this.stream}`);

    step(`CreateStream (${SHARD_COUNT} shards); waitUntilStreamExists until ACTIVE`);
    // CreateStream answers while the stream is CREATING; it takes records once ACTIVE. A Kinesis
    // user waits for that with waitUntilStreamExists.
    await this.send(new CreateStreamCommand({ StreamName: this.stream, ShardCount: SHARD_COUNT }));
    this.created = true;
    const first = (await this.summary()).StreamStatus;
    check(first === "CREATING" || first === "ACTIVE", `a new stream is ${first}, not CREATING or ACTIVE`);
    try {
      await waitUntilStreamExists({ client: this.kinesis, maxWaitTime: WAIT_S, minDelay: 1, maxDelay: 1 }, { StreamName: this.stream });
    } catch (e) {
      fail(`waitUntilStreamExists: ${describeError(e)}`);
    }
    this.checkSummary(await this.summary(), 24);
    ok(`${first} at first; ACTIVE once waitUntilStreamExists returned; account ${this.account}`);

    step("ListStreams (paginated), DescribeStream, ListShards");
    const names = [];
    try {
      for await (const page of paginateListStreams({ client: this.kinesis, pageSize: 10 }, {})) {
        names.push(...page.StreamNames);
      }
    } catch (e) {
      fail(`paginateListStreams: ${describeError(e)}`);
    }
    check(names.includes(this.stream), () => `ListStreams does not list ${this.stream}: ${names.slice(0, 20)}`);
    const description = (await this.send(new DescribeStreamCommand({ StreamName: this.stream }))).StreamDescription;
    check(description.StreamName === this.stream && description.StreamStatus === "ACTIVE", () => `DescribeStream: ${JSON.stringify(description)}`);
    check(description.HasMoreShards === false, "DescribeStream HasMoreShards is not false");
    check(description.RetentionPeriodHours === 24, `DescribeStream RetentionPeriodHours is ${description.RetentionPeriodHours}`);
    check(description.Shards.length === SHARD_COUNT, `DescribeStream lists ${description.Shards.length} shards`);
    for (const shard of description.Shards) {
      check(/^shardId-\d{12}$/.test(shard.ShardId), `bad ShardId ${shard.ShardId}`);
      check(/^\d+$/.test(shard.SequenceNumberRange?.StartingSequenceNumber ?? ""), `${shard.ShardId} has no StartingSequenceNumber`);
      check(shard.SequenceNumberRange.EndingSequenceNumber === undefined, `${shard.ShardId} of a new stream is closed`);
      this.shards.push({ id: shard.ShardId, start: BigInt(shard.HashKeyRange.StartingHashKey), end: BigInt(shard.HashKeyRange.EndingHashKey) });
    }
    this.shards.sort((a, b) => compareBigInt(a.start, b.start));
    let nextStart = 0n;
    for (const { id, start, end } of this.shards) {
      check(start === nextStart && end >= start, `hash key ranges do not tile 0..2^128-1 at ${id} (${start}..${end})`);
      nextStart = end + 1n;
    }
    check(nextStart === MAX_HASH_KEY + 1n, "hash key ranges do not end at 2^128-1");
    const listed = (await this.send(new ListShardsCommand({ StreamName: this.stream }))).Shards
      .map((s) => `${s.ShardId} ${s.HashKeyRange.StartingHashKey}..${s.HashKeyRange.EndingHashKey}`).sort();
    const described = this.shards.map((s) => `${s.id} ${s.start}..${s.end}`).sort();
    check(JSON.stringify(listed) === JSON.stringify(described), `ListShards lists ${listed}, DescribeStream ${described}`);
    ok(`shards ${this.shards.map((s) => s.id)} tile the hash key space; ListShards agrees`);

    const rng = random(20131202);
    step("PutRecord: by partition key (ASCII and not), by ExplicitHashKey, with SequenceNumberForOrdering");
    for (let i = 0; i < 6; i++) {
      await this.putOne(i % 2 ? `node-key-${i}` : `ключ-${i}-é`, rng.bytes(rng.int(1, 2000)), 0);
    }
    for (const { id, start, end } of this.shards) {
      await this.putOne(`node-explicit-${id}`, rng.bytes(100), 0, { explicitHashKey: String(end) });
      await this.putOne(`node-explicit-${id}`, Uint8Array.from({ length: 256 }, (_, i) => i), 0, { explicitHashKey: String(start) });
    }
    let previous;
    for (let i = 0; i < 4; i++) {
      previous = await this.putOne("node-ordered", new TextEncoder().encode(`ordered ${i}`), 0, { after: previous });
    }
    ok(`${this.writtenCount()} records, each in the shard its hash key names`);

    step(`PutRecords: ${TOTAL_BATCH_RECORDS} binary records in batches of ${BATCH_SIZE}`);
    for (let batch = 0; batch < TOTAL_BATCH_RECORDS / BATCH_SIZE; batch++) {
      const entries = [];
      for (let i = 0; i < BATCH_SIZE; i++) {
        const n = batch * BATCH_SIZE + i;
        const explicitHashKey = n % 7 === 0 ? String(rng.hashKey()) : undefined;
        entries.push({ partitionKey: `pk-${n}`, data: rng.bytes(rng.int(1, 1024)), explicitHashKey });
      }
      await this.putBatch(entries, 0);
    }
    const perShard = Object.fromEntries([...this.written].map(([id, records]) => [id, records.size]));
    check(Object.keys(perShard).length === SHARD_COUNT, `records reached only ${Object.keys(perShard)}`);
    ok(`${this.writtenCount()} records: ${JSON.stringify(perShard)}`);

    // Everything so far arrived before atTime, everything from here on after it (whole seconds,
    // so no timestamp rounding matters).
    const now = Date.now() / 1000;
    const atTime = Math.floor(now) + 1;
    await sleep((atTime - now + 0.3) * 1000);
    step(`records after ${new Date(atTime * 1000).toISOString()} (for AT_TIMESTAMP)`);
    await this.putBatch(Array.from({ length: 200 }, (_, i) => ({ partitionKey: `late-${i}`, data: rng.bytes(rng.int(1, 300)) })), 1);
    for (const { id, start } of this.shards) {
      await this.putOne(`late-explicit-${id}`, new TextEncoder().encode("late"), 1, { explicitHashKey: String(start) });
    }
    ok(`${this.writtenCount()} records in all`);

    for (const { id } of this.shards) {
      step(`read ${id} back from TRIM_HORIZON`);
      const { records, pages } = await this.read(await this.iterator(id, "TRIM_HORIZON"), 1000);
      const n = this.expect(id, records, "TRIM_HORIZON", () => true);
      ok(`TRIM_HORIZON (Limit 1000): all ${n} records in ${pages} pages, once each, in sequence order, same bytes and keys`);
    }

    const { id: shardId, start: shardStart } = this.shards[0];
    step(`the other iterator types on ${shardId}`);
    const sequences = [...this.written.get(shardId).keys()].sort(compareBigInt);
    const middleIndex = Math.floor(sequences.length / 2);
    const middle = String(sequences[middleIndex]);
    let got = await this.read(await this.iterator(shardId, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: middle }));
    ok(`AT_SEQUENCE_NUMBER: ${this.expect(shardId, got.records, "AT_SEQUENCE_NUMBER", (i) => i >= middleIndex)} records`);
    got = await this.read(await this.iterator(shardId, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: middle }));
    ok(`AFTER_SEQUENCE_NUMBER: ${this.expect(shardId, got.records, "AFTER_SEQUENCE_NUMBER", (i) => i > middleIndex)} records`);
    got = await this.read(await this.iterator(shardId, "AT_TIMESTAMP", { Timestamp: new Date(atTime * 1000) }));
    let n = this.expect(shardId, got.records, "AT_TIMESTAMP", (_, epoch) => epoch >= 1);
    check(n > 0, `no record of ${shardId} arrived after the AT_TIMESTAMP time`);
    ok(`AT_TIMESTAMP: ${n} records`);
    const latest = await this.iterator(shardId, "LATEST");
    await this.putOne(`after-latest-${shardId}`, new TextEncoder().encode("after LATEST"), 2, { explicitHashKey: String(shardStart) });
    got = await this.read(latest);
    n = this.expect(shardId, got.records, "LATEST", (_, epoch) => epoch === 2);
    check(n === 1, `LATEST read ${n} records`);
    ok("LATEST: only the record put after it");

    const lifetime = process.env.SLUICE_ITERATOR_LIFETIME_S;
    if (lifetime) {
      step(`an iterator left unused for ${lifetime} s + 1 s`);
      const iterator = await this.iterator(shardId, "TRIM_HORIZON");
      await sleep((Number(lifetime) + 1) * 1000);
      const { code, message } = await this.errorOf(new GetRecordsCommand({ ShardIterator: iterator }));
      check(code === "ExpiredIteratorException", `expected ExpiredIteratorException, got ${code}: ${message}`);
      ok(`ExpiredIteratorException: ${message}`);
    } else {
      step("expired iterator: skipped (set SLUICE_ITERATOR_LIFETIME_S to the gateway's iterator lifetime)");
    }

    step("Increase/DecreaseStreamRetentionPeriod");
    await this.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: this.stream, RetentionPeriodHours: 48 }));
    this.checkSummary(await this.waitActive(), 48);
    let answer = await this.errorOf(new IncreaseStreamRetentionPeriodCommand({ StreamName: this.stream, RetentionPeriodHours: 24 }));
    check(answer.code === "InvalidArgumentException",
      `increasing the retention to less than it is: expected InvalidArgumentException, got ${answer.code}: ${answer.message}`);
    await this.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: this.stream, RetentionPeriodHours: 24 }));
    this.checkSummary(await this.waitActive(), 24);
    ok("24 → 48 → 24 hours; increasing to less is InvalidArgumentException");

    await this.enhancedFanOut();

    step("error answers");
    const missing = `compat-node-missing-${rng.int(0, 999_999_999)}`;
    answer = await this.errorOf(new DescribeStreamCommand({ StreamName: missing }));
    check(answer.code === "ResourceNotFoundException", `DescribeStream of a missing stream: ${answer.code}: ${answer.message}`);
    const want = `Stream ${missing} under account ${this.account} not found.`;
    check(answer.message === want, `ResourceNotFoundException message is ${JSON.stringify(answer.message)}, expected ${JSON.stringify(want)}`);
    ok(`DescribeStream of a missing stream: ResourceNotFoundException (HTTP ${answer.status}), Kinesis' message`);
    const wrongSecret = this.client({ accessKeyId: this.keyId, secretAccessKey: [...this.secret].reverse().join("") });
    answer = await this.errorOf(new ListStreamsCommand({}), wrongSecret);
    check(answer.code === "InvalidSignatureException",
      `a request signed with a wrong secret: expected InvalidSignatureException, got ${answer.code}: ${answer.message}`);
    ok(`a request signed with a wrong secret: InvalidSignatureException (HTTP ${answer.status})`);
    const unknownKey = this.client({ accessKeyId: `SLU${"A".repeat(17)}`, secretAccessKey: this.secret });
    answer = await this.errorOf(new ListStreamsCommand({}), unknownKey);
    check(answer.code === "UnrecognizedClientException",
      `an unknown access key id: expected UnrecognizedClientException, got ${answer.code}: ${answer.message}`);
    ok(`an unknown access key id: UnrecognizedClientException (HTTP ${answer.status})`);
    answer = await this.errorOf(new GetRecordsCommand({ ShardIterator: "AAAAAAAAAAGarbageIteratorThatNoServerMade0123456789" }));
    check(answer.code === "InvalidArgumentException",
      `GetRecords with a garbage iterator: expected InvalidArgumentException, got ${answer.code}: ${answer.message}`);
    ok(`GetRecords with a garbage iterator: InvalidArgumentException (HTTP ${answer.status})`);

    await this.reshard();

    step("DeleteStream");
    await this.send(new DeleteStreamCommand({ StreamName: this.stream }));
    const deadline = performance.now() + WAIT_S * 1000;
    for (;;) {
      try {
        await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.stream }), { abortSignal: AbortSignal.timeout(WAIT_S * 1000) });
      } catch (e) {
        if (e instanceof CheckFailed) {
          throw e;
        }
        check(e.name === "ResourceNotFoundException", () => `describing a deleted stream: ${describeError(e)}`);
        break;
      }
      check(performance.now() < deadline, `stream still described ${WAIT_S} s after DeleteStream`);
      await sleep(500);
    }
    this.created = false;
    try {
      await waitUntilStreamNotExists({ client: this.kinesis, maxWaitTime: WAIT_S, minDelay: 1, maxDelay: 1 }, { StreamName: this.stream });
    } catch (e) {
      fail(`waitUntilStreamNotExists: ${describeError(e)}`);
    }
    ok("gone; waitUntilStreamNotExists returned");

    check(this.responses > 0, "no response passed the protocol check");
    ok(`all ${this.responses} responses came over ${this.expectedProtocol}`);
    console.log(`PASS: @aws-sdk/client-kinesis (${this.handler}) (${this.writtenCount()} records written and read back over ${this.expectedProtocol})`);
  }

  /** Polls DescribeStreamConsumer until the consumer has status want (or is gone, for want null). */
  async waitConsumer(arn, want) {
    const deadline = performance.now() + WAIT_S * 1000;
    for (;;) {
      let description;
      try {
        description = (await this.kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }), { abortSignal: AbortSignal.timeout(WAIT_S * 1000) })).ConsumerDescription;
      } catch (e) {
        check(want === null && e.name === "ResourceNotFoundException", () => `DescribeStreamConsumer: ${describeError(e)}`);
        return null;
      }
      if (description.ConsumerStatus === want) {
        return description;
      }
      check(["CREATING", "DELETING"].includes(description.ConsumerStatus), `consumer status is ${description.ConsumerStatus}, waiting for ${want}`);
      check(performance.now() < deadline, `consumer still ${description.ConsumerStatus} after ${WAIT_S} s (waiting for ${want})`);
      await sleep(500);
    }
  }

  /**
   * SubscribeToShard, then SubscribeToShardEvents until count records came; the subscription is
   * closed by leaving the loop. Retried while the server still holds a subscription just closed.
   */
  async subscribeAndRead(arn, shardId, position, count) {
    const deadline = performance.now() + WAIT_S * 1000;
    let output;
    for (;;) {
      try {
        output = await this.kinesis.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: shardId, StartingPosition: position }),
          { abortSignal: AbortSignal.timeout(WAIT_S * 1000) });
        break;
      } catch (e) {
        check(e.name === "ResourceInUseException" && performance.now() < deadline, () => `SubscribeToShard: ${describeError(e)}`);
        await sleep(500);
      }
    }
    const records = [];
    let continuation;
    let events = 0;
    try {
      for await (const event of output.EventStream) {
        check(event.SubscribeToShardEvent, () => `unexpected event ${JSON.stringify(Object.keys(event))}`);
        const e = event.SubscribeToShardEvent;
        events++;
        check(Number.isInteger(e.MillisBehindLatest), `SubscribeToShardEvent MillisBehindLatest is ${e.MillisBehindLatest}`);
        continuation = e.ContinuationSequenceNumber;
        check(/^\d+$/.test(continuation ?? ""), `SubscribeToShardEvent ContinuationSequenceNumber is ${continuation}`);
        for (const r of e.Records) {
          check(r.ApproximateArrivalTimestamp instanceof Date, `record ${r.SequenceNumber} has no ApproximateArrivalTimestamp`);
          check(r.Data instanceof Uint8Array, `record ${r.SequenceNumber} has no binary Data`);
          records.push({ sequence: r.SequenceNumber, partitionKey: r.PartitionKey, data: r.Data });
        }
        if (records.length >= count) {
          return { records, continuation, events };
        }
        check(performance.now() < deadline, `${shardId}: ${records.length} of ${count} records in ${WAIT_S} s of SubscribeToShard events`);
      }
    } catch (e) {
      if (e instanceof CheckFailed) {
        throw e;
      }
      fail(`reading the SubscribeToShard event stream: ${describeError(e)}`);
    }
    fail(`${shardId}: the event stream ended after ${records.length} of ${count} records`);
  }

  async enhancedFanOut() {
    step("enhanced fan-out: RegisterStreamConsumer, SubscribeToShard and its event stream, DeregisterStreamConsumer");
    const streamArn = (await this.summary()).StreamARN;
    const name = `compat-node-${this.handler}`;
    const { Consumer } = await this.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
    const arn = Consumer.ConsumerARN;
    check(arn.startsWith(`${streamArn}/consumer/${name}:`) && /:\d+$/.test(arn), `ConsumerARN ${arn} is not ${streamArn}/consumer/${name}:<creation time>`);
    check(Consumer.ConsumerCreationTimestamp instanceof Date, "RegisterStreamConsumer has no ConsumerCreationTimestamp");
    const description = await this.waitConsumer(arn, "ACTIVE");
    check(description.StreamARN === streamArn && description.ConsumerName === name, () => `DescribeStreamConsumer: ${JSON.stringify(description)}`);
    const listed = (await this.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers.map((c) => c.ConsumerARN);
    check(JSON.stringify(listed) === JSON.stringify([arn]), `ListStreamConsumers lists ${listed}`);
    check((await this.summary()).ConsumerCount === 1, "DescribeStreamSummary ConsumerCount is not 1");
    ok(`${arn} ACTIVE, described, listed, counted`);

    const { id: shardId, start } = this.shards[this.shards.length - 1];
    const count = this.written.get(shardId).size;
    const all = await this.subscribeAndRead(arn, shardId, { Type: "TRIM_HORIZON" }, count);
    this.expect(shardId, all.records, "SubscribeToShard TRIM_HORIZON", () => true);
    check(all.continuation === all.records[all.records.length - 1].sequence, `ContinuationSequenceNumber ${all.continuation} is not the last record's`);
    ok(`TRIM_HORIZON: all ${count} records of ${shardId} pushed in order in ${all.events} events, same bytes and keys`);

    const epoch = 10;
    const live = this.subscribeAndRead(arn, shardId, { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: all.continuation }, 1);
    await sleep(500);
    await this.putOne(`efo-live-${shardId}`, new TextEncoder().encode("pushed live"), epoch, { explicitHashKey: String(start) });
    const pushed = await live;
    this.expect(shardId, pushed.records, "SubscribeToShard AFTER_SEQUENCE_NUMBER", (_, e) => e === epoch);
    ok("AFTER_SEQUENCE_NUMBER of the continuation: only the record put since, pushed live");

    const answer = await this.errorOf(new DeleteStreamCommand({ StreamName: this.stream }));
    check(answer.code === "ResourceInUseException", `DeleteStream with a registered consumer: expected ResourceInUseException, got ${answer.code}: ${answer.message}`);
    await this.send(new DeregisterStreamConsumerCommand({ ConsumerARN: arn }));
    await this.waitConsumer(arn, null);
    ok("DeleteStream with a consumer: ResourceInUseException; deregistered, then gone");
  }

  async listAllShards() {
    const shards = [];
    let input = { StreamName: this.stream };
    for (;;) {
      const page = await this.send(new ListShardsCommand(input));
      shards.push(...page.Shards);
      if (!page.NextToken) {
        return shards;
      }
      input = { NextToken: page.NextToken };
    }
  }

  /** PutRecords to wherever the stream routes now; remembered under the shard each record went to. */
  async putAfterReshard(prefix, count, explicitHashKey) {
    const records = Array.from({ length: count }, (_, i) => ({
      PartitionKey: `${prefix}-${i}`, Data: new TextEncoder().encode(`${prefix}-${i}`), ExplicitHashKey: String(explicitHashKey),
    }));
    const result = await this.send(new PutRecordsCommand({ StreamName: this.stream, Records: records }));
    check(result.FailedRecordCount === 0, `PutRecords after a reshard: FailedRecordCount ${result.FailedRecordCount}`);
    records.forEach((record, i) => this.remember(result.Records[i].ShardId, result.Records[i].SequenceNumber, record.PartitionKey, record.Data, 9));
    return new Set(result.Records.map((r) => r.ShardId));
  }

  /** Every shard from TRIM_HORIZON, parents to their end (ChildShards, no NextShardIterator) before children. */
  async readLineage() {
    const shards = await this.listAllShards();
    const parents = new Map(shards.map((s) => [s.ShardId, [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean)]));
    const closed = new Set(shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber).map((s) => s.ShardId));
    const ready = [...parents].filter(([, ps]) => ps.length === 0).map(([id]) => id);
    const done = new Set();
    const got = new Map();
    while (ready.length > 0) {
      const shard = ready.shift();
      let iterator = await this.iterator(shard, "TRIM_HORIZON");
      const records = [];
      const children = [];
      const deadline = performance.now() + WAIT_S * 1000;
      for (;;) {
        const page = await this.send(new GetRecordsCommand({ ShardIterator: iterator }));
        for (const r of page.Records) {
          records.push({ sequence: r.SequenceNumber, partitionKey: r.PartitionKey, data: r.Data });
        }
        if (page.ChildShards?.length) {
          check(closed.has(shard), `GetRecords of open shard ${shard} answered ChildShards`);
          check(page.NextShardIterator === undefined || page.NextShardIterator === null,
            `GetRecords at the end of ${shard} answered a NextShardIterator with its ChildShards`);
          check(page.MillisBehindLatest === 0, `GetRecords at the end of ${shard}: MillisBehindLatest ${page.MillisBehindLatest}`);
          for (const child of page.ChildShards) {
            const listed = parents.get(child.ShardId) ?? [];
            check(child.ParentShards.includes(shard) && child.ParentShards.length === listed.length && listed.every((p) => child.ParentShards.includes(p)),
              `ChildShards lists parents ${child.ParentShards} of ${child.ShardId}; ListShards ${listed}`);
            check(child.HashKeyRange?.StartingHashKey !== undefined, `ChildShards entry ${child.ShardId} has no HashKeyRange`);
            children.push(child.ShardId);
          }
          break;
        }
        iterator = page.NextShardIterator;
        check(iterator, `GetRecords of ${shard} answered neither NextShardIterator nor ChildShards`);
        if (page.Records.length === 0 && page.MillisBehindLatest === 0 && !closed.has(shard)) {
          break;
        }
        check(performance.now() < deadline, `${shard} not read to its end in ${WAIT_S} s`);
      }
      got.set(shard, records);
      done.add(shard);
      for (const child of children) {
        if (!done.has(child) && !ready.includes(child) && parents.get(child).every((p) => done.has(p))) {
          ready.push(child);
        }
      }
    }
    const missed = [...parents.keys()].filter((id) => !done.has(id));
    check(missed.length === 0, `the lineage walk from the stream's first shards missed ${missed}`);
    return got;
  }

  async reshard() {
    step("SplitShard, then put and read across parent and children");
    const parent = this.shards[0];
    const middle = (BigInt(parent.start) + BigInt(parent.end) + 1n) / 2n;
    await this.send(new SplitShardCommand({ StreamName: this.stream, ShardToSplit: parent.id, NewStartingHashKey: middle.toString() }));
    check((await this.waitActive()).OpenShardCount === SHARD_COUNT + 1, "OpenShardCount after SplitShard is not one more");
    let shards = await this.listAllShards();
    check(shards.find((s) => s.ShardId === parent.id).SequenceNumberRange.EndingSequenceNumber, `split parent ${parent.id} has no EndingSequenceNumber`);
    const children = shards.filter((s) => s.ParentShardId === parent.id).sort((a, b) => compareBigInt(BigInt(a.HashKeyRange.StartingHashKey), BigInt(b.HashKeyRange.StartingHashKey)));
    check(children.length === 2, `SplitShard made ${children.map((c) => c.ShardId)}, expected two children of ${parent.id}`);
    const ranges = children.map((c) => `${c.HashKeyRange.StartingHashKey}-${c.HashKeyRange.EndingHashKey}`).join(" ");
    check(ranges === `${parent.start}-${middle - 1n} ${middle}-${parent.end}`, `children's hash key ranges are ${ranges}`);
    const [low, high] = children.map((c) => c.ShardId);
    const lowTo = await this.putAfterReshard("split-low", 20, parent.start);
    const highTo = await this.putAfterReshard("split-high", 20, parent.end);
    check(lowTo.size === 1 && lowTo.has(low) && highTo.size === 1 && highTo.has(high), `records after the split went to ${[...lowTo]} and ${[...highTo]}`);
    ok(`${parent.id} closed with an EndingSequenceNumber; ${low} and ${high} take its hash keys`);

    step("MergeShards of the two children, UpdateShardCount");
    await this.send(new MergeShardsCommand({ StreamName: this.stream, ShardToMerge: low, AdjacentShardToMerge: high }));
    check((await this.waitActive()).OpenShardCount === SHARD_COUNT, "OpenShardCount after MergeShards is not back to the first count");
    shards = await this.listAllShards();
    const merged = shards.filter((s) => s.ParentShardId === low && s.AdjacentParentShardId === high);
    check(merged.length === 1, `MergeShards made ${JSON.stringify(merged)}`);
    await this.putAfterReshard("merged", 20, parent.start);
    const scaled = await this.send(new UpdateShardCountCommand({ StreamName: this.stream, TargetShardCount: SHARD_COUNT + 1, ScalingType: "UNIFORM_SCALING" }));
    check(scaled.CurrentShardCount === SHARD_COUNT && scaled.TargetShardCount === SHARD_COUNT + 1 && scaled.StreamName === this.stream,
      `UpdateShardCount answered ${JSON.stringify(scaled)}`);
    check((await this.waitActive()).OpenShardCount === SHARD_COUNT + 1, "OpenShardCount after UpdateShardCount is not the target");
    await this.putAfterReshard("scaled", 20, 0n);
    await this.putAfterReshard("scaled-top", 20, MAX_HASH_KEY);
    const answer = await this.errorOf(new SplitShardCommand({ StreamName: this.stream, ShardToSplit: parent.id, NewStartingHashKey: middle.toString() }));
    check(answer.code === "InvalidArgumentException" && /not eligible/.test(answer.message), `splitting a closed shard: ${answer.code}: ${answer.message}`);
    ok(`${merged[0].ShardId} merged from both; UpdateShardCount ${scaled.CurrentShardCount} → ${scaled.TargetShardCount}; a closed shard cannot split`);

    step("read the whole stream back across parents and children");
    const got = await this.readLineage();
    let total = 0;
    for (const shard of new Set([...got.keys(), ...this.written.keys()])) {
      total += this.expect(shard, got.get(shard) ?? [], "lineage read", () => true);
    }
    ok(`${total} records in ${got.size} shards, each once, parents before children`);
  }

  async cleanup() {
    if (this.created) {
      try {
        await this.kinesis.send(new DeleteStreamCommand({ StreamName: this.stream }), { abortSignal: AbortSignal.timeout(WAIT_S * 1000) });
      } catch {
        // The run has failed already; its message is what matters.
      }
    }
    for (const client of this.clients) {
      client.destroy();
    }
  }
}

async function main() {
  const [endpoint, handler] = process.argv.slice(2);
  const usage = "usage: node kinesis_node.mjs ENDPOINT_URL http2|http1";
  if (!endpoint || !/^https?:\/\//.test(endpoint)) {
    console.error(`FAIL: no http:// or https:// endpoint (${usage})`);
    return 1;
  }
  if (handler !== "http2" && handler !== "http1") {
    console.error(`FAIL: the handler must be http2 or http1, not ${JSON.stringify(handler)} (${usage})`);
    return 1;
  }
  const { AWS_REGION: region, AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret } = process.env;
  if (!(region && keyId && secret)) {
    console.error("FAIL: set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION (. .data/dev.env for the dev cluster)");
    return 1;
  }
  const stream = process.env.SLUICE_COMPAT_STREAM || `compat-node-${handler}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  let compat;
  try {
    compat = new Compat(endpoint, handler, region, keyId, secret, stream, process.env.SLUICE_EXPECTED_ACCOUNT_ID ?? "");
    await compat.run();
    return 0;
  } catch (e) {
    console.error(e instanceof CheckFailed ? `FAIL: ${e.message}` : `FAIL: ${describeError(e)}\n${e?.stack ?? ""}`);
    return 1;
  } finally {
    await compat?.cleanup();
  }
}

process.exitCode = await main();
// Open sockets must not keep a finished run alive; the timer itself does not.
setTimeout(() => process.exit(), 2000).unref();
