"""Benchmarks, each run with `.venv/bin/python -m benchmarks.<name>`; figures go into docs/performance.md."""
