#!/usr/bin/python3
"""The PyTorch bridge refuses what ganplay refuses (scripts/gpm_torch.py).

- gpm_torch.py's copies of the C core's limits and of its settings table
  are the core's (`ganplay settings`, src/).
- to-torch on valid model files (grey and colour) mutated many ways (truncations, flipped
  header fields, a bad checksum, bad counts, names, settings, layer records,
  non-finite weights, a bad history): it refuses exactly when
  `ganplay info --model` refuses, with one line and exit 1, writing nothing.
- train_torch.py refuses every bad argument before any work (a number out
  of the settings table's range or not finite, a missing, unreadable or
  malformed --data, an --out it cannot write, a run whose file ganplay would
  refuse): one line, exit 1, no traceback, no training, nothing written.
Run by `make test-torch` where Debian's python3-torch is installed.
usage: /usr/bin/python3 tests/torch/refuse.py   (from the repository root, after make)
"""
import contextlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
import gpm_torch as gt  # noqa: E402
import train_torch as tt  # noqa: E402

GANPLAY = os.path.join(ROOT, 'build', 'ganplay')
DATA = os.path.join(ROOT, 'build', 'data', 'mnist.bin')
failures = 0
checks = 0


def check(ok, what, detail=''):
    global failures, checks
    checks += 1
    if not ok:
        print(f"FAIL {what}{f' ({detail})' if detail else ''}", flush=True)
        failures += 1
    return ok


def ints(source, name):
    """A #define of a whole number in src/: N, (Nu << S), ((type)N << S)."""
    for line in open(os.path.join(ROOT, 'src', source)):
        if line.startswith(f'#define {name} '):
            text = re.sub(r'\((size_t|uint64_t)\)', '', line.split(None, 2)[2].split('/*')[0]).replace('u', '')
            m = re.fullmatch(r'\s*\(*\s*(\d+)\s*(?:<<\s*(\d+))?\s*\)*\s*', text)
            return int(m[1]) << int(m[2] or 0)


def limits():
    """The copies in gpm_torch.py are the core's."""
    want = {'MAX_LAYERS': ints('nn/net.h', 'GP_MAX_LAYERS'), 'MAX_CLASSES': ints('gan/config.h', 'GP_MAX_CLASSES'),
            'MODEL_MAX_BYTES': ints('store/modelfile.h', 'GP_MODEL_MAX_BYTES'),
            'MAX_SAMPLE_FLOATS': ints('nn/net.c', 'MAX_SAMPLE_FLOATS'), 'MAX_PARAMS': ints('nn/net.c', 'MAX_PARAMS'),
            'MAX_COL_FLOATS': ints('nn/net.c', 'MAX_COL_FLOATS'),
            'NAME_LEN': ints('gan/config.h', 'GP_NAME_LEN'), 'MODEL_VERSION': ints('store/modelfile.h', 'GP_MODEL_VERSION'),
            'HISTORY_MAX_POINTS': ints('gan/history.h', 'GP_HISTORY_MAX_POINTS'),
            'HISTORY_MAX_FD': ints('gan/history.h', 'GP_HISTORY_MAX_FD'),
            'HISTORY_MAX_SNAPSHOTS': ints('gan/history.h', 'GP_HISTORY_MAX_SNAPSHOTS'),
            'HISTORY_MAX_SIDE': ints('gan/history.h', 'GP_HISTORY_MAX_SIDE')}
    got = {k: getattr(gt, k) for k in want}
    check(got == want, "gpm_torch.py's limits are the C core's", f'{got} vs {want}')
    table = json.loads(subprocess.run([GANPLAY, 'settings'], capture_output=True, text=True, check=True).stdout)
    rows = {r['name']: (r['type'], r['min'], r['max'], r['min_open'], r['max_open']) for r in table['settings']}
    check(rows == gt.SETTINGS, "gpm_torch.py's copy of the settings table is `ganplay settings`'",
          str({k: (rows.get(k), gt.SETTINGS.get(k)) for k in set(rows) | set(gt.SETTINGS) if rows.get(k) != gt.SETTINGS.get(k)}))
    presets = {p['name']: p['is_2d'] for p in table['presets']}
    check(presets == gt.PRESETS, "gpm_torch.py's presets are `ganplay settings`'", f'{presets}')
    check(gt.settings_table() == (rows, presets), 'gpm_torch.py reads the table from the binary where it runs')


def fix_crc(b):
    return b[:-4] + struct.pack('<I', zlib.crc32(b[:-4]))


