"""Allocations: a development uses units of a registered gain site (its spatial risk, its metric),
and the combined case (register and allocate in one application).

See docs/architecture.md for the layers of the register."""
