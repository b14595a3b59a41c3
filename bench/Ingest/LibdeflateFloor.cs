using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// A second inflate floor beside the runtime's zlib: libdeflate (Debian's libdeflate0, whole-buffer DEFLATE, among
/// the fastest decoders there are), inflating every gzip member of the file from one in-memory copy, nothing else.
/// It answers whether parsing could reach a target in compressed MB/s with a faster decoder. Loaded at run time if
/// installed; the benchmark says so and goes on when it is not.
/// </summary>
internal static unsafe class LibdeflateFloor
{
    private const string Library = "libdeflate.so.0";

    public static (double Seconds, double CpuSeconds, long Inflated, long Members)? Measure(string file)
    {
        if (!NativeLibrary.TryLoad(Library, out var lib)) return null;
        try
        {
            var alloc = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "libdeflate_alloc_decompressor");
            var free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "libdeflate_free_decompressor");
            var gunzip = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint*, nuint*, int>)NativeLibrary.GetExport(lib, "libdeflate_gzip_decompress_ex");
            byte[] input = File.ReadAllBytes(file);
            byte[] output = new byte[64 << 20];
            nint d = alloc();
            try
            {
                var sw = Stopwatch.StartNew();
                double cpu0 = Harness.SideBySide.ThreadCpuSeconds();
                long pos = 0, inflated = 0, members = 0;
                fixed (byte* inp = input)
                fixed (byte* outp = output)
                {
                    while (pos < input.Length)
                    {
                        nuint read, written;
                        int status = gunzip(d, inp + pos, (nuint)(input.Length - pos), outp, (nuint)output.Length, &read, &written);
                        if (status != 0) throw new InvalidDataException($"libdeflate status {status} at offset {pos} of {file}");
                        pos += (long)read;
                        inflated += (long)written;
                        members++;
                    }
                }
                return (sw.Elapsed.TotalSeconds, Harness.SideBySide.ThreadCpuSeconds() - cpu0, inflated, members);
            }
            finally
            {
                free(d);
            }
        }
        finally
        {
            NativeLibrary.Free(lib);
        }
    }
}