def raw(m):
    """The bytes write_gpm makes of m, unchecked (to make files ganplay may refuse)."""
    keep = gt.check_model
    gt.check_model = lambda m: None
    try:
        return gt.write_gpm(m)
    finally:
        gt.check_model = keep


def poke(b, at, fmt, *v):
    b = bytearray(b)
    struct.pack_into(fmt, b, at, *v)
    return fix_crc(bytes(b))


def history(snaps=1, side=4):
    """A valid history: 2 chart points, no FD point, snaps snapshots of side x side."""
    out = struct.pack('<I', 2) + bytes(40) + struct.pack('<I', 0) + struct.pack('<3I', snaps, side, side)
    for k in range(snaps):
        out += struct.pack('<I', 10 * k) + bytes(side * side)
    return out


def colour_mutations(colour):
    """(what, bytes) for a colour training state (3x32x32, nine classes, the
    DCGAN's three upsamplings): as it is, and shapes its networks do not make."""
    c = gt.read_gpm(colour)
    with_ = lambda **kw: raw({**c, **kw})
    recs = [list(r) for r in c['G']['records']]
    last_convt = max(i for i, r in enumerate(recs) if r[0] == gt.CONVT2D)
    recs[last_convt][1] = 1
    return [
        ('a colour training state as it is', colour),
        ('a colour state declaring 1 channel', with_(image=[1, 32, 32])),
        ('a colour state declaring 3x32x28', with_(image=[3, 32, 28])),
        ('a colour state whose D takes 1 channel', with_(D={**c['D'], 'in': [1, 32, 32]})),
        ('a colour state whose G makes 1 channel', with_(G={**c['G'], 'records': recs})),
    ]


