using DataPipe.Core.Errors;

namespace DataPipe.Core.Execution;

/// <summary>
/// The <c>device</c> option of the stages that train with TorchSharp (the quality classifier, the GPT): <c>auto</c>
/// takes CUDA when TorchSharp reports a GPU, <c>cuda</c> insists on it, <c>cpu</c> never asks. Decided here once for
/// both; Core does not reference TorchSharp, so the caller passes its <c>torch.cuda.is_available</c>.
/// </summary>
public static class ComputeDevice
{
    /// <summary>True when the work should run on CUDA; <paramref name="cudaAvailable"/> is asked only when it matters.</summary>
    public static bool UseCuda(string requested, Func<bool> cudaAvailable) => requested.ToLowerInvariant() switch
    {
        "cpu" => false,
        "cuda" => cudaAvailable() ? true : throw new DataPipeException("device 'cuda' requested but TorchSharp reports no CUDA device (is a TorchSharp-cuda package and a GPU present?)"),
        "auto" => cudaAvailable(),
        _ => throw new DataPipeException($"device must be auto, cpu or cuda, is '{requested}'"),
    };
}
