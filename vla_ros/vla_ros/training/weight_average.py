"""An exponential moving average of the weights: what the trainer saves with --ema-decay.

The weights of one step carry that step's gradient noise: snapshots of one run 10 minutes apart
scored 26 to 35 of the same 60 held-out episodes. Averaging the last few thousand steps is the
usual cure for flow and diffusion policies (Diffusion Policy evaluates its EMA weights).
"""

from __future__ import annotations

import copy


class WeightAverage:
    """`model` averaged over the steps: decay `decay` per step once warm, less while young
    ((1 + n) / (10 + n) after n updates), so the first steps' random weights fade out fast."""

    def __init__(self, model, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"the weight average's decay must be within (0, 1), got {decay}")
        self.decay = decay
        self.model = copy.deepcopy(model).eval().requires_grad_(False)
        self.updates = 0

    def update(self, model) -> None:
        import torch

        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        with torch.no_grad():
            for average, current in zip(self.model.parameters(), model.parameters()):
                average.lerp_(current.detach(), 1.0 - decay)
            for average, current in zip(self.model.buffers(), model.buffers()):
                average.copy_(current)
