"""The ``network`` kind: linked questions as a Bayesian network of elicited tables.

:mod:`~forecast.kinds.network.spec` the file, :mod:`~forecast.kinds.network.checks`
its whole-graph checks, :mod:`~forecast.kinds.network.load` the questions it links,
:mod:`~forecast.kinds.network.cells` the tables' cells as pooled Betas (Dirichlets),
:mod:`~forecast.kinds.network.joint` exact enumeration vectorised over draws,
:mod:`~forecast.kinds.network.infer` marginals, conditioning, interventions and the
tornado, :mod:`~forecast.kinds.network.model` the PyMC model that defines it all.
"""

from forecast.kinds.network.kind import KIND, NetworkKind

__all__ = ["KIND", "NetworkKind"]
