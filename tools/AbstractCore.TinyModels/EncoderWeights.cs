namespace AbstractCore.TinyModels;

/// <summary>One transformer layer's weights (row-major; a matrix is [in, out] as MatMul takes it).</summary>
public sealed record EncoderLayerWeights(
    float[] Q, float[] QBias, float[] K, float[] KBias, float[] V, float[] VBias, float[] Out, float[] OutBias,
    float[] Norm1Scale, float[] Norm1Bias, float[] Up, float[] UpBias, float[] Down, float[] DownBias, float[] Norm2Scale, float[] Norm2Bias);

/// <summary>
/// Every weight of a generated encoder, drawn from a fixed seed: the graph is written from them, and a test can run the
/// same arithmetic itself to know the exact vectors the model must produce.
/// </summary>
public sealed record EncoderWeights(
    float[] Words, float[] Positions, float[] TokenTypes, float[] EmbedNormScale, float[] EmbedNormBias, IReadOnlyList<EncoderLayerWeights> Layers)
{
    /// <summary>LayerNormalization's epsilon (BERT's).</summary>
    public const float Epsilon = 1e-12f;

    /// <summary>What a masked-out key adds to its attention score before the softmax (BERT's extended mask).</summary>
    public const float MaskedScore = -10000f;

    public static EncoderWeights For(EncoderSpec spec)
    {
        var random = new SplitMix(20260521);
        int h = spec.Hidden, f = spec.Intermediate;
        float[] Scale() => [.. random.Floats(h, 0.1f).Select(v => 1 + v)];
        float[] Small(int n) => random.Floats(n, 0.1f);
        var words = random.Floats(spec.VocabSize * h, 1f);
        var positions = random.Floats(spec.MaxLength * h, 0.5f);
        var types = random.Floats(2 * h, 0.5f);
        var (normScale, normBias) = (Scale(), Small(h));
        var layers = Enumerable.Range(0, spec.Layers).Select(_ => new EncoderLayerWeights(
            Small(h * h), Small(h), Small(h * h), Small(h), Small(h * h), Small(h), Small(h * h), Small(h),
            Scale(), Small(h), random.Floats(h * f, 0.2f), Small(f), random.Floats(f * h, 0.2f), Small(h), Scale(), Small(h))).ToList();
        return new EncoderWeights(words, positions, types, normScale, normBias, layers);
    }
}
