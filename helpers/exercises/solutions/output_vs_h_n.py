"""Reference solutions to notebook 01's exercises (spoilers: try the exercises first)."""

import torch

# nn.GRU(6, 10, num_layers=4, bidirectional=True) on a time-first x of shape (L=3, N=12, H_in=6):
# output (L, N, D * H_out), h_n (num_layers * D, N, H_out).
predicted_shapes = {"output": (3, 12, 2 * 10), "h_n": (4 * 2, 12, 10)}

# h_n (3 layers, N = 2) stored in order h_n[0, 0], h_n[0, 1], h_n[1, 0], h_n[1, 1], h_n[2, 0], h_n[2, 1],
# cut into N = 2 rows of 3 states each.
reshape_blocks = [[(0, 0), (0, 1), (1, 0)], [(1, 1), (2, 0), (2, 1)]]


def both_finals(output, lengths):
    """Time first, packed: forward at each sequence's last valid step, backward at step 0."""
    H_out = output.shape[-1] // 2  # output: (L, N, 2 * H_out)
    forward = output[lengths - 1, torch.arange(output.shape[1]), :H_out]  # (N, H_out)
    backward = output[0, :, H_out:]  # (N, H_out)
    return torch.cat([forward, backward], dim=-1)  # (N, 2 * H_out)


def classifier_summary(h_n):
    """Top layer, forward then backward, side by side: (N, 2 * H_out)."""
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


def last_step(output, S):
    """Steps run from 0 to S - 1."""
    return output[:, S - 1, :]


def rows_not_in_output(num_layers, bidirectional):
    """Every row of the layers below the top: (num_layers - 1) * D rows."""
    D = 2 if bidirectional else 1
    return list(range((num_layers - 1) * D))
