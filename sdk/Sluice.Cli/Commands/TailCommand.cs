using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading.Channels;
using Grpc.Core;
using Sluice.Client;
using Sluice.V1;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice tail &lt;stream&gt;</c>: reads every shard of a stream at once and prints one JSON
/// line per record. One writer owns stdout, so lines never interleave.
/// </summary>
internal sealed class TailCommand
{
    private const int FollowMaxWaitMs = 1000;
    private const int OutputQueueLines = 4096;
    private const string TimestampPrefix = "timestamp:";

    // Records are text for people and for jq, not HTML: keep non-ASCII and <>&' as they are.
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly CliContext _context;
    private readonly SluiceClient _client;
    private readonly string _stream;
    private readonly bool _decode;
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(
        new BoundedChannelOptions(OutputQueueLines) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Exception? _failure;

    private TailCommand(CliContext context, SluiceClient client, string stream, bool decode)
    {
        _context = context;
        _client = client;
        _stream = stream;
        _decode = decode;
    }

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var stream = new Argument<string>("stream") { Description = "The stream to read" };
        var from = new Option<string>("--from")
        {
            Description = "Where to start: oldest, latest, or timestamp:<ISO-8601>",
            DefaultValueFactory = _ => "latest",
            HelpName = "oldest|latest|timestamp:<ISO-8601>",
        };
        from.Validators.Add(result =>
        {
            try
            {
                _ = ParseFrom(result.GetValueOrDefault<string>() ?? string.Empty);
            }
            catch (CliException e)
            {
                result.AddError(e.Message);
            }
        });
        var max = new Option<long?>("--max") { Description = "Stop after this many records in total", HelpName = "N" };
        max.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 1)
            {
                result.AddError("--max must be at least 1.");
            }
        });
        var noFollow = new Option<bool>("--no-follow") { Description = "Stop at the end of each shard instead of waiting for new records" };
        var decode = new Option<bool>("--decode")
        {
            Description = "Print each record decoded to JSON as \"decoded\" (Confluent wire-format records through the schema their header names, "
                + "with \"schemaId\"; plain JSON records as they are), or its data and \"decodeError\" when it cannot be decoded",
        };

        var command = new Command("tail", "Print a stream's records as JSON lines, reading all shards at once; Ctrl-C stops.")
        {
            stream, from, max, noFollow, decode,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = StreamsCommand.Connect(parseResult, context, connection, run);
            var tail = new TailCommand(context, client, parseResult.GetRequiredValue(stream), parseResult.GetValue(decode));
            return await tail.RunAsync(
                ParseFrom(parseResult.GetRequiredValue(from)), parseResult.GetValue(max), !parseResult.GetValue(noFollow), ct);
        }, cancellationToken));
        return command;
    }

    internal static (StartPosition Position, DateTimeOffset? Timestamp) ParseFrom(string from)
    {
        if (from.Equals("oldest", StringComparison.OrdinalIgnoreCase))
        {
            return (StartPosition.TrimHorizon, null);
        }

        if (from.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return (StartPosition.Latest, null);
        }

        if (from.StartsWith(TimestampPrefix, StringComparison.OrdinalIgnoreCase)
            && DateTimeOffset.TryParse(
                from.AsSpan(TimestampPrefix.Length), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            return (StartPosition.AtTimestamp, timestamp);
        }

        throw new CliException($"--from '{from}' is not oldest, latest or timestamp:<ISO-8601> (e.g. timestamp:2025-01-31T12:00:00Z).");
    }

    private async Task<int> RunAsync(
        (StartPosition Position, DateTimeOffset? Timestamp) from, long? max, bool follow, CancellationToken cancellationToken)
    {
        var description = await _client.DescribeStreamAsync(_stream, cancellationToken);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new Task[description.Shards.Count];
        for (var i = 0; i < readers.Length; i++)
        {
            readers[i] = ReadShardAsync(description.Shards[i].ShardId, from.Position, from.Timestamp, follow, stop);
        }

        var allRead = Task.WhenAll(readers).ContinueWith(
            _ => _lines.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        await WriteLinesAsync(max, stop);
        await stop.CancelAsync();
        await allRead;

        if (_failure is not null)
        {
            // The reader that failed already stopped the others; report its error.
            throw _failure;
        }

        return CommandRunner.ExitOk;
    }

    private async Task WriteLinesAsync(long? max, CancellationTokenSource stop)
    {
        var output = _context.Stdout;
        var reader = _lines.Reader;
        long written = 0;
        try
        {
            while (await reader.WaitToReadAsync(stop.Token))
            {
                while (reader.TryRead(out var line))
                {
                    await output.WriteLineAsync(line);
                    if (++written == max)
                    {
                        await stop.CancelAsync();
                        return;
                    }
                }

                // Flush when the queue runs dry, so a follower sees records as they come.
                await output.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl-C, --max reached in another way, or a reader failed: end cleanly.
        }
        finally
        {
            await output.FlushAsync(CancellationToken.None);
        }
    }

    private async Task ReadShardAsync(
        string shardId, StartPosition position, DateTimeOffset? timestamp, bool follow, CancellationTokenSource stop)
    {
        // Yield first, so that starting the readers does not run one of them synchronously.
        await Task.Yield();
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, LineOptions);
        var backoff = new Backoff();
        string? last = null;
        try
        {
            while (true)
            {
                try
                {
                    var records = last is null
                        ? _client.ReadShardAsync(_stream, shardId, position, timestamp: timestamp, follow: follow, maxWaitMs: FollowMaxWaitMs, decode: _decode, cancellationToken: stop.Token)
                        : _client.ReadShardAsync(_stream, shardId, StartPosition.AfterSequenceNumber, sequenceNumber: last, follow: follow, maxWaitMs: FollowMaxWaitMs, decode: _decode, cancellationToken: stop.Token);
                    await foreach (var record in records)
                    {
                        await _lines.Writer.WriteAsync(FormatLine(shardId, record, buffer, json), stop.Token);
                        last = record.SequenceNumber;
                        backoff.Reset();
                    }

                    return;
                }
                catch (RpcException e) when (SluiceClient.IsRetriable(e) && backoff.CanRetry && !stop.IsCancellationRequested)
                {
                    // Go on after the last record printed, so that none is printed twice.
                    await backoff.WaitAsync(stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            await stop.CancelAsync();
        }
    }

    /// <summary>
    /// <c>{"shardId","sequenceNumber","partitionKey","data" or "dataBase64","arrival"}</c>: data as
    /// text when the bytes are valid UTF-8, as base64 otherwise. A record the gateway decoded (<c>--decode</c>) has
    /// <c>"decoded"</c> (the JSON value, on the one line) and, from the wire format, <c>"schemaId"</c> instead of its data;
    /// one it could not decode keeps its data and has <c>"decodeError"</c>.
    /// </summary>
    internal static string FormatLine(string shardId, Record record, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json)
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("shardId"u8, shardId);
        json.WriteString("sequenceNumber"u8, record.SequenceNumber);
        json.WriteString("partitionKey"u8, record.PartitionKey);
        if (record.DecodedJson.Length > 0)
        {
            // Written again rather than as given, so that a value with line breaks stays on the record's one line.
            using var decoded = JsonDocument.Parse(record.DecodedJson);
            json.WritePropertyName("decoded"u8);
            decoded.RootElement.WriteTo(json);
            if (record.HasSchemaId)
            {
                json.WriteNumber("schemaId"u8, record.SchemaId);
            }
        }
        else
        {
            var data = record.Data.Span;
            if (Utf8.IsValid(data))
            {
                json.WriteString("data"u8, data);
            }
            else
            {
                json.WriteBase64String("dataBase64"u8, data);
            }

            if (record.DecodeError.Length > 0)
            {
                json.WriteString("decodeError"u8, record.DecodeError);
            }
        }

        if (record.ApproximateArrivalTimestamp is { } arrival)
        {
            json.WriteString("arrival"u8, arrival.ToDateTime());
        }
        else
        {
            json.WriteNull("arrival"u8);
        }

        json.WriteEndObject();
        json.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
