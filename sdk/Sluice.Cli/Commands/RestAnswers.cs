using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands;

/// <summary>Reads the gateway's REST answers: a typed body on success, a <see cref="RestApiException"/> from problem+json (or the status line) otherwise.</summary>
internal static class RestAnswers
{
    /// <summary>The body of a successful answer as <typeparamref name="T"/>; throws <see cref="RestApiException"/> for an error, an empty or an unreadable body.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken, string? forbiddenHint = null)
    {
        await EnsureSuccessAsync(response, cancellationToken, forbiddenHint);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new RestApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri}: empty answer");
        }
        catch (JsonException e)
        {
            throw new RestApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri}: unexpected answer: {e.Message}");
        }
    }

    /// <summary>
    /// Turns an error answer (problem+json or not) into a <see cref="RestApiException"/> naming its title, status and detail,
    /// and <paramref name="forbiddenHint"/> for a 403.
    /// </summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken, string? forbiddenHint = null)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        RestProblem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync(RestJsonContext.Default.RestProblem, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not problem+json: the status line has to do.
        }

        var title = problem?.Title ?? response.ReasonPhrase ?? "error";
        var detail = string.IsNullOrWhiteSpace(problem?.Detail) ? string.Empty : ": " + problem.Detail;
        var hint = response.StatusCode == HttpStatusCode.Forbidden && forbiddenHint is not null ? $" ({forbiddenHint})" : "";
        throw new RestApiException(response.StatusCode, $"{title} (HTTP {(int)response.StatusCode}){detail}{hint}");
    }
}
