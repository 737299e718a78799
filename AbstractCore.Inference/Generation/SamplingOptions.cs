using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Generation;

/// <summary>
/// The search options a request sets; unset ones keep the model's genai_config.json defaults.
/// Temperature 0 means greedy. A Generator keeps its options for life, so a cached Generator is reused only
/// under equal options (and never with a seed, whose random stream must start fresh).
/// </summary>
internal sealed record SamplingOptions(double? Temperature, double? TopP, int? TopK, long? Seed)
{
    public static SamplingOptions Default { get; } = new(null, null, null, null);

    public bool Reusable => Seed is null;

    public void Apply(GeneratorParams parameters)
    {
        if (Temperature is 0)
        {
            parameters.SetSearchOption("do_sample", false);
            return;
        }

        if (Temperature is not null || TopP is not null || TopK is not null)
        {
            parameters.SetSearchOption("do_sample", true);
        }

        if (Temperature is { } t)
        {
            parameters.SetSearchOption("temperature", t);
        }

        if (TopP is { } p)
        {
            parameters.SetSearchOption("top_p", p);
        }

        if (TopK is { } k)
        {
            parameters.SetSearchOption("top_k", k);
        }

        if (Seed is { } seed)
        {
            parameters.SetSearchOption("random_seed", seed);
        }
    }
}
