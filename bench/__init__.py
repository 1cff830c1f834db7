"""On-demand benchmarks (issue 7): run by hand, print figures; not tests, not in CI."""
