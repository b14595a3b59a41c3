namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>The stage kinds a pipeline file may name. <see cref="BuiltIn"/> holds every kind this project ships.</summary>
public sealed class StageKinds
{
    private readonly Dictionary<string, IStageKind> _kinds = new(StringComparer.Ordinal);

    public StageKinds(IEnumerable<IStageKind> kinds)
    {
        foreach (var k in kinds) Add(k);
    }

    public static StageKinds BuiltIn() => new(
    [
        new IngestKind(),
        new FilterKind(),
        new DedupKind(),
        new DecontaminateKind(),
        new TokenizeKind(),
        new TrainKind(),
        new ReshardKind(),
    ]);

    public StageKinds Add(IStageKind kind)
    {
        if (!_kinds.TryAdd(kind.Kind, kind)) throw new InvalidOperationException($"stage kind '{kind.Kind}' registered twice");
        return this;
    }

    public IStageKind? Find(string kind) => _kinds.GetValueOrDefault(kind);

    public IEnumerable<string> Names => _kinds.Keys.Order(StringComparer.Ordinal);
}
