#!/usr/bin/python3
"""train_torch.py: the reference PyTorch training of ganplay's presets.

For those who outgrow one browser: the same networks (built from the same
layer records as ganplay's, see gpm_torch.py), the same step (D on a real
and a fake batch, then G; Adam; BCE with logits), trained on a CPU, a GPU,
or several GPUs with torchrun and DistributedDataParallel; it writes a
ganplay training state (.gpm) that the page opens, samples and can go on
training, and that `ganplay` reads.

usage:
  python3 scripts/train_torch.py --preset mlp|dcgan --data build/data/mnist.bin --steps N --out MODEL.gpm
      [--batch 64] [--latent 100] [--lr-g 2e-4] [--lr-d 2e-4] [--beta1 0.5] [--beta2 0.999]
      [--loss nonsaturating|minimax] [--cond none|acgan|concat] [--ema X] [--spectral-norm]
      [--seed 1] [--device cpu|cuda] [--log-every 100]
  torchrun --nproc_per_node=G scripts/train_torch.py ... --device cuda
      (each process trains on its share of every batch: the batch is the total)

The data is ganplay's dataset file (scripts/prepare_data.js makes it), of
grey or colour images (e.g. build/data/emoji32.bin, 3x32x32: the DCGAN then
has three upsamplings, as ganplay's); the held-out split (image i with
i % 5 == 4) is never trained on.
Every argument is checked before any work, against the ranges of ganplay's
settings table (`ganplay settings`, where build/ganplay is built): a bad
one, unreadable data, an --out that cannot be written or a run whose file
ganplay would refuse gets one line and exit 1.
"""
import argparse
import contextlib
import os
import re
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpm_torch as gt  # noqa: E402

LOSSES = ['nonsaturating', 'minimax']  # their indices are the loss table's (src/gan/losses.c)
CONDS = ['none', 'acgan', 'concat']  # the settings table's order (src/gan/config.c)


# ---- the presets, as ganplay's layer records (src/gan/gan.c, gp_gan_architecture) ----

def rec(kind, out_c=0, out_h=0, out_w=0, k=0, s=0, p=0, flags=0, alpha=0.0, eps=0.0):
    return [kind, out_c, out_h, out_w, k, s, p, flags, alpha, eps]


def bn(kind):
    return rec(kind, alpha=0.1, eps=1e-5)


def preset_records(preset, image, latent, classes, cond, spectral):
    """(G input shape, G records, D input shape, D records) of a preset."""
    c, h, w = image
    n_img = c * h * w
    d_out = 1 + (classes if cond == 'acgan' else 0)
    g_in = [latent + classes, 1, 1]
    d_in = [c + (classes if cond == 'concat' else 0), h, w]
    if preset == 'mlp':
        g = [rec(gt.LINEAR, 128), rec(gt.LEAKY_RELU, alpha=0.2)]
        for width in (256, 512, 1024):
            g += [rec(gt.LINEAR, width), bn(gt.BATCHNORM), rec(gt.LEAKY_RELU, alpha=0.2)]
        g += [rec(gt.LINEAR, n_img), rec(gt.TANH)]
        d = [rec(gt.LINEAR, 512), rec(gt.LEAKY_RELU, alpha=0.2), rec(gt.LINEAR, 256), rec(gt.LEAKY_RELU, alpha=0.2),
             rec(gt.LINEAR, d_out)]
    elif preset == 'dcgan':
        # three upsamplings from (h/8, w/8) on sides that are multiples of 8 and at least 32 (3x32x32),
        # channels 128 down to 32; else two from (h/4, w/4), 128 down to 64 (28x28)
        stages = 3 if h % 8 == 0 and w % 8 == 0 and h >= 32 and w >= 32 else 2
        f, top, low = (8, 128, 32) if stages == 3 else (4, 128, 64)
        hs, ws = h // f, w // f
        g = [rec(gt.LINEAR, top * hs * ws), rec(gt.RESHAPE, top, hs, ws), bn(gt.BATCHNORM2D), rec(gt.RELU)]
        for ch in [top >> k for k in range(1, stages)]:
            g += [rec(gt.CONVT2D, ch, k=4, s=2, p=1), bn(gt.BATCHNORM2D), rec(gt.RELU)]
        g += [rec(gt.CONVT2D, c, k=4, s=2, p=1), rec(gt.TANH)]
        d = [rec(gt.CONV2D, low, k=4, s=2, p=1), rec(gt.LEAKY_RELU, alpha=0.2)]
        for ch in [2 * low << k for k in range(stages - 1)]:
            d += [rec(gt.CONV2D, ch, k=4, s=2, p=1), bn(gt.BATCHNORM2D), rec(gt.LEAKY_RELU, alpha=0.2)]
        d += [rec(gt.RESHAPE, top * hs * ws, 1, 1), rec(gt.LINEAR, d_out)]
    else:
        raise ValueError(f'preset {preset} is not known (mlp, dcgan)')
    if spectral:  # SNGAN's D: Linear and Conv2d normalized, BatchNorm dropped (as ganplay does)
        d = [r[:7] + [r[7] | (gt.SPECTRAL_NORM if r[0] in (gt.LINEAR, gt.CONV2D) else 0)] + r[8:]
             for r in d if r[0] not in (gt.BATCHNORM, gt.BATCHNORM2D)]
    # as stored: the floats are float32
    f32 = lambda rs: [list(gt.RECORD.unpack(gt.RECORD.pack(*r))) for r in rs]
    return g_in, f32(g), d_in, f32(d)


