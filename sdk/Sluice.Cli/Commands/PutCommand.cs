using System.CommandLine;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Sluice.Client;
using Sluice.V1;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice put &lt;stream&gt;</c>: writes stdin to a stream, one record per line, in
/// PutRecords batches through the SDK's idempotent producer, which retries what is worth retrying
/// without ever writing a line twice.
/// </summary>
internal sealed class PutCommand
{
    public const int DefaultBatchSize = 500;
    private const int PartitionKeyBytes = 16;
    private const int MaxReportedFailures = 10;

    private readonly CliContext _context;
    private readonly SluiceProducer _producer;
    private readonly string _stream;
    private long _written;
    private long _failed;
    private int _reportedFailures;

    private PutCommand(CliContext context, SluiceProducer producer)
    {
        _context = context;
        _producer = producer;
        _stream = producer.Stream;
    }

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var stream = new Argument<string>("stream") { Description = "The stream to write to" };
        var json = new Option<bool>("--json")
        {
            Description = "Each line is {\"partitionKey\": \"…\", \"data\": \"<text>\"} or {\"partitionKey\": \"…\", \"dataBase64\": \"…\"}, optionally with \"explicitHashKey\"",
        };
        var partitionKey = new Option<string?>("--partition-key")
        {
            Description = "The partition key of every record (plain mode; default: a random key per record, spreading records over the shards)",
            HelpName = "K",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"Records per PutRecords call (1..{SluiceClient.MaxRecordsPerPut})",
            DefaultValueFactory = _ => DefaultBatchSize,
            HelpName = "N",
        };
        batchSize.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > SluiceClient.MaxRecordsPerPut)
            {
                result.AddError($"--batch-size must be between 1 and {SluiceClient.MaxRecordsPerPut}.");
            }
        });

        var command = new Command("put", "Write stdin to a stream: each line is one record (UTF-8 text, or JSON with --json).")
        {
            stream, json, partitionKey, batchSize,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = StreamsCommand.Connect(parseResult, context, connection, run);
            using var producer = client.CreateProducer(parseResult.GetRequiredValue(stream), SluiceProducerOptions.Default with { MaxAttempts = Backoff.DefaultMaxRetries + 1 });
            var put = new PutCommand(context, producer);
            return await put.RunAsync(
                parseResult.GetValue(json), parseResult.GetValue(partitionKey), parseResult.GetValue(batchSize), ct);
        }, cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(bool json, string? partitionKey, int batchSize, CancellationToken cancellationToken)
    {
        if (json && partitionKey is not null)
        {
            throw new CliException("--partition-key applies to plain lines only; with --json each line names its own.");
        }

        if (partitionKey is { Length: 0 })
        {
            throw new CliException("--partition-key must not be empty.");
        }

        var batch = new List<PutRecordsEntry>(batchSize);
        var lines = new List<int>(batchSize);
        var batchBytes = 0;
        var lineNumber = 0;
        try
        {
            while (await _context.Stdin.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (json && string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                PutRecordsEntry entry;
                try
                {
                    entry = json ? ParseJsonLine(line) : ParsePlainLine(line, partitionKey);
                }
                catch (CliException e)
                {
                    // The records read so far in this batch are not sent: a half batch would make
                    // it unclear which lines of the input made it.
                    throw new CliException($"line {lineNumber}: {e.Message}; stopped before sending {batch.Count} pending record(s). {Summary()}", e);
                }

                var entryBytes = entry.Data.Length + Encoding.UTF8.GetByteCount(entry.PartitionKey);
                if (batch.Count > 0 && (batch.Count >= batchSize || batchBytes + entryBytes > SluiceClient.MaxBytesPerPut))
                {
                    await SendAsync(batch, lines, cancellationToken);
                    batch.Clear();
                    lines.Clear();
                    batchBytes = 0;
                }

                batch.Add(entry);
                lines.Add(lineNumber);
                batchBytes += entryBytes;
            }

            if (batch.Count > 0)
            {
                await SendAsync(batch, lines, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _context.Error($"interrupted: {Summary()}");
            return CommandRunner.ExitInterrupted;
        }
        catch (RpcException) when (_written > 0 || _failed > 0)
        {
            // Say how far it got before the error line that CommandRunner prints.
            await _context.Stderr.WriteLineAsync(Summary());
            throw;
        }

        await _context.Stderr.WriteLineAsync(Summary());
        return _failed == 0 ? CommandRunner.ExitOk : CommandRunner.ExitFailure;
    }

    private string Summary() => $"put {_written} records to {_stream} ({_failed} failed)";

    /// <summary>
    /// Sends one batch through the producer, which retries retriable failures of the call and of
    /// records (the same call again, so nothing is written twice); a call failure that is not
    /// retriable (or still fails when retries run out) is thrown, since every later batch would
    /// meet it too.
    /// </summary>
    private async Task SendAsync(List<PutRecordsEntry> entries, List<int> lines, CancellationToken cancellationToken)
    {
        var response = await _producer.SendAsync(entries, cancellationToken);
        for (var i = 0; i < response.Results.Count && i < entries.Count; i++)
        {
            var result = response.Results[i];
            if (string.IsNullOrEmpty(result.ErrorCode))
            {
                _written++;
            }
            else
            {
                Fail(lines[i], result);
            }
        }
    }

    private void Fail(int line, PutRecordsResult result)
    {
        _failed++;
        if (_reportedFailures < MaxReportedFailures)
        {
            _context.Error($"line {line}: {result.ErrorCode}: {result.ErrorMessage}");
        }
        else if (_reportedFailures == MaxReportedFailures)
        {
            _context.Error("further failed records are not listed");
        }

        _reportedFailures++;
    }

    internal static PutRecordsEntry ParsePlainLine(string line, string? partitionKey)
    {
        var data = Encoding.UTF8.GetBytes(line);
        CheckDataSize(data.Length);
        return new PutRecordsEntry
        {
            PartitionKey = partitionKey ?? RandomPartitionKey(),
            Data = UnsafeByteOperations.UnsafeWrap(data),
        };
    }

    /// <summary>
    /// Parses <c>{"partitionKey": "…", "data": "…"}</c> or <c>{"partitionKey": "…", "dataBase64": "…"}</c>,
    /// with an optional <c>"explicitHashKey"</c>. Anything else is a <see cref="CliException"/>.
    /// </summary>
    internal static PutRecordsEntry ParseJsonLine(string line)
    {
        string? partitionKey = null;
        string? explicitHashKey = null;
        byte[]? data = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliException("expected a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "partitionKey":
                        partitionKey = RequireString(property);
                        break;
                    case "explicitHashKey":
                        explicitHashKey = RequireString(property);
                        break;
                    case "data":
                        data = data is null ? Encoding.UTF8.GetBytes(RequireString(property)) : throw OneDataField();
                        break;
                    case "dataBase64":
                        if (data is not null)
                        {
                            throw OneDataField();
                        }

                        if (property.Value.ValueKind != JsonValueKind.String || !property.Value.TryGetBytesFromBase64(out data))
                        {
                            throw new CliException("\"dataBase64\" must be a base64 string");
                        }

                        break;
                    default:
                        throw new CliException($"unknown property \"{property.Name}\" (expected partitionKey, data or dataBase64, explicitHashKey)");
                }
            }
        }
        catch (JsonException e)
        {
            // System.Text.Json appends "LineNumber: 0 | BytePositionInLine: n."; the line is ours to name.
            var message = e.Message;
            var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            message = position > 0 ? message[..position] : message;
            throw new CliException($"invalid JSON at byte {e.BytePositionInLine}: {message.TrimEnd('.', ' ')}", e);
        }

        if (string.IsNullOrEmpty(partitionKey))
        {
            throw new CliException("\"partitionKey\" is required (a non-empty string)");
        }

        if (data is null)
        {
            throw new CliException("\"data\" or \"dataBase64\" is required");
        }

        CheckDataSize(data.Length);
        var entry = new PutRecordsEntry { PartitionKey = partitionKey, Data = UnsafeByteOperations.UnsafeWrap(data) };
        if (explicitHashKey is not null)
        {
            entry.ExplicitHashKey = explicitHashKey;
        }

        return entry;

        static CliException OneDataField() => new("give either \"data\" or \"dataBase64\", not both");

        static string RequireString(JsonProperty property) => property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw new CliException($"\"{property.Name}\" must be a string");
    }

    private static void CheckDataSize(int bytes)
    {
        if (bytes > SluiceClient.MaxRecordDataBytes)
        {
            throw new CliException($"the record's data is {bytes} bytes, more than the {SluiceClient.MaxRecordDataBytes} byte limit");
        }
    }

    private static string RandomPartitionKey()
    {
        Span<byte> bytes = stackalloc byte[PartitionKeyBytes / 2];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
