"""Scripted fault drills: each one command printing PASS/FAIL with figures (see README.md)."""
