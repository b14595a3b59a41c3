using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DataPipe.Train;

/// <summary>
/// Writes <see cref="TrainConfig"/> as YAML with snake_case keys (<c>layers: 6</c>, <c>warmup_steps: 100</c>): the
/// <c>train.yaml</c> of a run folder, which is also a valid <c>--config</c> file. Reading is done in one place, the train
/// stage kind's option schema (jobs, <c>TrainKind.Schema</c>), so a file, a flag and a pipeline's options share names,
/// ranges and errors.
/// </summary>
public static class TrainConfigFile
{
    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.Preserve)
        .Build();

    public static string ToYaml(TrainConfig config) => Writer.Serialize(config);
}