def init_params(net, preset, gen):
    """ganplay's initialization: DCGAN's N(0, 0.02) weights (BatchNorm gamma
    N(1, 0.02)), zero biases; the MLP keeps PyTorch's defaults."""
    if preset != 'dcgan':
        return
    with torch.no_grad():
        for mod in net.layers:
            base = getattr(mod, 'weight_orig', None)
            if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                (base if base is not None else mod.weight).normal_(0.0, 0.02, generator=gen)
                if mod.bias is not None:
                    mod.bias.zero_()
            elif isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                mod.weight.normal_(1.0, 0.02, generator=gen)
                mod.bias.zero_()


# ---- data ----------------------------------------------------------------------

def load_dataset(path):
    """A ganplay dataset (.bin), checked as the C core checks it
    (src/data/dataset.c, gp_dataset_from_bytes): ValueError or OSError."""
    try:
        data = open(path, 'rb').read()
    except OSError as e:
        raise ValueError(f"--data: cannot read '{path}': {e.strerror}") from None
    if len(data) < 24 or data[:4] != b'GPDS':
        raise ValueError(f'--data: {path} is not a ganplay dataset (bad magic or too short)')
    version, count, h, w, c = struct.unpack('<5I', data[4:24])
    if version != 1:
        raise ValueError(f'--data: {path}: dataset version {version} is not supported (expected 1)')
    if not (5 <= count <= 1000000 and 1 <= h <= 256 and 1 <= w <= 256 and c in (1, 3)):
        raise ValueError(f'--data: {path}: dataset header out of range: {count} images of {h}x{w}x{c}')
    n = h * w * c  # per image its planes (all R, then G, then B)
    if len(data) != 24 + count * n + count:
        raise ValueError(f'--data: {path}: the file is {len(data)} bytes, its header implies {24 + count * n + count}')
    pixels = np.frombuffer(data, np.uint8, count * n, 24).reshape(count, c, h, w)
    labels = np.frombuffer(data, np.uint8, count, 24 + count * n).astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f'--data: {path}: label {labels.max()} of image {int(labels.argmax())} is not in 0..9')
    train = np.array([i for i in range(count) if i % 5 != 4])
    images = torch.from_numpy(pixels[train].astype(np.float32) / 127.5 - 1.0)
    return images, torch.from_numpy(labels[train]), [c, h, w], int(labels.max()) + 1


def dataset_name(path):
    """The dataset's name as a model records it: mnist, fashion, emoji, or own (as `ganplay train`)."""
    base = os.path.basename(path)
    for name in ('mnist', 'fashion', 'emoji'):
        if base.startswith(name):
            return name
    return 'own'


# class names of the datasets the project ships, in label order (src/data/dataset.c); others are numbered
CLASS_NAMES = {
    'mnist': [str(k) for k in range(10)],
    'fashion': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    'emoji': ['Smileys', 'People', 'Animals', 'Food', 'Travel', 'Activities', 'Objects', 'Symbols', 'Flags'],
}


