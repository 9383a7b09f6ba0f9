"""Reference solutions to notebook 00's exercises (spoilers: try them first)."""

# nn.LSTM(input_size=4, hidden_size=6, num_layers=4) on x (L=7, N=3, H_in=4): output is the top row,
# one (N, H_out) state per step; h_n is the last column, one (N, H_out) state per layer.
grid_shapes = {"output": (7, 3, 6), "h_n": (4, 3, 6)}

# Packed, sequence 1 has 4 valid steps (0 to 3): each forward row ends at step 3, each backward row at step 0;
# h_n's rows go layer by layer, forward then backward.
packed_steps = [3, 0, 3, 0]


def top_layer_final(h_n):
    """The demonstration task: h_n's rows go from the bottom layer up, so the top layer is the last row."""
    return h_n[-1]  # (N, H_out)
