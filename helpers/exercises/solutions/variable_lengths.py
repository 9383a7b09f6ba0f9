"""Reference answers to notebook 06's exercises."""

packed_fields = {
    "data_shape": (14, 2),  # sum(lengths) = 3 + 6 + 1 + 4 rows of H_in = 2
    "batch_sizes": [4, 3, 3, 2, 1, 1],  # step t: how many lengths are > t
    "sorted_indices": [1, 3, 0, 2],  # your sequences, longest first: lengths 6, 4, 3, 1
    "unsorted_indices": [2, 0, 3, 1],  # where each of yours sits in that order
}


def state_at(packed_output, n, t):
    # packed_output: a PackedSequence; its .data is (sum(lengths), D * H_out), time-major, in sorted order
    start = int(packed_output.batch_sizes[:t].sum())  # rows of steps 0 .. t-1
    return packed_output.data[start + int(packed_output.unsorted_indices[n])]


padded_shapes = {"output": (4, 9, 10), "output_total_length": (4, 10, 10), "h_n": (2, 4, 5)}
