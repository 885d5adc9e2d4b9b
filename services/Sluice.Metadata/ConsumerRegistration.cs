using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>The answer of <see cref="ConsumerCatalog.RegisterAsync"/>: the new consumer, or why there is none.</summary>
public sealed record ConsumerRegistration(ConsumerRegistrationOutcome Outcome, StreamConsumer? Consumer = null);
