namespace Sluice.Benchmarks;

/// <summary>Scratch directories for benchmark classes (created in global setup, removed in global cleanup).</summary>
internal static class BenchmarkDirectory
{
    public static string Create(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "sluice-bench", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
