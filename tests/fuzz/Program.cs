using System.Text;
using DataPipe.Fuzz.Targets;
using SharpFuzz;

// DataPipe.Fuzz: the AFL++ harness and its helpers (tests/fuzz/run.sh drives it).
//   list                           the targets
//   seeds TARGET DIR               write the target's seed corpus into DIR
//   dict TARGET FILE               write the target's tokens as an AFL++ dictionary
//   instrument TARGET              print the assemblies run.sh instruments for the target, one a line
//   afl TARGET                     run under afl-fuzz (SharpFuzz fork server, target in a child process)
//   replay TARGET FILE...          run inputs once (crash triage); exit 1 on a finding
//   hostile SCENARIO               one full-size bomb / giant-record scenario; prints its result as JSON (hostile-memory bench)
//   smoke TARGET [MUTATIONS] [DIR] the in-process mutation smoke that CI runs; findings' inputs saved in DIR; exit 1 on a finding
if (args.Length == 0 || args[0] == "list")
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-20} {t.Parser}");
    return 0;
}
if (args.Length == 2 && args[0] == "hostile")
{
    Console.WriteLine(DataPipe.Fuzz.Hostile.HostileScenarios.ToJson(DataPipe.Fuzz.Hostile.HostileScenarios.Run(args[1])));
    return 0;
}
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DataPipe.Fuzz list | hostile SCENARIO | seeds TARGET DIR | dict TARGET FILE | instrument TARGET | afl TARGET | replay TARGET FILE... | smoke TARGET [MUTATIONS]");
    return 2;
}
var target = FuzzTargets.Get(args[1]);
switch (args[0])
{
    case "seeds":
        {
            Directory.CreateDirectory(args[2]);
            foreach (var s in target.Seeds()) File.WriteAllBytes(Path.Combine(args[2], s.Name), s.Data);
            return 0;
        }
    case "dict":
        {
            // AFL++ dictionary syntax: name="value" with \xNN escapes for anything but printable ASCII.
            var sb = new StringBuilder();
            int n = 0;
            foreach (var token in target.Dictionary)
            {
                sb.Append('t').Append(n++).Append("=\"");
                foreach (byte b in Encoding.Latin1.GetBytes(token))
                    sb.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
                sb.Append("\"\n");
            }
            File.WriteAllText(args[2], sb.ToString());
            return 0;
        }
    case "instrument":
        foreach (var a in target.Instrument) Console.WriteLine(a);
        return 0;
    case "afl":
        // Out of process: a stack overflow or fail-fast in the parser is reported as a crash instead of taking the
        // fork server down. A finding escapes as FuzzFindingException, which SharpFuzz reports as a crash.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Execute(buffer.ToArray());
        });
        return 0;
    case "replay":
        {
            int findings = 0;
            foreach (var file in args[2..])
            {
                try
                {
                    string? rejected = target.Execute(File.ReadAllBytes(file));
                    Console.WriteLine($"{file}: {(rejected is null ? "accepted" : "rejected: " + rejected)}");
                }
                catch (FuzzFindingException e)
                {
                    findings++;
                    Console.WriteLine($"{file}: FINDING {e.Message}\n{e.InnerException}");
                }
            }
            return findings == 0 ? 0 : 1;
        }
    case "smoke":
        {
            int mutations = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300;
            string? saveTo = args.Length > 3 ? Directory.CreateDirectory(args[3]).FullName : null;
            int saved = 0;
            var report = MutationSmoke.Run(target, mutations, onFinding: (what, data) =>
            {
                Console.WriteLine("FINDING " + what);
                if (saveTo is not null) File.WriteAllBytes(Path.Combine(saveTo, $"finding-{saved++:D4}"), data);
            });
            Console.WriteLine($"{report.Target}: {report.Executions} executions, {report.Rejected} rejected, {report.Findings.Count} findings, {report.Elapsed.TotalSeconds:F1} s");
            return report.Findings.Count == 0 ? 0 : 1;
        }
    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
