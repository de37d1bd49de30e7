"""Fichiers déposés en attente de confirmation (imports en deux temps : simulation, puis confirmation).

Le fichier est conservé côté serveur sous un nom aléatoire, au plus 24 heures : seul le jeton est rangé
dans la session, jamais le nom donné par l'utilisateur (qui ne sert qu'à l'affichage).
"""

import hashlib
import re
import secrets
import time
import unicodedata
from pathlib import Path

from django.conf import settings

DUREE_CONSERVATION = 24 * 3600  # secondes : un dépôt non confirmé est effacé au-delà
RE_JETON = re.compile(r"^[0-9a-f]{32}$")
EXTENSIONS = ("csv", "xlsx", "xls", "ods")


def nom_affiche(nom: str) -> str:
    """Nom du fichier pour l'affichage seulement (jamais pour un chemin) : sans dossier ni caractère de contrôle."""
    nom = nom.replace("\\", "/").rsplit("/", 1)[-1]
    nom = "".join(c for c in nom if unicodedata.category(c)[0] != "C")
    return nom[:120] or "fichier"


class DepotsEnAttente:
    """Les dépôts d'un type d'import : ``cle_session`` dans la session, fichiers sous le dossier donné par le
    réglage ``reglage`` (à défaut ``VAR_DIR / sous_dossier``)."""

    def __init__(self, *, cle_session: str, reglage: str, sous_dossier: str):
        self.cle_session, self.reglage, self.sous_dossier = cle_session, reglage, sous_dossier

    def dossier(self) -> Path:
        dossier = Path(getattr(settings, self.reglage, settings.VAR_DIR / self.sous_dossier))
        dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
        return dossier

    def _nettoyer(self, dossier: Path) -> None:
        """Efface les dépôts abandonnés (plus de 24 heures)."""
        limite = time.time() - DUREE_CONSERVATION
        for chemin in dossier.iterdir():
            try:
                if chemin.is_file() and chemin.stat().st_mtime < limite:
                    chemin.unlink()
            except OSError:
                pass

    def en_attente(self, request) -> dict:
        return request.session.get(self.cle_session) or {}

    def chemin(self, en_attente: dict) -> Path | None:
        jeton, extension = en_attente.get("jeton", ""), en_attente.get("extension", "")
        if not RE_JETON.match(jeton) or extension not in EXTENSIONS:
            return None
        return self.dossier() / f"{jeton}.{extension}"

    def oublier(self, request) -> None:
        en_attente = request.session.pop(self.cle_session, None)
        if en_attente:
            chemin = self.chemin(en_attente)
            if chemin is not None:
                chemin.unlink(missing_ok=True)

    def conserver(self, request, contenu: bytes, extension: str, nom: str, **autres) -> str:
        """Range le fichier sous un jeton aléatoire et le note dans la session ; rend le jeton."""
        dossier = self.dossier()
        self._nettoyer(dossier)
        jeton = secrets.token_hex(16)
        chemin = dossier / f"{jeton}.{extension}"
        chemin.touch(mode=0o600)
        chemin.write_bytes(contenu)
        request.session[self.cle_session] = {
            "jeton": jeton,
            "extension": extension,
            "nom": nom,
            **autres,
            "empreinte": hashlib.sha256(contenu).hexdigest(),
            "utilisateur": request.user.pk,
        }
        return jeton
