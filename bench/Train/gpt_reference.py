"""Reference GPT in PyTorch for the train-vs-pytorch benchmark (DataPipe bench/Train/TrainVsPyTorchBench.cs).

The same architecture as DataPipe.Train.Model.Gpt (GPT-2: pre-LayerNorm blocks, causal attention, GELU MLP, tied
head) with the same parameter names. It loads the C# model's initial weights and replays the C# loader's batches
with the C# learning rates, so the two loss curves must agree step for step. PyTorch 1.13 (Debian python3-torch)
has no scaled_dot_product_attention, so attention is written out: softmax(q·kᵀ/√d + causal mask)·v.
Prints torch.__config__.show() (how this PyTorch was built), then one JSON object: losses before each update, seconds
per step, CPU seconds of the training loop (all threads), peak resident memory, the BLAS library actually mapped into
the process (Debian's torch calls whatever libblas.so.3 the alternatives system selects: reference BLAS or OpenBLAS),
and this PyTorch's 2048x2048 float32 matmul rate at the same thread count.
"""
import json
import math
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, width, heads, bias):
        super().__init__()
        self.c_attn = nn.Linear(width, 3 * width, bias=bias)
        self.c_proj = nn.Linear(width, width, bias=bias)
        self.heads = heads

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Mlp(nn.Module):
    def __init__(self, width, bias):
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * width, width, bias=bias)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, width, heads, bias):
        super().__init__()
        # PyTorch 1.13's LayerNorm always has a bias; with bias=false the C# model has none and the export says so.
        self.ln_1 = nn.LayerNorm(width)
        self.attn = CausalSelfAttention(width, heads, bias)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = Mlp(width, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, width, bias):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.h = nn.ModuleList([Block(width, heads, bias) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t, dtype=torch.long))
        for block in self.h:
            x = block(x)
        logits = F.linear(self.ln_f(x), self.wte.weight)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def loaded_blas():
    """Real paths of the BLAS libraries mapped into this process (after a matmul has run)."""
    import os
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in os.path.basename(path):
                found.add(os.path.realpath(path))
    return sorted(found)


def matmul_gflops(n=2048, reps=8, rounds=3):
    """Best float32 n x n matmul rates of this PyTorch (2 n^3 flops each): GFLOP per wall second and per CPU second."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best_wall, best_cpu = 0.0, 0.0
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(reps):
            torch.mm(a, b)
        flops = 2.0 * n ** 3 * reps / 1e9
        best_wall = max(best_wall, flops / (time.perf_counter() - start))
        best_cpu = max(best_cpu, flops / (time.process_time() - cpu))
    return best_wall, best_cpu


def peak_resident_mib():
    """VmHWM of this process image (ru_maxrss would carry over the parent's peak across fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(export_dir):
    with open(f"{export_dir}/export.json") as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    c = spec["shape"]
    model = Gpt(c["vocab"], c["context"], c["layers"], c["heads"], c["width"], c["bias"])
    weights = np.fromfile(f"{export_dir}/weights.bin", dtype="<f4")
    params = dict(model.named_parameters())
    offset = 0
    with torch.no_grad():
        for name, shape in zip(spec["names"], spec["shapes"]):
            n = int(np.prod(shape))
            params[name].copy_(torch.from_numpy(weights[offset:offset + n].reshape(shape)))
            offset += n
    assert offset == weights.size, "weights.bin does not match the parameter list"

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": spec["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=spec["lrs"][0], betas=(spec["beta1"], spec["beta2"]), eps=1e-8)
    rows, context, accum = spec["rows"], c["context"], spec["accumulation"]
    batches = np.fromfile(f"{export_dir}/batches.bin", dtype="<i8").reshape(-1, 2, rows, context)
    losses, seconds, cpu_seconds_per_step = [], [], []
    print(torch.__config__.show(), flush=True)
    gflops, gflops_cpu = matmul_gflops()
    blas = loaded_blas()
    model.train()
    cpu_start = time.process_time()
    for step, lr in enumerate(spec["lrs"]):
        start, cpu_step = time.perf_counter(), time.process_time()
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        total = 0.0
        for micro in range(accum):
            pair = batches[step * accum + micro]
            x, y = torch.from_numpy(pair[0].copy()), torch.from_numpy(pair[1].copy())
            loss = model(x, y)
            (loss / accum).backward()
            total += loss.item()
        if spec["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), spec["grad_clip"])
        opt.step()
        seconds.append(time.perf_counter() - start)
        cpu_seconds_per_step.append(time.process_time() - cpu_step)
        losses.append(total / accum)
    cpu_seconds = time.process_time() - cpu_start
    peak_mib = peak_resident_mib()
    print(json.dumps({"losses": losses, "seconds": seconds, "cpu_seconds": cpu_seconds, "cpu_seconds_per_step": cpu_seconds_per_step, "peak_mib": peak_mib,
                      "torch": torch.__version__, "blas": blas, "matmul_gflops": gflops, "matmul_gflops_per_cpu_second": gflops_cpu,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1])
