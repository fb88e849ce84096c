#!/usr/bin/env python3
"""gpm_torch.py: ganplay model files (.gpm) to and from PyTorch.

A .gpm file describes its networks as data (a list of layer records, see
docs/formats.md); this builds the matching torch.nn modules from those
records, with the parameters, BatchNorm buffers and spectral-norm state in
the same order, so a model moves both ways without loss: train large in
PyTorch, bring the generator to the page; or take a model from the page to
PyTorch.

usage:
  python3 scripts/gpm_torch.py to-torch MODEL.gpm OUT.pt
      writes {'meta', 'G', 'D' (training states), 'G_ema' (with a moving
      average), 'adam' (training states), 'history' (where the file has
      one)}: state_dicts of GpNet modules, Adam's moments as tensors, the
      history as a uint8 tensor and what the .gpm header held as a JSON
      string, so that the file holds only tensors and plain data and loads
      with torch.load(weights_only=True)
  python3 scripts/gpm_torch.py from-torch IN.pt OUT.gpm
      the reverse (a training state if IN.pt has 'D', else a generator)
Every .pt is loaded with torch.load(weights_only=True): a file that holds
anything but tensors and plain data (a pickle that could run code) is
refused.
  python3 scripts/gpm_torch.py onnx MODEL.gpm OUT.onnx
      the generator (the weights it samples with) for onnxruntime-web and
      other runtimes: input z (N x latent) and, for a conditional model,
      the one-hot class (N x classes); output images (N x C x H x W)
  python3 scripts/gpm_torch.py sample MODEL.gpm|.pt Z.f32 COUNT OUT.f32 [LABEL]
      the generator in evaluation mode on COUNT latents (little-endian
      float32), class LABEL for a conditional model (default: i mod classes),
      images as float32 (what `ganplay sample --z Z.f32 --raw` writes)

Needs Debian's python3-torch (and numpy); nothing in ganplay's build or
page needs it.
"""
import io
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import torch
from torch import nn

MAGIC = b'GPMF'
FLAG_TRAINING, FLAG_F16, FLAG_HISTORY = 1, 2, 4
# layer kinds (src/nn/net.h)
LINEAR, BATCHNORM, LEAKY_RELU, RELU, TANH, SIGMOID, CONV2D, CONVT2D, BATCHNORM2D, RESHAPE, DROPOUT = range(1, 12)
NO_BIAS, SPECTRAL_NORM = 1, 2
RECORD = struct.Struct('<8I2f')  # kind, out_c, out_h, out_w, kernel, stride, pad, flags; alpha, eps
# the C core's limits (tests/torch/refuse.py checks them against src/)
MAX_LAYERS = 32  # GP_MAX_LAYERS, src/nn/net.h
MAX_CLASSES = 16  # GP_MAX_CLASSES, src/gan/config.h
NAME_LEN = 16  # GP_NAME_LEN, src/gan/config.h: 15 bytes and a NUL
MODEL_VERSION = 2  # GP_MODEL_VERSION, src/store/modelfile.h
MODEL_MAX_BYTES = 256 << 20  # GP_MODEL_MAX_BYTES, src/store/modelfile.h
MAX_STEPS = 2**31 - 1  # a step count the loader takes (INT32_MAX, src/store/modelfile.c)
MAX_SAMPLE_FLOATS, MAX_PARAMS, MAX_COL_FLOATS = 1 << 22, 1 << 26, 1 << 24  # src/nn/net.c
HISTORY_MAX_POINTS, HISTORY_MAX_FD, HISTORY_MAX_SNAPSHOTS, HISTORY_MAX_SIDE = 1 << 22, 1 << 16, 256, 2048  # src/gan/history.h
IN_HEADER = ('batch', 'latent', 'd_steps', 'loss', 'lr_g', 'lr_d', 'beta1', 'beta2', 'adam_eps', 'real_label')

# The settings table (src/gan/config.c): name: (type, min, max, min_open, max_open).
# `ganplay settings` prints it; settings_table() asks the binary where it is
# built, else takes these (tests/torch/refuse.py checks that they agree).
SETTINGS = {
    'loss': ('choice', 0, 4, False, False), 'lr_g': ('float', 0, 1, True, False), 'lr_d': ('float', 0, 1, True, False),
    'optimizer': ('choice', 0, 1, False, False), 'beta1': ('float', 0, 1, False, True),
    'beta2': ('float', 0, 1, False, True), 'adam_eps': ('float', 0, 1, True, True), 'batch': ('int', 2, 1024, False, False),
    'latent': ('int', 1, 1024, False, False), 'd_steps': ('int', 1, 16, False, False),
    'g_steps': ('int', 1, 16, False, False), 'noise': ('choice', 0, 1, False, False),
    'real_label': ('float', 0.5, 1, False, False), 'cond': ('choice', 0, 2, False, False),
    'aux_weight': ('float', 0, 10, False, False), 'ema': ('float', 0, 1, False, True),
    'gp_weight': ('float', 0, 1000, False, False), 'r1': ('float', 0, 1000, False, False),
    'spectral_norm': ('choice', 0, 1, False, False), 'augment': ('choice', 0, 4, False, False),
    'g_layers': ('int', 0, 4, False, False), 'g_width': ('int', 1, 64, False, False),
    'd_layers': ('int', 0, 4, False, False), 'd_width': ('int', 1, 64, False, False),
    'activation': ('choice', 0, 2, False, False), 'seed': ('seed', 0, 2**53 - 1, False, False),
}
PRESETS = {'mlp': False, 'dcgan': False, '2d': True}  # name: is_2d (the presets table)
COND_NONE, COND_ACGAN, COND_CONCAT = 0, 1, 2
GANPLAY = os.environ.get('GANPLAY') or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'build', 'ganplay')
_table = None


