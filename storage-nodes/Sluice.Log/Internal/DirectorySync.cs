using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Sluice.Log.Internal;

/// <summary>
/// fsync of a directory, so that a segment file created or deleted just before a crash is (or stays) gone as the
/// log expects. POSIX only; on Windows NTFS journals the metadata and there is no equivalent call. Best effort:
/// a failure is logged and ignored, since the file contents were already synced and recovery copes with strays.
/// </summary>
internal static class DirectorySync
{
    // O_RDONLY. Not O_DIRECTORY: its value differs between architectures, and the path is known to be a directory.
    private const int ReadOnly = 0;

    public static void Flush(string directory, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var path = Encoding.UTF8.GetBytes(directory + "\0");
            var fd = Open(path, ReadOnly);
            if (fd < 0)
            {
                throw new IOException($"open failed with errno {Marshal.GetLastPInvokeError()}");
            }

            try
            {
                if (Fsync(fd) != 0)
                {
                    throw new IOException($"fsync failed with errno {Marshal.GetLastPInvokeError()}");
                }
            }
            finally
            {
                _ = Close(fd);
            }
        }
        catch (Exception ex) when (ex is IOException or DllNotFoundException or EntryPointNotFoundException)
        {
            logger.DirectorySyncFailed(ex, directory);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
