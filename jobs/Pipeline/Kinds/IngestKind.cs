using DataPipe.Core.Stages;
using DataPipe.Ingest;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: ingest</c>: WARC/WET files (named inputs: paths, folders, globs, listings, https://, s3://) → documents.
/// Options mirror <see cref="IngestOptions"/>: <c>extractor</c>, <c>languages</c>, <c>max_record_bytes</c>,
/// <c>max_header_bytes</c>, <c>max_body_bytes</c>, <c>min_text_chars</c>. Without <c>tasks:</c>, one task per input file.
/// </summary>
public sealed class IngestKind : IStageKind
{
    public string Kind => "ingest";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count == 0) throw spec.Section.Error("input", "an ingest stage needs at least one named input (WARC/WET locations)");
        var inputs = spec.Input.SelectMany(i => context.Resolve(spec.Section, "input", i).Paths).ToList();
        var defaults = new IngestOptions();
        var o = spec.Options;
        var options = new IngestOptions
        {
            Inputs = inputs,
            Tasks = spec.Tasks ?? 0,
            Extractor = o.String("extractor", defaults.Extractor),
            Languages = o.OptionalStringList("languages") ?? defaults.Languages,
            MaxRecordBytes = o.Int("max_record_bytes", defaults.MaxRecordBytes, min: 1024),
            MaxHeaderBytes = o.Int("max_header_bytes", defaults.MaxHeaderBytes, min: 256),
            MaxBodyBytes = o.Int("max_body_bytes", defaults.MaxBodyBytes, min: 1024),
            MinTextChars = o.Int("min_text_chars", defaults.MinTextChars, min: 0),
        };
        try
        {
            // Unknown extractor or language codes are configuration errors: report them against the file now.
            _ = Ingest.Extraction.ExtractorCatalog.Create(options.Extractor);
        }
        catch (Exception e) when (e is Core.Errors.DataPipeException or ArgumentException)
        {
            throw o.Error("extractor", e.Message);
        }
        try
        {
            foreach (var code in options.Languages) Ingest.Language.LanguageIdentifier.ToLanguage(code);
        }
        catch (Exception e) when (e is Core.Errors.DataPipeException or ArgumentException)
        {
            throw o.Error("languages", e.Message);
        }
        return
        [
            new PipelineStep
            {
                StageName = spec.Name,
                Name = spec.Name,
                Kind = Kind,
                OutputDir = spec.OutputDir,
                Tasks = spec.Tasks ?? context.Executor.Workers,
                Resources = spec.Resources,
                Build = async ct => (IStage)await IngestStage.CreateAsync(options, ct: ct).ConfigureAwait(false),
            },
        ];
    }
}
