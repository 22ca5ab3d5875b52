using System.Globalization;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;

namespace Promotion.Host.Endpoints;

/// <summary>
/// The failure report of a campaign: one row per member and channel that failed, with the
/// reason. CSV streams straight from the store; XLSX is written row by row (OpenXmlWriter) to a
/// temporary file, since a zip package needs a seekable stream, then streamed out.
/// </summary>
internal static class CampaignReport
{
    public enum Format
    {
        Csv,
        Xlsx,
    }

    private static readonly string[] Header = ["memberId", "channel", "reason", "at"];

    public static async Task<IResult> WriteAsync(string id, ICampaignStore store, HttpContext http, Format format)
    {
        if (ApiProblems.ParseId(id) is not { } guid)
        {
            return ApiProblems.Invalid("id", "id must be a UUID");
        }

        var ct = http.RequestAborted;
        if (await store.GetStatusAsync(guid, ct) is null)
        {
            return ApiProblems.NotFound($"no campaign {guid}");
        }

        var rows = store.ReadFailuresAsync(guid, ct);
        if (format == Format.Csv)
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"campaign-{guid}-failures.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, leaveOpen: true);
            await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, true);
            await csv.WriteRecordAsync(Header, ct);
            await foreach (var f in rows)
            {
                await csv.WriteRecordAsync(
                    [f.MemberId.ToString(CultureInfo.InvariantCulture), f.Channel.ToWire(), f.Reason, f.At.ToString("O", CultureInfo.InvariantCulture)], ct);
            }

            await csv.FlushAsync(ct);
            return Results.Empty;
        }

        var path = Path.GetTempFileName();
        try
        {
            await WriteWorkbookAsync(path, rows);
            http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"campaign-{guid}-failures.xlsx\"";
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            await file.CopyToAsync(http.Response.Body, ct);
            return Results.Empty;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task WriteWorkbookAsync(string path, IAsyncEnumerable<SendFailure> rows)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        var sheetPart = workbookPart.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(sheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            WriteRow(writer, Header.Select(h => Cell(h)));
            await foreach (var f in rows)
            {
                WriteRow(writer, [new Cell { DataType = CellValues.Number, CellValue = new CellValue(f.MemberId.ToString(CultureInfo.InvariantCulture)) },
                    Cell(f.Channel.ToWire()), Cell(f.Reason), Cell(f.At.ToString("O", CultureInfo.InvariantCulture))]);
            }

            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Id = workbookPart.GetIdOfPart(sheetPart), SheetId = 1, Name = "failures" }));
        workbookPart.Workbook.Save();
    }

    private static Cell Cell(string text) => new() { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text)) };

    private static void WriteRow(OpenXmlWriter writer, IEnumerable<Cell> cells)
    {
        writer.WriteStartElement(new Row());
        foreach (var c in cells)
        {
            writer.WriteElement(c);
        }

        writer.WriteEndElement();
    }
}
