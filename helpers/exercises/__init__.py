"""Exercise checkers: one module per notebook's exercises."""

from .output_vs_h_n import check_backward_final, check_classifier_summary, check_last_step

__all__ = ["check_backward_final", "check_classifier_summary", "check_last_step"]
