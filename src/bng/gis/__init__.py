"""Habitat maps: GeoPackage, Shapefile and GeoJSON in, validated, to the metric and to plans."""
