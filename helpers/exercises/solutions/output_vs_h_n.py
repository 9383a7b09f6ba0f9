"""Reference solutions to notebook 01's exercises (spoilers: try the exercises first)."""

import torch

# The module of the predict-the-shapes exercise: nn.GRU(8, 50, num_layers=3, bidirectional=True,
# batch_first=True) on x of shape (4, 7, 8): output (N, L, D * H_out), h_n (num_layers * D, N, H_out).
predicted_shapes = {"output": (4, 7, 2 * 50), "h_n": (3 * 2, 4, 50)}


def backward_final(output):
    """The backward direction ends at step 0: the second half of output's first step."""
    H_out = output.shape[-1] // 2  # output: (N, L, 2 * H_out)
    return output[:, 0, H_out:]


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


def h_n_batch_first(h_n):
    """Move the batch axis first; reshape would mix sequences."""
    return h_n.transpose(0, 1)  # (num_layers * D, N, H_out) -> (N, num_layers * D, H_out)
