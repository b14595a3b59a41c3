using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.S3.Model;
using DataPipe.Core.Errors;

namespace DataPipe.Core.Storage;

/// <summary>
/// <c>s3://bucket/key</c> objects through AWSSDK.S3. Credentials come from the SDK's standard chain (environment
/// variables, the AWS profile, instance roles); with none, requests are anonymous, which is how Common Crawl's public
/// bucket can be read. Region from <c>AWS_REGION</c> (default us-east-1, where Common Crawl lives); an S3-compatible
/// endpoint from <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>. Credentials are never logged.
/// </summary>
public sealed class S3Storage(StorageOptions options) : IStorageBackend
{
    private readonly Lazy<IAmazonS3> _client = new(CreateClient);

    public bool Handles(string uri) => uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    internal static (string Bucket, string Key) Parse(string uri)
    {
        string rest = uri[5..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) throw new DataPipeException($"{uri}: not an s3://bucket/key URI");
        return (rest[..slash], rest[(slash + 1)..]);
    }

    private static IAmazonS3 CreateClient()
    {
        var config = new AmazonS3Config
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1"),
            MaxErrorRetry = 0, // retries are ours, so they are counted and bounded in one place
        };
        string? endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
        }
        AWSCredentials credentials;
        try
        {
            credentials = new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(config);
        }
        catch (AmazonClientException)
        {
            credentials = new AnonymousAWSCredentials();
        }
        return new AmazonS3Client(credentials, config);
    }

    public async Task<Stream> OpenReadAsync(string uri, StorageReadContext read, CancellationToken ct)
    {
        var (bucket, key) = Parse(uri);
        var stream = new ResumableReadStream(uri, async (offset, t) =>
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key };
            if (offset > 0) request.ByteRange = new ByteRange(offset, long.MaxValue - 1);
            try
            {
                var response = await _client.Value.GetObjectAsync(request, t).ConfigureAwait(false);
                long total = offset + response.ContentLength;
                return (new OwnedReadStream(response.ResponseStream, response), (long?)total);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest)
            {
                throw new StorageException(uri, $"S3 {(int)e.StatusCode} {e.ErrorCode} (not retried)", e);
            }
        }, RetryPipeline.Create(options, uri, read), options.RequestTimeout);
        try
        {
            await stream.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not StorageException and not OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new StorageException(uri, $"GET failed after {options.MaxRetries} retries: {e.Message}", e) { RetriesExhausted = true };
        }
        return stream;
    }

    public async Task<IReadOnlyList<string>> GlobAsync(string pattern, CancellationToken ct)
    {
        var (bucket, keyPattern) = Parse(pattern);
        string prefix = Glob.FixedPrefix(keyPattern);
        var regex = Glob.ToRegex(keyPattern);
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        try
        {
            ListObjectsV2Response response;
            do
            {
                response = await _client.Value.ListObjectsV2Async(request, ct).ConfigureAwait(false);
                keys.AddRange((response.S3Objects ?? []).Select(o => o.Key).Where(k => regex.IsMatch(k)));
                request.ContinuationToken = response.NextContinuationToken;
            }
            while (response.IsTruncated == true);
        }
        catch (AmazonServiceException e)
        {
            throw new StorageException(pattern, $"S3 list failed: {(int)e.StatusCode} {e.ErrorCode}", e);
        }
        return [.. keys.Order(StringComparer.Ordinal).Select(k => $"s3://{bucket}/{k}")];
    }
}
