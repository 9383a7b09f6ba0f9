"""Reference solutions to notebook 03's exercises (spoilers: try the exercises first)."""


def bottom_backward(h_n):
    """Row 2 * layer + direction, with layer 0 and direction 1 (backward): h_n[1]."""
    return h_n[1]  # (N, H_out)


def backward_after(output, k):
    """In one layer, at step t the backward half has read x[t] ... x[L-1], L - t tokens: k tokens at step L - k."""
    L, H_out = output.shape[0], output.shape[-1] // 2  # output: (L, N, 2 * H_out)
    return output[L - k, :, H_out:]  # (N, H_out)
