"""Registration applications: their sections, the checks at submission, boundaries and habitats,
and the register team's review. The combined case's allocation reaches them through a port.

See docs/architecture.md for the layers of the register."""
