namespace DataPipe.Dedup.Clustering;

/// <summary>
/// Disjoint sets over document indices (Tarjan 1975), with union by size and path halving. Only documents that
/// appear in some pair get a node, so memory follows the number of duplicates, not the size of the corpus.
/// </summary>
public sealed class UnionFind
{
    private readonly Dictionary<long, int> _node = [];
    private readonly List<long> _doc = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _size = [];

    public int Count => _doc.Count;

    public void Union(long a, long b)
    {
        int ra = Find(NodeOf(a)), rb = Find(NodeOf(b));
        if (ra == rb) return;
        if (_size[ra] < _size[rb]) (ra, rb) = (rb, ra);
        _parent[rb] = ra;
        _size[ra] += _size[rb];
    }

    /// <summary>The node of the set holding <paramref name="doc"/>, or -1 when the document is in no pair.</summary>
    public int SetOf(long doc) => _node.TryGetValue(doc, out int n) ? Find(n) : -1;

    /// <summary>The sets with two or more members, each sorted by document index, ordered by their smallest member.</summary>
    public List<long[]> Sets()
    {
        var byRoot = new Dictionary<int, List<long>>();
        for (int i = 0; i < _doc.Count; i++)
        {
            int r = Find(i);
            if (!byRoot.TryGetValue(r, out var list)) byRoot[r] = list = [];
            list.Add(_doc[i]);
        }
        var sets = byRoot.Values.Where(l => l.Count > 1).Select(l => { var a = l.ToArray(); Array.Sort(a); return a; }).ToList();
        sets.Sort((x, y) => x[0].CompareTo(y[0]));
        return sets;
    }

    private int NodeOf(long doc)
    {
        if (_node.TryGetValue(doc, out int n)) return n;
        n = _doc.Count;
        _node[doc] = n;
        _doc.Add(doc);
        _parent.Add(n);
        _size.Add(1);
        return n;
    }

    private int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]];
            x = _parent[x];
        }
        return x;
    }
}
