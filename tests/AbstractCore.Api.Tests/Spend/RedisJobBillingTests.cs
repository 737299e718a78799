namespace AbstractCore.Api.Tests.Spend;

/// <summary><see cref="MediaBillingTests"/>' job charges with the records in Redis: the key, provider and model stored
/// with the job, and the charge claimed once by the store's script.</summary>
public sealed class RedisJobBillingTests(RedisBillingFixture fx) : IClassFixture<RedisBillingFixture>
{
    [Fact]
    public Task A_job_is_charged_once_when_it_completes_to_the_key_that_submitted_it() => MediaBillingTests.JobIsChargedOnceAsync(fx);

    [Fact]
    public Task A_job_consumed_on_its_first_successful_poll_is_charged_and_a_failed_job_is_not() => MediaBillingTests.ConsumedAndFailedJobsAsync(fx);
}
