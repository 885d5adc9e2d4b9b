using Sluice.Log.Internal;

namespace Sluice.Log.Tests.Internal;

public sealed class DirectorySyncTests
{
    [Fact]
    public void Directory_fsync_works_on_this_platform()
    {
        using var temp = new TempDirectory();
        var logger = new ListLogger();

        DirectorySync.Flush(temp.Path, logger);

        Assert.Empty(logger.Entries);
    }
}
