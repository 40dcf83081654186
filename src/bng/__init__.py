"""bng: England's statutory Biodiversity Net Gain, from the metric to the register."""

__version__ = "0.1.0"