def settings_table():
    """(settings, presets) as above: from `ganplay settings` where the binary
    runs, else the copies in this file."""
    global _table
    if _table is None:
        _table = SETTINGS, PRESETS
        try:
            out = subprocess.run([GANPLAY, 'settings'], capture_output=True, text=True, timeout=30)
            if out.returncode == 0:
                j = json.loads(out.stdout)
                _table = ({r['name']: (r['type'], r['min'], r['max'], r['min_open'], r['max_open']) for r in j['settings']},
                          {p['name']: p['is_2d'] for p in j['presets']})
        except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError):
            pass
    return _table


def in_range(row, v):
    """As the C core's in_range: finite, within the row's bounds, whole unless a float."""
    kind, lo, hi, lo_open, hi_open = row
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not np.isfinite(v):
        return False
    if not (v > lo if lo_open else v >= lo) or not (v < hi if hi_open else v <= hi):
        return False
    return kind == 'float' or float(v) == np.floor(v)


def stored(row, v):
    """The value as the core keeps it: a float setting as float32, the others whole."""
    return float(np.float32(v)) if row[0] == 'float' else int(v)


# ---- the file ------------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError('model file is truncated')
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u32(self):
        return struct.unpack('<I', self.take(4))[0]

    def u64(self):
        return struct.unpack('<Q', self.take(8))[0]

    def f32s(self, n, half=False):
        if half:
            return np.frombuffer(self.take(2 * n), dtype='<f2').astype(np.float32)
        return np.frombuffer(self.take(4 * n), dtype='<f4').copy()

    def name(self, n=16):
        """A name field as the core reads it: its first 15 bytes up to a NUL
        (bytes that are not UTF-8 kept as they are, and written back so)."""
        return name_str(self.take(n)[:NAME_LEN - 1].split(b'\0', 1)[0])


def name_str(b):
    return b.decode('utf-8', 'surrogateescape')


def name_bytes(name):
    return name.encode('utf-8', 'surrogateescape')


def read_net(r, training, half):
    c, h, w = r.u32(), r.u32(), r.u32()
    n = r.u32()
    if not 1 <= n <= MAX_LAYERS:
        raise ValueError(f'a network has {n} layers (1..{MAX_LAYERS} allowed)')
    records = [list(RECORD.unpack(r.take(RECORD.size))) for _ in range(n)]
    n_params, n_buffers = r.u32(), r.u32()
    net = {'in': [c, h, w], 'records': records, 'params': r.f32s(n_params, half), 'buffers': r.f32s(n_buffers, half)}
    if training:
        net['adam_m'], net['adam_v'] = r.f32s(n_params), r.f32s(n_params)
    return net


def check_history(b):
    """As gp_history_check (src/gan/history.c): counts within limits, sizes
    that add up, snapshots in step order."""
    u32 = lambda at: struct.unpack_from('<I', b, at)[0]
    if len(b) < 4:
        raise ValueError('history: too short for its chart point count')
    points, pos = u32(0), 4
    if points > HISTORY_MAX_POINTS:
        raise ValueError(f'history: {points} chart points (at most {HISTORY_MAX_POINTS})')
    if len(b) - pos < points * 20 + 4:
        raise ValueError('history: truncated in its chart points')
    pos += points * 20
    fd, pos = u32(pos), pos + 4
    if fd > HISTORY_MAX_FD:
        raise ValueError(f'history: {fd} FD points (at most {HISTORY_MAX_FD})')
    if len(b) - pos < fd * 8 + 12:
        raise ValueError('history: truncated in its FD points')
    pos += fd * 8
    snaps, sh, sw = u32(pos), u32(pos + 4), u32(pos + 8)
    pos += 12
    if snaps > HISTORY_MAX_SNAPSHOTS:
        raise ValueError(f'history: {snaps} snapshots (at most {HISTORY_MAX_SNAPSHOTS})')
    if snaps and not (1 <= sh <= HISTORY_MAX_SIDE and 1 <= sw <= HISTORY_MAX_SIDE):
        raise ValueError(f'history: snapshot size {sh}x{sw} is outside 1..{HISTORY_MAX_SIDE}')
    each = sh * sw + 4
    if len(b) - pos != snaps * each:
        raise ValueError(f'history: {len(b) - pos} bytes of snapshots where {snaps} of {sh}x{sw} take {snaps * each}')
    for k in range(1, snaps):
        if u32(pos + k * each) < u32(pos + (k - 1) * each):
            raise ValueError(f'history: snapshot {k} is at an earlier step than the one before')


