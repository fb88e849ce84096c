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
# the C core's limits (tests/torch/parity.py checks them against src/)
MAX_LAYERS = 32  # GP_MAX_LAYERS, src/nn/net.h
MAX_CLASSES = 16  # GP_MAX_CLASSES, src/gan/config.h
NAME_LEN = 16  # GP_NAME_LEN, src/gan/config.h: 15 bytes and a NUL


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
        return self.take(n).split(b'\0', 1)[0].decode('ascii')


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


def read_gpm(data):
    """The whole file as a dict (header fields, settings, networks, extras)."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise ValueError('not a ganplay model file')
    if zlib.crc32(data[:-4]) != struct.unpack('<I', data[-4:])[0]:
        raise ValueError('model file is damaged (CRC mismatch)')
    r = Reader(data[:-4])
    r.take(4)
    m = {'version': r.u32(), 'flags': r.u32()}
    if m['version'] not in (1, 2):
        raise ValueError(f"model file version {m['version']} is not known")
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
        m['class_names'] = [r.name() for _ in range(classes)]
        m['settings'] = [(r.name(), struct.unpack('<d', r.take(8))[0]) for _ in range(r.u32())]
    training, half = bool(m['flags'] & FLAG_TRAINING), bool(m['flags'] & FLAG_F16)
    m['G'] = read_net(r, training, half)
    m['D'] = read_net(r, training, False) if training else None
    m['ema'] = None
    if training and dict(m['settings']).get('ema', 0.0) > 0:
        m['ema'] = r.f32s(len(m['G']['params']))
    m['history'] = r.take(r.u32()) if m['flags'] & FLAG_HISTORY else None
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
    """As the C core's: 1..15 plain characters (no control character, quote or backslash)."""
    return (isinstance(name, str) and 0 < len(name.encode('utf-8')) < NAME_LEN and name.isascii()
            and all(32 <= ord(ch) < 127 and ch not in '"\\' for ch in name))


def check_model(m):
    """Refuses (ValueError) what the C loader refuses in a model's fields:
    non-finite numbers, a class count or name out of its limits, a network
    of more layers than it builds."""
    for key in ('preset', 'dataset'):
        if not isinstance(m.get(key), str) or (m[key] or key == 'preset') and not name_ok(m[key]):
            raise ValueError(f'the {key} name must be 1..{NAME_LEN - 1} plain characters')
    names = m.get('class_names')
    if not isinstance(names, list) or len(names) == 1 or len(names) > MAX_CLASSES:
        raise ValueError(f'a model has 0 or 2..{MAX_CLASSES} classes, this one {len(names) if isinstance(names, list) else names!r}')
    for k, name in enumerate(names):
        if not name_ok(name):
            raise ValueError(f'class name {k} must be 1..{NAME_LEN - 1} plain characters (no quote or backslash)')
    for key in ('floats', 'last'):
        if not all(isinstance(v, (int, float)) and np.isfinite(v) for v in m[key]):
            raise ValueError(f'the header has a non-finite value in {key}')
    for name, value in m['settings']:
        if not isinstance(name, str) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f'setting {name!r} is not a finite number')
    for which in ('G', 'D'):
        net = m[which]
        if net is None:
            continue
        if not 1 <= len(net['records']) <= MAX_LAYERS:
            raise ValueError(f"{which} has {len(net['records'])} layers (1..{MAX_LAYERS} allowed)")
        for what in ('params', 'buffers', 'adam_m', 'adam_v'):
            if what in net and not np.isfinite(np.asarray(net[what], dtype=np.float32)).all():
                raise ValueError(f'{which} has a non-finite value in its {what}')
    if m.get('ema') is not None and not np.isfinite(np.asarray(m['ema'], dtype=np.float32)).all():
        raise ValueError('the moving average of G has a non-finite value')


def write_gpm(m):
    """The bytes of a version-2 file for the dict read_gpm gives (history kept)."""
    check_model(m)
    training = m['D'] is not None
    half = bool(m['flags'] & FLAG_F16) and not training
    flags = (FLAG_TRAINING if training else 0) | (FLAG_F16 if half else 0) | (FLAG_HISTORY if training and m.get('history') else 0)
    out = bytearray(MAGIC + struct.pack('<2I', 2, flags))
    out += m['preset'].encode('ascii').ljust(16, b'\0')
    out += struct.pack('<3I4I', *m['image'], m['batch'], m['latent'], m['d_steps'], m['loss'])
    out += struct.pack('<6f', *m['floats'])
    out += struct.pack('<6Q', m['seed'], m['rng'], m['g_steps'], m['d_steps_taken'], m['adam_t_g'], m['adam_t_d'])
    out += struct.pack('<4f', *m['last'])
    out += m['dataset'].encode('ascii').ljust(16, b'\0')
    out += struct.pack('<I', len(m['class_names']))
    for n in m['class_names']:
        out += n.encode('ascii').ljust(16, b'\0')
    out += struct.pack('<I', len(m['settings']))
    for name, value in m['settings']:
        out += name.encode('ascii').ljust(16, b'\0') + struct.pack('<d', value)
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