def mutations(state, gen, colour):
    """(what, bytes) for a training state (a conditional ACGAN DCGAN with a
    moving average and a history), a float16 generator and a colour training state."""
    yield from colour_mutations(colour)
    s, g = gt.read_gpm(state), gt.read_gpm(gen)
    sb = raw(s)
    assert sb == state, 'the writer round-trips the training state'

    def with_(base=s, **kw):
        return raw({**base, **kw})

    def setting(name, value, base=s):
        return with_(base, settings=[(n, value if n == name else v) for n, v in base['settings']])

    def net(which, base=s, **kw):
        return with_(base, **{which: {**base[which], **kw}})

    def record(which, i, field, value, base=s):
        recs = [list(r) for r in base[which]['records']]
        recs[i][field] = value
        return net(which, base, records=recs)

    def poisoned(which, what, value=np.nan):
        a = np.array(s[which][what], dtype=np.float32)
        a[len(a) // 2] = value
        return net(which, **{what: a})

    first = lambda which, *kinds: next(i for i, r in enumerate(s[which]['records']) if r[0] in kinds)
    lin, bn, conv, act = first('G', gt.LINEAR), first('G', gt.BATCHNORM2D), first('G', gt.CONVT2D), first('D', gt.LEAKY_RELU)
    half = len(state) // 2
    hist = s['history']
    flip_mid = bytearray(state)
    flip_mid[half] ^= 0x40
    yield from [
        ('an empty file', b''),
        ('the magic alone', state[:8]),
        ('half the file', state[:half]),
        ('half the file, its checksum made again', fix_crc(state[:half] + bytes(4))),
        ('one byte short, its checksum made again', fix_crc(state[:-5] + bytes(4))),
        ('4 trailing bytes, its checksum made again', fix_crc(state[:-4] + bytes(4) + bytes(4))),
        ('a bad magic', b'GPMX' + state[4:]),
        ('a bad checksum', state[:-1] + bytes([state[-1] ^ 1])),
        ('a flipped byte in the weights', bytes(flip_mid)),
        ('version 3', poke(state, 4, '<I', 3)),
        ('version 0', poke(state, 4, '<I', 0)),
        ('an unknown flag', poke(state, 8, '<I', 1 | 4 | 8)),
        ('a training state in float16', poke(state, 8, '<I', 1 | 2 | 4)),
        ('a generator with a history flag', poke(gen, 8, '<I', 2 | 4)),
        ('an unknown preset', with_(preset='gan')),
        ('a quote in the preset', with_(preset='ml"p')),
        ('3 channels', with_(image=[3, 28, 28])),
        ('2 channels', with_(image=[2, 28, 28])),
        ('4 channels', with_(image=[4, 28, 28])),
        ('an image of height 0', with_(image=[1, 0, 28])),
        ('an image of height 300', with_(image=[1, 300, 28])),
        ('batch 1', with_(batch=1, settings=[(n, 1.0 if n == 'batch' else v) for n, v in s['settings']])),
        ('batch 5000 in the header', with_(batch=5000)),
        ('latent 0', with_(latent=0, settings=[(n, 0.0 if n == 'latent' else v) for n, v in s['settings']])),
        ('latent 99 (not the generator\'s input)', with_(latent=99, settings=[(n, 99.0 if n == 'latent' else v) for n, v in s['settings']])),
        ('a latent size that differs between header and settings', with_(latent=50)),
        ('d_steps 0', with_(d_steps=0)),
        ('loss 9', with_(loss=9)),
        ('lr_g NaN', with_(floats=[np.nan] + s['floats'][1:])),
        ('lr_g 0', with_(floats=[0.0] + s['floats'][1:], settings=[(n, 0.0 if n == 'lr_g' else v) for n, v in s['settings']])),
        ('lr_g 2', with_(floats=[2.0] + s['floats'][1:], settings=[(n, 2.0 if n == 'lr_g' else v) for n, v in s['settings']])),
        ('beta1 1', with_(floats=s['floats'][:2] + [1.0] + s['floats'][3:])),
        ('adam_eps 0', with_(floats=s['floats'][:4] + [0.0] + s['floats'][5:])),
        ('real_label 0.2', with_(floats=s['floats'][:5] + [0.2])),
        ('a step count of 2^31', with_(g_steps=2**31)),
        ('a NaN last loss', with_(last=[np.nan, 0.0, 0.5, 0.5])),
        ('an empty dataset name', with_(dataset='')),
        ('a control character in the dataset name', with_(dataset='mn\x01ist')),
        ('17 classes', with_(class_names=[f'c{k}' for k in range(17)])),
        ('1 class', with_(class_names=['zero'])),
        ('classes without conditioning', setting('cond', 0.0)),
        ('a backslash in a class name', with_(class_names=['a\\b'] + s['class_names'][1:])),
        ('a byte past ASCII in a class name', with_(class_names=[gt.name_str(b'caf\xe9')] + s['class_names'][1:])),
        ('an unknown setting', with_(settings=s['settings'] + [('foo', 1.0)])),
        ('the seed as a setting', with_(settings=s['settings'] + [('seed', 1.0)])),
        ('ema 1', setting('ema', 1.0)),
        ('ema NaN', setting('ema', np.nan)),
        ('300 settings', with_(settings=s['settings'] + [('loss', 0.0)] * 300)),
        ('a generator of no layer', net('G', records=[])),
        ('a generator of 33 layers', net('G', records=s['G']['records'] + [[gt.TANH] + [0] * 7 + [0.0, 0.0]] * (33 - len(s['G']['records'])))),
        ('layer kind 99', record('D', act, 0, 99)),
        ('a Linear of another width', record('G', lin, 1, s['G']['records'][lin][1] + 1)),
        ('a Linear of 2^21 outputs', record('G', lin, 1, 1 << 21)),
        ('a kernel of 9', record('G', conv, 4, 9)),
        ('a ConvTranspose2d with spectral norm', record('G', conv, 7, gt.SPECTRAL_NORM)),
        ('BatchNorm eps 0', record('G', bn, 9, 0.0)),
        ('a LeakyReLU slope of 1.5', record('D', act, 8, 1.5)),
        ('one parameter fewer', net('G', params=s['G']['params'][:-1], adam_m=s['G']['adam_m'][:-1], adam_v=s['G']['adam_v'][:-1])),
        ('a NaN weight in G', poisoned('G', 'params')),
        ('an infinite BatchNorm buffer in G', poisoned('G', 'buffers', np.inf)),
        ("a NaN in D's Adam moments", poisoned('D', 'adam_v')),
        ('a NaN in the moving average', with_(ema=np.where(np.arange(len(s['ema'])) == 3, np.nan, s['ema']).astype(np.float32))),
        ("D's input of another shape", net('D', **{'in': [2, 28, 28]})),
        ('D with one output more', record('D', len(s['D']['records']) - 1, 1, s['D']['records'][-1][1] + 1)),
        ('a history one byte short', with_(history=hist[:-1])),
        ('a history of 300 snapshots', with_(history=history(300))),
        ('a history out of step order', with_(history=history(3)[:4 + 40 + 4 + 12] + b''.join(
            struct.pack('<I', step) + bytes(16) for step in (20, 10, 30)))),
        ('a valid small history', with_(history=history(2))),
        ('a generator with a moving average setting', setting('ema', 0.99, base=g)),
        ('an infinite float16 weight', poke(gen, len(gen) - 4 - 2 * (len(g['G']['params']) + len(g['G']['buffers'])), '<H', 0x7c00)),
        ('the training state as it is', state),
        ('the generator as it is', gen),
    ]


def to_torch(path, out):
    """(exit code, stderr, a traceback if one) of `gpm_torch.py to-torch` run in this process."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            rc = gt.main(['to-torch', path, out])
        return rc, err.getvalue(), None
    except BaseException as e:  # noqa: BLE001: what would be a traceback
        return None, err.getvalue(), f'{type(e).__name__}: {e}'


def dataset(path, count, h, w, label=lambda i: i % 10, c=1):
    """A ganplay dataset file of count blank c x h x w images."""
    labels = bytes(label(i) for i in range(count))
    open(path, 'wb').write(b'GPDS' + struct.pack('<5I', 1, count, h, w, c) + bytes(count * c * h * w) + labels)


def run_in_process(fn, argv):
    """(exit code, stdout, stderr, a traceback if one) of fn(argv) in this process."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = fn(argv)
        return rc, out.getvalue(), err.getvalue(), None
    except BaseException as e:  # noqa: BLE001: what would be a traceback (or argparse's exit 2)
        return None, out.getvalue(), err.getvalue(), f'{type(e).__name__}: {e}'


def train_torch_arguments(path):
    """Every bad argument refused before any work: one line, exit 1."""
    dataset(path('one-class.bin'), 20, 28, 28, label=lambda i: 0)
    dataset(path('odd-sides.bin'), 20, 30, 30)
    dataset(path('label-12.bin'), 20, 28, 28, label=lambda i: 12)
    dataset(path('two-channels.bin'), 20, 32, 32, c=2)
    dataset(path('colour-odd-sides.bin'), 20, 30, 30, c=3)
    open(path('short.bin'), 'wb').write(open(DATA, 'rb').read(100))
    os.makedirs(path('a-directory'), exist_ok=True)
    cases = {
        '--lr-g nan': ['--lr-g', 'nan'], '--lr-g inf': ['--lr-g', 'inf'], '--lr-g 0': ['--lr-g', '0'],
        '--lr-d -1': ['--lr-d', '-1'], '--lr-g 2': ['--lr-g', '2'], '--lr-g in hex': ['--lr-g', '0x1p-3'],
        '--beta1 1': ['--beta1', '1'], '--beta1 nan': ['--beta1', 'nan'], '--beta2 1.5': ['--beta2', '1.5'],
        '--beta2 0.99999999 (1 as float32)': ['--beta2', '0.99999999'],
        '--latent 0': ['--latent', '0'], '--latent 1025': ['--latent', '1025'], '--batch 1': ['--batch', '1'],
        '--batch 5000': ['--batch', '5000'], '--steps 0': ['--steps', '0'], '--steps 1.5': ['--steps', '1.5'],
        '--steps 100000001': ['--steps', '100000001'], '--seed -1': ['--seed', '-1'],
        '--seed 2^53': ['--seed', '9007199254740992'], '--seed 1e3': ['--seed', '1e3'], '--ema 1': ['--ema', '1'],
        '--ema nan': ['--ema', 'nan'], '--log-every 0': ['--log-every', '0'], '--preset gan': ['--preset', 'gan'],
        '--loss hinge (not trained here)': ['--loss', 'hinge'],
        'no --data': ['--data', None], '--data missing': ['--data', path('none.bin')],
        '--data a text file': ['--data', os.path.join(ROOT, 'README.md')], '--data truncated': ['--data', path('short.bin')],
        '--data with a label 12': ['--data', path('label-12.bin')], '--data a directory': ['--data', path('a-directory')],
        'no --out': ['--out', None], '--out in a missing directory': ['--out', '/nonexistent/x.gpm'],
        '--out a directory': ['--out', path('a-directory')],
        '--cond acgan on one class (a model ganplay refuses)': ['--cond', 'acgan', '--data', path('one-class.bin')],
        '--preset dcgan on 30x30 images': ['--preset', 'dcgan', '--data', path('odd-sides.bin')],
        '--data of 2 channels': ['--data', path('two-channels.bin')],
        '--preset dcgan on 3x30x30 images': ['--preset', 'dcgan', '--data', path('colour-odd-sides.bin')],
    }
    if not tt.torch.cuda.is_available():
        cases['--device cuda without a device'] = ['--device', 'cuda']
    out = path('tt.gpm')
    for what, extra in cases.items():
        args = {'--preset': 'mlp', '--data': DATA, '--steps': '1', '--batch': '4', '--out': out}
        rest = []
        for k in range(0, len(extra), 2):
            if extra[k] in args:
                args[extra[k]] = extra[k + 1]
            else:
                rest += extra[k:k + 2]
        argv = [x for k, v in args.items() if v is not None for x in (k, v)] + rest
        rc, stdout, stderr, tb = run_in_process(tt.main, argv)
        check(rc == 1 and tb is None and stderr.startswith('train_torch: ') and len(stderr.splitlines()) == 1
              and stdout == '' and not os.path.exists(out) and os.listdir(path('a-directory')) == [],
              f'train_torch.py {what}: refused before any work, one line, exit 1',
              f'exit {rc}, {(tb or stderr).strip()[-200:]!r}, stdout {stdout[-100:]!r}')
    check(len(cases) >= 30, f'{len(cases)} bad arguments to train_torch.py')
    # as a process: the script's exit status and one line
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'train_torch.py'), '--preset', 'mlp', '--data', DATA,
                        '--steps', '1', '--latent', '0', '--out', out], capture_output=True, text=True)
    check(r.returncode == 1 and r.stderr.startswith('train_torch: ') and len(r.stderr.splitlines()) == 1
          and not os.path.exists(out), 'train_torch.py --latent 0 as a process: one line, exit 1', r.stderr[-200:])


