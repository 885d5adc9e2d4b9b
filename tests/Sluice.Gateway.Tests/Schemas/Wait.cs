namespace Sluice.Gateway.Tests.Schemas;

/// <summary>Bounded waits for what a background task does: never a bare sleep as synchronisation.</summary>
internal static class Wait
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {Timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(10);
        }
    }
}
