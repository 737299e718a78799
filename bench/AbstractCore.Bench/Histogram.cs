using System.Numerics;

namespace AbstractCore.Bench;

/// <summary>
/// A log-linear histogram of nanoseconds in the HdrHistogram manner: exact below 256 ns, then 128 buckets per power of
/// two (under 0.8 % relative error). Fixed size, no allocation while recording; one per load loop, merged at the end.
/// </summary>
internal sealed class Histogram
{
    private const int SubBucketBits = 8;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int HalfSubBuckets = SubBuckets / 2;
    private const int Magnitudes = 64 - SubBucketBits;

    private readonly long[] _counts = new long[SubBuckets + Magnitudes * HalfSubBuckets];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public double Sum { get; private set; }

    public void Record(long nanoseconds)
    {
        var value = Math.Max(0, nanoseconds);
        _counts[Index(value)]++;
        Count++;
        Sum += value;
        if (value > Max)
        {
            Max = value;
        }
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
    }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>The value at percentile <paramref name="percent"/> (0–100), as the middle of its bucket.</summary>
    public double Percentile(double percent)
    {
        if (Count == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percent / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                var (low, high) = Bounds(i);
                return Math.Min((low + high - 1) / 2.0, Max);
            }
        }

        return Max;
    }

    private static int Index(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var shift = 64 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        return SubBuckets + (shift - 1) * HalfSubBuckets + (int)((value >> shift) - HalfSubBuckets);
    }

    private static (long Low, long High) Bounds(int index)
    {
        if (index < SubBuckets)
        {
            return (index, index + 1);
        }

        var shift = (index - SubBuckets) / HalfSubBuckets + 1;
        long top = (index - SubBuckets) % HalfSubBuckets + HalfSubBuckets;
        return (top << shift, (top + 1) << shift);
    }
}
