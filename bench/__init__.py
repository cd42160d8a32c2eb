"""Benchmarks: `make bench` (or `python -m bench [NAME …]`) prints a table and writes JSON."""
