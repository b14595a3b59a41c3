using DataPipe.Bench;

return await BenchCatalog.RunAsync(args);
