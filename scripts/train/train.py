#!/usr/bin/python3
"""Trains the lung-findings model (models/findings/model-io.ts is the contract) on the tensors of
prepare-dataset.ts, on the CPU, and exports it to ONNX with its manifest.

    /usr/bin/python3 scripts/train/train.py --data ~/.cache/pleura/train/tensors \
        --out models/lung-findings [--epochs 18] [--threads 2] [--seed 1]

Writes <out>/lung-findings.onnx and <out>/lung-findings.json (manifest, models/runtime/manifest.ts)
and <out>/training-report.json (val metrics, thresholds, timings, the command line).
Thresholds are chosen on the val split: the probability that maximises balanced accuracy
(frame labels) or F1 (maps).
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FRAME_LABELS = ['view_ok', 'a_lines', 'b_lines', 'confluent_b_lines', 'pleura_irregular', 'consolidation', 'effusion']
LESION_CHANNELS = ['consolidation', 'effusion']
S = 128  # INPUT_SIZE
BINS = 32  # LATERAL_BINS
GRID = 32  # LESION_GRID


def load_split(root, split):
    d = os.path.join(root, split)
    idx = json.load(open(os.path.join(d, 'index.json')))
    n = idx['count']
    arr = lambda f, dt, shape: np.fromfile(os.path.join(d, f), dt).reshape(shape)
    return {
        'n': n,
        'images': arr('images.u8', np.uint8, (n, S, S)),
        'frame': arr('frame.u8', np.uint8, (n, 7)).astype(np.float32),
        'bline': arr('bline.u8', np.uint8, (n, BINS)).astype(np.float32),
        'row': arr('pleura_row.i16', np.int16, (n,)).astype(np.int64),
        'vis': arr('pleura_vis.u8', np.uint8, (n, BINS)).astype(np.float32),
        'lesion': arr('lesion.u8', np.uint8, (n, 2, GRID, GRID)).astype(np.float32),
        'valid': arr('valid.u8', np.uint8, (n,)).astype(np.float32),
        'index': idx,
    }


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class LungFindingsNet(nn.Module):
    """A small encoder (128 → 64 → 32 → 16 → 8) and five heads on fused 32×32 features:
    frame labels from pooled deep features, per-column maps (B-lines, visible pleura) from the
    32×32 features pooled over rows, the pleura row from them pooled over columns (4 rows per
    cell), the lesion map from the 32×32 features directly."""

    def __init__(self, w=(24, 40, 64, 96)):
        super().__init__()
        self.s1 = conv_bn(1, w[0], 2)  # 64
        self.s2 = nn.Sequential(conv_bn(w[0], w[1], 2), conv_bn(w[1], w[1]))  # 32
        self.s3 = nn.Sequential(conv_bn(w[1], w[2], 2), conv_bn(w[2], w[2]))  # 16
        self.s4 = nn.Sequential(conv_bn(w[2], w[3], 2), conv_bn(w[3], w[3]))  # 8
        f = 48
        self.l2 = nn.Conv2d(w[1], f, 1)
        self.l3 = nn.Conv2d(w[2], f, 1)
        self.l4 = nn.Conv2d(w[3], f, 1)
        self.fuse = conv_bn(f, f)
        self.frame = nn.Sequential(nn.Dropout(0.2), nn.Linear(2 * w[3] + 2 * f, 64), nn.ReLU(inplace=True), nn.Dropout(0.2), nn.Linear(64, 7))
        self.cols = nn.Sequential(nn.Conv1d(2 * f, 64, 3, padding=1), nn.ReLU(inplace=True), nn.Conv1d(64, 64, 3, padding=1), nn.ReLU(inplace=True))
        self.bline = nn.Conv1d(64, 1, 1)
        self.vis = nn.Conv1d(64, 1, 1)
        self.rows = nn.Sequential(nn.Conv1d(2 * f, 64, 3, padding=1), nn.ReLU(inplace=True), nn.Conv1d(64, 4, 3, padding=1))
        self.lesion = nn.Sequential(conv_bn(f, 24), nn.Conv2d(24, 2, 1))

    def forward(self, x):
        x2 = self.s2(self.s1(x))
        x3 = self.s3(x2)
        x4 = self.s4(x3)
        up = lambda t: F.interpolate(t, size=(32, 32), mode='bilinear', align_corners=False)
        fm = self.fuse(self.l2(x2) + up(self.l3(x3)) + up(self.l4(x4)))  # [N, f, 32, 32]
        n = x.shape[0]
        g = torch.cat([x4.mean((2, 3)), x4.amax((2, 3)), fm.mean((2, 3)), fm.amax((2, 3))], 1)
        frame = self.frame(g)
        c = self.cols(torch.cat([fm.mean(2), fm.amax(2)], 1))  # [N, 64, 32] over columns
        bline = self.bline(c).flatten(1)
        vis = self.vis(c).flatten(1)
        r = self.rows(torch.cat([fm.mean(3), fm.amax(3)], 1))  # [N, 4, 32] over rows
        row = r.permute(0, 2, 1).reshape(n, S)
        lesion = self.lesion(fm)
        return frame, bline, row, vis, lesion


def batch_tensors(d, idx, flip, rng=None):
    x = torch.from_numpy(d['images'][idx].astype(np.float32) / 255.0).unsqueeze(1)
    if rng is not None:
        # On top of prepare-dataset's randomisation (fixed per picture): a brightness scale and
        # noise inside the image region, drawn anew every epoch.
        inside = (x > 0).float()
        scale = torch.from_numpy(rng.uniform(0.85, 1.15, (len(idx), 1, 1, 1)).astype(np.float32))
        sigma = torch.from_numpy(rng.uniform(0, 0.03, (len(idx), 1, 1, 1)).astype(np.float32))
        noise = torch.from_numpy(rng.standard_normal(x.shape).astype(np.float32))
        x = (x * scale + noise * sigma * inside).clamp(0, 1) * inside
    t = {k: torch.from_numpy(d[k][idx]) for k in ('frame', 'bline', 'row', 'vis', 'lesion', 'valid')}
    if flip is not None and flip.any():
        f = torch.from_numpy(flip)
        x[f] = x[f].flip(-1)
        t['bline'][f] = t['bline'][f].flip(-1)
        t['vis'][f] = t['vis'][f].flip(-1)
        t['lesion'][f] = t['lesion'][f].flip(-1)
    return x, t


ROW_SIGMA = 1.5
_rows = torch.arange(S, dtype=torch.float32)


def losses(out, t):
    frame, bline, row, vis, lesion = out
    valid = t['valid']
    # Frame labels: view_ok always, the findings only on usable pictures.
    m = torch.ones_like(t['frame'])
    m[:, 1:] = valid.unsqueeze(1)
    lf = (F.binary_cross_entropy_with_logits(frame, t['frame'], reduction='none') * m).sum() / m.sum()
    vm = valid.unsqueeze(1)
    denom = valid.sum().clamp(min=1)
    lb = (F.binary_cross_entropy_with_logits(bline, t['bline'], pos_weight=torch.tensor(4.0), reduction='none') * vm).mean(1).sum() / denom
    lv = (F.binary_cross_entropy_with_logits(vis, t['vis'], reduction='none') * vm).mean(1).sum() / denom
    ll = (F.binary_cross_entropy_with_logits(lesion, t['lesion'], pos_weight=torch.tensor(3.0), reduction='none') * valid.view(-1, 1, 1, 1)).mean((1, 2, 3)).sum() / denom
    has = (t['row'] >= 0) & (valid > 0)
    if has.any():
        target = torch.exp(-0.5 * ((_rows.unsqueeze(0) - t['row'][has].float().unsqueeze(1)) / ROW_SIGMA) ** 2)
        target = target / target.sum(1, keepdim=True)
        lr = -(target * F.log_softmax(row[has], 1)).sum(1).mean()
    else:
        lr = row.sum() * 0
    return lf + lb + 0.5 * lv + 2.0 * ll + 0.3 * lr, {'frame': lf.item(), 'bline': lb.item(), 'vis': lv.item(), 'lesion': ll.item(), 'row': lr.item()}


@torch.no_grad()
def predict(model, d, bs=256):
    model.eval()
    outs = [[], [], [], [], []]
    for i in range(0, d['n'], bs):
        x, _ = batch_tensors(d, np.arange(i, min(d['n'], i + bs)), None)
        for k, o in enumerate(model(x)):
            outs[k].append(o)
    return [torch.cat(o).numpy() for o in outs]


def auc(y, s):
    y = np.asarray(y).astype(bool)
    p, n = y.sum(), (~y).sum()
    if p == 0 or n == 0:
        return float('nan')
    order = np.argsort(s, kind='mergesort')
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    # ties: average ranks
    ss = s[order]
    i = 0
    while i < len(ss):
        j = i
        while j + 1 < len(ss) and ss[j + 1] == ss[i]:
            j += 1
        if j > i:
            ranks[order[i:j + 1]] = (i + j + 2) / 2
        i = j + 1
    return float((ranks[y].sum() - p * (p + 1) / 2) / (p * n))


def best_threshold(y, p, metric):
    y = np.asarray(y).astype(bool)
    best, bt = -1, 0.5
    for th in np.linspace(0.01, 0.99, 99):
        pr = p >= th
        tp = (pr & y).sum(); fp = (pr & ~y).sum(); fn = (~pr & y).sum(); tn = (~pr & ~y).sum()
        if metric == 'bacc':
            v = 0.5 * (tp / max(1, tp + fn) + tn / max(1, tn + fp))
        else:
            v = 2 * tp / max(1, 2 * tp + fp + fn)
        if v > best:
            best, bt = v, float(th)
    return round(bt, 2), float(best)


sig = lambda z: 1 / (1 + np.exp(-z))


def evaluate(model, d, thresholds=None):
    frame, bline, row, vis, lesion = predict(model, d)
    valid = d['valid'] > 0
    choose = thresholds is None
    thresholds = thresholds or {'frame_logits': {}, 'bline_map': {}, 'pleura_visible': {}, 'lesion_map': {}}
    rep = {'n': int(d['n']), 'usable_pictures': int(valid.sum()), 'frame': {}}
    for k, name in enumerate(FRAME_LABELS):
        m = np.ones(d['n'], bool) if k == 0 else valid
        y, p = d['frame'][m, k], sig(frame[m, k])
        if choose:
            thresholds['frame_logits'][name] = best_threshold(y, p, 'bacc')[0]
        th = thresholds['frame_logits'][name]
        pr = p >= th
        yb = y > 0.5
        rep['frame'][name] = {'auc': round(auc(y, p), 4), 'threshold': th, 'sensitivity': round(float((pr & yb).sum() / max(1, yb.sum())), 4),
                              'specificity': round(float((~pr & ~yb).sum() / max(1, (~yb).sum())), 4), 'positives': int(yb.sum()), 'n': int(m.sum())}
    def map_rep(key, y, p):
        if choose:
            thresholds[key][key_label[key]] = best_threshold(y.ravel(), p.ravel(), 'f1')[0]
        th = thresholds[key][key_label[key]]
        pr = p >= th
        yb = y > 0.5
        tp = (pr & yb).sum(); fp = (pr & ~yb).sum(); fn = (~pr & yb).sum()
        return {'threshold': th, 'f1': round(float(2 * tp / max(1, 2 * tp + fp + fn)), 4), 'precision': round(float(tp / max(1, tp + fp)), 4), 'recall': round(float(tp / max(1, tp + fn)), 4)}
    key_label = {'bline_map': 'b_line', 'pleura_visible': 'visible'}
    rep['bline_map'] = map_rep('bline_map', d['bline'][valid], sig(bline[valid]))
    rep['pleura_visible'] = map_rep('pleura_visible', d['vis'][valid], sig(vis[valid]))
    # B-line bins within ±1 bin (a line near a bin edge): recall of true lines, precision of detections.
    yb = d['bline'][valid] > 0.5
    pb = sig(bline[valid]) >= thresholds['bline_map']['b_line']
    dil = lambda a: a | np.roll(a, 1, 1) & (np.arange(BINS) > 0) | np.roll(a, -1, 1) & (np.arange(BINS) < BINS - 1)
    rep['bline_map']['recall_pm1'] = round(float((yb & dil(pb)).sum() / max(1, yb.sum())), 4)
    rep['bline_map']['precision_pm1'] = round(float((pb & dil(yb)).sum() / max(1, pb.sum())), 4)
    has = valid & (d['row'] >= 0)
    pred_row = row[has].argmax(1)
    err = np.abs(pred_row - d['row'][has])
    rep['pleura_row'] = {'n': int(has.sum()), 'mae_rows': round(float(err.mean()), 3), 'within_2_rows': round(float((err <= 2).mean()), 4), 'within_4_rows': round(float((err <= 4).mean()), 4)}
    rep['lesion_map'] = {}
    for c, name in enumerate(LESION_CHANNELS):
        y = d['lesion'][valid, c]
        p = sig(lesion[valid, c])
        if choose:
            thresholds['lesion_map'][name] = best_threshold(y.ravel(), p.ravel(), 'f1')[0]
        pr = p >= thresholds['lesion_map'][name]
        yb = y > 0.5
        inter = (pr & yb).sum()
        rep['lesion_map'][name] = {'threshold': thresholds['lesion_map'][name], 'dice': round(float(2 * inter / max(1, pr.sum() + yb.sum())), 4)}
    return rep, thresholds


def sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.expanduser('~/.cache/pleura/train/tensors'))
    ap.add_argument('--out', default='models/lung-findings')
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--max-minutes', type=float, default=14.0, help='stop training after this long (the schedule is shortened to fit)')
    args = ap.parse_args()
    cmd = ' '.join(['/usr/bin/python3'] + sys.argv)
    print('command:', cmd, flush=True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    train, val = load_split(args.data, 'train'), load_split(args.data, 'val')
    print(f"train {train['n']} samples ({int(train['valid'].sum())} usable pictures), val {val['n']}", flush=True)

    model = LungFindingsNet()
    nparams = sum(p.numel() for p in model.parameters())
    print(f'model: {nparams} parameters', flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-4)
    steps_per_epoch = (train['n'] + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15)
    history = []
    deadline = t0 + args.max_minutes * 60
    for epoch in range(args.epochs):
        model.train()
        te = time.time()
        perm = rng.permutation(train['n'])
        tot, parts = 0.0, {}
        for b in range(steps_per_epoch):
            idx = np.sort(perm[b * args.batch:(b + 1) * args.batch])
            x, t = batch_tensors(train, idx, rng.random(len(idx)) < 0.5, rng)
            loss, lp = losses(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
            for k, v in lp.items():
                parts[k] = parts.get(k, 0) + v
        rep, _ = evaluate(model, val)
        line = {'epoch': epoch + 1, 'loss': round(tot / steps_per_epoch, 4), **{k: round(v / steps_per_epoch, 4) for k, v in parts.items()},
                'val_auc': {k: v['auc'] for k, v in rep['frame'].items()}, 'val_bline_f1': rep['bline_map']['f1'], 'val_row_mae': rep['pleura_row']['mae_rows'],
                'val_dice': {k: v['dice'] for k, v in rep['lesion_map'].items()}, 'seconds': round(time.time() - te, 1)}
        history.append(line)
        print(json.dumps(line), flush=True)
        if time.time() + (time.time() - te) > deadline:
            print(f'stopping after epoch {epoch + 1}: the next epoch would pass --max-minutes {args.max_minutes}', flush=True)
            break
    train_s = time.time() - t0

    rep, thresholds = evaluate(model, val)
    print('val (thresholds chosen on val):', json.dumps(rep, indent=1), flush=True)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, 'lung-findings.onnx')
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, S, S), onnx_path, opset_version=13, input_names=['image'],
                      output_names=['frame_logits', 'bline_map', 'pleura_row', 'pleura_visible', 'lesion_map'],
                      dynamic_axes={k: {0: 'batch'} for k in ['image', 'frame_logits', 'bline_map', 'pleura_row', 'pleura_visible', 'lesion_map']},
                      do_constant_folding=True)
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    # Same numbers from the ONNX graph as from torch? (onnx.reference is not in onnx 1.12; the
    # unit test runs the exported file through onnxruntime instead.)
    size = os.path.getsize(onnx_path)
    tr = train['index']
    manifest = {
        'name': 'lung-findings',
        'version': '1.0.0',
        'file': 'lung-findings.onnx',
        'sha256': sha256(onnx_path),
        'task': 'Lung-ultrasound findings per frame: usable view, A-lines, B-lines (with positions), confluent B-lines, irregular pleura, consolidation, effusion, pleural line position and visible extent, lesion maps',
        'inputs': [{'name': 'image', 'dtype': 'float32', 'shape': [-1, 1, S, S],
                    'preprocessing': {'scale': 1 / 255, 'mean': 0, 'std': 1}}],
        'outputs': [
            {'name': 'frame_logits', 'labels': FRAME_LABELS, 'thresholds': thresholds['frame_logits']},
            {'name': 'bline_map', 'labels': [], 'thresholds': thresholds['bline_map']},
            {'name': 'pleura_row', 'labels': [], 'thresholds': {}},
            {'name': 'pleura_visible', 'labels': [], 'thresholds': thresholds['pleura_visible']},
            {'name': 'lesion_map', 'labels': LESION_CHANNELS, 'thresholds': thresholds['lesion_map']},
        ],
        'intendedUse': 'Decision support on the Pleura device: per-frame lung-ultrasound findings (A-lines, B-lines, pleural line, consolidation, effusion, view quality) on display images prepared by models/findings/preprocess.ts (findImageRegion + prepareInput); thresholds are probabilities after a sigmoid, chosen on the simulated val split.',
        'notFor': 'Diagnosis, or any use without a clinician reviewing the images. Trained on simulated images only (pleura sim), never validated on real patients; not for lung sliding (a single frame cannot show it), pneumothorax, paediatric scans, other organs, Doppler or colour images.',
        'trainingData': f"Simulation only: {tr['exports']} random scenes (scripts/train/random-scene.ts, scene seeds 100000+i, simulator seeds 1000000+i) × 8 frames over one breath, C5-2v and L11-5v, 30–150 mm; {tr['count']} randomised display pictures (gain, gamma, noise, blur, resolution, letterbox, burnt-in text, unusable views); val: {val['index']['exports']} scenes (seeds 200000+i / 2000000+i), {val['n']} pictures.",
        'card': 'docs/models/lung-findings.md',
    }
    json.dump(manifest, open(os.path.join(args.out, 'lung-findings.json'), 'w'), indent=2, ensure_ascii=False)
    open(os.path.join(args.out, 'lung-findings.json'), 'a').write('\n')
    report = {'command': cmd, 'parameters': nparams, 'onnx_bytes': size, 'train_seconds': round(train_s, 1), 'threads': args.threads,
              'train_samples': train['n'], 'val_samples': val['n'], 'history': history, 'val': rep, 'thresholds': thresholds}
    json.dump(report, open(os.path.join(args.out, 'training-report.json'), 'w'), indent=1)
    print(f'wrote {onnx_path} ({size} bytes, sha256 {manifest["sha256"][:16]}…) and its manifest; trained in {train_s:.0f} s', flush=True)


if __name__ == '__main__':
    main()
