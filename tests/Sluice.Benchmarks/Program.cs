using BenchmarkDotNet.Running;

namespace Sluice.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter *Append*</c> (any BenchmarkDotNet arguments).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
