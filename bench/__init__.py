"""The benchmark harness: a seeded data generator, the ceiling view, and the runner that reports every
figure as a ratio to that ceiling measured in the same run (see bench/README.md)."""