def read_gpm(data):
    """The whole file as a dict (header fields, settings, networks, extras),
    refused (ValueError) where ganplay's loader refuses it."""
    if len(data) < 12 or data[:4] != MAGIC:
        raise ValueError('not a ganplay model file (bad magic number)')
    if len(data) > MODEL_MAX_BYTES:
        raise ValueError(f'model file is too large ({len(data)} bytes)')
    r = Reader(data[:-4])
    r.take(4)
    m = {'version': r.u32()}
    if not 1 <= m['version'] <= MODEL_VERSION:
        raise ValueError(f"model file version {m['version']} is not supported (this build reads 1..{MODEL_VERSION})")
    if zlib.crc32(data[:-4]) != struct.unpack('<I', data[-4:])[0]:
        raise ValueError('model file is corrupted or truncated (checksum mismatch)')
    m['flags'] = flags = r.u32()
    if (flags & ~(FLAG_TRAINING | FLAG_F16 | FLAG_HISTORY) or flags & FLAG_TRAINING and flags & FLAG_F16
            or flags & FLAG_HISTORY and not flags & FLAG_TRAINING):
        raise ValueError(f'model file has unknown flags {flags:#x}')
    m['preset'] = r.name()
    m['image'] = [r.u32(), r.u32(), r.u32()]
    m['batch'], m['latent'], m['d_steps'], m['loss'] = (r.u32() for _ in range(4))
    m['floats'] = list(struct.unpack('<6f', r.take(24)))  # lr_g, lr_d, beta1, beta2, adam_eps, real_label
    m['seed'], m['rng'], m['g_steps'], m['d_steps_taken'], m['adam_t_g'], m['adam_t_d'] = (r.u64() for _ in range(6))
    m['last'] = list(struct.unpack('<4f', r.take(16)))
    m['dataset'], m['class_names'], m['settings'] = '', [], []
    if m['version'] >= 2:
        m['dataset'] = r.name()
        classes = r.u32()
        if classes > MAX_CLASSES:
            raise ValueError(f'model file declares {classes} classes (0..{MAX_CLASSES} allowed)')
        m['class_names'] = [r.name() for _ in range(classes)]
        n_settings = r.u32()
        if n_settings > 256:
            raise ValueError(f'model file declares {n_settings} settings')
        m['settings'] = [(r.name(), struct.unpack('<d', r.take(8))[0]) for _ in range(n_settings)]
    training, half = bool(flags & FLAG_TRAINING), bool(flags & FLAG_F16)
    m['G'] = read_net(r, training, half)
    m['D'] = read_net(r, training, False) if training else None
    m['ema'] = None
    if training and np.float32(dict(m['settings']).get('ema', 0.0)) > 0:
        m['ema'] = r.f32s(len(m['G']['params']))
    m['history'] = None
    if flags & FLAG_HISTORY:
        n = r.u32()
        if not n:
            raise ValueError('model file is truncated in its history')
        m['history'] = r.take(n)
        check_history(m['history'])
    if r.pos != len(r.data):
        raise ValueError(f'model file has {len(r.data) - r.pos} unexpected trailing bytes')
    check_model(m)
    return m


def write_net(out, net, training, half):
    out += struct.pack('<4I', *net['in'], len(net['records']))
    for rec in net['records']:
        out += RECORD.pack(*rec)
    out += struct.pack('<2I', len(net['params']), len(net['buffers']))
    dtype = '<f2' if half else '<f4'
    out += np.asarray(net['params'], dtype=np.float32).astype(dtype).tobytes()
    out += np.asarray(net['buffers'], dtype=np.float32).astype(dtype).tobytes()
    if training:
        out += np.asarray(net['adam_m'], dtype='<f4').tobytes() + np.asarray(net['adam_v'], dtype='<f4').tobytes()


def name_ok(name):
    """As the C core's: 1..15 bytes, none a control character, a quote or a backslash."""
    if not isinstance(name, str):
        return False
    b = name_bytes(name)
    return 0 < len(b) < NAME_LEN and all(ch >= 32 and ch not in b'"\\\x7f' for ch in b)


