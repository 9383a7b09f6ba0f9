"""Diagnosis by provenance: say where the numbers of a learner's answer came from in a run."""

from .messages import Diagnosis, diagnose, values

__all__ = ["Diagnosis", "diagnose", "values"]
