using System.Diagnostics;
using System.Globalization;
using AbstractCore.Chat.Forwarding;
using AbstractCore.Pipeline;
using AbstractCore.Routing;
using AbstractCore.Spend;
using RequestBill = AbstractCore.Api.Spend.RequestBill;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Telemetry;

/// <summary>
/// One upstream chat call as telemetry: the <c>chat {model}</c> client span (parent of the HTTP call to the upstream)
/// and, when it ends, <c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c> (input and output) and,
/// for streams, <c>gen_ai.client.operation.time_to_first_chunk</c>; and the call's line on the request's bill
/// (<see cref="RequestBill"/>). Made only while something listens or the request is billed
/// (<see cref="GatewayTelemetry.Start"/>); the handlers feed it the answer or each streamed update.
/// </summary>
internal sealed class ChatCallTelemetry : GenAiCallTelemetry
{
    private readonly GatewayTelemetry _owner;
    private readonly Activity? _activity;
    private readonly string _provider;
    private readonly string _requestModel;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstChunk;
    private string? _responseModel;
    private string? _responseId;
    private string? _finishReason;
    private List<string>? _moreFinishReasons;
    private long? _inputTokens;
    private long? _outputTokens;
    private long? _cachedInputTokens;
    private string? _errorType;
    private readonly RequestBill? _bill;
    private readonly string? _alias;
    private long _chunks;
    private bool _charged;

    internal ChatCallTelemetry(GatewayTelemetry owner, Activity? activity, ChatPlan plan, ModelRef model, RequestBill? bill)
    {
        _owner = owner;
        _activity = activity;
        _provider = model.Provider;
        _requestModel = model.Model;
        _bill = bill;
        _alias = plan.Alias?.Name;
        if (activity is null)
        {
            return;
        }

        activity.DisplayName = GenAiConventions.ChatOperation + " " + model.Model;
        activity.SetTag(GenAiConventions.OperationName, GenAiConventions.ChatOperation);
        activity.SetTag(GenAiConventions.ProviderName, model.Provider);
        activity.SetTag(GenAiConventions.System, model.Provider);
        activity.SetTag(GenAiConventions.RequestModel, model.Model);
        var options = plan.Options;
        var request = plan.Request;
        if ((request.MaxCompletionTokens ?? request.MaxTokens ?? options.MaxOutputTokens) is { } maxTokens)
        {
            activity.SetTag(GenAiConventions.RequestMaxTokens, maxTokens);
        }

        if ((request.Temperature ?? options.Temperature) is { } temperature)
        {
            activity.SetTag(GenAiConventions.RequestTemperature, temperature);
        }

        if ((request.TopP ?? options.TopP) is { } topP)
        {
            activity.SetTag(GenAiConventions.RequestTopP, topP);
        }

        var upstream = plan.Endpoint.BaseUrl;
        activity.SetTag(GenAiConventions.ServerAddress, upstream.Host);
        activity.SetTag(GenAiConventions.ServerPort, upstream.Port);
        activity.Start();
    }

    /// <summary>The span, when one is recorded (tests and enrichers read it).</summary>
    public Activity? Activity => _activity;

    /// <summary>The prompt's size in tokens as guessed from the request, billed only if the upstream never says (a
    /// client that left before the usage came).</summary>
    public long EstimatedInputTokens { get; set; }

    /// <summary>A whole (non-streamed) answer.</summary>
    public void Response(ChatResponse response)
    {
        _responseModel ??= response.ModelId;
        _responseId ??= response.ResponseId;
        AddFinishReason(response.FinishReason);
        AddUsage(response.Usage);
        Charge();
    }

