using System.Text.Json;

namespace Sluice.Schemas.Json;

/// <summary>
/// Decides whether every instance valid under a writer JSON schema is valid under a reader JSON schema, the way
/// Confluent Schema Registry judges JSON Schema evolution (its <c>JsonSchemaDiff</c>): by the content model. An object
/// whose <c>additionalProperties</c> is absent or true is <em>open</em>: its writer may put any property on a record,
/// so a reader that adds a constrained property breaks on old records (Confluent's
/// <c>PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL</c>); a <em>closed</em> one (<c>false</c>) may gain optional properties
/// but not lose them; a <em>partially open</em> one (a schema for additional properties or matching
/// <c>patternProperties</c>) covers a property added or removed when that schema does. Constraints may loosen, not
/// tighten; types may widen (<c>integer</c> to <c>number</c>), not narrow; sum types (<c>anyOf</c>/<c>oneOf</c>) may
/// gain branches, not lose them.
/// </summary>
/// <remarks>
/// The check is sound rather than complete: where it cannot prove the reader accepts what the writer allows
/// (<c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, changed patterns, <c>unevaluated*</c>), it reports an
/// incompatibility with the reason. It works on the schema documents themselves, following local <c>$ref</c>s (a pair
/// of subschemas already being compared is assumed compatible, which is what makes recursive schemas terminate), and
/// names each problem by its path in the reader's structure (<c>#/properties/address/properties/zip</c>).
/// </remarks>
internal sealed partial class JsonSchemaCompatibility
{
    /// <summary>How many subschema pairs one check may compare; beyond it the schemas are reported too complex rather than hanging the registry.</summary>
    private const int MaxComparisons = 100_000;

    /// <summary>How many <c>$ref</c> hops one subschema may take to its target (a cycle of pure references is not a schema).</summary>
    private const int MaxReferenceHops = 32;

    private static readonly JsonElement TrueElement = JsonDocument.Parse("true").RootElement.Clone();

    private readonly SchemaNode _reader;
    private readonly SchemaNode _writer;
    private readonly HashSet<(JsonSchemaDocument, string, JsonSchemaDocument, string)> _inProgress = [];
    private int _comparisons;
    private bool _exhausted;

    public JsonSchemaCompatibility(JsonSchemaDocument reader, JsonSchemaDocument writer)
    {
        _reader = new SchemaNode(reader.Root, string.Empty, reader);
        _writer = new SchemaNode(writer.Root, string.Empty, writer);
    }

