"""Reference solution to notebook 00's warm-up (spoilers: try it first)."""

# nn.LSTM(input_size=4, hidden_size=6, num_layers=4) on x (L=7, N=3, H_in=4): output is the top row,
# one (N, H_out) state per step; h_n is the last column, one (N, H_out) state per layer.
grid_shapes = {"output": (7, 3, 6), "h_n": (4, 3, 6)}
