namespace Sluice.Gateway.Quotas.Internal;

/// <summary>
/// The Lua script that updates every token bucket a request touches in one atomic step, on Redis' own clock (TIME), so
/// that all gateways agree. A bucket is a hash {v = tokens, u = microseconds of the last update}, refilled at its rate up to
/// its capacity on each use and expiring after the idle expiry. Three modes (ARGV[1]):
/// <list type="bullet">
/// <item><c>w</c> (a put): shards in order; a shard is admitted when its records and bytes buckets and the tenant's (and
/// stream's) bytes buckets, less what earlier shards took, have room: a bucket has room for a demand it holds, or, when it is
/// full, for any demand (a record bigger than the burst goes through and leaves the bucket in debt). Admitted shards take
/// their tokens; the tenant and stream buckets take the admitted shards' bytes.
/// KEYS: records₁, bytes₁, …, recordsₙ, bytesₙ, tenant[, stream]. ARGV: w, ttlMs, n, hasStream, recordsRate, recordsCap,
/// bytesRate, bytesCap, tenantRate, tenantCap, streamRate, streamCap, records₁, bytes₁, …. Returns kind₁, waitMs₁, ….</item>
/// <item><c>r</c> (before a read): takes a call when the call bucket has one and none of the egress buckets is in debt.
/// KEYS: calls, shardOut, tenantOut[, streamOut]. ARGV: r, ttlMs, hasStream, callsRate, callsCap, outRate, outCap,
/// tenantRate, tenantCap, streamRate, streamCap. Returns kind, waitMs.</item>
/// <item><c>c</c> (after a read): takes the bytes read from the egress buckets, into debt if need be. KEYS: shardOut,
/// tenantOut[, streamOut]. ARGV: c, ttlMs, hasStream, outRate, outCap, tenantRate, tenantCap, streamRate, streamCap, bytes.</item>
/// </list>
/// Kinds are <see cref="BucketKind"/>'s numbers; waitMs is how long until the refusing bucket has room.
/// </summary>
internal static class TokenBucketScript
{
    public const string Source = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local ttl = tonumber(ARGV[2])
        local function load(key, rate, cap)
          local s = redis.call('HMGET', key, 'v', 'u')
          local v = tonumber(s[1])
          local u = tonumber(s[2])
          if v == nil or u == nil then return cap end
          if now > u then v = v + (now - u) * rate / 1000000 end
          if v > cap then v = cap end
          return v
        end
        local function save(key, v)
          redis.call('HSET', key, 'v', string.format('%.17g', v), 'u', string.format('%d', now))
          redis.call('PEXPIRE', key, ttl)
        end
        local function fits(v, need, cap)
          return v >= need or v >= cap
        end
        local function wait(v, need, cap, rate)
          if need > cap then need = cap end
          local ms = math.ceil((need - v) * 1000 / rate)
          if ms < 1 then ms = 1 end
          return ms
        end
        local mode = ARGV[1]
        if mode == 'w' then
          local n = tonumber(ARGV[3])
          local hasStream = ARGV[4] == '1'
          local rRate, rCap = tonumber(ARGV[5]), tonumber(ARGV[6])
          local bRate, bCap = tonumber(ARGV[7]), tonumber(ARGV[8])
          local tRate, tCap = tonumber(ARGV[9]), tonumber(ARGV[10])
          local sRate, sCap = tonumber(ARGV[11]), tonumber(ARGV[12])
          local tKey = KEYS[2 * n + 1]
          local tv = load(tKey, tRate, tCap)
          local sKey, sv
          if hasStream then
            sKey = KEYS[2 * n + 2]
            sv = load(sKey, sRate, sCap)
          end
          local used = 0
          local out = {}
          for i = 1, n do
            local records = tonumber(ARGV[11 + 2 * i])
            local bytes = tonumber(ARGV[12 + 2 * i])
            local rKey, bKey = KEYS[2 * i - 1], KEYS[2 * i]
            local rv = load(rKey, rRate, rCap)
            local bv = load(bKey, bRate, bCap)
            local kind, ms = 0, 0
            if not fits(rv, records, rCap) then
              kind, ms = 1, wait(rv, records, rCap, rRate)
            elseif not fits(bv, bytes, bCap) then
              kind, ms = 2, wait(bv, bytes, bCap, bRate)
            elseif not fits(tv - used, bytes, tCap) then
              kind, ms = 3, wait(tv - used, bytes, tCap, tRate)
            elseif hasStream and not fits(sv - used, bytes, sCap) then
              kind, ms = 4, wait(sv - used, bytes, sCap, sRate)
            else
              save(rKey, rv - records)
              save(bKey, bv - bytes)
              used = used + bytes
            end
            out[2 * i - 1] = kind
            out[2 * i] = ms
          end
          if used > 0 then
            save(tKey, tv - used)
            if hasStream then save(sKey, sv - used) end
          end
          return out
        elseif mode == 'r' then
          local hasStream = ARGV[3] == '1'
          local cRate, cCap = tonumber(ARGV[4]), tonumber(ARGV[5])
          local oRate, oCap = tonumber(ARGV[6]), tonumber(ARGV[7])
          local tRate, tCap = tonumber(ARGV[8]), tonumber(ARGV[9])
          local cv = load(KEYS[1], cRate, cCap)
          if not fits(cv, 1, cCap) then return {5, wait(cv, 1, cCap, cRate)} end
          local ov = load(KEYS[2], oRate, oCap)
          if ov <= 0 then return {6, wait(ov, 1, oCap, oRate)} end
          local tv = load(KEYS[3], tRate, tCap)
          if tv <= 0 then return {7, wait(tv, 1, tCap, tRate)} end
          if hasStream then
            local sRate, sCap = tonumber(ARGV[10]), tonumber(ARGV[11])
            local sv = load(KEYS[4], sRate, sCap)
            if sv <= 0 then return {8, wait(sv, 1, sCap, sRate)} end
          end
          save(KEYS[1], cv - 1)
          return {0, 0}
        else
          local hasStream = ARGV[3] == '1'
          local bytes = tonumber(ARGV[10])
          save(KEYS[1], load(KEYS[1], tonumber(ARGV[4]), tonumber(ARGV[5])) - bytes)
          save(KEYS[2], load(KEYS[2], tonumber(ARGV[6]), tonumber(ARGV[7])) - bytes)
          if hasStream then
            save(KEYS[3], load(KEYS[3], tonumber(ARGV[8]), tonumber(ARGV[9])) - bytes)
          end
          return {0, 0}
        end
        """;
}