def layer_shape(i, rec, shape):
    """As gp_net_create's checks of layer i (src/nn/net.c): its output shape,
    parameter and buffer counts, or ValueError."""
    kind, out_c, out_h, out_w, k, s, p, flags, alpha, eps = rec
    c, h, w = shape
    size = c * h * w
    if kind == LINEAR:
        if not 1 <= out_c <= 1 << 20 or flags & ~SPECTRAL_NORM:
            raise ValueError(f'layer {i}: Linear needs 1..1048576 outputs and no flag but spectral norm')
        sn = flags & SPECTRAL_NORM
        return [out_c, 1, 1], out_c * size + out_c, (out_c + size if sn else 0)
    if kind in (CONV2D, CONVT2D):
        if not 1 <= out_c <= 65536 or not 1 <= k <= 7 or not 1 <= s <= 4 or p > 3:
            raise ValueError(f'layer {i}: a convolution needs 1..65536 channels, kernel 1..7, stride 1..4 and pad 0..3')
        if flags & ~(NO_BIAS | (SPECTRAL_NORM if kind == CONV2D else 0)):
            raise ValueError(f'layer {i}: a convolution has unknown flags {flags:#x}')
        if kind == CONV2D:
            if h + 2 * p < k or w + 2 * p < k:
                raise ValueError(f'layer {i}: Conv2d input {h}x{w} is smaller than kernel {k} with pad {p}')
            oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        else:
            oh, ow = (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k
            if oh < 1 or ow < 1:
                raise ValueError(f'layer {i}: ConvTranspose2d output would be {oh}x{ow}')
        if out_h and out_h != oh or out_w and out_w != ow:
            raise ValueError(f'layer {i}: a convolution declares output {out_h}x{out_w}, but computes {oh}x{ow}')
        col = c * k * k * oh * ow if kind == CONV2D else out_c * k * k * h * w
        if out_c * oh * ow > MAX_SAMPLE_FLOATS or col > MAX_COL_FLOATS:
            raise ValueError(f'layer {i}: a convolution with {out_c} channels of {oh}x{ow} is too large')
        sn = flags & SPECTRAL_NORM
        return ([out_c, oh, ow], out_c * c * k * k + (0 if flags & NO_BIAS else out_c),
                (out_c + c * k * k if sn else 0))
    if kind in (BATCHNORM, BATCHNORM2D):
        if not (0.0 <= alpha <= 1.0 and 0.0 < eps < 1.0):
            raise ValueError(f'layer {i}: BatchNorm needs momentum in [0,1] and eps in (0,1)')
        n = c if kind == BATCHNORM2D else size
        return shape, 2 * n, 2 * n
    if kind in (LEAKY_RELU, DROPOUT):
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f'layer {i}: a LeakyReLU slope or Dropout probability must be in [0,1)')
        return shape, 0, 0
    if kind in (RELU, TANH, SIGMOID):
        return shape, 0, 0
    if kind == RESHAPE:
        if out_c < 1 or out_h < 1 or out_w < 1 or out_c * out_h * out_w != size:
            raise ValueError(f'layer {i}: Reshape to {out_c}x{out_h}x{out_w} does not hold the {c}x{h}x{w} input')
        return [out_c, out_h, out_w], 0, 0
    raise ValueError(f'layer {i}: unknown layer kind {kind}')


def check_net(which, net, in_shape, training, want_out):
    """A network as the loader builds it: its records valid from in_shape
    (the one the model's settings make), its output size, its counts."""
    records = net['records']
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_LAYERS:
        raise ValueError(f'{which} has {len(records) if isinstance(records, list) else records!r} layers (1..{MAX_LAYERS} allowed)')
    if list(net['in']) != list(in_shape):
        raise ValueError(f"{which}'s input {net['in']} is not the {in_shape} the model's settings make")
    shape, n_params, n_buffers = list(in_shape), 0, 0
    if not all(1 <= v for v in shape) or shape[0] * shape[1] * shape[2] > 1 << 20:
        raise ValueError(f'{which}: bad network input shape')
    for i, rec in enumerate(records):
        if not isinstance(rec, list) or len(rec) != 10:
            raise ValueError(f'{which}: layer {i} is not a layer record')
        rec = list(RECORD.unpack(RECORD.pack(*rec)))  # as stored: u32 fields, float32 alpha and eps
        shape, p, b = layer_shape(i, rec, shape)
        n_params, n_buffers = n_params + p, n_buffers + b
        if shape[0] * shape[1] * shape[2] > MAX_SAMPLE_FLOATS or n_params > MAX_PARAMS:
            raise ValueError(f'{which}: layer {i}: network too large')
    if shape[0] * shape[1] * shape[2] != want_out:
        raise ValueError(f'{which} outputs {shape}, not {want_out} value(s) per sample')
    for what, n in (('params', n_params), ('buffers', n_buffers)) + ((('adam_m', n_params), ('adam_v', n_params)) if training else ()):
        if len(net[what]) != n:
            raise ValueError(f'{which} declares {len(net[what])} {what}, its layers need {n}')
        if not np.isfinite(np.asarray(net[what], dtype=np.float32)).all():
            raise ValueError(f'{which} has a non-finite value in its {what}')


