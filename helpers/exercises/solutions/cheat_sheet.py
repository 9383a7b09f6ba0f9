"""Reference solutions for notebook 09's exercises."""

import torch as _torch

projected_shapes = {"output": (7, 8), "h_n": (4, 4), "c_n": (4, 10)}


def summary_from_output(output, lengths):
    """Forward half at each sequence's last valid step, backward half at step 0, side by side."""
    h_out = output.shape[-1] // 2
    forward = output[_torch.arange(output.shape[0]), lengths - 1, :h_out]  # (N, H_out)
    backward = output[:, 0, h_out:]  # (N, H_out)
    return _torch.cat([forward, backward], dim=1)
