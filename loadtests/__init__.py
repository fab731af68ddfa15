"""Load scenarios, the stack they run against, and API fuzzing (see README.md)."""
