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

    // Timed twice, as users call it: encode_ordinary per document (a pipeline's loop) and once on all documents joined
    // into one string (the best case for a WASM call's fixed costs). Best of `passes` after a warm-up, wall seconds
    // and CPU seconds of the node process (process.cpuUsage). Ids are written when idsPath is not "-".
    private const string Script = """
        const fs = require("fs");
        const { get_encoding } = require("tiktoken");
        const [docsPath, idsPath, encoding, passes] = process.argv.slice(2);
        const docs = fs.readFileSync(docsPath, "utf8").split("\n").filter(l => l.length > 0).map(l => JSON.parse(l));
        const joined = docs.join("\n\n");
        const enc = get_encoding(encoding);
        function time(work) {
          work();
          let wall = Infinity, cpu = Infinity, tokens = 0;
          for (let p = 0; p < Number(passes); p++) {
            const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
            tokens = work();
            const c = process.cpuUsage(c0);
            wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
            cpu = Math.min(cpu, (c.user + c.system) / 1e6);
          }
          return { wall, cpu, tokens };
        }
        const perDoc = time(() => { let n = 0; for (const d of docs) n += enc.encode_ordinary(d).length; return n; });
        const oneString = time(() => enc.encode_ordinary(joined).length);
        if (idsPath !== "-") {
          const out = fs.openSync(idsPath, "w");
          for (const d of docs) {
            const ids = enc.encode_ordinary(d);
            const buf = Buffer.alloc(4 + 4 * ids.length);
            buf.writeInt32LE(ids.length, 0);
            for (let i = 0; i < ids.length; i++) buf.writeInt32LE(ids[i], 4 + 4 * i);
            fs.writeSync(out, buf);
          }
          fs.closeSync(out);
        }
        console.log(JSON.stringify({ seconds: perDoc.wall, cpuSeconds: perDoc.cpu, tokens: perDoc.tokens,
          oneStringSeconds: oneString.wall, oneStringCpuSeconds: oneString.cpu, oneStringTokens: oneString.tokens }));
        """;

    /// <summary>Per document: best wall and CPU seconds and tokens; the same for one joined string; ids per document when asked.</summary>
    public sealed record Result(double Seconds, double CpuSeconds, long Tokens, double OneStringSeconds, double OneStringCpuSeconds, long OneStringTokens, List<int[]>? Ids);

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

    /// <summary>Writes the documents for the peer once; pass the path to <see cref="Encode"/>.</summary>
    public static string WriteDocuments(IReadOnlyList<string> docs, string workDir)
    {
        string docsPath = Path.Combine(workDir, "docs.jsonl");
        using var w = new StreamWriter(docsPath);
        foreach (var d in docs) w.WriteLine(JsonSerializer.Serialize(d));
        return docsPath;
    }

    /// <summary>One node process: tiktoken timed on the documents (and their ids read back when <paramref name="withIds"/>).</summary>
    public static Result Encode(string docsPath, int count, string encoding, int passes, string workDir, bool withIds)
    {
        string peers = EnsureInstalled();
        string idsPath = withIds ? Path.Combine(workDir, $"ids-{encoding}.bin") : "-";
        var run = Harness.SideBySide.Run("node", [Path.Combine(peers, "tiktoken-bench.js"), docsPath, idsPath, encoding, passes.ToString(System.Globalization.CultureInfo.InvariantCulture)], peers);
        var json = run.LastJson();
        List<int[]>? ids = null;
        if (withIds)
        {
            ids = new List<int[]>(count);
            using var r = new BinaryReader(File.OpenRead(idsPath));
            for (int i = 0; i < count; i++)
            {
                var a = new int[r.ReadInt32()];
                for (int k = 0; k < a.Length; k++) a[k] = r.ReadInt32();
                ids.Add(a);
            }
        }
        return new Result(json.GetProperty("seconds").GetDouble(), json.GetProperty("cpuSeconds").GetDouble(), json.GetProperty("tokens").GetInt64(),
            json.GetProperty("oneStringSeconds").GetDouble(), json.GetProperty("oneStringCpuSeconds").GetDouble(), json.GetProperty("oneStringTokens").GetInt64(), ids);
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
