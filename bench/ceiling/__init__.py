"""The ceiling: a bare Django view rendering one indexed 50-row SELECT from a 1M-row table.

Enabled only with BENCH=1; every page figure of the bench is reported as a ratio to it.
"""
