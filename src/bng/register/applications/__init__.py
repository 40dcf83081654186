"""Registration applications: their sections, the checks at submission, boundaries, habitats and the review.

The review is the register team's. The combined case's allocation reaches them through a port. See
docs/architecture.md for the layers of the register.
"""
