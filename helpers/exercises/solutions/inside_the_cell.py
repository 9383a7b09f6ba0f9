"""Reference solutions for notebook 07's exercises."""

import torch as _torch

# nn.LSTM(input_size=5, hidden_size=3, num_layers=2, bidirectional=True, proj_size=2)
weight_shapes = {
    "weight_ih_l0": (12, 5),  # four gates of hidden_size rows; reads x_t (input_size)
    "weight_hh_l0": (12, 2),  # reads the projected h (proj_size)
    "weight_ih_l1": (12, 4),  # reads layer 0's output: both directions, proj_size each
    "weight_hr_l1_reverse": (2, 3),  # hidden_size -> proj_size
}


def first_backward_forget_gate(lstm, x):
    """sigmoid(W_if x[L-1] + b_if + b_hf) with the _reverse weights: the backward direction starts at the end."""
    _, W_if, _, _ = lstm.weight_ih_l0_reverse.chunk(4)
    _, b_if, _, _ = lstm.bias_ih_l0_reverse.chunk(4)
    _, b_hf, _, _ = lstm.bias_hh_l0_reverse.chunk(4)
    return _torch.sigmoid(x[-1] @ W_if.T + b_if + b_hf)


def frozen_update_gate(h_0, L):
    """z = 1: h_t = h_(t-1), so every layer keeps h_0[layer]; output is the top layer's, at every step."""
    return h_0[-1].expand(L, -1, -1)  # (L, N, H)
