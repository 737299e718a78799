namespace AbstractCore.TinyModels;

/// <summary>A fixed, platform-independent random sequence, so the same spec always gives the same bytes.</summary>
internal sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Uniform values in [-amplitude, amplitude).</summary>
    public float[] Floats(int count, float amplitude)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var z = _state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            z ^= z >> 31;
            values[i] = (float)(((z >> 40) / (double)(1UL << 24) * 2) - 1) * amplitude;
        }

        return values;
    }
}
