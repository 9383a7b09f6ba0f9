"""Reference answers to notebook 04's exercises."""

import torch

lstm_shapes = {"output": (5, 7, 4), "h_n": (6, 5, 2), "c_n": (6, 5, 6)}
initial_state_shapes = {"h_0": (4, 5, 3), "c_0": (4, 5, 8)}


def final_cell(c_n):
    # c_n: (num_layers * 2, N, hidden_size) -> (N, 2 * hidden_size)
    return torch.cat([c_n[-2], c_n[-1]], dim=-1)
