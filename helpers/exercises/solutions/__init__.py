"""Reference solutions, one module per notebook, out of the learner's sight; tests run each through its checker."""
