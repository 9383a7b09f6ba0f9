"""Reference solutions for notebook 08's exercises."""

import torch as _torch

padded_run = {
    "h_n[-1] equals output[-1]": True,  # one direction, not packed: h_n is taken after the tensor's last step
    "h_n[-1, n] equals output[lengths[n] - 1, n]": [False, True, False],  # only sequence 1 has all 6 steps
    "h_n_packed[-1, n] equals h_n[-1, n]": [False, True, False],  # packed, the shorter ones stop at their end
}


def decoder_state(h_n, c_n, num_layers):
    """(h_0, c_0), each (num_layers, N, 2 * H): split the directions, then join them along the features."""

    def joined(state):
        per_layer = state.view(num_layers, 2, state.shape[1], state.shape[2])  # (num_layers, D, N, H)
        return _torch.cat([per_layer[:, 0], per_layer[:, 1]], dim=2)

    return joined(h_n), joined(c_n)


seq2seq_shapes = {"enc_output": (8, 12, 32), "h_n": (6, 8, 16), "c_n": (6, 8, 16), "decoder_h_0": (3, 8, 32)}
