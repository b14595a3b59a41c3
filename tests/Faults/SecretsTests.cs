using System.Diagnostics;
using DataPipe.Core.Datasets;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Faults;

public class SecretsTests
{
    /// <summary>
    /// Ingest over s3:// against an S3-compatible endpoint on loopback: one object served, one answering 403. The
    /// credentials come from the environment or from an AWS profile file; the server sees requests signed with the key
    /// id, and the secret appears nowhere: not on the console, not in any log, record or <c>_SUCCESS.json</c>.
    /// </summary>
    [Theory]
    [InlineData("environment")]
    [InlineData("profile")]
    public async Task S3_credentials_come_from_the_environment_or_profile_and_never_reach_logs_or_records(string source)
    {
        using var dir = new TempDir("secrets");
        await using var server = new LoopbackHttpServer();
        server.Files["crawl/good.warc.gz"] = File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "warc", "cc-whirlwind.warc.gz"));
        server.FixedStatus["crawl/denied.warc.gz"] = 403;
        string keyId = "AKIADATAPIPETEST" + Guid.NewGuid().ToString("N")[..4].ToUpperInvariant();
        string secret = "s3cr3t-" + Guid.NewGuid().ToString("N");

        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_S3"] = server.BaseUrl.TrimEnd('/'),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
        };
        if (source == "environment")
        {
            env["AWS_ACCESS_KEY_ID"] = keyId;
            env["AWS_SECRET_ACCESS_KEY"] = secret;
        }
        else
        {
            File.WriteAllText(dir["credentials"], $"[datapipe-test]\naws_access_key_id = {keyId}\naws_secret_access_key = {secret}\n");
            env["AWS_SHARED_CREDENTIALS_FILE"] = dir["credentials"];
            env["AWS_CONFIG_FILE"] = dir["config-none"];
            env["AWS_PROFILE"] = "datapipe-test";
        }
        File.WriteAllText(dir["pipeline.yaml"], """
            output: out
            inputs: { warc: [ "s3://crawl/good.warc.gz", "s3://crawl/denied.warc.gz" ] }
            executor: { workers: 1, attempts: 1 }
            stages:
              - { name: ingest, kind: ingest, input: warc, tasks: 1 }
            """);

        var (code, stdout, stderr) = await RunAsync(env, "run", dir["pipeline.yaml"]);

        Assert.True(code == 0, stderr);
        var success = DatasetFolder.ReadSuccess(dir["out/ingest"])!;
        Assert.True(success.RowsOut > 0);
        Assert.Contains(server.Authorizations, a => a.Contains($"Credential={keyId}/", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, stdout + stderr);
        foreach (var f in Directory.EnumerateFiles(dir["out"], "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(f).Contains(secret, StringComparison.Ordinal), $"{f} contains the secret");
        // The denied object is reported by URL, not retried, and not fatal.
        Assert.Contains(File.ReadAllLines(DatasetFolder.TaskLogPath(dir["out/ingest"], 0)), l => l.Contains("s3://crawl/denied.warc.gz", StringComparison.Ordinal));
        Assert.Equal(1, server.RequestsFor("crawl/denied.warc.gz"));
    }

    private static async Task<(int, string, string)> RunAsync(Dictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(JobsFixtures.DatapipeDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
