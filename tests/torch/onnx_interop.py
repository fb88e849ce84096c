#!/usr/bin/python3
"""ganplay and ONNX Runtime draw the same images.

Every shipped generator (models/*.gpm) is exported by `scripts/gpm_torch.py
onnx`; onnxruntime-node (tests/onnx, one thread) runs it on the latents that
`ganplay sample --z` gets, and on the same one-hot classes for a conditional
model (sample i of class i mod classes); the images agree within 1e-5 (largest
absolute difference). The comparison can fail: the same export with one
weight moved by 0.05 must differ from ganplay's images by more than that.
Run by `make test-torch` (make test) where Debian's python3-torch is
installed; the Makefile installs onnxruntime-node first (npm ci --prefix
tests/onnx --ignore-scripts).
usage: /usr/bin/python3 tests/torch/onnx_interop.py   (from the repository root, after make)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import gpm_torch as gt  # noqa: E402

GANPLAY = os.path.join(ROOT, 'build', 'ganplay')
ORT = os.path.join(ROOT, 'tests', 'onnx', 'node_modules', 'onnxruntime-node', 'package.json')
TOLERANCE = 1e-5
COUNT = 20  # every class of a 10-class model twice
failures = 0


def check(ok, what, detail=''):
    global failures
    print(f"{'ok  ' if ok else 'FAIL'} {what}{f' ({detail})' if detail else ''}", flush=True)
    if not ok:
        failures += 1
    return ok


def export(model, out):
    """scripts/gpm_torch.py onnx, in this process (torch is imported once)."""
    if gt.main(['onnx', model, out]) != 0:
        raise RuntimeError(f'gpm_torch.py onnx {model} failed')


def main():
    if not os.path.exists(ORT):
        check(False, 'onnxruntime-node is installed in tests/onnx (npm ci --prefix tests/onnx --ignore-scripts; '
              'make test-torch does it)')
        return 1
    version = json.load(open(ORT))['version']
    tmp = tempfile.mkdtemp(prefix='ganplay-onnx-')
    path = lambda n: os.path.join(tmp, n)
    models = sorted(f for f in os.listdir(os.path.join(ROOT, 'models')) if f.endswith('.gpm'))
    rng = np.random.default_rng(23)
    jobs, cases = [], []
    for name in models:
        model = os.path.join(ROOT, 'models', name)
        m = gt.read_gpm(open(model, 'rb').read())
        classes = len(m['class_names'])
        onnx_file, z = path(name + '.onnx'), path(name + '.z')
        export(model, onnx_file)
        rng.standard_normal((COUNT, m['latent'])).astype('<f4').tofile(z)
        ours = path(name + '.ganplay.f32')
        subprocess.run([GANPLAY, 'sample', '--model', model, '--count', str(COUNT), '--z', z, '--raw', ours],
                       check=True, capture_output=True)
        jobs.append({'onnx': onnx_file, 'z': z, 'count': COUNT, 'latent': m['latent'], 'classes': classes,
                     'out': path(name + '.ort.f32')})
        cases.append((name, m['image'], classes, ours))
    # the first model again, one weight of its last layer moved by 0.05
    state = gt.to_torch(gt.read_gpm(open(os.path.join(ROOT, 'models', models[0]), 'rb').read()))
    key = 'G_ema' if 'G_ema' in state else 'G'
    weight = [k for k, v in state[key].items() if v.dim() > 1][-1]
    with torch.no_grad():
        state[key][weight].view(-1)[0] += 0.05
    torch.save(state, path('moved.pt'))
    export(path('moved.pt'), path('moved.onnx'))
    jobs.append({**jobs[0], 'onnx': path('moved.onnx'), 'out': path('moved.ort.f32')})
    json.dump(jobs, open(path('jobs.json'), 'w'))
    r = subprocess.run(['node', os.path.join(ROOT, 'tests', 'onnx', 'run.mjs'), path('jobs.json')], capture_output=True, text=True)
    if not check(r.returncode == 0, f'onnxruntime-node {version} runs the {len(jobs)} exports', r.stderr.strip()[-400:]):
        return 1

    diffs = []
    for (name, (c, h, w), classes, ours), job in zip(cases, jobs):
        a, b = np.fromfile(ours, dtype='<f4'), np.fromfile(job['out'], dtype='<f4')
        diff = float(np.abs(a - b).max()) if a.shape == b.shape == (COUNT * c * h * w,) else float('inf')
        diffs.append(diff)
        check(diff <= TOLERANCE and float(a.std()) > 0.1,
              f'{name}: ganplay and ONNX Runtime draw the same {COUNT} images of {c}x{h}x{w} from the same latents'
              f'{f" and classes (i mod {classes})" if classes else ""}',
              f'largest difference {diff:.2e}, spread {float(a.std()):.2f}')
    a, b = np.fromfile(cases[0][3], dtype='<f4'), np.fromfile(jobs[-1]['out'], dtype='<f4')
    moved = float(np.abs(a - b).max()) if a.shape == b.shape else float('inf')
    check(moved > TOLERANCE, f'{models[0]} with one weight of {key}.{weight} moved by 0.05 no longer passes: the comparison can fail',
          f'largest difference {moved:.2e}')
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"onnx interop: {len(models)} generators, largest difference {max(diffs):.2e}; "
          f"{'all checks passed' if not failures else f'{failures} FAILED'}")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
