using System.Text;
using AbstractCore.Chat.Forwarding;

namespace AbstractCore.Tests.Chat.Forwarding;

public sealed class FrameBufferTests
{
    [Fact]
    public void Each_frame_is_held_whole_however_long_until_the_next()
    {
        using var frames = new FrameBuffer();
        var small = Encoding.UTF8.GetBytes("""{"choices":[]}""");
        var large = Encoding.UTF8.GetBytes(new string('x', 100_000));

        Assert.Equal(small, frames.Hold(small).ToArray());
        Assert.Equal(large, frames.Hold(large).ToArray());
        Assert.Equal(small, frames.Hold(small).ToArray());
        Assert.True(frames.Hold([]).IsEmpty);
    }

    [Fact]
    public void A_disposed_buffer_refuses_frames()
    {
        var frames = new FrameBuffer();
        frames.Dispose();
        frames.Dispose();

        Assert.Throws<ObjectDisposedException>(() => frames.Hold("{}"u8));
    }
}
