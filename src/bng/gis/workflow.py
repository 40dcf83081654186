"""Open the maps a command is given and make the mapped site: the one path every command shares.

One map is a baseline map (baseline rows only) or a post-intervention map (read as DEFRA's
service reads it, each row carrying its own baseline); two maps are the baseline map and the
post-intervention map, in that order. A map with a structural fault is refused with the
findings that say why; every other finding travels with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from bng.metric import Project

from .errors import MapError, MapFileError
from .features import STAGES, Features, StageName
from .findings import Finding
from .reading import read_map
from .sitemap import DEFAULT_GAIN_SITE, MappedSite, baseline_from_post, build_site
from .validate import Report, check


@dataclass
class Loaded:
    """Maps loaded for the metric: the mapped site, the features of each file, and their reports."""

    mapped: MappedSite
    features: list[Features]
    reports: list[Report]
    findings: list[Finding] = field(default_factory=list)


def stage_option(value: str | None) -> StageName | None:
    """The stage a command-line option names ("post" is post-intervention); None when not given."""
    if value is None:
        return None
    v = value.strip().lower().replace("_", "-").replace(" ", "-")
    if v in ("post", "post-intervention", "postintervention", "proposed"):
        return "post-intervention"
    if v == "baseline":
        return "baseline"
    raise MapError(f"unknown stage {value!r}; expected one of {', '.join(STAGES)}")


def open_features(path: Path, stage: StageName | None, release: str | None) -> tuple[Features, Report]:
    """Read and check one map; raise MapError when it cannot be used."""
    try:
        source = read_map(path)
    except MapFileError as err:
        raise MapError(f"{path}: {err.finding.message}") from None
    report, features = check(source, stage, release)
    if features is None:
        problems = "\n".join(f"  {f}" for f in report.findings if f.level == "error")
        raise MapError(f"{path}: the map does not follow the standard, so nothing can be read from it:\n{problems}")
    return features, report


def load_maps(
    paths: list[Path],
    project: Project | None = None,
    gain_site: str = DEFAULT_GAIN_SITE,
    release: str | None = None,
    stage: StageName | None = None,
) -> Loaded:
    """The mapped site of one map (baseline or post-intervention) or of a baseline/post-intervention pair.

    ``stage`` says what a single map is (default: from its name, else its contents).
    """
    if len(paths) == 2:
        base, base_report = open_features(paths[0], "baseline", release)
        post, post_report = open_features(paths[1], "post-intervention", release)
        mapped = build_site(base, post, project=project, gain_site=gain_site, release=release)
        feats, reports = [base, post], [base_report, post_report]
    elif len(paths) == 1:
        only, report = open_features(paths[0], stage, release)
        if only.stage == "post-intervention":
            mapped = build_site(baseline_from_post(only), only, project=project, gain_site=gain_site, release=release)
        else:
            mapped = build_site(only, None, project=project, gain_site=gain_site, release=release)
        feats, reports = [only], [report]
    else:
        raise MapError("give one map, or the baseline map and then the post-intervention map")
    findings = [replace(f, file=str(r.path)) for r in reports for f in r.findings]
    findings += mapped.findings
    return Loaded(mapped, feats, reports, findings)
