using Sluice.Metadata;

namespace Sluice.StorageNode.Internal;

/// <summary>The ISR of an assignment as (node, node epoch) pairs, and changes of it.</summary>
internal static class IsrMembers
{
    public static List<IsrMember> Of(ShardAssignment assignment)
    {
        var members = new List<IsrMember>(assignment.Isr.Length + 1);
        for (var i = 0; i < assignment.Isr.Length; i++)
        {
            members.Add(new IsrMember(assignment.Isr[i], i < assignment.IsrNodeEpochs.Length ? assignment.IsrNodeEpochs[i] : 0));
        }

        return members;
    }

    public static List<IsrMember> With(ShardAssignment assignment, IsrMember joining)
    {
        var members = Of(assignment);
        members.RemoveAll(m => string.Equals(m.NodeId, joining.NodeId, StringComparison.Ordinal));
        members.Add(joining);
        return members;
    }
}