    /// <summary>One streamed update, in order; the first one stops the time-to-first-chunk clock.</summary>
    public void Update(ChatResponseUpdate update)
    {
        if (_firstChunk == 0)
        {
            _firstChunk = Stopwatch.GetTimestamp();
        }

        _responseModel ??= update.ModelId;
        _responseId ??= update.ResponseId;
        AddFinishReason(update.FinishReason);
        var contents = update.Contents;
        var generated = false;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                AddUsage(usage.Details);
            }
            else
            {
                generated = true;
            }
        }

        if (generated)
        {
            _chunks++; // about a token each, should the usage never come
        }
    }

    /// <summary>A relayed stream's chunk arrived (the first stops the time-to-first-chunk clock).</summary>
    public void Chunk()
    {
        if (_firstChunk == 0)
        {
            _firstChunk = Stopwatch.GetTimestamp();
        }

        _chunks++;
    }

    /// <summary>A relayed whole answer's usage, read before its body is written, so its cost goes out as a header.</summary>
    public void Usage(long? input, long? output, long? cachedInput)
    {
        _inputTokens = input ?? _inputTokens;
        _outputTokens = output ?? _outputTokens;
        _cachedInputTokens = cachedInput ?? _cachedInputTokens;
        Charge();
    }

    /// <summary>What a relayed answer (whole or streamed) said about itself.</summary>
    public void Relayed(ChatAnswerFacts facts)
    {
        _responseModel ??= facts.Model;
        _responseId ??= facts.Id;
        if (facts.FinishReason is { } finish)
        {
            AddFinishReason(new ChatFinishReason(finish));
        }

        _inputTokens = facts.InputTokens ?? _inputTokens;
        _outputTokens = facts.OutputTokens ?? _outputTokens;
        _cachedInputTokens = facts.CachedInputTokens ?? _cachedInputTokens;
        Charge();
    }

    /// <summary>Puts the upstream's usage on the bill, once, as soon as it is known.</summary>
    private void Charge()
    {
        if (_bill is null || _charged || (_inputTokens is null && _outputTokens is null))
        {
            return;
        }

        _charged = true;
        _bill.Charge(_provider, _requestModel, new Usage
        {
            InputTokens = _inputTokens ?? 0, OutputTokens = _outputTokens ?? 0, CachedInputTokens = _cachedInputTokens ?? 0,
        }, _alias);
    }

    /// <summary>A stream whose usage never came (the client left, the stream broke, the upstream sends none): what
    /// arrived is billed, as counted, about a token a chunk. A call that failed before its first chunk costs nothing.</summary>
    private void ChargeWhatArrived()
    {
        if (_bill is not null && !_charged && _chunks > 0)
        {
            _bill.Progress(_provider, _requestModel, new Usage { InputTokens = EstimatedInputTokens, OutputTokens = _chunks }, _alias);
        }
    }

    /// <summary>The call failed (before or after a stream started): <c>error.type</c> is the answer's status
    /// (<c>502</c>, <c>504</c>, an upstream's <c>429</c>…) or the exception's type.</summary>
    public override void Fail(Exception failure)
    {
        _errorType ??= failure is GatewayException g ? g.Status.ToString(CultureInfo.InvariantCulture) : failure.GetType().FullName ?? "error";
        _activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
    }

    /// <summary>The client went away and the upstream call was cancelled.</summary>
    public void Cancelled() => _errorType ??= "cancelled";

    protected override void Finish()
    {
        Charge(); // a stream's usage, which came with its last chunks
        ChargeWhatArrived();
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var tags = new TagList
        {
            { GenAiConventions.OperationName, GenAiConventions.ChatOperation },
            { GenAiConventions.ProviderName, _provider },
            { GenAiConventions.RequestModel, _requestModel },
        };
        if (_responseModel is not null)
        {
            tags.Add(GenAiConventions.ResponseModel, _responseModel);
        }

        if (_errorType is not null)
        {
            tags.Add(GenAiConventions.ErrorType, _errorType);
        }

        _owner.OperationDuration.Record(elapsed, tags);
        if (_firstChunk != 0 && _errorType is null)
        {
            _owner.TimeToFirstChunk.Record(Stopwatch.GetElapsedTime(_started, _firstChunk).TotalSeconds, tags);
        }

        if (_inputTokens is { } input)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiConventions.TokenType, GenAiConventions.InputTokenType);
            _owner.TokenUsage.Record(input, tokenTags);
        }

        if (_outputTokens is { } output)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiConventions.TokenType, GenAiConventions.OutputTokenType);
            _owner.TokenUsage.Record(output, tokenTags);
        }

        if (_activity is { } activity)
        {
            Finish(activity);
        }
    }

    private void Finish(Activity activity)
    {
        activity.SetTag(GenAiConventions.RequestStream, _firstChunk != 0);
        activity.SetTag(GenAiConventions.ResponseModel, _responseModel);
        activity.SetTag(GenAiConventions.ResponseId, _responseId);
        if (_finishReason is not null)
        {
            activity.SetTag(GenAiConventions.ResponseFinishReasons,
                _moreFinishReasons is null ? new[] { _finishReason } : [_finishReason, .. _moreFinishReasons]);
        }

        activity.SetTag(GenAiConventions.UsageInputTokens, _inputTokens);
        activity.SetTag(GenAiConventions.UsageOutputTokens, _outputTokens);
        activity.SetTag(GenAiConventions.UsageCacheReadInputTokens, _cachedInputTokens);
        if (_firstChunk != 0)
        {
            activity.SetTag(GenAiConventions.ResponseTimeToFirstChunk, Stopwatch.GetElapsedTime(_started, _firstChunk).TotalSeconds);
        }

        activity.SetTag(GenAiConventions.ErrorType, _errorType);
        activity.Stop();
    }

    private void AddFinishReason(ChatFinishReason? reason)
    {
        if (reason is not { } r)
        {
            return;
        }

        var value = r.Value;
        if (_finishReason is null)
        {
            _finishReason = value;
        }
        else if (_finishReason != value && _moreFinishReasons?.Contains(value) != true)
        {
            (_moreFinishReasons ??= []).Add(value);
        }
    }

    private void AddUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        // A stream may repeat its usage; the last figures win.
        _inputTokens = usage.InputTokenCount ?? _inputTokens;
        _outputTokens = usage.OutputTokenCount ?? _outputTokens;
        _cachedInputTokens = usage.CachedInputTokenCount ?? _cachedInputTokens;
    }
}
