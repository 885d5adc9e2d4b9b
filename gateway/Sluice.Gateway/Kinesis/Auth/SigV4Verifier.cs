using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Gateway.Kinesis.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) on Kinesis API requests, signed in
/// the Authorization header or presigned in the query string, and answers failures the way
/// Kinesis does (see <see cref="SigV4ErrorTypes"/>). The checks run in AWS's order: presence,
/// completeness, date format, clock skew, Host signed, algorithm, credential shape, credential
/// scope, key id, signature, session token; so a request that is wrong in several ways gets the
/// error AWS would give it.
/// <para>
/// Everything but the key lookup is synchronous and works on pooled buffers: the canonical
/// request is hashed, not kept (it is rebuilt only for the error message of a wrong signature),
/// signing keys are cached, and when the resolver answers from its cache the whole verification
/// completes synchronously. Thread-safe; one instance serves all requests.
/// </para>
/// </summary>
public sealed partial class SigV4Verifier
{
    /// <summary>The only algorithm accepted.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The last element of every credential scope.</summary>
    public const string ScopeTerminator = "aws4_request";

    private const int HashSize = 32;
    private const int StringToSignCapacity = 256;

    private readonly SigV4Options _options;
    private readonly SigV4KeyResolver _resolveKey;
    private readonly SigningKeyCache _signingKeys;

