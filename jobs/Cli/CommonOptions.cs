using System.CommandLine;

namespace DataPipe.Jobs.Cli;

/// <summary>Options several stage commands share, defined once so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Output(string description = "Output dataset folder") =>
        new("--output", "-o") { Description = description, Required = true };

    public static Option<int> Tasks(int defaultValue = 0) => new("--tasks")
    {
        Description = "Number of tasks the stage is split into (0: one per worker)",
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--tasks must be >= 0"); } },
    };

    public static Option<int> Workers() => new("--workers")
    {
        Description = "Tasks run at once on this machine",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--workers must be >= 1"); } },
    };

    public static Option<int> Attempts() => new("--attempts")
    {
        Description = "Attempts per task before the stage fails",
        DefaultValueFactory = _ => 2,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--attempts must be >= 1"); } },
    };

    public static Option<bool> Force() => new("--force") { Description = "Rerun even if the output is complete for this configuration" };

    public static Option<bool> KeepRejected() => new("--keep-rejected") { Description = "Also write dropped documents, with the reason, to OUTPUT/rejected/" };

    /// <summary><c>--set PATH=VALUE</c>, repeatable: changes a value of the pipeline file as it is loaded.</summary>
    public static Option<string[]> Set() => new("--set")
    {
        Description = "Change a value of the pipeline file as it is loaded, e.g. --set stages.train.options.steps=20, or --set train.steps=20 (STAGE.OPTION); a stage option is checked against its kind's options (repeatable)",
        DefaultValueFactory = _ => [],
    };
}