def check_model(m):
    """Refuses (ValueError) what the C loader refuses in a model's fields
    (src/store/modelfile.c: read_header, read_networks): names, the header's
    numbers and the settings against the settings table, classes, step
    counts, the networks' records, shapes and sizes, non-finite floats."""
    table, presets = settings_table()
    if not name_ok(m.get('preset')) or m['preset'] not in presets:
        raise ValueError(f"unknown preset {m.get('preset')!r} (available: {', '.join(presets)})")
    version = m.get('version', 2)
    if not isinstance(m.get('dataset'), str) or version >= 2 and not name_ok(m['dataset']):
        raise ValueError(f'the dataset name must be 1..{NAME_LEN - 1} plain characters')
    names = m.get('class_names')
    if not isinstance(names, list) or len(names) > MAX_CLASSES:
        raise ValueError(f'a model has 0..{MAX_CLASSES} classes, this one {len(names) if isinstance(names, list) else names!r}')
    for k, name in enumerate(names):
        if not name_ok(name):
            raise ValueError(f'class name {k} must be 1..{NAME_LEN - 1} plain characters (no quote or backslash)')
    # the configuration: the header's fields, then each setting by name (agreeing with the header)
    if len(m['floats']) != 6 or len(m['last']) != 4:
        raise ValueError('the header has the wrong number of floats')
    header = dict(zip(IN_HEADER, [m['batch'], m['latent'], m['d_steps'], m['loss']] + list(m['floats'])))
    cfg = {'cond': COND_NONE, 'augment': 0, 'ema': 0.0}
    for key, v in header.items():
        if not in_range(table[key], v):
            raise ValueError(f'model file has a bad setting: {key} {v!r} is outside the settings table\'s range')
        cfg[key] = stored(table[key], v)
    for key, v in m['settings']:
        row = table.get(key)
        if row is None or row[0] == 'seed':
            raise ValueError(f"model file has a setting '{key}' this build does not know (a newer ganplay?)")
        if not in_range(row, v):
            raise ValueError(f'model file has a bad setting: {key} {v!r} is outside the settings table\'s range')
        cfg[key] = stored(row, v)
        if key in header and cfg[key] != stored(row, header[key]):
            raise ValueError(f'model file: {key} differs between its header and its settings')
    for key, v in cfg.items():
        if not in_range(table[key], v):
            raise ValueError(f'model file has a bad setting: {key} {v!r} is outside the settings table\'s range')
    classes = len(names)
    if presets[m['preset']] and (cfg['latent'] > 2 or cfg['cond'] != COND_NONE or cfg['augment']):
        raise ValueError('a 2-D GAN has 1 or 2 latent dimensions, no conditioning and no augmentation')
    if cfg['cond'] == COND_NONE and classes:
        raise ValueError(f'an unconditional model has 0 classes, this one {classes}')
    if cfg['cond'] != COND_NONE and not 2 <= classes <= MAX_CLASSES:
        raise ValueError(f'a class-conditional model needs 2..{MAX_CLASSES} classes, this one {classes}')
    training = m['D'] is not None
    if not training and cfg['ema'] != 0.0:
        raise ValueError('a generator alone has no moving average')
    c, h, w = m['image']
    if c not in (1, 3) or not 1 <= h <= 256 or not 1 <= w <= 256:
        raise ValueError(f'image shape {c}x{h}x{w} is not supported (1 or 3 channels, sides 1..256)')
    for key in ('g_steps', 'd_steps_taken', 'adam_t_g', 'adam_t_d'):
        if not isinstance(m[key], int) or not 0 <= m[key] <= MAX_STEPS:
            raise ValueError(f'a step count of {m[key]!r} (at most {MAX_STEPS})')
    for key in ('seed', 'rng'):
        if not isinstance(m[key], int) or not 0 <= m[key] < 2**64:
            raise ValueError(f'the {key} is not a 64-bit whole number')
    check_net('G', m['G'], [cfg['latent'] + classes, 1, 1], training, c * h * w)
    if training:
        check_net('D', m['D'], [c + (classes if cfg['cond'] == COND_CONCAT else 0), h, w], True,
                  1 + (classes if cfg['cond'] == COND_ACGAN else 0))
    if (m.get('ema') is not None) != (training and cfg['ema'] > 0):
        raise ValueError('a moving average of G is there exactly when the model trains with one (ema > 0)')
    if m.get('ema') is not None and (len(m['ema']) != len(m['G']['params'])
                                     or not np.isfinite(np.asarray(m['ema'], dtype=np.float32)).all()):
        raise ValueError('the moving average of G has the wrong size or a non-finite value')
    if m.get('history') is not None:
        check_history(m['history'])