    /// <summary>Creates a verifier that finds keys with <paramref name="resolveKey"/>.</summary>
    public SigV4Verifier(SigV4Options options, SigV4KeyResolver resolveKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolveKey);
        options.Validate();
        _options = options;
        _resolveKey = resolveKey;
        _signingKeys = new SigningKeyCache(options.MaxCachedSigningKeys);
    }

    /// <summary>True for a region name a credential scope may carry: 1–64 of a–z, 0–9 and '-'.</summary>
    public static bool IsWellFormedRegion(ReadOnlySpan<char> region) =>
        region.Length is > 0 and <= SigV4Options.MaxScopeElementLength && !region.ContainsAnyExcept(RegionCharacters);

    /// <summary>Verifies a request whose whole body is <paramref name="body"/>.</summary>
    /// <param name="request">Method, raw path and query, and headers, as received.</param>
    /// <param name="body">The request body (empty when there is none).</param>
    /// <param name="now">The server's current time.</param>
    /// <param name="cancellationToken">Cancels the key lookup.</param>
    public ValueTask<SigV4Result> VerifyAsync(SigV4Request request, ReadOnlySpan<byte> body, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Verify(request, body, payloadIsHash: false, now, cancellationToken);

    /// <summary>
    /// Verifies a request whose body's SHA-256 the caller computed already (e.g. while reading it),
    /// so the body need not be held in one piece.
    /// </summary>
    public ValueTask<SigV4Result> VerifyWithPayloadHashAsync(SigV4Request request, ReadOnlySpan<byte> payloadSha256, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (payloadSha256.Length != HashSize)
        {
            throw new ArgumentException($"A SHA-256 hash is {HashSize} bytes, not {payloadSha256.Length}.", nameof(payloadSha256));
        }

        return Verify(request, payloadSha256, payloadIsHash: true, now, cancellationToken);
    }

    private ValueTask<SigV4Result> Verify(SigV4Request request, ReadOnlySpan<byte> payload, bool payloadIsHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request.Method);
        ArgumentNullException.ThrowIfNull(request.RawPath);
        ArgumentNullException.ThrowIfNull(request.Headers);
        var error = Prepare(request, payload, payloadIsHash, now, out var pending);
        if (error is not null)
        {
            return ValueTask.FromResult(SigV4Result.Failure(error));
        }

        var lookup = _resolveKey(pending!.AccessKeyId, cancellationToken);
        return lookup.IsCompletedSuccessfully
            ? ValueTask.FromResult(Complete(request, pending, lookup.Result))
            : CompleteAsync(request, pending, lookup);
    }

    private async ValueTask<SigV4Result> CompleteAsync(SigV4Request request, Pending pending, ValueTask<SigV4Key?> lookup) =>
        Complete(request, pending, await lookup);

    /// <summary>Everything that needs no key: parsing, every check up to the scope, the canonical request's hash.</summary>
    private SigV4Error? Prepare(in SigV4Request request, ReadOnlySpan<byte> payload, bool payloadIsHash, DateTimeOffset now, out Pending? pending)
    {
        pending = null;
        var error = ReadAuthentication(request, out var auth);
        if (error is not null)
        {
            return error;
        }

        error = CheckTime(auth, now, out var amzDate);
        if (error is not null)
        {
            return error;
        }

        error = CheckSignedHeaders(auth, out var signedHeaders);
        if (error is not null)
        {
            return error;
        }

        if (auth.Algorithm != Algorithm)
        {
            return new SigV4Error(SigV4ErrorTypes.IncompleteSignature, $"Unsupported AWS 'algorithm': '{auth.Algorithm}' (only {Algorithm} for now). ");
        }

        error = ReadScope(auth.Credential, amzDate, out var scope);
        if (error is not null)
        {
            return error;
        }

        var state = new Pending
        {
            AccessKeyId = scope.AccessKeyId,
            Date = scope.Date,
            Region = scope.Region,
            Service = scope.Service,
            AmzDate = amzDate,
            SignedHeaders = signedHeaders,
            Signature = auth.Signature,
            Presigned = auth.Presigned,
            HasSecurityToken = auth.HasSecurityToken,
        };
        error = ReadPayloadHash(request, payload, payloadIsHash, state);
        if (error is not null)
        {
            return error;
        }

        Span<char> payloadHex = stackalloc char[HashSize * 2];
        var builder = new Utf8Builder(SigV4Canonicalizer.InitialCapacity);
        try
        {
            SigV4Canonicalizer.WriteCanonicalRequest(ref builder, request, signedHeaders, state.PayloadHash(payloadHex), auth.Presigned);
            SHA256.HashData(builder.Written, state.CanonicalRequestHash);
        }
        finally
        {
            builder.Dispose();
        }

        pending = state;
        return null;
    }

    /// <summary>The checks that need the key: key id, signature, declared body hash, session token.</summary>
    private SigV4Result Complete(in SigV4Request request, Pending pending, SigV4Key? key)
    {
        if (key is null)
        {
            return SigV4Result.Failure(new SigV4Error(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid."));
        }

        var signingKey = _signingKeys.Get(key.SecretAccessKey, pending.Date, pending.Region, pending.Service);
        Span<byte> stringToSign = stackalloc byte[StringToSignCapacity];
        stringToSign = stringToSign[..WriteStringToSign(pending, stringToSign)];
        Span<byte> expected = stackalloc byte[HashSize];
        HMACSHA256.HashData(signingKey, stringToSign, expected);
        Span<byte> provided = stackalloc byte[HashSize];
        var wellFormed = pending.Signature.Length == HashSize * 2
            && Convert.FromHexString(pending.Signature, provided, out _, out var written) == OperationStatus.Done
            && written == HashSize;
        // Compare even a malformed signature, so that timing never tells how far a guess got.
        if (!CryptographicOperations.FixedTimeEquals(expected, provided) || !wellFormed)
        {
            return SigV4Result.Failure(SignatureMismatch(request, pending, stringToSign));
        }

        if (pending.PayloadHashMismatch)
        {
            return SigV4Result.Failure(new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                "The provided 'x-amz-content-sha256' header does not match what was computed."));
        }

        if (pending.HasSecurityToken)
        {
            // Sluice issues no session tokens, so none can be valid (AWS's message has no period here).
            return SigV4Result.Failure(new SigV4Error(SigV4ErrorTypes.UnrecognizedClient, "The security token included in the request is invalid"));
        }

        return SigV4Result.Success(key.AccessKeyId, key.TenantId, pending.Region);
    }

    private SigV4Error? CheckTime(in AuthParts auth, DateTimeOffset now, out string amzDate)
    {
        amzDate = "";
        DateTimeOffset requestTime;
        var parsed = auth.DateFromDateHeader
            ? AmzDate.TryParseHttpDate(auth.DateText, out requestTime)
            : AmzDate.TryParseBasic(auth.DateText, out requestTime);
        if (!parsed)
        {
            return new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
                $"Date must be in ISO-8601 'basic format'. Got '{auth.DateText}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        amzDate = auth.DateFromDateHeader ? AmzDate.Format(requestTime) : auth.DateText;
        var skew = _options.MaxClockSkew;
        var skewText = FormatSkew(skew);
        if (requestTime > now + skew)
        {
            return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                $"Signature not yet current: {amzDate} is still later than {AmzDate.Format(now + skew)} ({AmzDate.Format(now)} + {skewText}.)",
                IsClockSkew: true);
        }

        if (auth.ExpiresSeconds is { } expires)
        {
            // A presigned request is good from its X-Amz-Date for X-Amz-Expires seconds.
            if (requestTime < now - TimeSpan.FromSeconds(expires))
            {
                return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                    $"Signature expired: {amzDate} is now earlier than {AmzDate.Format(now - TimeSpan.FromSeconds(expires))} ({AmzDate.Format(now)} - {expires} sec.)");
            }
        }
        else if (requestTime < now - skew)
        {
            return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                $"Signature expired: {amzDate} is now earlier than {AmzDate.Format(now - skew)} ({AmzDate.Format(now)} - {skewText}.)",
                IsClockSkew: true);
        }

        return null;
    }

    private static SigV4Error? CheckSignedHeaders(in AuthParts auth, out string signedHeaders)
    {
        signedHeaders = SigV4Canonicalizer.NormalizeSignedHeaders(auth.SignedHeaders);
        foreach (var range in signedHeaders.AsSpan().Split(';'))
        {
            if (signedHeaders.AsSpan(range) is "host" or ":authority")
            {
                return null;
            }
        }

        return new SigV4Error(SigV4ErrorTypes.InvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    }

    private SigV4Error? ReadScope(string credential, string amzDate, out Scope scope)
    {
        scope = default;
        // AWS ignores trailing slashes, then wants key id, date, region, service and terminator.
        var trimmed = credential.AsSpan().TrimEnd('/');
        Span<Range> parts = stackalloc Range[6];
        if (trimmed.Split(parts, '/') != 5)
        {
            return new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'");
        }

        var region = trimmed[parts[2]];
        var service = trimmed[parts[3]];
        var terminator = trimmed[parts[4]];
        var date = trimmed[parts[1]];
        var regionValid = IsWellFormedRegion(region) && (_options.Regions.Count == 0 || ContainsOrdinal(_options.Regions, region));
        var serviceValid = service.SequenceEqual(_options.Service);
        var terminatorValid = terminator is ScopeTerminator;
        var dateValid = date.SequenceEqual(amzDate.AsSpan(0, AmzDate.DateLength));
        if (!regionValid || !serviceValid || !terminatorValid || !dateValid)
        {
            // AWS reports every wrong element at once, in this order and with these spaces.
            var message = new StringBuilder();
            if (!regionValid)
            {
                message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped to a valid region, not '{region}'. ");
            }

            if (!serviceValid)
            {
                message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped to correct service: '{_options.Service}'. ");
            }

            if (!terminatorValid)
            {
                message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped with a valid terminator: '{ScopeTerminator}', not '{terminator}'. ");
            }

            if (!dateValid)
            {
                message.Append(CultureInfo.InvariantCulture,
                    $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{amzDate.AsSpan(0, AmzDate.DateLength)}', from '{amzDate}'.");
            }

            return new SigV4Error(SigV4ErrorTypes.InvalidSignature, message.ToString());
        }

        scope = new Scope(trimmed[parts[0]].ToString(), date.ToString(), region.ToString(), _options.Service);
        return null;
    }

    private SigV4Error? ReadPayloadHash(in SigV4Request request, ReadOnlySpan<byte> payload, bool payloadIsHash, Pending state)
    {
        var declared = request.Headers["x-amz-content-sha256"];
        if (declared.Count == 0)
        {
            ActualPayloadHash(payload, payloadIsHash, state.ComputedPayloadHash);
            return null;
        }

        var value = declared[0]?.Trim() ?? "";
        if (value == SigV4Canonicalizer.UnsignedPayload)
        {
            if (!_options.AllowUnsignedPayload)
            {
                return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                    "This endpoint requires a signed payload: x-amz-content-sha256 must be the SHA-256 of the body, not UNSIGNED-PAYLOAD.");
            }

            state.PayloadHashLiteral = value;
            return null;
        }

        Span<byte> declaredHash = stackalloc byte[HashSize];
        if (value.Length != HashSize * 2
            || Convert.FromHexString(value, declaredHash, out _, out var written) != OperationStatus.Done
            || written != HashSize)
        {
            return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                $"x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body; got '{value}'.");
        }

        // The declared hash is what was signed; the body must still be the one it describes.
        state.PayloadHashLiteral = value;
        Span<byte> actual = stackalloc byte[HashSize];
        ActualPayloadHash(payload, payloadIsHash, actual);
        state.PayloadHashMismatch = !CryptographicOperations.FixedTimeEquals(actual, declaredHash);
        return null;
    }

    private static void ActualPayloadHash(ReadOnlySpan<byte> payload, bool payloadIsHash, Span<byte> destination)
    {
        if (payloadIsHash)
        {
            payload.CopyTo(destination);
        }
        else
        {
            SHA256.HashData(payload, destination);
        }
    }

    private static int WriteStringToSign(Pending pending, Span<byte> destination)
    {
        var length = 0;
        Append(destination, ref length, Algorithm);
        Append(destination, ref length, "\n");
        Append(destination, ref length, pending.AmzDate);
        Append(destination, ref length, "\n");
        Append(destination, ref length, pending.Date);
        Append(destination, ref length, "/");
        Append(destination, ref length, pending.Region);
        Append(destination, ref length, "/");
        Append(destination, ref length, pending.Service);
        Append(destination, ref length, "/" + ScopeTerminator + "\n");
        Span<char> hex = stackalloc char[HashSize * 2];
        Convert.TryToHexStringLower(pending.CanonicalRequestHash, hex, out _);
        length += Encoding.ASCII.GetBytes(hex, destination[length..]);
        return length;

        static void Append(Span<byte> destination, ref int length, string text) =>
            length += Encoding.ASCII.GetBytes(text, destination[length..]);
    }

    private static SigV4Error SignatureMismatch(in SigV4Request request, Pending pending, ReadOnlySpan<byte> stringToSign)
    {
        Span<char> payloadHex = stackalloc char[HashSize * 2];
        string canonicalRequest;
        var builder = new Utf8Builder(SigV4Canonicalizer.InitialCapacity);
        try
        {
            SigV4Canonicalizer.WriteCanonicalRequest(ref builder, request, pending.SignedHeaders, pending.PayloadHash(payloadHex), pending.Presigned);
            canonicalRequest = builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }

        // AWS shows what it computed, so that a client can find where its signer differs.
        return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
            + "Consult the service documentation for details.\n\n"
            + $"The Canonical String for this request should have been\n'{canonicalRequest}'\n\n"
            + $"The String-to-Sign should have been\n'{Encoding.ASCII.GetString(stringToSign)}'\n");
    }

    private static string FormatSkew(TimeSpan skew) =>
        skew.TotalMinutes == Math.Floor(skew.TotalMinutes)
            ? $"{(long)skew.TotalMinutes} min"
            : $"{(long)skew.TotalSeconds} sec";

    private static bool ContainsOrdinal(IReadOnlyList<string> values, ReadOnlySpan<char> value)
    {
        foreach (var candidate in values)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> RegionCharacters => "abcdefghijklmnopqrstuvwxyz0123456789-";

    private readonly record struct Scope(string AccessKeyId, string Date, string Region, string Service);

    [InlineArray(HashSize)]
    private struct Hash32
    {
        private byte _element;
    }

    /// <summary>What a request's verification carries past the key lookup.</summary>
    private sealed class Pending
    {
        public Hash32 CanonicalRequestHash;
        public Hash32 ComputedPayloadHash;

        public required string AccessKeyId { get; init; }

        public required string Date { get; init; }

        public required string Region { get; init; }

        public required string Service { get; init; }

        public required string AmzDate { get; init; }

        public required string SignedHeaders { get; init; }

        public required string Signature { get; init; }

        public bool Presigned { get; init; }

        public bool HasSecurityToken { get; init; }

        /// <summary>The x-amz-content-sha256 value as sent (a hash or UNSIGNED-PAYLOAD); null when the body was hashed here.</summary>
        public string? PayloadHashLiteral { get; set; }

        public bool PayloadHashMismatch { get; set; }

        public ReadOnlySpan<char> PayloadHash(Span<char> hexBuffer)
        {
            if (PayloadHashLiteral is not null)
            {
                return PayloadHashLiteral;
            }

            Convert.TryToHexStringLower(ComputedPayloadHash, hexBuffer, out var written);
            return hexBuffer[..written];
        }
    }
}
