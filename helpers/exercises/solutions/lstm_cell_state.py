"""Reference answers to notebook 04's exercises."""

lstm_shapes = {"output": (5, 7, 4), "h_n": (6, 5, 2), "c_n": (6, 5, 6)}
initial_state_shapes = {"h_0": (4, 5, 3), "c_0": (4, 5, 8)}


def cell_by_layer(c_n):
    """Batch first, then each sequence's rows in c_n's order: layer by layer, forward then backward side by side."""
    rows, N, hidden_size = c_n.shape  # (num_layers * 2, N, hidden_size)
    return c_n.transpose(0, 1).reshape(N, rows // 2, 2 * hidden_size)  # (N, num_layers, 2 * hidden_size)
