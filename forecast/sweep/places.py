"""Where sampling may run, by the names the command line gives them (plain typing, so
``--help`` reads them without loading an executor; see :mod:`forecast.sweep.executors`)."""

from __future__ import annotations

from typing import Literal

ExecutorName = Literal["local", "dask"]
"""This machine (this process, or ``--jobs`` local processes), or a Dask cluster."""

WORKER_WAIT = 60.0
"""Seconds a Dask cluster may have no worker while jobs wait, before the work stops."""
