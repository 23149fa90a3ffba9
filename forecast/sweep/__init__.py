"""Scenario sweeps that cost little more than one run.

* :mod:`~forecast.sweep.params` the names a sweep may set, per model kind;
* :mod:`~forecast.sweep.grid` scenarios from ``--grid`` cross products or a file,
  each with a stable id;
* :mod:`~forecast.sweep.strategies` how each scenario is answered: evaluated on the
  draws of one posterior, resampled on one compiled model with other data, or
  reweighted by importance sampling when only the prior changes;
* :mod:`~forecast.sweep.executors` where the sampling runs: this process, local
  processes or a Dask cluster;
* :mod:`~forecast.sweep.output` rows streamed to CSV, JSON Lines or Parquet, and
  resumed without duplicates;
* :mod:`~forecast.sweep.provenance` the run settings each row carries, which a resume
  must match;
* :mod:`~forecast.sweep.runner` the loop that ties them together.

Nothing here imports PyMC at module level.
"""
