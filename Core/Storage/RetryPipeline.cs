using System.Net.Sockets;
using Amazon.Runtime;
using Polly;
using Polly.Retry;

namespace DataPipe.Core.Storage;

/// <summary>
/// The retry policy of remote storage: exponential backoff with jitter (Polly), a bounded number of attempts, and
/// only transient failures retried. Permanent answers (403, 404, ...) surface at once as a <c>StorageException</c>.
/// </summary>
public static class RetryPipeline
{
    public static ResiliencePipeline Create(StorageOptions options, string uri, StorageReadContext read)
    {
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                OnRetry = args =>
                {
                    read.Retry(uri, args.Outcome.Exception?.Message ?? "failed", args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public static bool IsTransient(Exception e) => e switch
    {
        Errors.StorageException => false,
        TransientStorageException => true,
        HttpRequestException h => h.StatusCode is null || IsTransientStatus((int)h.StatusCode),
        AmazonServiceException a => (int)a.StatusCode >= 500 || (int)a.StatusCode is 408 or 429 || a.StatusCode == 0,
        TimeoutException => true,
        TaskCanceledException => true, // HttpClient timeouts surface as TaskCanceledException; caller cancellation is checked by Polly first.
        SocketException => true,
        IOException => true,
        _ => false,
    };

    public static bool IsTransientStatus(int status) => status is >= 500 or 408 or 429;
}
