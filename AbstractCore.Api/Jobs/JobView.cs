using System.Buffers;
using System.Text.Json;
using AbstractCore.Jobs;

namespace AbstractCore.Api.Jobs;

/// <summary>
/// A job as <c>GET /v1/vision/jobs/{job_id}</c> shows it: <c>id</c>, <c>kind</c>, <c>state</c> (also as <c>status</c>),
/// times, <c>progress</c>, <c>attempts</c>; <c>result</c> only when succeeded, <c>error</c> only when failed.
/// </summary>
internal static class JobView
{
    public static byte[] Write(JobRecord job)
    {
        var buffer = new ArrayBufferWriter<byte>(job.Result?.Length + 512 ?? 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", job.Id);
            w.WriteString("kind", job.Kind);
            w.WriteString("state", job.State);
            w.WriteString("status", job.State);
            w.WriteNumber("created_at_s", Math.Round(job.CreatedAt, 3));
            w.WriteNumber("updated_at_s", Math.Round(job.UpdatedAt, 3));
            w.WriteStartObject("progress");
            w.WriteNumber("step", job.Progress.Step);
            w.WriteNumber("total_steps", job.Progress.TotalSteps);
            if (job.Progress.Message is { } message)
            {
                w.WriteString("message", message);
            }

            w.WriteString("phase", job.Progress.Phase);
            w.WriteNumber("progress", job.Progress.Progress);
            w.WriteBoolean("terminal", job.Progress.Terminal);
            w.WriteEndObject();
            w.WriteNumber("attempts", job.Attempts);
            if (job.State == JobStates.Succeeded && job.Result is { } result)
            {
                w.WritePropertyName("result");
                w.WriteRawValue(result, skipInputValidation: true);
            }

            if (job.State == JobStates.Failed)
            {
                w.WriteString("error", job.Error ?? "The job failed.");
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
