using System.Globalization;
using System.Text;

namespace Sluice.Gateway.Kinesis.Auth;

public sealed partial class SigV4Verifier
{
    private const string AlgorithmParameter = "X-Amz-Algorithm";
    private const string CredentialParameter = "X-Amz-Credential";
    private const string SignedHeadersParameter = "X-Amz-SignedHeaders";
    private const string DateParameter = "X-Amz-Date";
    private const string ExpiresParameter = "X-Amz-Expires";
    private const string SecurityTokenParameter = "X-Amz-Security-Token";
    private const string QueryParameterPrefix = "X-Amz-";

    /// <summary>
    /// Where a request keeps its signature, split into its parts: from the Authorization header,
    /// or (presigned) from the query string.
    /// </summary>
    private readonly record struct AuthParts(
        string Algorithm,
        string Credential,
        string SignedHeaders,
        string Signature,
        string DateText,
        bool DateFromDateHeader,
        bool Presigned,
        int? ExpiresSeconds,
        bool HasSecurityToken);

    private static SigV4Error? ReadAuthentication(in SigV4Request request, out AuthParts auth)
    {
        auth = default;
        var headers = request.Headers;
        var authorization = headers.Authorization.Count > 0 ? headers.Authorization[0] : null;
        var hasHeader = !string.IsNullOrWhiteSpace(authorization);
        var query = QueryAuthentication.Read(request.RawQuery);
        if (hasHeader && query.HasAlgorithm)
        {
            return new SigV4Error(SigV4ErrorTypes.InvalidSignature,
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
        }

        if (!hasHeader && !query.HasAlgorithm)
        {
            return new SigV4Error(SigV4ErrorTypes.MissingAuthenticationToken, "Missing Authentication Token");
        }

        var hasSecurityToken = headers.ContainsKey(SecurityTokenParameter) || query.SecurityToken is not null;
        return hasHeader
            ? ReadAuthorizationHeader(authorization!, headers, hasSecurityToken, out auth)
            : ReadQueryAuthentication(query, hasSecurityToken, out auth);
    }

    private static SigV4Error? ReadAuthorizationHeader(string authorization, IHeaderDictionary headers, bool hasSecurityToken, out AuthParts auth)
    {
        auth = default;
        // "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…": the first word is the
        // algorithm, then Name=value pairs separated by commas, spaces or both, in any order.
        var text = authorization.AsSpan().Trim();
        var end = text.IndexOfAny(',', ' ');
        var algorithm = end < 0 ? text : text[..end];
        ReadOnlySpan<char> rest = end < 0 ? [] : text[(end + 1)..];
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var range in rest.SplitAny(", "))
        {
            var pair = rest[range];
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var value = pair[(equals + 1)..];
            switch (pair[..equals])
            {
                case "Credential":
                    credential ??= value.ToString();
                    break;
                case "SignedHeaders":
                    signedHeaders ??= value.ToString();
                    break;
                case "Signature":
                    signature ??= value.ToString();
                    break;
            }
        }

        var amzDate = headers[DateParameter];
        var fromDateHeader = amzDate.Count == 0 || string.IsNullOrEmpty(amzDate[0]);
        var dateText = fromDateHeader ? headers.Date.Count > 0 ? headers.Date[0] : null : amzDate[0];

        // AWS lists everything missing at once, then echoes the header.
        StringBuilder? missing = null;
        RequireParameter(ref missing, credential, "Credential");
        RequireParameter(ref missing, signature, "Signature");
        RequireParameter(ref missing, signedHeaders, "SignedHeaders");
        if (string.IsNullOrEmpty(dateText))
        {
            (missing ??= new StringBuilder()).Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }

        if (missing is not null)
        {
            missing.Append("Authorization=").Append(authorization);
            return new SigV4Error(SigV4ErrorTypes.IncompleteSignature, missing.ToString());
        }

        auth = new AuthParts(algorithm.ToString(), credential!, signedHeaders!, signature!, dateText!, fromDateHeader,
            Presigned: false, ExpiresSeconds: null, hasSecurityToken);
        return null;

        static void RequireParameter(ref StringBuilder? missing, string? value, string name)
        {
            if (string.IsNullOrEmpty(value))
            {
                (missing ??= new StringBuilder()).Append(CultureInfo.InvariantCulture, $"Authorization header requires '{name}' parameter. ");
            }
        }
    }

