"""Reference solutions to notebook 03's exercises (spoilers: try the exercises first)."""

# h_n.view(2, 4, N, H_out) cuts h_n's 8 rows into two blocks of 4: wrong[d, layer] is row 4 * d + layer, and
# row k is layer k // 2, direction k % 2.
wrong_view = {"wrong[0, 1]": (0, "backward"), "wrong[0, -1]": (1, "backward"), "wrong[1, 0]": (2, "forward")}


def backward_after(output, k):
    """In one layer, at step t the backward half has read x[t] ... x[L-1], L - t tokens: k tokens at step L - k."""
    L, H_out = output.shape[0], output.shape[-1] // 2  # output: (L, N, 2 * H_out)
    return output[L - k, :, H_out:]  # (N, H_out)
