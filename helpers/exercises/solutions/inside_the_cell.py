"""Reference solutions for notebook 07's exercises."""

import torch as _torch


def update_gate_rows(gru):
    """Rows H:2H of weight_ih_l0: PyTorch stacks r, z, n."""
    hidden_size = gru.hidden_size
    return gru.weight_ih_l0[hidden_size : 2 * hidden_size]


def first_forget_gate(lstm, x):
    """sigmoid(W_if x_0 + b_if + b_hf); W_hf h vanishes since h is zeros at step 0."""
    _, W_if, _, _ = lstm.weight_ih_l0.chunk(4)
    _, b_if, _, _ = lstm.bias_ih_l0.chunk(4)
    _, b_hf, _, _ = lstm.bias_hh_l0.chunk(4)
    return _torch.sigmoid(x[0] @ W_if.T + b_if + b_hf)


def gru_step(gru, x_t, h):
    """One step of layer 0, with the reset gate applied after W_hn h + b_hn."""
    a_r, a_z, a_n = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
    c_r, c_z, c_n = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
    r, z = _torch.sigmoid(a_r + c_r), _torch.sigmoid(a_z + c_z)
    n = _torch.tanh(a_n + r * c_n)
    return (1 - z) * n + z * h
