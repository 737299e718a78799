using System.Diagnostics;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Hosting;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Inference.Telemetry;

/// <summary>
/// One chat request as telemetry: the <c>chat {model}</c> span with the GenAI attributes (request options, usage, finish
/// reason, time to first token, time waited for a slot) and, when it ends, <c>gen_ai.server.request.duration</c>,
/// <c>gen_ai.server.time_to_first_token</c> (streams) and the token counts.
/// </summary>
internal sealed class GenerationTelemetry : GenAiCallTelemetry
{
    private readonly InferenceTelemetry _owner;
    private readonly Activity? _activity;
    private readonly string _model;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _waitStarted;
    private long _firstToken;
    private GenerationResult? _result;
    private string? _errorType;

    public GenerationTelemetry(InferenceTelemetry owner, Activity? activity, ChatCompletionRequest request)
    {
        _owner = owner;
        _activity = activity;
        _model = request.Model ?? "";
        if (activity is null)
        {
            return;
        }

        activity.DisplayName = GenAiConventions.ChatOperation + " " + _model;
        activity.SetTag(GenAiConventions.OperationName, GenAiConventions.ChatOperation);
        activity.SetTag(GenAiConventions.ProviderName, InferenceTelemetry.ProviderName);
        activity.SetTag(GenAiConventions.System, InferenceTelemetry.ProviderName);
        activity.SetTag(GenAiConventions.RequestModel, _model);
        activity.SetTag(GenAiConventions.RequestStream, request.Stream == true);
        activity.SetTag(GenAiConventions.RequestMaxTokens, request.MaxCompletionTokens ?? request.MaxTokens);
        activity.SetTag(GenAiConventions.RequestTemperature, request.Temperature);
        activity.SetTag(GenAiConventions.RequestTopP, request.TopP);
        activity.Start();
    }

    public Activity? Activity => _activity;

    /// <summary>The request starts waiting for a generation slot.</summary>
    public void WaitingForSlot() => _waitStarted = Stopwatch.GetTimestamp();

    /// <summary>The request has its slot: the wait is kept on the span.</summary>
    public void GotSlot() =>
        _activity?.SetTag("abstractcore.inference.queue_wait", Stopwatch.GetElapsedTime(_waitStarted).TotalSeconds);

    /// <summary>The first generated piece of a stream is ready.</summary>
    public void FirstToken()
    {
        if (_firstToken == 0)
        {
            _firstToken = Stopwatch.GetTimestamp();
        }
    }

    public void Result(GenerationResult result, string responseId, string responseModel)
    {
        _result = result;
        if (_activity is { } activity)
        {
            activity.SetTag(GenAiConventions.ResponseId, responseId);
            activity.SetTag(GenAiConventions.ResponseModel, responseModel);
        }
    }

    public override void Fail(Exception failure)
    {
        _errorType ??= failure switch
        {
            InferenceException e => e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Scheduling.QueueFullException => "429",
            OperationCanceledException => "cancelled",
            _ => failure.GetType().FullName ?? "error",
        };
        if (failure is not OperationCanceledException)
        {
            _activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        }
    }

    protected override void Finish()
    {
        var tags = new TagList
        {
            { GenAiConventions.OperationName, GenAiConventions.ChatOperation },
            { GenAiConventions.RequestModel, _model },
        };
        if (_result?.FinishReason == GenerationResult.Cancelled)
        {
            _errorType ??= "cancelled";
        }

        if (_errorType is not null)
        {
            tags.Add(GenAiConventions.ErrorType, _errorType);
        }

        _owner.RequestDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        if (_firstToken != 0)
        {
            _owner.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(_started, _firstToken).TotalSeconds, tags);
        }

        if (_result is { } result)
        {
            var input = tags;
            input.Add(GenAiConventions.TokenType, GenAiConventions.InputTokenType);
            _owner.TokenUsage.Record(result.PromptTokens, input);
            var output = tags;
            output.Add(GenAiConventions.TokenType, GenAiConventions.OutputTokenType);
            _owner.TokenUsage.Record(result.CompletionTokens, output);
        }

        if (_activity is not { } activity)
        {
            return;
        }

        if (_result is { } r)
        {
            activity.SetTag(GenAiConventions.UsageInputTokens, r.PromptTokens);
            activity.SetTag(GenAiConventions.UsageOutputTokens, r.CompletionTokens);
            activity.SetTag(GenAiConventions.UsageCacheReadInputTokens, r.CachedTokens);
            activity.SetTag(GenAiConventions.ResponseFinishReasons, new[] { r.FinishReason });
        }

        if (_firstToken != 0)
        {
            activity.SetTag(GenAiConventions.ResponseTimeToFirstChunk, Stopwatch.GetElapsedTime(_started, _firstToken).TotalSeconds);
        }

        activity.SetTag(GenAiConventions.ErrorType, _errorType);
        activity.Stop();
    }
}
