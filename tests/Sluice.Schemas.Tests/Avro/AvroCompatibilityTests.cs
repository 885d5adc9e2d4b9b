namespace Sluice.Schemas.Tests.Avro;

public sealed class AvroCompatibilityTests
{
    private static readonly CompatibilityLevel[] AllLevels = Enum.GetValues<CompatibilityLevel>();

    private static string Record(string fields, string name = "User") =>
        $$"""{"type":"record","name":"{{name}}","namespace":"com.acme","fields":[{{fields}}]}""";

    private static string Field(string name, string type, string? defaultJson = null) =>
        defaultJson is null
            ? $$"""{"name":"{{name}}","type":{{type}}}"""
            : $$"""{"name":"{{name}}","type":{{type}},"default":{{defaultJson}}}""";

    private static IReadOnlyList<string> Check(CompatibilityLevel level, string candidate, params string[] previous) =>
        CompatibilityChecker.Check(
            level,
            AvroTestData.Parse(candidate),
            previous.Select((text, i) => (i + 1, (ParsedSchema)AvroTestData.Parse(text))).ToList());

    /// <summary>Asserts the verdict of every level for one change, old → new, and that each refusal names the field.</summary>
    private static void AssertVerdicts(string oldSchema, string newSchema, bool backward, bool forward, string field)
    {
        foreach (var level in AllLevels)
        {
            var expected = level switch
            {
                CompatibilityLevel.None => true,
                CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive => backward,
                CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive => forward,
                _ => backward && forward,
            };

            var reasons = Check(level, newSchema, oldSchema);

            Assert.True(expected == (reasons.Count == 0), $"{level.ToWire()}: expected {(expected ? "compatible" : "incompatible")}, got [{string.Join(" | ", reasons)}]");
            foreach (var reason in reasons)
            {
                Assert.Contains(field, reason, StringComparison.Ordinal);
            }
        }
    }

    private const string IdName = """{"name":"id","type":"int"},{"name":"name","type":"string"}""";

    [Fact]
    public void AddingAFieldWithADefaultIsFullyCompatible() =>
        AssertVerdicts(Record(IdName), Record($"{IdName},{Field("email", "\"string\"", "\"\"")}"), backward: true, forward: true, "email");

    [Fact]
    public void AddingAFieldWithoutADefaultIsForwardOnly() =>
        AssertVerdicts(Record(IdName), Record($"{IdName},{Field("email", "\"string\"")}"), backward: false, forward: true, "field 'email' (at /fields/2) has no default and is missing from the writer's schema");

    [Fact]
    public void DeletingAFieldWithADefaultIsFullyCompatible() =>
        AssertVerdicts(Record($"{IdName},{Field("email", "\"string\"", "\"\"")}"), Record(IdName), backward: true, forward: true, "email");

    [Fact]
    public void DeletingAFieldWithoutADefaultIsBackwardOnly() =>
        AssertVerdicts(Record($"{IdName},{Field("email", "\"string\"")}"), Record(IdName), backward: true, forward: false, "field 'email' (at /fields/2)");

