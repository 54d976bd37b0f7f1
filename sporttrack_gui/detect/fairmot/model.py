"""The FairMOT network, its joint loss and its decoder, sized for a CPU.

Why this shape: FairMOT's point is that one stride-4 feature map feeds both an
anchor-free detector (centre heatmap, box size, centre offset) and a re-ID head, so the
embedding of every detection costs one 1x1 convolution instead of a second network on
every crop. The backbone is a tiny DLA-like encoder (stride 16) with an upsampling path
back to stride 4; no pretrained weights exist or are downloaded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sporttrack_gui.errors import ModelError

STRIDE = 4


@dataclass
class FairMOTConfig:
    """Everything needed to rebuild the network from a weights file."""

    num_classes: int = 1
    width: int = 16            # channels of the first stage (stages: w, 2w, 4w, 8w)
    head_channels: int = 64
    emb_dim: int = 128
    num_ids: int = 1           # identities seen in training (size of the id classifier)
    imgsz: int = 384           # network input width; frames are resized to it
    class_names: tuple[str, ...] = ("player",)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["class_names"] = list(self.class_names)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> FairMOTConfig:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if "class_names" in known:
            known["class_names"] = tuple(known["class_names"])
        return cls(**known)


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class _Block(nn.Sequential):
    """A strided conv then a residual-free refinement conv (cheap on a CPU)."""

    def __init__(self, cin: int, cout: int):
        super().__init__(_conv(cin, cout, 2), _conv(cout, cout))


class FairMOTNet(nn.Module):
    """Encoder to stride 16, upsampling fusion to stride 4, four parallel heads."""

    def __init__(self, cfg: FairMOTConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.stem = _Block(3, w)            # /2
        self.s4 = _Block(w, 2 * w)          # /4
        self.s8 = _Block(2 * w, 4 * w)      # /8
        self.s16 = _Block(4 * w, 8 * w)     # /16
        self.lat8 = nn.Conv2d(4 * w, 8 * w, 1)
        self.lat4 = nn.Conv2d(2 * w, 8 * w, 1)
        self.fuse8 = _conv(8 * w, 8 * w)
        self.fuse4 = _conv(8 * w, 4 * w)
        c, h = 4 * w, cfg.head_channels

        def head(out: int, bias: float = 0.0) -> nn.Sequential:
            seq = nn.Sequential(nn.Conv2d(c, h, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(h, out, 1))
            nn.init.constant_(seq[-1].bias, bias)
            return seq

        self.hm = head(cfg.num_classes, -2.19)  # prior 0.1 as in CenterNet
        self.wh = head(2)
        self.reg = head(2)
        self.id = head(cfg.emb_dim)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        up = self.fuse8(self.lat8(f8) + F.interpolate(f16, size=f8.shape[-2:], mode="nearest"))
        feat = self.fuse4(self.lat4(f4) + F.interpolate(up, size=f4.shape[-2:], mode="nearest"))
        return {"hm": self.hm(feat), "wh": self.wh(feat), "reg": self.reg(feat),
                "id": self.id(feat)}


class FairMOTLoss(nn.Module):
    """Focal heatmap loss + L1 size/offset + identity cross-entropy, uncertainty-weighted.

    The two learned log-variances ``s_det``/``s_id`` balance detection and re-ID as in the
    paper (Kendall et al.'s task uncertainty), initialised to the paper's -1.85 / -1.05.
    """

    def __init__(self, cfg: FairMOTConfig):
        super().__init__()
        self.classifier = nn.Linear(cfg.emb_dim, max(cfg.num_ids, 1))
        self.emb_scale = math.sqrt(2) * math.log(max(cfg.num_ids - 1, 2))
        self.s_det = nn.Parameter(torch.tensor(-1.85))
        self.s_id = nn.Parameter(torch.tensor(-1.05))

    def forward(self, out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]
                ) -> tuple[torch.Tensor, dict[str, float]]:
        hm = out["hm"].sigmoid().clamp(1e-4, 1 - 1e-4)
        hm_loss = focal_loss(hm, batch["hm"])
        mask = batch["mask"].float()  # (B, K)
        n = mask.sum().clamp(min=1.0)
        ind = batch["ind"]
        wh = _gather(out["wh"], ind)
        reg = _gather(out["reg"], ind)
        wh_loss = (F.l1_loss(wh, batch["wh"], reduction="none").sum(-1) * mask).sum() / n
        off_loss = (F.l1_loss(reg, batch["reg"], reduction="none").sum(-1) * mask).sum() / n
        det_loss = hm_loss + 0.1 * wh_loss + off_loss
        ids = batch["ids"]
        has_id = (mask > 0) & (ids >= 0)
        if has_id.any():
            emb = _gather(out["id"], ind)[has_id]
            logits = self.classifier(self.emb_scale * F.normalize(emb, dim=1))
            id_loss = F.cross_entropy(logits, ids[has_id])
        else:
            id_loss = hm.sum() * 0.0
        loss = 0.5 * (torch.exp(-self.s_det) * det_loss + torch.exp(-self.s_id) * id_loss
                      + self.s_det + self.s_id)
        parts = {"loss": loss.item(), "hm_loss": hm_loss.item(), "wh_loss": wh_loss.item(),
                 "off_loss": off_loss.item(), "id_loss": id_loss.item()}
        return loss, parts


def focal_loss(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on a Gaussian-splatted heatmap."""
    pos = gt.eq(1).float()
    neg = 1.0 - pos
    pos_loss = (torch.log(pred) * (1 - pred) ** 2 * pos).sum()
    neg_loss = (torch.log(1 - pred) * pred ** 2 * (1 - gt) ** 4 * neg).sum()
    n = pos.sum()
    return -neg_loss if n == 0 else -(pos_loss + neg_loss) / n


def _gather(feat: torch.Tensor, ind: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) at flat indices (B, K) -> (B, K, C)."""
    b, c = feat.shape[:2]
    flat = feat.view(b, c, -1).permute(0, 2, 1)
    return flat.gather(1, ind.unsqueeze(-1).expand(-1, -1, c))


@torch.no_grad()
def decode(out: dict[str, torch.Tensor], k: int = 100, conf: float = 0.3
           ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Heatmap peaks (3x3 max-pool NMS, top-K) -> per image (xyxy in network-input pixels,
    score, class, unit embedding)."""
    hm = out["hm"].sigmoid()
    keep = (F.max_pool2d(hm, 3, 1, 1) == hm).float()
    hm = hm * keep
    b, nc, h, w = hm.shape
    scores, flat = hm.view(b, -1).topk(min(k, nc * h * w))
    cls = flat // (h * w)
    pix = flat % (h * w)
    results = []
    for i in range(b):
        sel = scores[i] >= conf
        p, s, c = pix[i][sel], scores[i][sel], cls[i][sel]
        ys, xs = (p // w).float(), (p % w).float()
        wh = out["wh"][i].view(2, -1)[:, p].T
        reg = out["reg"][i].view(2, -1)[:, p].T
        cx, cy = xs + reg[:, 0], ys + reg[:, 1]
        half_w, half_h = wh[:, 0].clamp(min=0) / 2, wh[:, 1].clamp(min=0) / 2
        xyxy = torch.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], 1) * STRIDE
        emb = F.normalize(out["id"][i].view(out["id"].shape[1], -1)[:, p].T, dim=1)
        results.append((xyxy.numpy().astype(np.float32), s.numpy().astype(np.float32),
                        c.numpy().astype(np.int32), emb.numpy().astype(np.float32)))
    return results


def save_weights(path: str | Path, net: FairMOTNet, extra: dict | None = None) -> Path:
    """State dict + config in one file, written under a temporary name then renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    torch.save({"arch": "fairmot", "config": net.cfg.to_dict(), "state_dict": net.state_dict(),
                **(extra or {})}, tmp)
    tmp.replace(path)
    return path


def load_weights(path: str | Path) -> FairMOTNet:
    """Rebuild the network from :func:`save_weights`' file; a wrong file is a ``ModelError``."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"FairMOT weights not found: {p}")
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
        if not isinstance(data, dict) or data.get("arch") != "fairmot":
            raise ValueError("not a SportTrack FairMOT weights file")
        net = FairMOTNet(FairMOTConfig.from_dict(data["config"]))
        net.load_state_dict(data["state_dict"])
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"cannot load FairMOT weights {p}: {exc}") from exc
    return net.eval()
