"""The one place that wires bng's services together.

Configuration, database, file store, services and the web application are made here; everything else
receives what it needs from here.

Configuration comes from the environment:

- ``DATABASE_URL``: ``sqlite:///path`` (the default, ``var/bng.sqlite3``) or
  ``postgresql://user@host:port/name`` (PostgreSQL with PostGIS);
- ``BNG_VAR``: the directory for the default database, the file store and the secret key (``var``);
- ``BNG_FILE_STORE``: where uploaded documents live (``$BNG_VAR/files``);
- ``BNG_SECRET_KEY``: the key that signs session cookies (made once and kept in ``$BNG_VAR/secret_key``);
- ``BNG_INSECURE_COOKIES=1``: send cookies over plain http to hosts other than localhost (never in
  production; browsers accept Secure cookies from http://localhost and http://127.0.0.1 anyway);
- ``BNG_BASE_URL``: where the public reach the service, ``https://host[:port]``; absolute links (the API's,
  e-mailed links) are made from it, never from the request's Host header (``bng serve`` defaults it to
  the address it listens on);
- ``BNG_TRUSTED_PROXIES``: how many reverse proxies (TLS terminators) stand in front and set
  X-Forwarded-For and X-Forwarded-Proto (0, the default, ignores those headers);
- ``BNG_CACHE_MB``: how many MiB of public search responses each worker keeps (32; ``bng.web.cache``);
- ``GOVUK_PAY_API_KEY``: the service's GOV.UK Pay API key; without one, card payments go to a local
  stand-in served by the service itself at ``/pay-stand-in`` (docs/payments.md);
- ``GOVUK_PAY_BASE_URL``: GOV.UK Pay's API (``https://publicapi.payments.service.gov.uk``);
- ``OS_MAPS_API_KEY``: an OS Maps API key for the maps' base tiles, fetched by the server (the key stays
  there); without one, the maps draw an offline base from the register's boundaries (docs/maps.md);
- ``OS_MAPS_LAYER`` (``Road_27700``, ``Outdoor_27700``, ``Light_27700`` or ``Leisure_27700``) and
  ``OS_MAPS_BASE_URL`` (``https://api.os.uk/maps/raster/v1/zxy``).
- ``BNG_TILE_CACHE_MB``: how many MiB of OS Maps tiles each worker keeps (16; ``bng.web.tile_cache``);
- ``NOTIFY_API_KEY``: the service's GOV.UK Notify API key; without one, e-mails go to a local stand-in
  served by the service itself at ``/v2/notifications`` (docs/notifications.md);
- ``NOTIFY_BASE_URL``: Notify's API (``https://api.notifications.service.gov.uk``);
- ``NOTIFY_TEMPLATE_IDS``: the CSV file of Notify's template id for each of the register's templates.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bng.db.database import Database
from bng.db.filestore import LocalFileStore
from bng.register.accounts.passwords import Passwords
from bng.register.core.places import places
from bng.register.services import Services, build_services


@dataclass(frozen=True)
class Config:
    """Everything bng needs from its surroundings, read once (``load_config``) and passed down."""

    database_url: str
    file_store: Path
    secret_key: str
    secure_cookies: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)
    base_url: str = "http://127.0.0.1:8000"
    trusted_proxies: int = 0
    cache_bytes: int = 32 * 1024 * 1024
    pay_api_key: str = ""
    pay_base_url: str = ""
    os_maps_api_key: str = ""
    os_maps_layer: str = ""
    os_maps_base_url: str = ""
    tile_cache_bytes: int = 16 * 1024 * 1024
    notify_api_key: str = ""
    notify_base_url: str = ""
    notify_template_ids: str = ""


def _secret(var: Path) -> str:
    path = var / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """The configuration from the environment (module docstring); makes and keeps a secret key if none is given."""
    env = os.environ if env is None else env
    var = Path(env.get("BNG_VAR", "var")).resolve()
    url = env.get("DATABASE_URL") or f"sqlite:///{var / 'bng.sqlite3'}"
    store = Path(env.get("BNG_FILE_STORE") or var / "files").resolve()
    key = env.get("BNG_SECRET_KEY") or _secret(var)
    proxies = env.get("BNG_TRUSTED_PROXIES", "0").strip() or "0"
    if not proxies.isascii() or not proxies.isdigit():
        raise ValueError(f"BNG_TRUSTED_PROXIES must be a whole number of proxies (got {proxies!r})")
    cache_mb = env.get("BNG_CACHE_MB", "32").strip() or "32"
    if not cache_mb.isascii() or not cache_mb.isdigit():
        raise ValueError(f"BNG_CACHE_MB must be a whole number of MiB (got {cache_mb!r})")
    tile_mb = env.get("BNG_TILE_CACHE_MB", "16").strip() or "16"
    if not tile_mb.isascii() or not tile_mb.isdigit():
        raise ValueError(f"BNG_TILE_CACHE_MB must be a whole number of MiB (got {tile_mb!r})")
    return Config(
        url,
        store,
        key,
        secure_cookies=env.get("BNG_INSECURE_COOKIES", "") != "1",
        base_url=env.get("BNG_BASE_URL") or Config.base_url,
        trusted_proxies=int(proxies),
        cache_bytes=int(cache_mb) * 1024 * 1024,
        pay_api_key=env.get("GOVUK_PAY_API_KEY", "").strip(),
        pay_base_url=env.get("GOVUK_PAY_BASE_URL", "").strip(),
        os_maps_api_key=env.get("OS_MAPS_API_KEY", "").strip(),
        os_maps_layer=env.get("OS_MAPS_LAYER", "").strip(),
        os_maps_base_url=env.get("OS_MAPS_BASE_URL", "").strip(),
        tile_cache_bytes=int(tile_mb) * 1024 * 1024,
        notify_api_key=env.get("NOTIFY_API_KEY", "").strip(),
        notify_base_url=env.get("NOTIFY_BASE_URL", "").strip(),
        notify_template_ids=env.get("NOTIFY_TEMPLATE_IDS", "").strip(),
    )


def utc_now() -> datetime:
    """Now, in naive UTC: the register stores naive UTC times."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Wired:
    """What ``wire`` built: the configuration, the database and the register's services."""

    config: Config
    database: Database
    services: Services


