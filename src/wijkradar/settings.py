"""Settings, read once from the environment (``WIJKRADAR_*``) and passed down explicitly."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from wijkradar.vocab import Lang

DEFAULT_DATASET = Path("wijkradar-data")


def _default_data() -> Path | None:
    # The project's convention: the real data live in ../shared/data beside the checkout.
    for candidate in (Path("../shared/data"), Path(__file__).parents[3] / "shared" / "data"):
        if candidate.is_dir():
            return candidate.resolve()
    return None


class Settings(BaseSettings):
    """wijkradar's settings; every field can be set as ``WIJKRADAR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WIJKRADAR_", extra="ignore")

    data: Path | None = Field(
        default_factory=_default_data,
        description="Folder with source files laid out as CBS publishes them.",
    )
    dataset: Path = Field(
        default=DEFAULT_DATASET,
        description="Built dataset directory (output of `wijkradar build`).",
    )
    lang: Lang = Field(default="nl", description="Language of labels and messages: nl or en.")
    db: str | None = Field(
        None,
        description="User data store: a SQLAlchemy URL (sqlite:///…, postgresql+psycopg://…) or "
        "a SQLite file; default ./wijkradar.db, apart from the rebuilt dataset.",
    )
    cbs_odata_url: str | None = Field(None, description="Fetcher: CBS OData v3 (mirror).")
    cbs_odata4_url: str | None = Field(None, description="Fetcher: CBS OData v4 (mirror).")
    police_odata_url: str | None = Field(None, description="Fetcher: police OData (mirror).")
    cbs_geo_url: str | None = Field(None, description="Fetcher: CBS boundary files (mirror).")
    pdok_url: str | None = Field(None, description="Fetcher: PDOK wijken en buurten (mirror).")
    leefbaarometer_url: str | None = Field(None, description="Fetcher: Leefbaarometer (mirror).")
    warm_clusters: bool = Field(
        default=True,
        description="Web: compute the spatial clusters in "
        "the background at startup (first compile ~17 s).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests build their own ``Settings``)."""
    return Settings()
