"""Model backends: one module per model kind, from specification to PyMC model."""