    /// <summary>The reasons the reader does not accept everything the writer does; empty when it does.</summary>
    public IReadOnlyList<string> Check()
    {
        var reasons = new List<string>();
        Compare(_reader, _writer, "#", reasons);
        return reasons.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Adds to <paramref name="reasons"/> why <paramref name="reader"/> may reject an instance <paramref name="writer"/> accepts.</summary>
    private void Compare(SchemaNode reader, SchemaNode writer, string path, List<string> reasons)
    {
        if (++_comparisons > MaxComparisons)
        {
            if (!_exhausted)
            {
                _exhausted = true;
                reasons.Add($"{path}: the schemas are too complex to compare (more than {MaxComparisons} subschema pairs); Sluice cannot show they are compatible.");
            }
            else
            {
                reasons.Add($"{path}: not compared (the schemas are too complex).");
            }

            return;
        }

        reader = Dereference(reader);
        writer = Dereference(writer);
        if (reader.AcceptsAnything || writer.IsFalse)
        {
            return;
        }

        if (reader.IsFalse)
        {
            reasons.Add($"{path}: the reader's schema is false (it allows no value here) but the writer's allows values.");
            return;
        }

        // Recursive schemas: a pair already being compared further up is assumed compatible (coinduction); any
        // incompatibility inside it is found on the way down.
        var key = (reader.Document, reader.Key, writer.Document, writer.Key);
        if (!_inProgress.Add(key))
        {
            return;
        }

        try
        {
            var writerParts = Conjuncts(writer);
            foreach (var part in Conjuncts(reader))
            {
                switch (part.Kind)
                {
                    case PartKind.Own:
                        CompareOwnPart(part.Node, writer, writerParts, path, reasons);
                        break;
                    case PartKind.AnyOf:
                    case PartKind.OneOf:
                        CompareSum(part, writer, writerParts, path, reasons);
                        break;
                    case PartKind.Not:
                        CompareNot(part.Node, writerParts, path, reasons);
                        break;
                    case PartKind.Conditional:
                        CompareConditional(part.Node, writerParts, path, reasons);
                        break;
                }
            }
        }
        finally
        {
            _inProgress.Remove(key);
        }
    }

    /// <summary>Whether the reader accepts everything the writer does, without reporting.</summary>
    private bool Accepts(SchemaNode reader, SchemaNode writer, string path)
    {
        var scratch = new List<string>();
        Compare(reader, writer, path, scratch);
        return scratch.Count == 0;
    }

    private List<string> ReasonsFor(SchemaNode reader, SchemaNode writer, string path)
    {
        var scratch = new List<string>();
        Compare(reader, writer, path, scratch);
        return scratch;
    }

    /// <summary>The reader's own keywords (everything but its combinators) must hold for the writer: some part of the writer must imply them.</summary>
    private void CompareOwnPart(SchemaNode readerOwn, SchemaNode writer, List<Part> writerParts, string path, List<string> reasons)
    {
        if (!readerOwn.HasOwnAssertions)
        {
            return;
        }

        if (OwnAccepts(readerOwn, writerParts))
        {
            return;
        }

        // Report against the writer's own keywords, or, when the writer is only a sum type, against each branch that fails.
        var sumIndex = writerParts.FindIndex(p => p.Kind is PartKind.AnyOf or PartKind.OneOf);
        if (!writer.HasOwnAssertions && sumIndex >= 0)
        {
            var sum = writerParts[sumIndex];
            foreach (var branch in Branches(sum.Node, sum.Kind))
            {
                if (!OwnAccepts(readerOwn, Conjuncts(branch)))
                {
                    CompareOwn(readerOwn, Dereference(branch), path, reasons);
                }
            }

            return;
        }

        CompareOwn(readerOwn, writer, path, reasons);
    }

    private bool OwnAccepts(SchemaNode readerOwn, List<Part> writerParts)
    {
        foreach (var part in writerParts)
        {
            if (part.Kind == PartKind.Own)
            {
                var scratch = new List<string>();
                CompareOwn(readerOwn, part.Node, "#", scratch);
                if (scratch.Count == 0)
                {
                    return true;
                }
            }
        }

        // A writer that is a sum type: every branch must satisfy the reader's keywords.
        foreach (var part in writerParts)
        {
            if (part.Kind is PartKind.AnyOf or PartKind.OneOf && Branches(part.Node, part.Kind).All(b => OwnAccepts(readerOwn, Conjuncts(b))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A reader <c>anyOf</c>/<c>oneOf</c>: the whole writer fits one branch, or each branch of the writer's own sum fits one.</summary>
    private void CompareSum(Part readerSum, SchemaNode writer, List<Part> writerParts, string path, List<string> reasons)
    {
        var keyword = readerSum.Kind == PartKind.AnyOf ? "anyOf" : "oneOf";
        var readerBranches = Branches(readerSum.Node, readerSum.Kind);
        for (var i = 0; i < readerBranches.Count; i++)
        {
            if (Accepts(readerBranches[i], writer, $"{path}/{keyword}/{i}"))
            {
                return;
            }
        }

        var writerSums = writerParts.Where(p => p.Kind is PartKind.AnyOf or PartKind.OneOf).ToList();
        if (writerSums.Count == 0)
        {
            var closest = Closest(readerBranches, writer, $"{path}/{keyword}");
            reasons.Add($"{path}/{keyword}: none of the reader's {readerBranches.Count} {keyword} branches accepts everything the writer's schema allows{closest}.");
            return;
        }

        // Several writer sums are all required at once: one whose branches all fit is enough.
        List<string>? best = null;
        foreach (var writerSum in writerSums)
        {
            var writerKeyword = writerSum.Kind == PartKind.AnyOf ? "anyOf" : "oneOf";
            var unmatched = new List<string>();
            var writerBranches = Branches(writerSum.Node, writerSum.Kind);
            for (var j = 0; j < writerBranches.Count; j++)
            {
                var branchPath = $"{path}/{writerKeyword}/{j}";
                if (!readerBranches.Any(r => Accepts(r, writerBranches[j], branchPath)))
                {
                    var closest = Closest(readerBranches, writerBranches[j], $"{path}/{keyword}");
                    unmatched.Add($"{branchPath}: the writer's {writerKeyword} branch {j} is accepted by none of the reader's {keyword} branches: a branch was removed or narrowed{closest}.");
                }
            }

            if (unmatched.Count == 0)
            {
                return;
            }

            if (best is null || unmatched.Count < best.Count)
            {
                best = unmatched;
            }
        }

        reasons.AddRange(best!);
    }

    /// <summary>The first reason the branch most like the writer gives, for a message that says what differs: <c>; the closest, branch 1, says …</c>.</summary>
    private string Closest(IReadOnlyList<SchemaNode> readerBranches, SchemaNode writer, string path)
    {
        List<string>? best = null;
        var bestIndex = -1;
        for (var i = 0; i < readerBranches.Count; i++)
        {
            var branchReasons = ReasonsFor(readerBranches[i], writer, $"{path}/{i}");
            if (best is null || branchReasons.Count < best.Count)
            {
                best = branchReasons;
                bestIndex = i;
            }
        }

        return best is { Count: > 0 } ? $"; the closest, branch {bestIndex}, says {best[0].TrimEnd('.')}" : string.Empty;
    }

    /// <summary>
    /// A reader <c>not</c>: the writer must exclude at least what the reader excludes. Provable only when the writer
    /// has a <c>not</c> whose schema accepts everything the reader's does (Confluent's <c>NOT_TYPE_NARROWED</c>).
    /// </summary>
    private void CompareNot(SchemaNode readerNot, List<Part> writerParts, string path, List<string> reasons)
    {
        var excluded = Dereference(readerNot);
        if (excluded.IsFalse)
        {
            return;
        }

        foreach (var part in writerParts)
        {
            if (part.Kind == PartKind.Not && Accepts(part.Node, readerNot, $"{path}/not"))
            {
                return;
            }
        }

        reasons.Add($"{path}/not: the reader excludes values with 'not' that the writer's schema is not shown to exclude (the writer needs a 'not' at least as wide).");
    }

    /// <summary>A reader <c>if</c>/<c>then</c>/<c>else</c>: provable only against a writer with an equivalent <c>if</c> whose <c>then</c> and <c>else</c> fit the reader's.</summary>
    private void CompareConditional(SchemaNode reader, List<Part> writerParts, string path, List<string> reasons)
    {
        var readerIf = reader.Child("if")!.Value;
        var readerThen = reader.Child("then") ?? True(reader.Document);
        var readerElse = reader.Child("else") ?? True(reader.Document);
        foreach (var part in writerParts)
        {
            if (part.Kind != PartKind.Conditional)
            {
                continue;
            }

            var writerIf = part.Node.Child("if")!.Value;
            var writerThen = part.Node.Child("then") ?? True(part.Node.Document);
            var writerElse = part.Node.Child("else") ?? True(part.Node.Document);
            if (Accepts(readerIf, writerIf, $"{path}/if") && Accepts(writerIf, readerIf, $"{path}/if")
                && Accepts(readerThen, writerThen, $"{path}/then") && Accepts(readerElse, writerElse, $"{path}/else"))
            {
                return;
            }

            var detail = ReasonsFor(readerThen, writerThen, $"{path}/then").Concat(ReasonsFor(readerElse, writerElse, $"{path}/else")).FirstOrDefault();
            reasons.Add($"{path}/if: the reader's if/then/else is not shown to accept everything the writer's does (the 'if' must be unchanged and 'then'/'else' compatible){(detail is null ? string.Empty : $"; {detail.TrimEnd('.')}")}.");
            return;
        }

        reasons.Add($"{path}/if: the reader adds an if/then/else condition that the writer's schema does not have.");
    }

    /// <summary>Follows a subschema's <c>$ref</c> when the reference replaces it (draft-06/07: siblings of <c>$ref</c> are ignored).</summary>
    private static SchemaNode Dereference(SchemaNode node)
    {
        for (var hops = 0; hops < MaxReferenceHops && node.Document.Draft <= JsonSchemaDraft.Draft7 && node.Reference is { } reference; hops++)
        {
            node = node.Resolve(reference) ?? node;
        }

        return node;
    }

    /// <summary>
    /// The parts a subschema requires all of: its own keywords, the parts of each <c>allOf</c> branch (and, from
    /// 2019-09, of its <c>$ref</c> target), its <c>anyOf</c>, <c>oneOf</c>, <c>not</c> and <c>if</c>.
    /// </summary>
    private static List<Part> Conjuncts(SchemaNode node)
    {
        var parts = new List<Part>();
        AddConjuncts(Dereference(node), parts, 0);
        return parts;
    }

    private static void AddConjuncts(SchemaNode node, List<Part> parts, int depth)
    {
        parts.Add(new Part(PartKind.Own, node));
        if (node.Element.ValueKind != JsonValueKind.Object || depth > MaxReferenceHops)
        {
            return;
        }

        if (node.Document.Draft >= JsonSchemaDraft.Draft201909 && node.Reference is { } reference && node.Resolve(reference) is { } target)
        {
            AddConjuncts(Dereference(target), parts, depth + 1);
        }

        foreach (var branch in Branches(node, PartKind.AllOf))
        {
            AddConjuncts(Dereference(branch), parts, depth + 1);
        }

        if (node.Element.TryGetProperty("anyOf", out _))
        {
            parts.Add(new Part(PartKind.AnyOf, node));
        }

        if (node.Element.TryGetProperty("oneOf", out _))
        {
            parts.Add(new Part(PartKind.OneOf, node));
        }

        if (node.Child("not") is { } not)
        {
            parts.Add(new Part(PartKind.Not, not));
        }

        if (node.Element.TryGetProperty("if", out _))
        {
            parts.Add(new Part(PartKind.Conditional, node));
        }
    }

    private static List<SchemaNode> Branches(SchemaNode node, PartKind kind)
    {
        var keyword = kind switch
        {
            PartKind.AllOf => "allOf",
            PartKind.AnyOf => "anyOf",
            _ => "oneOf",
        };
        var branches = new List<SchemaNode>();
        if (node.Element.ValueKind == JsonValueKind.Object && node.Element.TryGetProperty(keyword, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            for (var i = 0; i < array.GetArrayLength(); i++)
            {
                branches.Add(node.Child(keyword, i));
            }
        }

        return branches;
    }

    /// <summary>The schema that allows anything, in a document's context (absent keywords such as <c>additionalProperties</c>).</summary>
    private static SchemaNode True(JsonSchemaDocument document) => new(TrueElement, null, document);

    /// <summary>What a reader or writer part requires: its own keywords, a sum, a negation or a condition.</summary>
    private enum PartKind
    {
        Own,
        AllOf,
        AnyOf,
        OneOf,
        Not,
        Conditional,
    }

    private readonly record struct Part(PartKind Kind, SchemaNode Node);
}
