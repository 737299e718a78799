namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>Test classes that measure the process's memory run alone: a bound is about their own requests, not about
/// what other test classes allocate at the same time.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;
