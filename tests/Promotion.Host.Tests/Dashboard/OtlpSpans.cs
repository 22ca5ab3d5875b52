using System.Text;

namespace Promotion.Host.Tests.Dashboard;

/// <summary>One span as an OTLP trace export carries it (the fields the tests look at).</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var v) ? v : null;
}

/// <summary>
/// Reads the spans of an OTLP/HTTP protobuf trace export (<c>ExportTraceServiceRequest</c>) with a
/// minimal protobuf wire reader: no OTLP proto package restores here, and the tests need only ids,
/// names and attributes.
/// </summary>
public static class OtlpSpans
{
    // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.scope_spans = 2; ScopeSpans.spans = 2.
    public static IEnumerable<OtlpSpan> Read(byte[] body)
    {
        foreach (var resourceSpans in Fields(body, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    yield return Span(span);
                }
            }
        }
    }

    // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, attributes = 9 (KeyValue: key = 1, value = 2).
    private static OtlpSpan Span(ReadOnlyMemory<byte> span)
    {
        string? traceId = null, spanId = null, parent = null, name = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in All(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = value.Length == 0 ? null : Convert.ToHexStringLower(value.Span); break;
                case 5: name = Encoding.UTF8.GetString(value.Span); break;
                case 9:
                    var key = Encoding.UTF8.GetString(Fields(value, 1).Single().Span);
                    attributes[key] = AnyValue(Fields(value, 2).Single());
                    break;
            }
        }

        return new OtlpSpan(traceId!, spanId!, parent, name!, attributes);
    }

    // AnyValue: string_value = 1 (length-delimited), bool_value = 2, int_value = 3 (varints), double_value = 4 (fixed64).
    private static string AnyValue(ReadOnlyMemory<byte> any)
    {
        var reader = new Reader(any);
        while (reader.TryNext(out var field, out var wireType, out var bytes, out var number))
        {
            return (field, wireType) switch
            {
                (1, 2) => Encoding.UTF8.GetString(bytes.Span),
                (2, 0) => number != 0 ? "true" : "false",
                (3, 0) => ((long)number).ToString(System.Globalization.CultureInfo.InvariantCulture),
                (4, 1) => BitConverter.UInt64BitsToDouble(number).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "?",
            };
        }

        return "";
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> message, int wanted) =>
        All(message).Where(f => f.Field == wanted).Select(f => f.Value);

    private static List<(int Field, ReadOnlyMemory<byte> Value)> All(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var reader = new Reader(message);
        while (reader.TryNext(out var field, out var wireType, out var bytes, out _))
        {
            if (wireType == 2)
            {
                fields.Add((field, bytes));
            }
        }

        return fields;
    }

    private sealed class Reader(ReadOnlyMemory<byte> data)
    {
        private int _at;

        public bool TryNext(out int field, out int wireType, out ReadOnlyMemory<byte> bytes, out ulong number)
        {
            bytes = default;
            number = 0;
            field = wireType = 0;
            if (_at >= data.Length)
            {
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    number = Varint();
                    break;
                case 1:
                    number = BitConverter.ToUInt64(data.Span.Slice(_at, 8));
                    _at += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    bytes = data.Slice(_at, length);
                    _at += length;
                    break;
                case 5:
                    number = BitConverter.ToUInt32(data.Span.Slice(_at, 4));
                    _at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType} at {_at}");
            }

            return true;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data.Span[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}
