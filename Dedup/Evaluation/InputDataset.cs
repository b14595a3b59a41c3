using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Dedup.Evaluation;

/// <summary>
/// Writes a complete documents dataset (parts, then <c>_SUCCESS.json</c>) from documents made in memory, for the
/// ground-truth corpora of the dedup tests and benchmarks. Documents are spread over <c>parts</c> files in order,
/// each cut into row groups of <c>rowGroupRows</c>, so slicing among tasks has several units to balance.
/// </summary>
public static class InputDataset
{
    public static async Task WriteAsync(string dir, IEnumerable<Document> documents, long count, int parts, string identity,
        int rowGroupRows = 1000, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        Directory.CreateDirectory(dir);
        long perPart = (count + parts - 1) / parts;
        var outputs = new List<OutputFile>();
        int part = -1;
        DocumentWriter? writer = null;
        long inPart = 0, total = 0;
        var options = new DocumentWriterOptions { RowGroupRows = rowGroupRows };
        try
        {
            foreach (var d in documents)
            {
                if (writer is null || inPart == perPart)
                {
                    if (writer is not null) await Close().ConfigureAwait(false);
                    part++;
                    writer = await DocumentWriter.CreateAsync(Path.Combine(dir, DatasetFolder.PartFileName(part)), options, ct).ConfigureAwait(false);
                    inPart = 0;
                }
                await writer.WriteAsync(d, ct).ConfigureAwait(false);
                inPart++;
                total++;
            }
            if (writer is not null) await Close().ConfigureAwait(false);
        }
        finally
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
        }
        DatasetFolder.WriteJsonAtomic(Path.Combine(dir, DatasetFolder.SuccessFile), new SuccessRecord
        {
            Stage = "generated",
            ConfigHash = Core.Config.ConfigHash.Combine("generated", identity, total.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            TaskCount = part + 1,
            RowsIn = total,
            RowsOut = total,
            Schema = DocumentSchema.Describe(),
            Outputs = outputs,
            FinishedAt = DateTime.UnixEpoch,
        });

        async Task Close()
        {
            await writer!.DisposeAsync().ConfigureAwait(false);
            string p = Path.Combine(dir, DatasetFolder.PartFileName(part));
            outputs.Add(new OutputFile(Path.GetFileName(p), new FileInfo(p).Length));
            writer = null;
        }
    }
}
