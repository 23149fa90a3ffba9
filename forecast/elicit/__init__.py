"""Judgements -> fitted distributions, and pools of several experts."""