def write_gpm(m):
    """The bytes of a version-2 file for the dict read_gpm gives (history kept)."""
    m = {**m, 'version': 2}
    check_model(m)
    training = m['D'] is not None
    half = bool(m['flags'] & FLAG_F16) and not training
    flags = (FLAG_TRAINING if training else 0) | (FLAG_F16 if half else 0) | (FLAG_HISTORY if training and m.get('history') else 0)
    out = bytearray(MAGIC + struct.pack('<2I', 2, flags))
    out += name_bytes(m['preset']).ljust(16, b'\0')
    out += struct.pack('<3I4I', *m['image'], m['batch'], m['latent'], m['d_steps'], m['loss'])
    out += struct.pack('<6f', *m['floats'])
    out += struct.pack('<6Q', m['seed'], m['rng'], m['g_steps'], m['d_steps_taken'], m['adam_t_g'], m['adam_t_d'])
    out += struct.pack('<4f', *m['last'])
    out += name_bytes(m['dataset']).ljust(16, b'\0')
    out += struct.pack('<I', len(m['class_names']))
    for n in m['class_names']:
        out += name_bytes(n).ljust(16, b'\0')
    out += struct.pack('<I', len(m['settings']))
    for name, value in m['settings']:
        out += name_bytes(name).ljust(16, b'\0') + struct.pack('<d', value)
    write_net(out, m['G'], training, half)
    if training:
        write_net(out, m['D'], True, False)
        if m.get('ema') is not None:
            out += np.asarray(m['ema'], dtype='<f4').tobytes()
        if m.get('history'):
            out += struct.pack('<I', len(m['history'])) + m['history']
    out += struct.pack('<I', zlib.crc32(bytes(out)))
    return bytes(out)


# ---- the networks ----------------------------------------------------------------

class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def out_shape(rec, shape):
    kind, out_c, out_h, out_w, k, s, p = rec[:7]
    c, h, w = shape
    if kind == LINEAR:
        return [out_c, 1, 1]
    if kind == CONV2D:
        return [out_c, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1]
    if kind == CONVT2D:
        return [out_c, (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k]
    if kind == RESHAPE:
        return [out_c, out_h, out_w]
    return shape


class GpNet(nn.Module):
    """A ganplay network as torch modules: layers.i is record i. Linear and
    the 1-d BatchNorm see (N, features); the others keep (N, C, H, W)."""

    def __init__(self, in_shape, records):
        super().__init__()
        self.in_shape, self.records = list(in_shape), [list(r) for r in records]
        self.layers = nn.ModuleList()
        self.shapes = [list(in_shape)]  # shapes[i]: the input of layer i
        shape = list(in_shape)
        for rec in self.records:
            kind, out_c, _, _, k, s, p, flags, alpha, eps = rec
            n_in = shape[0] * shape[1] * shape[2]
            if kind == LINEAR:
                mod = nn.Linear(n_in, out_c)
            elif kind == CONV2D:
                mod = nn.Conv2d(shape[0], out_c, k, s, p, bias=not flags & NO_BIAS)
            elif kind == CONVT2D:
                mod = nn.ConvTranspose2d(shape[0], out_c, k, s, p, bias=not flags & NO_BIAS)
            elif kind == BATCHNORM:
                mod = nn.BatchNorm1d(n_in, eps=eps, momentum=alpha)
            elif kind == BATCHNORM2D:
                mod = nn.BatchNorm2d(shape[0], eps=eps, momentum=alpha)
            elif kind == LEAKY_RELU:
                mod = nn.LeakyReLU(alpha)
            elif kind == RELU:
                mod = nn.ReLU()
            elif kind == TANH:
                mod = nn.Tanh()
            elif kind == SIGMOID:
                mod = nn.Sigmoid()
            elif kind == RESHAPE:
                mod = Reshape(out_shape(rec, shape))
            elif kind == DROPOUT:
                mod = nn.Dropout(alpha)
            else:
                raise ValueError(f'layer kind {kind} is not known')
            if kind in (LINEAR, CONV2D) and flags & SPECTRAL_NORM:
                mod = nn.utils.spectral_norm(mod, n_power_iterations=1, eps=1e-12)
            self.layers.append(mod)
            shape = out_shape(rec, shape)
            self.shapes.append(shape)
        self.out_shape = shape

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.in_shape)
        for i, (rec, mod) in enumerate(zip(self.records, self.layers)):
            if rec[0] in (LINEAR, BATCHNORM):
                x = x.reshape(x.shape[0], -1)
            elif rec[0] in (CONV2D, CONVT2D, BATCHNORM2D):
                x = x.reshape(x.shape[0], *self.shapes[i])
            x = mod(x)
        return x.reshape(x.shape[0], *self.out_shape)

    # ganplay's flat arrays, in its order, to and from the modules
    def _slots(self):
        """(tensor, kind) per float: 'param' or 'buffer', in file order."""
        params, buffers = [], []
        for rec, mod in zip(self.records, self.layers):
            kind, flags = rec[0], rec[7]
            sn = kind in (LINEAR, CONV2D) and flags & SPECTRAL_NORM
            if kind in (LINEAR, CONV2D, CONVT2D):
                params.append(mod.weight_orig if sn else mod.weight)
                if mod.bias is not None:
                    params.append(mod.bias)
                if sn:
                    buffers += [mod.weight_u, mod.weight_v]
            elif kind in (BATCHNORM, BATCHNORM2D):
                params += [mod.weight, mod.bias]
                buffers += [mod.running_mean, mod.running_var]
        return params, buffers

    def load_flat(self, params, buffers):
        p_list, b_list = self._slots()
        for tensors, flat, what in ((p_list, params, 'parameters'), (b_list, buffers, 'buffers')):
            need = sum(t.numel() for t in tensors)
            if need != len(flat):
                raise ValueError(f'the network has {need} {what}, the file {len(flat)}')
            at = 0
            with torch.no_grad():
                for t in tensors:
                    t.copy_(torch.from_numpy(np.asarray(flat[at:at + t.numel()], dtype=np.float32)).reshape(t.shape))
                    at += t.numel()

    def flat(self):
        p_list, b_list = self._slots()
        cat = lambda ts: np.concatenate([t.detach().cpu().reshape(-1).numpy() for t in ts]) if ts else np.zeros(0, np.float32)
        return cat(p_list).astype(np.float32), cat(b_list).astype(np.float32)

    def flat_of(self, tensors_by_param):
        """Flat array of per-parameter tensors (e.g. Adam's moments), in file order."""
        p_list, _ = self._slots()
        return np.concatenate([tensors_by_param(t).detach().cpu().reshape(-1).numpy() for t in p_list]).astype(np.float32)


