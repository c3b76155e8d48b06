"""Benchmarks (docs/benchmarks.md): each prints figures as ratios against a baseline from the same run."""
