using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Embeddings;

/// <summary>
/// The generated encoder's arithmetic done again here, in double precision, from the same weights
/// (<see cref="EncoderWeights.For"/>): what the served vector of a token sequence must be, without ONNX Runtime.
/// </summary>
internal static class EncoderReference
{
    /// <summary>The sentence vector of one sequence of token ids (special tokens included): mean of the last hidden states, L2-normalised if the spec says so.</summary>
    public static float[] Embed(EncoderSpec spec, IReadOnlyList<int> ids)
    {
        var w = EncoderWeights.For(spec);
        int n = ids.Count, h = spec.Hidden;
        var x = new double[n][];
        for (var t = 0; t < n; t++)
        {
            x[t] = new double[h];
            for (var d = 0; d < h; d++)
            {
                x[t][d] = w.Words[(ids[t] * h) + d] + w.Positions[(t * h) + d] + (spec.TokenTypeIds ? w.TokenTypes[d] : 0);
            }

            x[t] = LayerNorm(x[t], w.EmbedNormScale, w.EmbedNormBias);
        }

        foreach (var l in w.Layers)
        {
            x = Layer(spec, l, x);
        }

        var mean = new double[h];
        foreach (var row in x)
        {
            for (var d = 0; d < h; d++)
            {
                mean[d] += row[d] / n;
            }
        }

        var norm = spec.Normalize ? Math.Sqrt(mean.Sum(v => v * v)) : 1;
        return [.. mean.Select(v => (float)(v / norm))];
    }

    /// <summary>A vector cut to <paramref name="dimensions"/> and normalised again (what a Matryoshka model's <c>dimensions</c> gives).</summary>
    public static float[] Cut(float[] vector, int dimensions)
    {
        var cut = vector[..dimensions];
        var norm = Math.Sqrt(cut.Sum(v => (double)v * v));
        return [.. cut.Select(v => (float)(v / norm))];
    }

    private static double[][] Layer(EncoderSpec spec, EncoderLayerWeights l, double[][] x)
    {
        int n = x.Length, h = spec.Hidden, hd = spec.HeadSize;
        var q = x.Select(r => Linear(r, l.Q, l.QBias, h, h)).ToArray();
        var k = x.Select(r => Linear(r, l.K, l.KBias, h, h)).ToArray();
        var v = x.Select(r => Linear(r, l.V, l.VBias, h, h)).ToArray();
        var context = Enumerable.Range(0, n).Select(_ => new double[h]).ToArray();
        var scale = (double)(float)(1 / Math.Sqrt(hd));
        for (var head = 0; head < spec.Heads; head++)
        {
            var o = head * hd;
            for (var i = 0; i < n; i++)
            {
                var scores = new double[n];
                for (var j = 0; j < n; j++)
                {
                    for (var d = 0; d < hd; d++)
                    {
                        scores[j] += q[i][o + d] * k[j][o + d];
                    }

                    scores[j] *= scale;
                }

                var max = scores.Max();
                var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
                var sum = exp.Sum();
                for (var j = 0; j < n; j++)
                {
                    for (var d = 0; d < hd; d++)
                    {
                        context[i][o + d] += exp[j] / sum * v[j][o + d];
                    }
                }
            }
        }

        var result = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var attention = Add(x[i], Linear(context[i], l.Out, l.OutBias, h, h));
            var a = LayerNorm(attention, l.Norm1Scale, l.Norm1Bias);
            var up = Linear(a, l.Up, l.UpBias, h, spec.Intermediate).Select(Gelu).ToArray();
            result[i] = LayerNorm(Add(a, Linear(up, l.Down, l.DownBias, spec.Intermediate, h)), l.Norm2Scale, l.Norm2Bias);
        }

        return result;
    }

    private static double[] Linear(double[] input, float[] weight, float[] bias, int inSize, int outSize)
    {
        var output = new double[outSize];
        for (var o = 0; o < outSize; o++)
        {
            var sum = (double)bias[o];
            for (var i = 0; i < inSize; i++)
            {
                sum += input[i] * weight[(i * outSize) + o];
            }

            output[o] = sum;
        }

        return output;
    }

    private static double[] LayerNorm(double[] x, float[] scale, float[] bias)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        var inv = 1 / Math.Sqrt(variance + EncoderWeights.Epsilon);
        return [.. x.Select((v, d) => ((v - mean) * inv * scale[d]) + bias[d])];
    }

    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x))));

    private static double[] Add(double[] a, double[] b) => [.. a.Select((v, i) => v + b[i])];
}