def net_from(spec):
    net = GpNet(spec['in'], spec['records'])
    net.load_flat(spec['params'], spec['buffers'])
    return net.eval()


def g_input(z, labels, classes):
    """G's input rows: z, then the one-hot class (a conditional model)."""
    if not classes:
        return z
    onehot = torch.zeros(z.shape[0], classes, device=z.device)
    onehot[torch.arange(z.shape[0], device=z.device), labels.to(z.device)] = 1.0
    return torch.cat([z, onehot], 1)


def d_input(images, labels, classes, concat):
    """D's input: the images, then (concat conditioning) one plane per class."""
    if not concat:
        return images
    n, _, h, w = images.shape
    planes = torch.zeros(n, classes, h, w, device=images.device)
    planes[torch.arange(n, device=images.device), labels.to(images.device)] = 1.0
    return torch.cat([images, planes], 1)


# ---- the commands ------------------------------------------------------------------

def write_atomic(path, data):
    """Writes data to path whole or not at all: a failure leaves the old file."""
    tmp = f'{path}.tmp{os.getpid()}'
    try:
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def saved(save):
    """The bytes save(file) writes into a file object."""
    buf = io.BytesIO()
    save(buf)
    return buf.getvalue()


def meta_of(m):
    """What the .gpm header held, as the JSON string a .pt keeps (the history
    goes apart, as a uint8 tensor)."""
    meta = {k: v for k, v in m.items() if k not in ('G', 'D', 'ema', 'history')} | {
        'G_net': {'in': m['G']['in'], 'records': m['G']['records']},
        'D_net': {'in': m['D']['in'], 'records': m['D']['records']} if m['D'] else None}
    return json.dumps(meta)


def load_pt(path):
    """A .pt file's contents, loaded with weights_only=True: only tensors and
    plain data, never code (a pickle that asks for more is refused)."""
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except OSError:
        raise
    except Exception:  # the unpickler's refusal, or not a torch file at all
        raise ValueError(f'{path} is refused: not a torch file of tensors and plain data '
                         '(a pickle that could run code is never loaded)') from None


def to_torch(m):
    out = {'meta': meta_of(m), 'G': net_from(m['G']).state_dict()}
    if m['ema'] is not None:
        out['G_ema'] = net_from({**m['G'], 'params': m['ema']}).state_dict()
    if m['D'] is not None:
        out['D'] = net_from(m['D']).state_dict()
        out['adam'] = {k: [torch.from_numpy(m[n]['adam_m'].copy()), torch.from_numpy(m[n]['adam_v'].copy())]
                       for k, n in (('G', 'G'), ('D', 'D'))}
    if m.get('history') is not None:
        out['history'] = torch.frombuffer(bytearray(m['history']), dtype=torch.uint8)
    return out


def meta_in(obj):
    """The header fields a .pt holds (its 'meta' JSON string)."""
    meta = obj['meta']
    if not isinstance(meta, str):
        raise ValueError("the file's 'meta' is not a JSON string")
    try:
        meta = json.loads(meta)
    except ValueError:
        raise ValueError("the file's 'meta' is not JSON") from None
    if not isinstance(meta, dict):
        raise ValueError("the file's 'meta' is not a JSON object")
    return meta


