"""Reference answers to notebook 05's exercises."""

batch_first_shapes = {"output": (3, 9, 10), "h_n": (4, 3, 5), "h_0": (4, 3, 5)}
unbatched_shapes = {"output": (9, 2), "h_n": (3, 2), "c_n": (3, 6)}


def rows_to_h_0(rows, module):
    # rows: (N, num_layers * D * H_out) -> h_0: (num_layers * D, N, H_out), batch second whatever batch_first says
    D = 2 if module.bidirectional else 1
    pieces = rows.reshape(rows.shape[0], module.num_layers * D, -1)  # (N, num_layers * D, H_out): cut each row
    return pieces.transpose(0, 1)  # then move the batch axis to the middle
