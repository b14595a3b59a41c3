using System.CommandLine;

namespace DataPipe.Jobs.Commands;

/// <summary>Every subcommand of <c>datapipe</c>, in help order. Each lives in its own file in this folder.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        // ingest:
        IngestCommand.Create(),
        // extract:
        ExtractCommand.Create(),
        // filter:
        FilterCommand.Create(),
        // dedup:
        DedupCommand.Create(),
        // decontaminate:
        DecontaminateCommand.Create(),
        // tokenize:
        TokenizeCommand.Create(),
        TokenizerTrainCommand.Create(),
        // train:
        TrainCommand.Create(),
        GenerateCommand.Create(),
        // jobs (run, task, status, inspect):
        RunCommand.Create(),
        TaskCommand.Create(),
        StatusCommand.Create(),
        InspectCommand.Create(),
        // scaling, compression, ablate:
        ScalingCommand.Create(),
        AblateCommand.Create(),
        CompressionCommand.Create(),
        // real-web corpus:
        RealWebCorpusCommand.Create(),
        RealWebClassifierCommand.Create(),
        // other:
    ];
}
