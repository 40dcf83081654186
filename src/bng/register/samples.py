"""Small, real sample documents for the demo data and the tests.

A PDF, a boundary as GeoJSON in British National Grid, and a gain site's off-site metric as a JSON site file.

They are generated, not fetched, so the demo and the tests need nothing from the network.
"""

from __future__ import annotations

import json
from typing import Any


def pdf(title: str, lines: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF 1.4 with a title and a few lines of Helvetica (a valid file, xref and all)."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 18 Tf 72 760 Td ({esc(title)}) Tj ET"]
    text += [f"BT /F1 11 Tf 72 {730 - 16 * i} Td ({esc(line)}) Tj ET" for i, line in enumerate(lines)]
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def square(easting: float, northing: float, hectares: float) -> list[list[float]]:
    """The corners of a square of ``hectares`` centred on a point (EPSG:27700), closed."""
    half = (hectares * 10_000) ** 0.5 / 2
    e, n = easting, northing
    return [
        [e - half, n - half],
        [e + half, n - half],
        [e + half, n + half],
        [e - half, n + half],
        [e - half, n - half],
    ]


def boundary_geojson(ring: list[list[float]], name: str = "Gain site boundary") -> bytes:
    """A GeoJSON FeatureCollection of one polygon in British National Grid (with its crs member)."""
    doc: dict[str, Any] = {
        "type": "FeatureCollection",
        "name": "Red Line Boundary",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [
            {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        ],
    }
    return json.dumps(doc).encode()


def gain_site_metric(label: str, hectares: float, hedgerow_km: float = 0.4) -> bytes:
    """An off-site metric for a gain site of ``hectares``.

    Arable and modified grassland turned into neutral grassland and broadleaved woodland, with a new native hedgerow.
    """
    arable = round(hectares * 0.75, 4)
    grass = round(hectares - arable, 4)
    woodland = round(arable * 0.2, 4)
    doc = {
        "metric_release": "statutory-2024",
        "project": {"name": label},
        "off_site": [
            {
                "gain_site": label,
                "spatial_risk": "This metric is being used by an off-site provider",
                "area": {
                    "baseline": [
                        {"ref": "1", "habitat": "Cropland - Cereal crops", "area_ha": arable,
                         "condition": "Condition Assessment N/A", "strategic_significance": "Low"},
                        {"ref": "2", "habitat": "Grassland - Modified grassland", "area_ha": grass, "condition": "Poor",
                         "strategic_significance": "Low", "retained_ha": 0, "enhanced_ha": grass},
                    ],
                    "creation": [
                        {"ref": "1", "habitat": "Grassland - Other neutral grassland",
                         "area_ha": round(arable - woodland, 4), "condition": "Moderate",
                         "strategic_significance": "Medium"},
                        {"ref": "2", "habitat": "Woodland and forest - Other woodland; broadleaved",
                         "area_ha": woodland, "condition": "Moderate", "strategic_significance": "Medium"},
                    ],
                    "enhancement": [
                        {"ref": "E1", "baseline_ref": "2", "habitat": "Grassland - Other neutral grassland",
                         "condition": "Moderate", "strategic_significance": "Medium"},
                    ],
                },
                "hedgerow": {
                    "baseline": [],
                    "creation": [
                        {"ref": "H1", "habitat": "Native hedgerow", "length_km": hedgerow_km, "condition": "Moderate",
                         "strategic_significance": "Low"}
                    ],
                    "enhancement": [],
                },
            }
        ],
    }  # fmt: skip
    return json.dumps(doc, indent=1).encode()


def development_metric(
    gain_site: str,
    spatial_risk: str = "Compensation inside LPA boundary or NCA of impact site",
    area_ha: float = 0.5,
    hedgerow_km: float = 0.1,
    planning_reference: str = "26/01234/FUL",
    habitat: str = "Grassland - Other neutral grassland",
) -> bytes:
    """A development's metric as a site file: grassland built over on site, made good at a gain site.

    The gain site gives ``area_ha`` of created neutral grassland and ``hedgerow_km`` of native hedgerow, named by its
    register reference in the off-site rows.
    """
    doc = {
        "metric_release": "statutory-2024",
        "project": {"name": "Mill Road homes", "planning_reference": planning_reference, "lpa": "Cambridge"},
        "on_site": {
            "area": {
                "baseline": [{"ref": "1", "habitat": "Grassland - Modified grassland", "area_ha": 0.6,
                              "condition": "Poor", "strategic_significance": "Low"}],
                "creation": [{"ref": "1", "habitat": "Urban - Developed land; sealed surface", "area_ha": 0.6,
                              "condition": "N/A - Other", "strategic_significance": "Low"}],
            },
        },
        "off_site": [
            {
                "gain_site": gain_site,
                "spatial_risk": spatial_risk,
                "area": {
                    "baseline": [{"ref": "1", "habitat": "Cropland - Cereal crops", "area_ha": area_ha,
                                  "condition": "Condition Assessment N/A", "strategic_significance": "Low"}],
                    "creation": [{"ref": "1", "habitat": habitat, "area_ha": area_ha, "condition": "Moderate",
                                  "strategic_significance": "Medium"}],
                },
                "hedgerow": {
                    "creation": [{"ref": "H1", "habitat": "Native hedgerow", "length_km": hedgerow_km,
                                  "condition": "Moderate", "strategic_significance": "Low"}],
                },
            }
        ],
    }  # fmt: skip
    return json.dumps(doc, indent=1).encode()
