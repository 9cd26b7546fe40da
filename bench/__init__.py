"""Benchmark tooling: a reproducible synthetic study (make_study) and its text generator."""
