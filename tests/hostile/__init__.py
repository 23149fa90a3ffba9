"""Hostile inputs and faults: each test is one recipe that once broke the tool.

Every test here runs under a timeout (see ``conftest.py``), so a recipe that hangs
fails instead of stalling the suite. Tests write only inside their own temporary
folder: FIFOs and symlinks are made there, and a full disk is simulated at the
library boundary, never by filling a real one.
"""