    [Fact]
    public void TransitiveLevelsCheckEveryEarlierVersion()
    {
        var v1 = Record(IdName);
        var v2 = Record($"{IdName},{Field("email", "\"string\"", "\"none\"")}");
        var v3 = Record($"{IdName},{Field("email", "\"string\"")}");

        // Each step on its own is backward compatible…
        Assert.Empty(Check(CompatibilityLevel.Backward, v2, v1));
        Assert.Empty(Check(CompatibilityLevel.Backward, v3, v2));
        Assert.Empty(Check(CompatibilityLevel.Backward, v3, v1, v2));

        // …but v3 cannot read what v1 wrote.
        var reasons = Check(CompatibilityLevel.BackwardTransitive, v3, v1, v2);
        var reason = Assert.Single(reasons);
        Assert.Contains("version 1", reason, StringComparison.Ordinal);
        Assert.Contains("field 'email'", reason, StringComparison.Ordinal);
        Assert.NotEmpty(Check(CompatibilityLevel.FullTransitive, v3, v1, v2));
    }

    private const string Suit2 = """{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS"]}""";
    private const string Suit3 = """{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","CLUBS"]}""";
    private const string Suit2Default = """{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS"],"default":"SPADES"}""";
    private const string Suit3Default = """{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","CLUBS"],"default":"SPADES"}""";

    [Fact]
    public void AddingAnEnumSymbolBreaksOldReadersUnlessTheyHaveADefault()
    {
        AssertVerdicts(Record(Field("suit", Suit2)), Record(Field("suit", Suit3)), backward: true, forward: false, "field 'suit' (at /fields/0/type/symbols)");
        AssertVerdicts(Record(Field("suit", Suit2Default)), Record(Field("suit", Suit3Default)), backward: true, forward: true, "suit");
    }

    [Fact]
    public void RemovingAnEnumSymbolBreaksNewReadersUnlessTheyHaveADefault()
    {
        AssertVerdicts(Record(Field("suit", Suit3)), Record(Field("suit", Suit2)), backward: false, forward: true, "CLUBS");
        AssertVerdicts(Record(Field("suit", Suit3Default)), Record(Field("suit", Suit2Default)), backward: true, forward: true, "suit");
    }

    [Fact]
    public void WideningAUnionIsBackwardOnlyAndNarrowingItForwardOnly()
    {
        var narrow = Record(Field("v", """["null","string"]""", "null"));
        var wide = Record(Field("v", """["null","string","int"]""", "null"));

        AssertVerdicts(narrow, wide, backward: true, forward: false, "field 'v'");
        AssertVerdicts(wide, narrow, backward: false, forward: true, "field 'v'");
        Assert.Contains("no branch of the reader's union [null, string] can read the writer's int", Check(CompatibilityLevel.Forward, wide, narrow)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void MakingANullFieldANullableStringIsBackwardOnly() =>
        AssertVerdicts(Record(Field("v", "\"null\"", "null")), Record(Field("v", """["null","string"]""", "null")), backward: true, forward: false, "field 'v'");

    [Fact]
    public void MakingAStringFieldNullableIsBackwardOnly() =>
        AssertVerdicts(Record(Field("v", "\"string\"")), Record(Field("v", """["null","string"]""", "null")), backward: true, forward: false, "field 'v'");

    [Theory]
    [InlineData("\"int\"", "\"long\"")]
    [InlineData("\"int\"", "\"float\"")]
    [InlineData("\"int\"", "\"double\"")]
    [InlineData("\"long\"", "\"float\"")]
    [InlineData("\"long\"", "\"double\"")]
    [InlineData("\"float\"", "\"double\"")]
    public void PromotingANumberIsBackwardOnly(string from, string to)
    {
        AssertVerdicts(Record(Field("n", from)), Record(Field("n", to)), backward: true, forward: false, "field 'n' (at /fields/0/type)");
        AssertVerdicts(Record(Field("n", to)), Record(Field("n", from)), backward: false, forward: true, "field 'n' (at /fields/0/type)");
    }

    [Fact]
    public void StringsAndBytesReadEachOther() =>
        AssertVerdicts(Record(Field("s", "\"string\"")), Record(Field("s", "\"bytes\"")), backward: true, forward: true, "s");

    [Fact]
    public void UnrelatedTypesAreIncompatibleBothWays()
    {
        AssertVerdicts(Record(Field("s", "\"string\"")), Record(Field("s", "\"int\"")), backward: false, forward: false, "field 's' (at /fields/0/type)");
        Assert.Equal(
            "backward (the new schema reading data written with version 1): field 's' (at /fields/0/type): the reader's int cannot read the writer's string.",
            Assert.Single(Check(CompatibilityLevel.Backward, Record(Field("s", "\"int\"")), Record(Field("s", "\"string\"")))));
    }

    [Fact]
    public void NestedRecordChangesNameTheNestedField()
    {
        static string Address(string zipType, string extra = "") =>
            Record(Field("address", $$"""{"type":"record","name":"Address","fields":[{"name":"street","type":"string"},{"name":"zip","type":{{zipType}}}{{extra}}]}"""), "Person");

        AssertVerdicts(Address("\"string\""), Address("\"int\""), backward: false, forward: false, "field 'address.zip' (at /fields/0/type/fields/1/type)");
        AssertVerdicts(Address("\"string\""), Address("\"string\"", ",{\"name\":\"city\",\"type\":\"string\"}"), backward: false, forward: true, "field 'address.city' (at /fields/0/type/fields/2)");
    }

    [Fact]
    public void RecursiveSchemasAreCheckedWithoutLooping()
    {
        var v1 = AvroTestData.LinkedListSchema;
        var withDefault = """{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null},{"name":"label","type":"string","default":""}]}""";
        var withoutDefault = """{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null},{"name":"label","type":"string"}]}""";
        var widened = """{"type":"record","name":"Node","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}""";

        AssertVerdicts(v1, withDefault, backward: true, forward: true, "label");
        AssertVerdicts(v1, withoutDefault, backward: false, forward: true, "field 'label' (at /fields/2)");
        AssertVerdicts(v1, widened, backward: true, forward: false, "field 'value'");
    }

    [Fact]
    public void ASchemaSharingARecordManyTimesOverIsComparedInLinearTime()
    {
        // R40 refers to R39 twice, which refers to R38 twice, …: 2^40 paths through 41 records, each defined in a field of
        // the root (Apache.Avro's parser refuses JSON nested deeper than 64 levels).
        static string Chain(string leafType)
        {
            var fields = new List<string> { "{\"name\":\"f0\",\"type\":{\"type\":\"record\",\"name\":\"R0\",\"fields\":[{\"name\":\"leaf\",\"type\":" + leafType + "}]}}" };
            for (var i = 1; i <= 40; i++)
            {
                fields.Add($"{{\"name\":\"f{i}\",\"type\":{{\"type\":\"record\",\"name\":\"R{i}\",\"fields\":[{{\"name\":\"a\",\"type\":\"R{i - 1}\"}},{{\"name\":\"b\",\"type\":\"R{i - 1}\"}}]}}}}");
            }

            return $$"""{"type":"record","name":"Root","fields":[{{string.Join(",", fields)}}]}""";
        }

        var ints = Chain("\"int\"");
        var longs = Chain("\"long\"");

        Assert.Equal("Root", AvroTestData.Parse(ints).Name);
        Assert.Empty(Check(CompatibilityLevel.Backward, longs, ints));
        var reasons = Check(CompatibilityLevel.Forward, longs, ints);
        Assert.InRange(reasons.Count, 1, 100);
        Assert.Contains("field 'f0.leaf' (at /fields/0/type/fields/0/type)", reasons[0], StringComparison.Ordinal);
        Assert.Contains("field 'f40.a' (at /fields/40/type/fields/0/type): the reader's record 'R39' cannot read the writer's record 'R39'", reasons[^2], StringComparison.Ordinal);
    }

    [Fact]
    public void ARecordFirstTriedAsAUnionBranchIsStillExplainedWhereItIsReadDirectly()
    {
        const string reader = """{"type":"record","name":"Root","fields":[{"name":"u","type":["null",{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}]},{"name":"v","type":"A"}]}""";
        const string writer = """{"type":"record","name":"Root","fields":[{"name":"u","type":{"type":"record","name":"A","fields":[{"name":"x","type":"string"}]}},{"name":"v","type":"A"}]}""";

        var reasons = new Sluice.Schemas.Avro.AvroFormat().CanRead(AvroTestData.Parse(reader), AvroTestData.Parse(writer));

        Assert.Equal(
            [
                "field 'u' (at /fields/0/type): no branch of the reader's union [null, A] can read the writer's record 'A'.",
                "field 'v.x' (at /fields/1/type/fields/0/type): the reader's int cannot read the writer's string.",
            ],
            reasons);
    }

    [Fact]
    public void ChangingAFixedSizeIsIncompatibleBothWays() =>
        AssertVerdicts(
            Record(Field("hash", """{"type":"fixed","name":"Hash","size":16}""")),
            Record(Field("hash", """{"type":"fixed","name":"Hash","size":32}""")),
            backward: false,
            forward: false,
            "field 'hash' (at /fields/0/type/size)");

    [Fact]
    public void RenamingARecordNeedsAnAlias()
    {
        var old = Record(IdName);
        AssertVerdicts(old, Record(IdName, "Person"), backward: false, forward: false, "'com.acme.Person'");

        var aliased = """{"type":"record","name":"Person","namespace":"com.acme","aliases":["User"],"fields":[{"name":"id","type":"int"},{"name":"name","type":"string"}]}""";
        Assert.Empty(Check(CompatibilityLevel.Backward, aliased, old));
        Assert.NotEmpty(Check(CompatibilityLevel.Forward, aliased, old));
    }

    [Fact]
    public void RecordsInAnotherNamespaceMatchByTheirUnqualifiedName() =>
        Assert.Empty(Check(CompatibilityLevel.Full, Record(IdName).Replace("com.acme", "org.other", StringComparison.Ordinal), Record(IdName)));

    [Fact]
    public void RenamingAFieldNeedsAReaderAlias()
    {
        var old = Record(IdName);
        var renamed = Record("""{"name":"id","type":"int"},{"name":"full_name","type":"string"}""");
        var aliased = Record("""{"name":"id","type":"int"},{"name":"full_name","type":"string","aliases":["name"]}""");

        Assert.NotEmpty(Check(CompatibilityLevel.Backward, renamed, old));
        Assert.Empty(Check(CompatibilityLevel.Backward, aliased, old));
    }

    [Fact]
    public void ArraysAndMapsAreCheckedByTheirItemsAndValues()
    {
        AssertVerdicts(Record(Field("a", """{"type":"array","items":"int"}""")), Record(Field("a", """{"type":"array","items":"long"}""")), backward: true, forward: false, "field 'a' (at /fields/0/type/items)");
        AssertVerdicts(Record(Field("m", """{"type":"map","values":"string"}""")), Record(Field("m", """{"type":"map","values":"boolean"}""")), backward: false, forward: false, "field 'm' (at /fields/0/type/values)");
    }

    [Fact]
    public void AnotherFormatIsIncompatibleUnlessTheLevelIsNone()
    {
        var avro = AvroTestData.Parse(Record(IdName));
        var other = new OtherFormatSchema();

        Assert.Empty(CompatibilityChecker.Check(CompatibilityLevel.None, avro, [(1, other)]));
        Assert.Contains("version 1 is a JSON schema", Assert.Single(CompatibilityChecker.Check(CompatibilityLevel.Backward, avro, [(1, other)])), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CrossCheckPairs() => new()
    {
        { Record(IdName), Record($"{IdName},{Field("email", "\"string\"", "\"\"")}") },
        { Record($"{IdName},{Field("email", "\"string\"", "\"\"")}"), Record(IdName) },
        { Record($"{IdName},{Field("email", "\"string\"")}"), Record(IdName) },
        { Record(Field("n", "\"int\"")), Record(Field("n", "\"long\"")) },
        { Record(Field("n", "\"long\"")), Record(Field("n", "\"int\"")) },
        { Record(Field("n", "\"float\"")), Record(Field("n", "\"double\"")) },
        { Record(Field("n", "\"int\"")), Record(Field("n", "\"string\"")) },
        { Record(Field("h", """{"type":"fixed","name":"H","size":4}""")), Record(Field("h", """{"type":"fixed","name":"H","size":8}""")) },
        { Record(Field("a", """{"type":"array","items":"int"}""")), Record(Field("a", """{"type":"array","items":"long"}""")) },
        { AvroTestData.LinkedListSchema, AvroTestData.LinkedListSchema },
        { AvroTestData.UserSchema, AvroTestData.UserSchema },
    };

    [Theory]
    [MemberData(nameof(CrossCheckPairs))]
    public void VerdictsAgreeWithApacheAvroBothWays(string a, string b)
    {
        var first = AvroTestData.Parse(a);
        var second = AvroTestData.Parse(b);
        var format = new Sluice.Schemas.Avro.AvroFormat();

        var ours = format.CanRead(first, second);
        Assert.True(first.ApacheSchema.CanRead(second.ApacheSchema) == (ours.Count == 0), $"{a} reading {b}: [{string.Join(" | ", ours)}]");
        ours = format.CanRead(second, first);
        Assert.True(second.ApacheSchema.CanRead(first.ApacheSchema) == (ours.Count == 0), $"{b} reading {a}: [{string.Join(" | ", ours)}]");
    }

    /// <summary>
    /// Where Apache.Avro's C# <c>Schema.CanRead</c> is laxer than the specification (and than Java's SchemaCompatibility,
    /// which Confluent applies): it accepts a writer union when any branch is readable, and enums whatever their symbols.
    /// Data written with the second branch, or the extra symbol, would fail to resolve, so these stay incompatible here.
    /// </summary>
    public static TheoryData<string, string> PairsApacheAvroCSharpWronglyAccepts() => new()
    {
        { Record(Field("v", """["null","string"]""", "null")), Record(Field("v", """["null","string","int"]""", "null")) },
        { Record(Field("v", "\"string\"")), Record(Field("v", """["null","string"]""", "null")) },
        { Record(Field("v", "\"int\"")), Record(Field("v", """["null","string"]""", "null")) },
        { Record(Field("suit", Suit2)), Record(Field("suit", Suit3)) },
    };

    [Theory]
    [MemberData(nameof(PairsApacheAvroCSharpWronglyAccepts))]
    public void WriterUnionBranchesAndEnumSymbolsAreCheckedAsTheSpecSays(string reader, string writer)
    {
        var readerSchema = AvroTestData.Parse(reader);
        var writerSchema = AvroTestData.Parse(writer);

        Assert.True(readerSchema.ApacheSchema.CanRead(writerSchema.ApacheSchema));
        Assert.NotEmpty(new Sluice.Schemas.Avro.AvroFormat().CanRead(readerSchema, writerSchema));
    }

    private sealed class OtherFormatSchema() : ParsedSchema("{}")
    {
        public override SchemaType Type => SchemaType.Json;

        public override string Canonical => "{}";

        public override string Name => "JSON schema";

        public override string? ValidatePayload(ReadOnlySpan<byte> payload) => null;

        public override string? ValidateJson(ReadOnlySpan<byte> utf8Json) => null;

        public override string DecodePayloadToJson(ReadOnlySpan<byte> payload) => "{}";
    }
}
