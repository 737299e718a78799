using System.Runtime.InteropServices;

namespace AbstractCore.TinyModels;

/// <summary>
/// A small ONNX graph builder that writes the ModelProto directly (field numbers from onnx.proto):
/// tensors as raw little-endian data, dimensions fixed or symbolic, nodes with int/float attributes.
/// </summary>
internal sealed class OnnxGraph
{
    public const int FloatType = 1;
    public const int Int32Type = 6;
    public const int Int64Type = 7;
    public const string MicrosoftDomain = "com.microsoft";

    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private int _nodeCount;

    public void Input(string name, int elementType, params object[] dims) => _inputs.Add(ValueInfo(name, elementType, dims));

    public void Output(string name, int elementType, params object[] dims) => _outputs.Add(ValueInfo(name, elementType, dims));

    public string Floats(string name, float[] values, params long[] dims) =>
        Initializer(name, FloatType, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims);

    public string Int64s(string name, long[] values, params long[] dims) =>
        Initializer(name, Int64Type, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims);

    /// <summary>Adds a node; attributes are (name, int) or (name, float) pairs. Returns the first output's name.</summary>
    public string Node(string opType, string[] inputs, string[] outputs, string? domain = null, params (string Name, object Value)[] attributes)
    {
        var name = $"{opType}_{_nodeCount++}";
        _nodes.Add(w =>
        {
            foreach (var input in inputs)
            {
                w.String(1, input);
            }

            foreach (var output in outputs)
            {
                w.String(2, output);
            }

            w.String(3, name).String(4, opType);
            foreach (var (attrName, value) in attributes)
            {
                w.Message(5, a =>
                {
                    a.String(1, attrName);
                    switch (value)
                    {
                        case float f: a.Float(2, f).Int(20, 1); break;
                        case int i: a.Int(3, i).Int(20, 2); break;
                        case long l: a.Int(3, l).Int(20, 2); break;
                        case long[] ints:
                            foreach (var v in ints)
                            {
                                a.Int(8, v);
                            }

                            a.Int(20, 7);
                            break;
                        default: throw new ArgumentException($"Unsupported attribute {attrName}: {value}");
                    }
                });
            }

            if (domain is not null)
            {
                w.String(7, domain);
            }
        });
        return outputs[0];
    }

    /// <summary>A node with one output named after the node's own counter.</summary>
    public string Op(string opType, params string[] inputs) => Node(opType, inputs, [$"t{_nodeCount}_{opType}"]);

    public string Op(string opType, string[] inputs, params (string Name, object Value)[] attributes) =>
        Node(opType, inputs, [$"t{_nodeCount}_{opType}"], null, attributes);

    public byte[] ToModel(string graphName)
    {
        var model = new ProtoWriter()
            .Int(1, 8) // IR version 8
            .String(2, "AbstractCore.TinyModels")
            .Message(7, g =>
            {
                _nodes.ForEach(n => g.Message(1, n));
                g.String(2, graphName);
                _initializers.ForEach(i => g.Message(5, i));
                _inputs.ForEach(i => g.Message(11, i));
                _outputs.ForEach(o => g.Message(12, o));
            })
            .Message(8, o => o.String(1, "").Int(2, 17))
            .Message(8, o => o.String(1, MicrosoftDomain).Int(2, 1));
        return model.ToArray();
    }

    private string Initializer(string name, int elementType, byte[] raw, long[] dims)
    {
        _initializers.Add(t =>
        {
            foreach (var d in dims)
            {
                t.Int(1, d);
            }

            t.Int(2, elementType).String(8, name).Bytes(9, raw);
        });
        return name;
    }

    private static Action<ProtoWriter> ValueInfo(string name, int elementType, object[] dims) => v => v
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Int(1, elementType)
            .Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d =>
                    {
                        if (dim is string symbol)
                        {
                            d.String(2, symbol);
                        }
                        else
                        {
                            d.Int(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    });
                }
            })));
}
