using AbstractCore.Attachments;
using AbstractCore.TestKit.Documents;

namespace AbstractCore.Tests.Attachments;

public sealed class AttachmentTextTests
{
    [Fact]
    public void Block_delimits_the_document_by_name() =>
        Assert.Equal("--- Content from a.txt ---\nbody\n--- End of a.txt ---", AttachmentText.Block("a.txt", "body"));

    [Fact]
    public void Appended_as_the_original_sent_it()
    {
        var attachment = AttachmentReader.Read(TestDocuments.Text("Hello world"), "hello.txt");

        var text = AttachmentText.Append("What is in this text file?", [attachment.Block!]);

        Assert.Equal(
            "What is in this text file?\n\n\n\n--- Content from hello.txt ---\n# Text Content\n" +
            "Document Statistics: 2 words, 1 lines\n\n## Content:\nHello world\n--- End of hello.txt ---", text);
    }

    [Fact]
    public void Several_documents_each_follow_four_newlines()
    {
        var text = AttachmentText.Append("Compare", [("a.txt", "A"), ("b.txt", "B")]);

        Assert.Equal(
            "Compare\n\n\n\n--- Content from a.txt ---\nA\n--- End of a.txt ---" +
            "\n\n\n\n--- Content from b.txt ---\nB\n--- End of b.txt ---", text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_user_text_the_blocks_stand_alone(string? userText) =>
        Assert.Equal("--- Content from a.txt ---\nA\n--- End of a.txt ---", AttachmentText.Append(userText, [("a.txt", "A")]));

    [Fact]
    public void No_documents_leave_the_text_alone() =>
        Assert.Equal("Just a question", AttachmentText.Append("Just a question", Array.Empty<string>()));
}
