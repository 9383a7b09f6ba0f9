"""Reference solutions to notebook 02's exercises (spoilers: try the exercises first)."""

# nn.LSTM(input_size=6, hidden_size=8, num_layers=4, batch_first=True) on x of shape (N=2, L=9, 6):
# output (N, L, D * H_out); h_n and c_n (num_layers * D, N, hidden_size), never batch first.
layer_shapes = {"output": (2, 9, 8), "h_n": (4, 2, 8), "c_n": (4, 2, 8)}


def layer_output(module, x, layer):
    """Run one-layer copies of layers 0 .. layer, each fed the previous one's output; return the last output."""
    inp = x  # (L, N, H_in)
    for k in range(layer + 1):
        one = type(module)(input_size=inp.shape[-1], hidden_size=module.hidden_size)  # num_layers=1
        for name, param in one.named_parameters():  # e.g. weight_ih_l0 <- weight_ih_l{k}
            param.data.copy_(getattr(module, name.replace("_l0", f"_l{k}")))
        inp = one(inp)[0]  # (L, N, H_out)
    return inp