def main():
    tmp = tempfile.mkdtemp(prefix='ganplay-refuse-')
    path = lambda n: os.path.join(tmp, n)
    limits()
    subprocess.run([GANPLAY, 'train', '--preset', 'dcgan', '--data', DATA, '--steps', '3', '--seed', '2', '--batch', '4', '--latent', '8',
                    '--cond', 'acgan', '--ema', '0.99', '--out', path('state.gpm')], check=True, capture_output=True)
    state = open(path('state.gpm'), 'rb').read()
    gen = open(os.path.join(ROOT, 'models', 'mnist-dcgan.gpm'), 'rb').read()
    dataset(path('emoji-blank.bin'), 45, 32, 32, label=lambda i: i % 9, c=3)
    subprocess.run([GANPLAY, 'train', '--preset', 'dcgan', '--data', path('emoji-blank.bin'), '--steps', '1', '--batch', '4',
                    '--latent', '8', '--seed', '3', '--cond', 'acgan', '--out', path('colour.gpm')], check=True, capture_output=True)
    colour = open(path('colour.gpm'), 'rb').read()
    check(gt.read_gpm(state)['history'] is not None, 'the training state has a history to mutate')
    agree, refused, n = 0, 0, 0
    for what, data in mutations(state, gen, colour):
        n += 1
        f, out = path('m.gpm'), path('m.pt')
        open(f, 'wb').write(data)
        if os.path.exists(out):
            os.remove(out)
        info = subprocess.run([GANPLAY, 'info', '--model', f], capture_output=True, text=True)
        rc, err, tb = to_torch(f, out)
        ok = tb is None and rc == (0 if info.returncode == 0 else 1)
        if ok and rc:
            ok = err.startswith('gpm_torch: ') and len(err.splitlines()) == 1 and not os.path.exists(out)
        elif ok:
            ok = os.path.exists(out) and err == ''
        agree += ok
        refused += info.returncode != 0
        check(ok, f'to-torch on a file with {what}: as ganplay (info exit {info.returncode}: {info.stderr.strip()[:120]!r})',
              f'to-torch exit {rc}, {(tb or err).strip()[:200]!r}')
    check(n >= 36 and refused >= 30, f'{n} mutations, {refused} of them refused by ganplay')
    print(f'to-torch agrees with ganplay on {agree} of {n} files ({refused} refused)')
    train_torch_arguments(path)
    # as a process: one line, exit 1, nothing written
    bad = path('bad.gpm')
    open(bad, 'wb').write(state[:len(state) // 2])
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'gpm_torch.py'), 'to-torch', bad, path('bad.pt')],
                       capture_output=True, text=True)
    check(r.returncode == 1 and r.stderr.startswith('gpm_torch: ') and len(r.stderr.splitlines()) == 1
          and not os.path.exists(path('bad.pt')), 'to-torch as a process: one line, exit 1, nothing written', r.stderr[-200:])
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"torch refusals: {f'all {checks} checks passed' if not failures else f'{failures} of {checks} FAILED'}")
    return 1 if failures or not checks else 0


if __name__ == '__main__':
    sys.exit(main())
