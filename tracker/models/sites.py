"""Participating sites: the partner centres and any associated centre of the network."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class Site(db.Model):
    """A centre, its legal identity (what fills its agreements) and its calendar settings.

    The identity fields may stay empty while a new centre is being set up: generating an
    agreement then lists what is missing instead of printing blanks.
    """

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    finess: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    representative: Mapped[str | None] = mapped_column(String(200))
    representative_title: Mapped[str | None] = mapped_column(String(200))
    # Who signs for the institution by default (SPEC 5c: the one-time signing link goes there).
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_email: Mapped[str | None] = mapped_column(String(254))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    subdivision: Mapped[str | None] = mapped_column(String(16))
    works_whit_monday: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


# The two partners of the fast-track programme, seeded by init-db. The SIRET numbers are
# placeholders whose SIREN and 14 digits both pass the checksum (SPEC 5), and the representatives
# those of the time of writing: an admin checks both and enters the real ones on the Sites page.
PARTNER_SITES = (
    {
        "code": "GR",
        "name": "Gustave Roussy",
        "legal_name": "Institut Gustave Roussy",
        "address": "114 rue Édouard-Vaillant, 94805 Villejuif Cedex, France",
        "finess": "940000664",
        "siret": "77573104500016",
        "representative": "Pr Fabrice Barlesi",
        "representative_title": "Directeur général",
        "timezone": "Europe/Paris",
        "country": "FR",
        "subdivision": None,
        "works_whit_monday": False,
    },
    {
        "code": "IB",
        "name": "Institut Bergonié",
        "legal_name": "Institut Bergonié, Centre régional de lutte contre le cancer de Bordeaux et du Sud-Ouest",
        "address": "229 cours de l'Argonne, 33076 Bordeaux Cedex, France",
        "finess": "330000662",
        "siret": "78186055600013",
        "representative": "Pr François-Xavier Mahon",
        "representative_title": "Directeur général",
        "timezone": "Europe/Paris",
        "country": "FR",
        "subdivision": None,
        "works_whit_monday": False,
    },
)
