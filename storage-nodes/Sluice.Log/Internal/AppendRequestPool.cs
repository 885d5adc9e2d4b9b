using System.Collections.Concurrent;

namespace Sluice.Log.Internal;

/// <summary>A bounded pool of <see cref="AppendRequest"/>s; beyond the bound, returned requests are left to the GC.</summary>
internal sealed class AppendRequestPool
{
    private readonly ConcurrentQueue<AppendRequest> _items = new();
    private readonly int _capacity;
    private int _count;

    public AppendRequestPool(int capacity) => _capacity = capacity;

    public AppendRequest Rent()
    {
        if (_items.TryDequeue(out var request))
        {
            Interlocked.Decrement(ref _count);
            return request;
        }

        return new AppendRequest(this);
    }

    public void Return(AppendRequest request)
    {
        if (Interlocked.Increment(ref _count) <= _capacity)
        {
            _items.Enqueue(request);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
