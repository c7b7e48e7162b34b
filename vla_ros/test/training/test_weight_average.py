"""The weight average the trainer saves: each update moves it toward the current weights by the
warm-up-limited decay, buffers follow the model, and the model trained is never touched."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vla_ros.training.weight_average import WeightAverage


def model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_each_update_moves_the_average_by_one_minus_the_warm_decay():
    net = model()
    average = WeightAverage(net, decay=0.999)
    start = [p.clone() for p in net.parameters()]
    for updates in range(1, 4):
        with torch.no_grad():
            for p in net.parameters():
                p.add_(1.0)
        before = [p.clone() for p in average.model.parameters()]
        average.update(net)
        decay = min(0.999, (1 + updates) / (10 + updates))  # 0.18, 0.25, 0.31: warming up
        for kept, old, current in zip(average.model.parameters(), before, net.parameters()):
            torch.testing.assert_close(kept, decay * old + (1 - decay) * current)
    for p, first in zip(net.parameters(), start):
        torch.testing.assert_close(p, first + 3.0)  # the trained model is its own
    assert not any(p.requires_grad for p in average.model.parameters())


def test_once_warm_the_decay_is_the_one_asked_for():
    net = model()
    average = WeightAverage(net, decay=0.9)
    average.updates = 10_000
    with torch.no_grad():
        net[0].bias.fill_(1.0)
    average.model[0].bias.data.fill_(0.0)
    average.update(net)
    torch.testing.assert_close(average.model[0].bias, torch.full((4,), 0.1))


def test_buffers_are_the_models_not_averaged():
    net = model()
    average = WeightAverage(net, decay=0.99)
    net.train()(torch.randn(8, 3) * 5 + 2)  # batch norm running statistics change
    average.update(net)
    torch.testing.assert_close(average.model[1].running_mean, net[1].running_mean)
    torch.testing.assert_close(average.model[1].running_var, net[1].running_var)


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5, 1.5])
def test_a_decay_outside_zero_to_one_is_refused(decay):
    with pytest.raises(ValueError, match="within \\(0, 1\\)"):
        WeightAverage(model(), decay)
