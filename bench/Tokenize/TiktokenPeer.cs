using System.Diagnostics;
using System.Text.Json;

namespace DataPipe.Bench.Tokenize;

/// <summary>
/// OpenAI's tiktoken (the npm package, Rust compiled to WebAssembly) as a peer: installed into bench/.peers on first
/// use, run by node on the same documents, single-threaded. It warms up with one pass, then times
/// <c>encode_ordinary</c> over every document (best of <c>passes</c>) and writes every document's ids.
/// </summary>
internal static class TiktokenPeer
{
    public const string Package = "tiktoken@1.0.22";

    private const string Script = """
        const fs = require("fs");
        const { get_encoding } = require("tiktoken");
        const [docsPath, idsPath, encoding, passes] = process.argv.slice(2);
        const docs = fs.readFileSync(docsPath, "utf8").split("\n").filter(l => l.length > 0).map(l => JSON.parse(l));
        const enc = get_encoding(encoding);
        for (const d of docs) enc.encode_ordinary(d);
        let best = Infinity, tokens = 0;
        for (let p = 0; p < Number(passes); p++) {
          tokens = 0;
          const t0 = process.hrtime.bigint();
          for (const d of docs) tokens += enc.encode_ordinary(d).length;
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          if (s < best) best = s;
        }
        const out = fs.openSync(idsPath, "w");
        for (const d of docs) {
          const ids = enc.encode_ordinary(d);
          const buf = Buffer.alloc(4 + 4 * ids.length);
          buf.writeInt32LE(ids.length, 0);
          for (let i = 0; i < ids.length; i++) buf.writeInt32LE(ids[i], 4 + 4 * i);
          fs.writeSync(out, buf);
        }
        fs.closeSync(out);
        console.log(JSON.stringify({ seconds: best, tokens }));
        """;

    public sealed record Result(double Seconds, long Tokens, List<int[]> Ids);

    /// <summary>bench/.peers with tiktoken installed (npm install on first use).</summary>
    public static string EnsureInstalled()
    {
        string peers = Path.Combine(TokenizeBenchCorpus.RepoRoot(), "bench", ".peers");
        if (!File.Exists(Path.Combine(peers, "node_modules", "tiktoken", "package.json")))
        {
            Directory.CreateDirectory(peers);
            Console.WriteLine($"installing {Package} into {peers} (npm)");
            Run("npm", ["install", "--prefix", peers, "--no-audit", "--no-fund", "--silent", Package], peers);
        }
        File.WriteAllText(Path.Combine(peers, "tiktoken-bench.js"), Script);
        return peers;
    }

    public static Result Encode(IReadOnlyList<string> docs, string encoding, int passes, string workDir)
    {
        string peers = EnsureInstalled();
        string docsPath = Path.Combine(workDir, "docs.jsonl"), idsPath = Path.Combine(workDir, $"ids-{encoding}.bin");
        using (var w = new StreamWriter(docsPath))
            foreach (var d in docs) w.WriteLine(JsonSerializer.Serialize(d));
        string stdout = Run("node", [Path.Combine(peers, "tiktoken-bench.js"), docsPath, idsPath, encoding, passes.ToString(System.Globalization.CultureInfo.InvariantCulture)], peers);
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var ids = new List<int[]>(docs.Count);
        using (var r = new BinaryReader(File.OpenRead(idsPath)))
        {
            for (int i = 0; i < docs.Count; i++)
            {
                var a = new int[r.ReadInt32()];
                for (int k = 0; k < a.Length; k++) a[k] = r.ReadInt32();
                ids.Add(a);
            }
        }
        return new Result(json.RootElement.GetProperty("seconds").GetDouble(), json.RootElement.GetProperty("tokens").GetInt64(), ids);
    }

    private static string Run(string file, string[] args, string workDir)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
