using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Gateway.Kinesis.Auth;

namespace Sluice.Gateway.Tests.Kinesis.Auth;

/// <summary>A request written out as HTTP/1.1 text (the test suite's format), read into what the verifier takes.</summary>
internal sealed record HttpRequestText(SigV4Request Request, byte[] Body)
{
    public static string TestDataPath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Kinesis", "Auth", "TestData", .. parts]);

    public static HttpRequestText Load(params string[] parts) => Parse(File.ReadAllText(TestDataPath(parts), Encoding.UTF8));

    /// <summary>
    /// "METHOD target HTTP/1.1", header lines "Name:value" (a name may repeat), an empty line, the
    /// body. The target may contain spaces (the suite writes paths unencoded), so the method is the
    /// first word and the version the last.
    /// </summary>
    public static HttpRequestText Parse(string text)
    {
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var body = headerEnd < 0 ? "" : text[(headerEnd + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];
        var headers = new HeaderDictionary();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            headers.Append(name, line[(colon + 1)..]);
        }

        return new HttpRequestText(new SigV4Request(method, path, query, headers), Encoding.UTF8.GetBytes(body));
    }
}
