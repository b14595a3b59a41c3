using DataPipe.Core.Stages;
using DataPipe.Core.Errors;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Language;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: ingest</c>: WARC/WET files (named inputs: paths, folders, globs, listings, https://, s3://) → documents.
/// Its options are <see cref="Schema"/>'s (<see cref="IngestOptions"/> in snake_case). Without <c>tasks:</c>, one task
/// per input file.
/// </summary>
public sealed class IngestKind : IStageKind
{
    /// <summary>Ingest's options, declared once for the pipeline's <c>options:</c> and <c>datapipe ingest</c>'s flags.</summary>
    public static readonly OptionSchema<IngestOptions> Schema = new OptionSchema<IngestOptions>("ingest options")
        .String("extractor", "Main-text extractor", o => o.Extractor, (o, v) => o with { Extractor = v }, choices: [.. ExtractorCatalog.Names])
        .StringList("languages", "Languages the identifier chooses among, ISO 639-1 (empty: 24 common languages)", o => o.Languages, (o, v) => o with { Languages = v })
        .Int("max_record_bytes", "Largest WARC record read, decompressed (bigger ones are skipped and counted)", o => o.MaxRecordBytes, (o, v) => o with { MaxRecordBytes = v }, min: 1024)
        .Int("max_header_bytes", "Longest WARC or HTTP header block", o => o.MaxHeaderBytes, (o, v) => o with { MaxHeaderBytes = v }, min: 256)
        .Int("max_body_bytes", "Largest HTTP payload after removing transfer and content codings", o => o.MaxBodyBytes, (o, v) => o with { MaxBodyBytes = v }, min: 1024)
        .Int("min_text_chars", "Pages with less main text than this are skipped as empty", o => o.MinTextChars, (o, v) => o with { MinTextChars = v }, min: 0)
        .Check(o =>
        {
            // A language code the identifier does not know is a configuration error, named now rather than mid-run.
            try
            {
                foreach (var code in o.Languages) LanguageIdentifier.ToLanguage(code);
                return null;
            }
            catch (Exception e) when (e is DataPipeException or ArgumentException)
            {
                return ("languages", e.Message);
            }
        });

    public string Kind => "ingest";

    public IOptionSchema? Options => Schema.WithDefaults(new IngestOptions());


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count == 0) throw spec.Section.Error("input", "an ingest stage needs at least one named input (WARC/WET locations)");
        var inputs = spec.Input.SelectMany(i => context.Resolve(spec.Section, "input", i).Paths).ToList();
        var options = Schema.Read(spec.Options, new IngestOptions { Inputs = inputs, Tasks = spec.Tasks ?? 0 });
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