    private static SigV4Error? ReadQueryAuthentication(in QueryAuthentication query, bool hasSecurityToken, out AuthParts auth)
    {
        auth = default;
        StringBuilder? missing = null;
        RequireParameter(ref missing, query.Algorithm, AlgorithmParameter);
        RequireParameter(ref missing, query.Credential, CredentialParameter);
        RequireParameter(ref missing, query.Signature, SigV4Canonicalizer.SignatureParameter);
        RequireParameter(ref missing, query.SignedHeaders, SignedHeadersParameter);
        RequireParameter(ref missing, query.Date, DateParameter);
        if (missing is not null)
        {
            missing.Append("Re-examine the query-string parameters.");
            return new SigV4Error(SigV4ErrorTypes.IncompleteSignature, missing.ToString());
        }

        int? expires = null;
        if (query.Expires is not null)
        {
            if (!int.TryParse(query.Expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || seconds is < 1 or > SigV4Options.MaxPresignedExpirySeconds)
            {
                return new SigV4Error(SigV4ErrorTypes.IncompleteSignature,
                    $"X-Amz-Expires must be a whole number of seconds from 1 to {SigV4Options.MaxPresignedExpirySeconds}; got '{query.Expires}'.");
            }

            expires = seconds;
        }

        auth = new AuthParts(query.Algorithm!, query.Credential!, query.SignedHeaders!, query.Signature!, query.Date!,
            DateFromDateHeader: false, Presigned: true, expires, hasSecurityToken);
        return null;

        static void RequireParameter(ref StringBuilder? missing, string? value, string name)
        {
            if (string.IsNullOrEmpty(value))
            {
                (missing ??= new StringBuilder()).Append(CultureInfo.InvariantCulture, $"AWS query-string parameters must include '{name}'. ");
            }
        }
    }

    /// <summary>The X-Amz-* parameters of a query string, percent-decoded.</summary>
    private struct QueryAuthentication
    {
        public bool HasAlgorithm;
        public string? Algorithm;
        public string? Credential;
        public string? Signature;
        public string? SignedHeaders;
        public string? Date;
        public string? Expires;
        public string? SecurityToken;

        public static QueryAuthentication Read(string rawQuery)
        {
            var result = default(QueryAuthentication);
            var query = rawQuery.AsSpan();
            if (query.StartsWith('?'))
            {
                query = query[1..];
            }

            // The common case (Kinesis requests have no query) costs one search.
            if (query.IndexOf(QueryParameterPrefix, StringComparison.Ordinal) < 0 && query.IndexOf('%') < 0)
            {
                return result;
            }

            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                var equals = pair.IndexOf('=');
                var rawKey = equals < 0 ? pair : pair[..equals];
                var key = rawKey.IndexOf('%') < 0 ? rawKey : SigV4Canonicalizer.PercentDecodeToString(rawKey);
                if (!key.StartsWith(QueryParameterPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var value = equals < 0 ? "" : SigV4Canonicalizer.PercentDecodeToString(pair[(equals + 1)..]);
                switch (key)
                {
                    case AlgorithmParameter:
                        result.HasAlgorithm = true;
                        result.Algorithm ??= value;
                        break;
                    case CredentialParameter:
                        result.Credential ??= value;
                        break;
                    case SigV4Canonicalizer.SignatureParameter:
                        result.Signature ??= value;
                        break;
                    case SignedHeadersParameter:
                        result.SignedHeaders ??= value;
                        break;
                    case DateParameter:
                        result.Date ??= value;
                        break;
                    case ExpiresParameter:
                        result.Expires ??= value;
                        break;
                    case SecurityTokenParameter:
                        result.SecurityToken ??= value;
                        break;
                }
            }

            return result;
        }
    }
}
