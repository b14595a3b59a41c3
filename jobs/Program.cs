using DataPipe.Jobs.Cli;

return await DataPipeCli.RunAsync(args);
