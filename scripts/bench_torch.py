#!/usr/bin/python3
"""PyTorch's CPU backend on the benchmark's three workloads, as ganplay runs them.

W1 the seed MLP GAN and W2 the DCGAN on 1x28x28 images, W3 the conditional
DCGAN on 3x32x32 colour images of 9 classes (ACGAN, three upsamplings, as
the shipped emoji model): same layers, batch 64, Adam 2e-4 with betas
(0.5, 0.999), BCE with logits (W3: plus the cross-entropy of D's class
logits on the real and the fake batch, for D and for G); a step is one D
step on a real and a detached fake batch, then one G step on the same
fakes, as ganplay's training step and PyTorch's DCGAN example; and the
time to sample 64 images in evaluation mode, with THREADS threads: OpenBLAS, OpenMP and
PyTorch's own pool are all set to it before torch loads (OpenBLAS keeps its
own pool otherwise, so "one thread" would not be one). Prints one JSON
object: {"torch", "blas", "blas_file", "gemm_gflops", "rows": [{engine,
where, threads, workload, steps_per_s, sample64_ms}]}; "blas" names the
library whose sgemm_ PyTorch calls (openblas, reference, blis, mkl, atlas
or unknown) and "gemm_gflops" is a 512x1024x1024 product's speed with
THREADS threads; --blas prints only those (no workloads).

Optional (a dev-only peer): Debian's python3-torch. With the reference
BLAS instead of OpenBLAS (libopenblas0-pthread) it runs several times
slower, which would make the comparison unfair: the JSON says which BLAS
answered and how fast a 512x1024x1024 product runs.
usage: /usr/bin/python3 scripts/bench_torch.py THREADS [SECONDS_PER_MEASURE]
       /usr/bin/python3 scripts/bench_torch.py --blas THREADS
"""
import json
import os
import statistics
import sys
import time

BLAS_ONLY = len(sys.argv) > 1 and sys.argv[1] == '--blas'
ARGS = sys.argv[2:] if BLAS_ONLY else sys.argv[1:]
THREADS = int(ARGS[0]) if ARGS else 1
MEASURE_S = float(ARGS[1]) if len(ARGS) > 1 else 4.0
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(THREADS)
# with more than one thread, OpenMP's and OpenBLAS's pools would spin against
# each other (on 2 cores that made 2 threads 3x slower than 1): OpenMP waits passively
if THREADS > 1:
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402 (after the thread counts)
from torch import nn  # noqa: E402

torch.manual_seed(1)
torch.set_num_threads(THREADS)
LATENT, BATCH, CLASSES = 100, 64, 9


def mlp():
    g = nn.Sequential(
        nn.Linear(LATENT, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2),
        nn.Linear(512, 1024), nn.BatchNorm1d(1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 784), nn.Tanh())
    d = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
    return g, d, (BATCH, 784), 0


