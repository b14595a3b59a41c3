using DataPipe.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DataPipe.Train;

/// <summary>
/// Reads and writes <see cref="TrainConfig"/> as YAML with snake_case keys (<c>layers: 6</c>, <c>warmup_steps: 100</c>).
/// An unknown key or a value of the wrong type fails with the file, line and key named.
/// </summary>
public static class TrainConfigFile
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.Preserve)
        .Build();

    public static TrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new DataPipeException($"{path}: train config not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static TrainConfig Parse(string yaml, string source = "train config")
    {
        try
        {
            return (Reader.Deserialize<TrainConfig>(yaml) ?? new TrainConfig()).Validate();
        }
        catch (YamlException e)
        {
            string what = (e.InnerException?.Message ?? e.Message).Split('\n')[0];
            throw new DataPipeException($"{source}: line {e.Start.Line}: {what}", e);
        }
    }

    public static string ToYaml(TrainConfig config) => Writer.Serialize(config);
}
