"""Server-side settings for the JupyterLab that the project starts (not imported by the notebooks)."""
