"""A portfolio of questions forecast in one go (``forecast run DIR``).

* :mod:`~forecast.portfolio.pool` runs jobs in order on a ``concurrent.futures``
  executor: local worker processes, or a Dask cluster's;
* :mod:`~forecast.portfolio.runner` forecasts each question, keeping the compiled
  models of each structure in every process it runs in;
* :mod:`~forecast.portfolio.summary` the closing table: one row per question.
"""