def dcgan():
    g = nn.Sequential(
        nn.Linear(LATENT, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return g, d, (BATCH, 1, 28, 28), 0


def cdcgan32():
    """The 3x32x32 DCGAN with ACGAN's conditioning on 9 classes (src/gan/gan.c,
    dcgan_architecture): G takes z and the one-hot class, D gives a score and 9 class logits."""
    g = nn.Sequential(
        nn.Linear(LATENT + CLASSES, 128 * 4 * 4), nn.Unflatten(1, (128, 4, 4)), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.ConvTranspose2d(32, 3, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(3, 32, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 4 * 4, 1 + CLASSES))
    return g, d, (BATCH, 3, 32, 32), CLASSES


def measure(build):
    g, d, shape, classes = build()
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce, ce = nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss()
    real = torch.rand(shape) * 2 - 1
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    y_real = torch.arange(BATCH) % max(classes, 1)

    def g_in(z, y):  # z, then (conditional) the one-hot class
        return torch.cat([z, nn.functional.one_hot(y, classes).float()], 1) if classes else z

    def loss(out, target, y):  # D's score against target, plus (ACGAN) its class logits against y
        return bce(out[:, :1], target) + (ce(out[:, 1:], y) if classes else 0.0)

    def step():
        z = torch.randn(BATCH, LATENT)
        y_fake = torch.randint(0, max(classes, 1), (BATCH,))
        fake = g(g_in(z, y_fake))
        opt_d.zero_grad()
        (loss(d(real), ones, y_real) + loss(d(fake.detach()), zeros, y_fake)).backward()
        opt_d.step()
        opt_g.zero_grad()
        loss(d(fake), ones, y_fake).backward()
        opt_g.step()

    for _ in range(3):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < MEASURE_S:
        step()
        n += 1
    steps_per_s = n / (time.perf_counter() - t0)
    g.eval()
    z = g_in(torch.randn(64, LATENT), torch.arange(64) % max(classes, 1))
    times = []
    with torch.no_grad():
        for _ in range(3):
            g(z)
        t_end = time.perf_counter() + 2.0
        while len(times) < 21 and (time.perf_counter() < t_end or len(times) < 3):
            t = time.perf_counter()
            g(z)
            times.append((time.perf_counter() - t) * 1e3)
    return steps_per_s, statistics.median(times)


def gemm_gflops():
    a, b = torch.randn(512, 1024), torch.randn(1024, 1024)
    a @ b
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        a @ b
        n += 1
    return 2 * 512 * 1024 * 1024 * n / (time.perf_counter() - t0) / 1e9


def blas_file():
    """The file whose sgemm_ PyTorch's products call: looked up from
    libtorch_cpu's own scope (dlsym on its handle searches its dependencies
    in load order, as the dynamic linker resolved its calls), then dladdr.
    Debian's libblas.so.3 is an alternative (update-alternatives) that may
    point at the reference BLAS or at OpenBLAS, so the name alone says
    nothing; the resolved path says which."""
    import ctypes
    with open('/proc/self/maps') as f:
        torch_cpu = next(line.split()[-1] for line in f if 'libtorch_cpu' in line)
    addr = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value

    class DlInfo(ctypes.Structure):
        _fields_ = [('fname', ctypes.c_char_p), ('fbase', ctypes.c_void_p),
                    ('sname', ctypes.c_char_p), ('saddr', ctypes.c_void_p)]
    info = DlInfo()
    dladdr = ctypes.CDLL(None).dladdr
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    if not dladdr(addr, ctypes.byref(info)) or not info.fname:
        raise OSError('dladdr found no file for sgemm_')
    return os.path.realpath(info.fname.decode())


def blas_name():
    """(name, file): 'openblas', 'reference' (Debian's netlib BLAS, many
    times slower), 'blis', 'mkl', 'atlas' or 'unknown', and the file that
    answered (None when it could not be found)."""
    try:
        path = blas_file()
    except (OSError, StopIteration, AttributeError, ValueError):
        return 'unknown', None
    low = path.lower()
    for key in ('openblas', 'blis', 'mkl', 'atlas'):
        if key in low:
            return key, path
    if '/blas/' in low or 'netlib' in low:  # /usr/lib/<triplet>/blas/libblas.so.3
        return 'reference', path
    return 'unknown', path


def main():
    if BLAS_ONLY:
        blas, path = blas_name()
        print(json.dumps({'torch': torch.__version__, 'blas': blas, 'blas_file': path,
                          'gemm_gflops': round(gemm_gflops(), 1)}))
        return
    rows = []
    for name, build in (('mlp', mlp), ('dcgan', dcgan), ('cdcgan32', cdcgan32)):
        sps, ms = measure(build)
        rows.append({'engine': 'pytorch', 'where': 'native', 'threads': THREADS, 'workload': name,
                     'steps_per_s': round(sps, 3), 'sample64_ms': round(ms, 3)})
        print(f'pytorch {name}, {THREADS} thread(s): {sps:.2f} steps/s, 64 samples {ms:.2f} ms', file=sys.stderr)
    blas, path = blas_name()
    print(json.dumps({'torch': torch.__version__, 'blas': blas, 'blas_file': path,
                      'gemm_gflops': round(gemm_gflops(), 1), 'rows': rows}))


if __name__ == '__main__':
    main()
