"""forecast: turn elicited expert judgements into Bayesian forecasts of events."""

__version__ = "0.1.0"
