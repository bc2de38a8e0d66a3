# Dev-time generator of backbone_frozen_epoch0_relu6_kink.json (Tests/Fixtures/README.md section 36).
# NanoTrack's own ModelBuilder / losses (HonglinChu/SiamTrackers 248663f, NanoTrack/ on sys.path, unmodified;
# torch.Tensor.cuda made a no-op for CPU), float64, the frozen-backbone trainer phase of step.json, on this
# folder's batch and the real nanotrackv3.pth. The ReLU6 `ban_head.bbox_tower.12` has one input element
# 2.1e-8 from its kink at 0; this records PyTorch's float64 autograd with that one element's derivative
# taken from the other side (the forward value is unchanged), and the SGD step that follows.
# Usage: python make_relu6_kink.py NANOTRACK_DIR nanotrackv3.pth > backbone_frozen_epoch0_relu6_kink.json
import json, sys
import numpy as np, torch

sys.path.insert(0, sys.argv[1])
torch.Tensor.cuda = lambda self, *a, **k: self
from nanotrack.core.config import cfg
from nanotrack.models.model_builder import ModelBuilder
from nanotrack.models.loss import select_cross_entropy_loss, select_iou_loss

here = __file__.rsplit('/', 1)[0] + '/'
cfg.merge_from_file(here + 'configv3.yaml')
state = torch.load(sys.argv[2], map_location='cpu', weights_only=False)['state_dict']
step = json.load(open(here + 'step.json'))['variants']['backbone_frozen_epoch0']
LR = 0.0010000000000000002  # the head group's lr at START_EPOCH 0 (step.json param_groups)
KINK = 'bbox_tower.12'


def checksum(a, full=True):
    a = a.astype(np.float64).ravel()
    n = a.size
    c = {'sum': float(a.sum()), 'sum_sq': float((a * a).sum()), 'max_abs': float(np.abs(a).max())}
    if full:
        idx = np.unique([j * (n - 1) // 15 for j in range(16)])
        c.update(shape=[n], min=float(a.min()), max=float(a.max()), samples=[float(a[i]) for i in idx])
    return c


def run(flip):
    m = ModelBuilder()
    m.load_state_dict(state)
    m = m.double().train()
    for p in m.backbone.parameters():
        p.requires_grad = False
    for mod in m.backbone.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.eval()
    info = {}
    relu = dict(m.ban_head.named_modules())[KINK]

    def forward(x):
        d = torch.minimum(x.abs(), (x - 6).abs()).detach().flatten()
        k = int(d.argmin())
        info.update(module='ban_head.' + KINK, flat_index=k, input_f64=float(x.detach().flatten()[k]))
        inside = ((x > 0) & (x < 6)).detach().flatten().clone()
        if flip:
            inside[k] = ~inside[k]
        return torch.clamp(x, 0, 6).detach() + (x - x.detach()) * inside.view_as(x).double()

    relu.forward = forward
    t = torch.from_numpy(np.load(here + 'template.npy')).double()
    s = torch.from_numpy(np.load(here + 'search.npy')).double()
    cls, loc = m.ban_head(m.backbone(t), m.backbone(s))
    lc = torch.from_numpy(np.load(here + 'label_cls.npy'))
    ll = torch.from_numpy(np.load(here + 'label_loc.npy')).double()
    loss = select_cross_entropy_loss(m.log_softmax(cls), lc) + select_iou_loss(loc, ll, lc)
    loss.backward()
    out = {}
    for k, p in m.named_parameters():
        if p.grad is None:
            continue
        g = p.grad.numpy()
        before = p.detach().numpy()
        after = before - LR * (g + 1e-4 * before)
        out[k] = {'grad_f64': checksum(g), 'after_f64': checksum(after), 'delta_f64': checksum(after - before, full=False)}
    return float(loss), info, out


loss0, info, plain = run(False)
worst = max(abs(plain[k]['grad_f64']['sum'] - step['grads'][k]['f64']['sum']) for k in plain)
loss1, _, flipped = run(True)
json.dump({'kink': info, 'total_loss_f64': loss1, 'lr': LR,
           'unflipped_vs_step_json_max_grad_sum_diff': worst, 'params': flipped}, sys.stdout)