def class_names(dataset, classes):
    """As gp_gan_config_set_classes: the dataset's names where it has them, else the label's number."""
    known = CLASS_NAMES.get(dataset, [])
    return [known[k] if k < len(known) else str(k) for k in range(classes)]


# ---- training ----------------------------------------------------------------------

class Refused(Exception):
    """An argument refused: one line, exit 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's refusals (a missing, unknown or bad option): one line, exit 1
        bad_value = re.fullmatch(r'argument [^:]+: (invalid value .*)', message)
        raise Refused(bad_value[1] if bad_value else message)


STEPS_MAX = 100000000  # `ganplay train --steps` and --log-every: a whole number in 1..100000000 (src/app/cli.c)


def whole(flag, lo, hi):
    """A whole number in lo..hi, digits only (as ganplay's CLI reads one)."""
    def parse(text):
        if not re.fullmatch(r'[0-9]+', text) or not lo <= int(text) <= hi:
            raise argparse.ArgumentTypeError(f"invalid value '{text}' for {flag}: must be a whole number in {lo}..{hi}")
        return int(text)
    return parse


def setting(flag, name):
    """A value of the C core's setting name, in its range (the settings table,
    gpm_torch.settings_table()), decimal only: no hex, inf or nan."""
    kind, lo, hi, lo_open, hi_open = gt.settings_table()[0][name]
    if kind in ('int', 'seed'):
        return whole(flag, int(lo), int(hi))
    span = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"

    def parse(text):
        ok = re.fullmatch(r'[0-9+\-.eE]+', text) is not None
        try:
            v = float(text) if ok else None
        except ValueError:
            v = None
        if v is None or not gt.in_range((kind, lo, hi, lo_open, hi_open), v) or not gt.in_range(
                (kind, lo, hi, lo_open, hi_open), float(np.float32(v))):
            raise argparse.ArgumentTypeError(f"invalid value '{text}' for {flag}: must be a number in {span}")
        return v
    return parse


def out_writable(path):
    """Whether --out can be written, asked before anything is loaded or
    trained (as ganplay's out_writable): a file beside it, made and removed."""
    if os.path.isdir(path):
        raise Refused(f"--out: cannot write '{path}': it is a directory")
    tmp = f'{path}.tmp{os.getpid()}'
    try:
        with open(tmp, 'xb'):
            pass
        os.remove(tmp)
    except OSError as e:
        raise Refused(f"--out: cannot write '{path}': {e.strerror}") from None


def parse_args(argv):
    """The arguments, each checked before any work (Refused otherwise)."""
    ap = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--preset', required=True, choices=['mlp', 'dcgan'])
    ap.add_argument('--data', required=True)
    ap.add_argument('--steps', type=whole('--steps', 1, STEPS_MAX), required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--batch', type=setting('--batch', 'batch'), default=64)
    ap.add_argument('--latent', type=setting('--latent', 'latent'), default=100)
    ap.add_argument('--lr-g', type=setting('--lr-g', 'lr_g'), default=2e-4)
    ap.add_argument('--lr-d', type=setting('--lr-d', 'lr_d'), default=2e-4)
    ap.add_argument('--beta1', type=setting('--beta1', 'beta1'), default=0.5)
    ap.add_argument('--beta2', type=setting('--beta2', 'beta2'), default=0.999)
    ap.add_argument('--loss', default='nonsaturating', choices=LOSSES)
    ap.add_argument('--cond', default='none', choices=CONDS)
    ap.add_argument('--ema', type=setting('--ema', 'ema'), default=0.0)
    ap.add_argument('--spectral-norm', action='store_true')
    ap.add_argument('--seed', type=setting('--seed', 'seed'), default=1)
    ap.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    ap.add_argument('--log-every', type=whole('--log-every', 1, STEPS_MAX), default=100)
    a = ap.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise Refused('--device cuda: this torch sees no CUDA device')
    out_writable(a.out)
    return a


def main(argv):
    try:
        return train(argv)
    except Refused as e:
        print(f'train_torch: {e}', file=sys.stderr)
        return 1
    except (ValueError, OSError) as e:  # the data unreadable or malformed, a state ganplay would refuse, a failed write
        what = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename else ' '.join(str(e).split())
        print(f'train_torch: {what}', file=sys.stderr)
        return 1


def train(argv):
    a = parse_args(argv)
    images, labels, image, data_classes = load_dataset(a.data)
    classes = data_classes if a.cond != 'none' else 0
    if a.preset == 'dcgan' and (image[1] % 4 or image[2] % 4):  # as the core's image_ok (src/gan/config.c)
        raise Refused(f'--preset dcgan needs image sides that are multiples of 4, the data has {image[1]}x{image[2]}')
    g_in, g_recs, d_in, d_recs = preset_records(a.preset, image, a.latent, classes, a.cond, a.spectral_norm)
    # the state this run writes, checked now as ganplay's loader will check it (a run of
    # every setting given, whose file ganplay would refuse, is refused before it starts)
    G0, D0 = gt.GpNet(g_in, g_recs), gt.GpNet(d_in, d_recs)
    gt.check_model(state_of(a, image, data_classes, classes, G0, D0, None, None, None, g_in, g_recs, d_in, d_recs,
                            [0.0] * 4))
    del G0, D0

    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    if world > 1:  # torchrun: one process per device, gradients averaged by DDP
        torch.distributed.init_process_group('nccl' if a.device == 'cuda' else 'gloo')
        if a.device == 'cuda':
            torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', '0')))
        if a.batch % world:
            raise Refused(f'--batch {a.batch} must divide among {world} processes')
    device = torch.device('cuda' if a.device == 'cuda' else 'cpu')
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    G, D = gt.GpNet(g_in, g_recs), gt.GpNet(d_in, d_recs)
    init_params(G, a.preset, gen)
    init_params(D, a.preset, gen)
    G, D = G.to(device).train(), D.to(device).train()
    ema = [p.detach().clone() for p in G.parameters()] if a.ema > 0 else None
    gd, dd = G, D
    if world > 1:
        # each process keeps its own BatchNorm statistics (rank 0's are saved): broadcasting
        # them would rewrite buffers the backward still needs
        ddp = {'broadcast_buffers': False} | ({'device_ids': [device.index]} if a.device == 'cuda' else {})
        gd, dd = torch.nn.parallel.DistributedDataParallel(G, **ddp), torch.nn.parallel.DistributedDataParallel(D, **ddp)
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr_g, betas=(a.beta1, a.beta2), eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr_d, betas=(a.beta1, a.beta2), eps=1e-8)
    b = a.batch // world
    pick = torch.Generator().manual_seed(a.seed * 1000 + rank)  # each process its own share of images

    def onehot_g(z, y):
        return gt.g_input(z.to(device), y, classes)

    def d_scores(x, y):
        out = dd(gt.d_input(x, y, classes, a.cond == 'concat')).reshape(x.shape[0], -1)
        return out[:, 0], (out[:, 1:] if a.cond == 'acgan' else None)

    bce = lambda s, t: F.binary_cross_entropy_with_logits(s, torch.full_like(s, t))
    stats = [0.0] * 4
    for step in range(1, a.steps + 1):
        idx = torch.randint(0, len(images), (b,), generator=pick)
        real, y_real = images[idx].to(device), labels[idx].to(device)
        z = torch.randn(b, a.latent, generator=pick)
        y_fake = torch.randint(0, max(classes, 1), (b,), generator=pick)
        fake = gd(onehot_g(z, y_fake))
        # D step: real towards 1, fake towards 0 (ACGAN: and the class of each), each batch
        # through D on its own as ganplay does; the gradients of both are summed (and, under
        # DDP, averaged over the processes once, after the second)
        opt_d.zero_grad()
        with dd.no_sync() if world > 1 else contextlib.nullcontext():
            s_real, c_real = d_scores(real, y_real)
            loss_real = bce(s_real, 1.0) + (F.cross_entropy(c_real, y_real) if c_real is not None else 0.0)
            loss_real.backward()
        s_fake, c_fake = d_scores(fake.detach(), y_fake.to(device))
        loss_fake = bce(s_fake, 0.0) + (F.cross_entropy(c_fake, y_fake.to(device)) if c_fake is not None else 0.0)
        loss_fake.backward()
        d_loss = loss_real.detach() + loss_fake.detach()
        opt_d.step()
        # G step on the same fake batch
        s_fake, c_fake = d_scores(fake, y_fake.to(device))
        g_loss = bce(s_fake, 1.0) if a.loss == 'nonsaturating' else -bce(s_fake, 0.0)
        if c_fake is not None:
            g_loss = g_loss + F.cross_entropy(c_fake, y_fake.to(device))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        if ema is not None:  # ganplay's warm-up: decay min(ema, (1 + t) / (10 + t))
            decay = min(a.ema, (1.0 + step) / (10.0 + step))
            with torch.no_grad():
                for e, p in zip(ema, G.parameters()):
                    e.mul_(decay).add_(p.detach(), alpha=1.0 - decay)
        stats = [d_loss.item(), g_loss.item(), torch.sigmoid(s_real).mean().item(), torch.sigmoid(s_fake).mean().item()]
        if rank == 0 and (step % a.log_every == 0 or step == a.steps):
            print(f'step {step:6d}  d_loss {stats[0]:.4f}  g_loss {stats[1]:.4f}  D(x) {stats[2]:.3f}  D(G(z)) {stats[3]:.3f}',
                  flush=True)

    if rank == 0:
        write_state(a, image, data_classes, classes, G, D, ema, opt_g, opt_d, g_in, g_recs, d_in, d_recs, stats)
    if world > 1:
        torch.distributed.destroy_process_group()
    return 0


def state_of(a, image, data_classes, classes, G, D, ema, opt_g, opt_d, g_in, g_recs, d_in, d_recs, stats):
    """A ganplay training state (the dict gpm_torch writes): both networks,
    Adam's moments (zeros before the first step) and step counts."""
    G, D = G.cpu(), D.cpu()

    def spec(net, opt, in_shape, recs):
        params, buffers = net.flat()
        state = lambda t, key: opt.state.get(t, {}).get(key, torch.zeros_like(t)) if opt else torch.zeros_like(t)
        return {'in': in_shape, 'records': recs, 'params': params, 'buffers': buffers,
                'adam_m': net.flat_of(lambda t: state(t, 'exp_avg')), 'adam_v': net.flat_of(lambda t: state(t, 'exp_avg_sq'))}

    dataset = dataset_name(a.data)
    loss = LOSSES.index(a.loss)
    settings = [('loss', loss), ('lr_g', a.lr_g), ('lr_d', a.lr_d), ('beta1', a.beta1), ('beta2', a.beta2),
                ('adam_eps', 1e-8), ('batch', a.batch), ('latent', a.latent), ('cond', CONDS.index(a.cond)),
                ('ema', a.ema), ('spectral_norm', 1 if a.spectral_norm else 0)]
    # what struct stores: float32 for the header's floats, f64 for the settings (as float32 values, which the header has)
    settings = [(n, float(np.float32(v))) for n, v in settings]
    m = {'version': 2, 'flags': gt.FLAG_TRAINING, 'preset': a.preset, 'image': image, 'batch': a.batch,
         'latent': a.latent, 'd_steps': 1, 'loss': loss,
         'floats': [a.lr_g, a.lr_d, a.beta1, a.beta2, 1e-8, 1.0], 'seed': a.seed, 'rng': a.seed,
         'g_steps': a.steps, 'd_steps_taken': a.steps, 'adam_t_g': a.steps, 'adam_t_d': a.steps, 'last': stats,
         'dataset': dataset, 'class_names': class_names(dataset, classes),
         'settings': settings, 'G': spec(G, opt_g, g_in, g_recs), 'D': spec(D, opt_d, d_in, d_recs),
         'ema': None, 'history': None}
    if a.ema > 0:  # in ganplay's order of G's parameters (before training: G's own)
        by_param = dict(zip(G.parameters(), (e.cpu() for e in ema) if ema is not None else G.parameters()))
        m['ema'] = G.flat_of(lambda t: by_param[t])
    return m


def write_state(a, *args):
    data = gt.write_gpm(state_of(a, *args))  # refused (ValueError) where ganplay would refuse it, e.g. a NaN weight
    gt.write_atomic(a.out, data)  # a failed write leaves the old file
    print(f'wrote {a.out} ({len(data)} bytes): a ganplay training state after {a.steps} steps')


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
