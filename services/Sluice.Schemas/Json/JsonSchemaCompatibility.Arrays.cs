using System.Text.Json;

namespace Sluice.Schemas.Json;

/// <summary>Arrays: the item schema, tuples (<c>items</c> arrays before 2020-12, <c>prefixItems</c> from it) judged by the array's content model, counts, uniqueness, <c>contains</c>.</summary>
internal sealed partial class JsonSchemaCompatibility
{
    private void CompareArrays(SchemaNode reader, SchemaNode writer, string path, List<string> reasons)
    {
        var (readerTuple, readerRest, readerTupleKeyword, readerRestKeyword) = ArrayShape(reader);
        var (writerTuple, writerRest, _, _) = ArrayShape(writer);
        var writerMaxItems = Integer(writer, "maxItems");

        for (var i = 0; i < Math.Max(readerTuple.Count, writerTuple.Count); i++)
        {
            if (i >= writerMaxItems)
            {
                // The writer never writes an item at this position.
                break;
            }

            var itemPath = i < readerTuple.Count ? $"{path}/{readerTupleKeyword}/{i}" : $"{path}/{readerRestKeyword}";
            var readerItem = i < readerTuple.Count ? readerTuple[i] : readerRest;
            var writerItem = i < writerTuple.Count ? writerTuple[i] : writerRest;
            if (i >= writerTuple.Count && i < readerTuple.Count && Dereference(writerRest).AcceptsAnything && !Dereference(readerItem).AcceptsAnything)
            {
                reasons.Add($"{itemPath}: the reader adds tuple item {i} but the writer's array has an open content model (additional items absent or true), so the writer's records may have any value there.");
                continue;
            }

            if (i >= readerTuple.Count && i < writerTuple.Count && Dereference(readerRest).IsFalse && !Dereference(writerItem).IsFalse)
            {
                reasons.Add($"{path}/{readerTupleKeyword}: the writer has tuple item {i} but the reader's array has a closed content model (no additional items), so the writer's records with {i + 1} items fail the reader.");
                continue;
            }

            Compare(readerItem, writerItem, itemPath, reasons);
        }

        if (writerMaxItems is null || writerMaxItems > Math.Max(readerTuple.Count, writerTuple.Count))
        {
            CompareAdditional(readerRest, writerRest, $"{path}/{readerRestKeyword}", $"the reader's {readerRestKeyword}", reasons);
        }

        CompareCount(reader, writer, "minItems", "maxItems", path, reasons);
        if (reader.Keyword("uniqueItems") is { ValueKind: JsonValueKind.True } && writer.Keyword("uniqueItems") is not { ValueKind: JsonValueKind.True })
        {
            reasons.Add($"{path}/uniqueItems: the reader adds uniqueItems; the writer's arrays may repeat items.");
        }

        CompareUnprovable(reader, writer, "contains", path, reasons);
        if (reader.Keyword("contains") is not null)
        {
            CompareCount(reader, writer, "minContains", "maxContains", path, reasons);
        }

        CompareUnprovable(reader, writer, "unevaluatedItems", path, reasons);
    }

    /// <summary>
    /// An array schema as positional item schemas and the schema of the items after them, with the keywords that
    /// hold them: draft-06 to 2019-09 <c>items: [..]</c> and <c>additionalItems</c>, or <c>items: {..}</c> alone;
    /// 2020-12 <c>prefixItems</c> and <c>items</c>. An absent keyword allows anything.
    /// </summary>
    private static (List<SchemaNode> Tuple, SchemaNode Remainder, string TupleKeyword, string RemainderKeyword) ArrayShape(SchemaNode node)
    {
        var tuple = new List<SchemaNode>();
        if (node.Document.Draft >= JsonSchemaDraft.Draft202012)
        {
            if (node.Keyword("prefixItems") is { ValueKind: JsonValueKind.Array } prefix)
            {
                for (var i = 0; i < prefix.GetArrayLength(); i++)
                {
                    tuple.Add(node.Child("prefixItems", i));
                }
            }

            return (tuple, node.Child("items") ?? True(node.Document), "prefixItems", "items");
        }

        if (node.Keyword("items") is { ValueKind: JsonValueKind.Array } items)
        {
            for (var i = 0; i < items.GetArrayLength(); i++)
            {
                tuple.Add(node.Child("items", i));
            }

            return (tuple, node.Child("additionalItems") ?? True(node.Document), "items", "additionalItems");
        }

        return (tuple, node.Child("items") ?? True(node.Document), "items", "items");
    }
}