def pay_of(config: Config) -> Any:
    """GOV.UK Pay when a key is configured; None (the local stand-in) otherwise."""
    if not config.pay_api_key:
        return None
    from bng.register.payments.govuk_pay import PRODUCTION, GovukPay

    return GovukPay(config.pay_api_key, config.pay_base_url or PRODUCTION)


def os_maps_of(config: Config) -> Any:
    """OS Maps API tiles when a key is configured; None (the maps' offline base) otherwise."""
    if not config.os_maps_api_key:
        return None
    from bng.web.os_maps import PRODUCTION, OsMaps

    layer, base_url = config.os_maps_layer or "Road_27700", config.os_maps_base_url or PRODUCTION
    return OsMaps(config.os_maps_api_key, layer, base_url, cache_bytes=config.tile_cache_bytes)


def notify_of(config: Config) -> tuple[Any, Any]:
    """GOV.UK Notify and its template ids when a key is configured; (None, None) (the stand-in) otherwise."""
    if not config.notify_api_key:
        return None, None
    from bng.register.notify.govuk_notify import GovukNotify
    from bng.register.notify.port import PRODUCTION, TemplateIds

    where = config.notify_template_ids
    ids = TemplateIds.from_csv(Path(where)) if where else TemplateIds({}, "NOTIFY_TEMPLATE_IDS (not set)")
    return GovukNotify(config.notify_api_key, config.notify_base_url or PRODUCTION), ids


def wire(config: Config, clock: Callable[[], datetime] = utc_now, passwords: Passwords | None = None) -> Wired:
    """Build the database, file store and services for a configuration (``clock`` and ``passwords`` for tests)."""
    database = Database(config.database_url)
    store = LocalFileStore(config.file_store)
    database.sweep(store)  # what a crash left in the file store (bng.db.filestore)
    notify, ids = notify_of(config)
    services = build_services(database, store, clock, places, passwords, pay_of(config), config.base_url, notify, ids)
    return Wired(config, database, services)


def create_app(config: Config | None = None, wired: Wired | None = None) -> Any:
    """The Flask application for a configuration (or for services already wired, as tests do)."""
    from bng.web.app import Settings
    from bng.web.app import create_app as make

    wired = wired or wire(config or load_config())
    c = wired.config
    settings = Settings(
        secret_key=c.secret_key,
        secure_cookies=c.secure_cookies,
        base_url=c.base_url,
        trusted_proxies=c.trusted_proxies,
        cache_bytes=c.cache_bytes,
        os_maps=os_maps_of(c),
    )
    return make(wired.services, settings)
