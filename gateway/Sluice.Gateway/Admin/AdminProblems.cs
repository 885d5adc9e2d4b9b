using Microsoft.AspNetCore.Http.HttpResults;

namespace Sluice.Gateway.Admin;

/// <summary>The problem+json answers the admin endpoints give themselves (the rest come from <see cref="Sluice.Core.SluiceException"/>s).</summary>
internal static class AdminProblems
{
    /// <summary>400: the request is invalid, <paramref name="detail"/> saying how.</summary>
    public static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid argument", detail: detail);
}
