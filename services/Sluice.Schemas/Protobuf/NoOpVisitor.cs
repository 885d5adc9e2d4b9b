using Google.Protobuf.Reflection;

namespace Sluice.Schemas.Protobuf;

/// <summary>The visitor validation uses: it keeps nothing, so checking a record allocates nothing.</summary>
internal struct NoOpVisitor : IWireVisitor
{
    public readonly void Scalar(FieldDescriptor field, ulong raw)
    {
    }

    public readonly void Bytes(FieldDescriptor field, ReadOnlySpan<byte> value)
    {
    }

    public readonly void EnterMessage(FieldDescriptor field)
    {
    }

    public readonly void ExitMessage()
    {
    }
}
