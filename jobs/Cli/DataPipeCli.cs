using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Commands;
using Spectre.Console;

namespace DataPipe.Jobs.Cli;

/// <summary>The <c>datapipe</c> command line: one subcommand per stage and tool, each defined in <c>Commands/</c>.</summary>
public static class DataPipeCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("DataPipe: Common Crawl to a filtered, deduplicated, tokenized corpus, and a GPT trained on it.");
        foreach (var command in CommandCatalog.All()) root.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ReportError(e);
        }
    }

    /// <summary>Prints one line for the error (the innermost user-facing message), returns the exit code.</summary>
    public static int ReportError(Exception e)
    {
        var user = Find<DataPipeException>(e);
        if (user is not null)
        {
            Console.Error.WriteLine($"error: {user.Message}");
            return user.ExitCode;
        }
        if (Find<OperationCanceledException>(e) is not null)
        {
            Console.Error.WriteLine("error: interrupted; completed tasks are kept, rerun to resume");
            return 130;
        }
        Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
        if (Environment.GetEnvironmentVariable("DATAPIPE_DEBUG") == "1") Console.Error.WriteLine(e);
        return 1;
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is T t) return t;
            if (x is AggregateException agg && agg.InnerExceptions.Count > 0)
                return agg.InnerExceptions.Select(Find<T>).FirstOrDefault(r => r is not null);
        }
        return null;
    }

    /// <summary>Whether rich output (progress bars, colours) should be drawn.</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
}