def from_torch(obj):
    meta = meta_in(obj)
    m = {k: v for k, v in meta.items() if k not in ('G_net', 'D_net')}
    if m.get('version') == 1 and m.get('dataset') == '':
        m['dataset'] = 'unknown'  # as ganplay reads a version-1 file (this writes version 2)
    history = obj.get('history')
    m['history'] = bytes(history.numpy().astype(np.uint8).tobytes()) if isinstance(history, torch.Tensor) else None

    training = 'D' in obj and obj['D'] is not None

    def spec(key, net_meta, adam):
        net = GpNet(net_meta['in'], net_meta['records'])
        net.load_state_dict(obj[key])
        params, buffers = net.flat()
        s = {'in': net_meta['in'], 'records': net_meta['records'], 'params': params, 'buffers': buffers}
        if training:  # Adam's moments as given, or a fresh optimizer's zeros
            m_v = adam if adam is not None else (np.zeros(len(params)), np.zeros(len(params)))
            s['adam_m'], s['adam_v'] = (np.asarray(a.numpy() if isinstance(a, torch.Tensor) else a, dtype=np.float32).reshape(-1)
                                        for a in m_v)
        return s

    adam = obj.get('adam') if training else None
    m['G'] = spec('G', meta['G_net'], adam['G'] if adam else None)
    m['D'] = spec('D', meta['D_net'], adam['D'] if adam else None) if training else None
    if training and 'G_ema' in obj:
        ema = GpNet(meta['G_net']['in'], meta['G_net']['records'])
        ema.load_state_dict(obj['G_ema'])
        m['ema'] = ema.flat()[0]
    else:
        m['ema'] = None
    if not training:
        m['flags'] &= FLAG_F16
        m['settings'] = [(n, 0.0 if n == 'ema' else v) for n, v in m['settings']]  # a generator has no average
        if 'G_ema' in obj:  # a generator samples with the average
            m['G'] = spec('G_ema', meta['G_net'], None)
        m['history'] = None
    return m


def load_any(path):
    """(G module in eval mode, latent, classes) from a .gpm or a .pt."""
    if path.endswith('.pt'):
        obj = load_pt(path)
        meta = meta_in(obj)
        key = 'G_ema' if 'G_ema' in obj else 'G'
        g = GpNet(meta['G_net']['in'], meta['G_net']['records'])
        g.load_state_dict(obj[key])
        return g.eval(), meta['latent'], len(meta['class_names'])
    m = read_gpm(open(path, 'rb').read())
    params = m['ema'] if m['ema'] is not None else m['G']['params']
    return net_from({**m['G'], 'params': params}), m['latent'], len(m['class_names'])


def main(argv):
    if len(argv) < 2 or argv[0] in ('-h', '--help'):
        print(__doc__)
        return 0 if argv and argv[0] in ('-h', '--help') else 2
    cmd = argv[0]
    try:
        if cmd == 'to-torch' and len(argv) == 3:
            obj = to_torch(read_gpm(open(argv[1], 'rb').read()))
            write_atomic(argv[2], saved(lambda f: torch.save(obj, f)))
        elif cmd == 'from-torch' and len(argv) == 3:
            write_atomic(argv[2], write_gpm(from_torch(load_pt(argv[1]))))
        elif cmd == 'onnx' and len(argv) == 3:
            g, latent, classes = load_any(argv[1])
            z = torch.zeros(2, latent)
            if classes:
                model, args, names = OnnxConditional(g), (z, torch.zeros(2, classes)), ['z', 'onehot']
            else:
                model, args, names = g, (z,), ['z']
            write_atomic(argv[2], saved(lambda f: torch.onnx.export(
                model, args, f, input_names=names, output_names=['images'], opset_version=13,
                dynamic_axes={n: {0: 'n'} for n in names + ['images']})))
        elif cmd == 'sample' and len(argv) in (5, 6):
            g, latent, classes = load_any(argv[1])
            count = int(argv[3])
            z = torch.from_numpy(np.fromfile(argv[2], dtype='<f4').reshape(count, latent))
            labels = torch.full((count,), int(argv[5])) if len(argv) == 6 else torch.arange(count) % max(classes, 1)
            with torch.no_grad():
                images = g(g_input(z, labels, classes))
            write_atomic(argv[4], images.numpy().astype('<f4').tobytes())
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except KeyError as e:
        print(f'gpm_torch: the file has no {e} (not a file to-torch wrote?)', file=sys.stderr)
        return 1
    except (ValueError, OSError, RuntimeError) as e:  # one line (load_state_dict's list its keys on several)
        print('gpm_torch: ' + ' '.join(str(e).split()), file=sys.stderr)
        return 1
    except (TypeError, AttributeError, IndexError, struct.error, UnicodeError, OverflowError) as e:
        print(f'gpm_torch: the file does not hold what to-torch writes ({type(e).__name__}: {e})', file=sys.stderr)
        return 1
    return 0


class OnnxConditional(nn.Module):
    """G with its two inputs apart, for runtimes: z and the one-hot class."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, z, onehot):
        return self.g(torch.cat([z, onehot], 1))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
