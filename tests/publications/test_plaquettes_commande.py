"""Rendu réel (agrégats protégés → Typst) : publication figée face à une nouvelle diffusion, et la
commande ``senacs plaquettes`` (un territoire, erreurs, lot de tous les territoires repris après panne)."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, membre_ajouter
from senacs.publications import services
from senacs.publications.models import Lot, LotTerritoire, StatutLigne, StatutLot
from senacs.reponses.models import Reponse
from senacs.statistiques.services import diffusion_courante, diffusion_publier
from tests.factories import UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def jeu(db):
    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    return jeu


def agir(fonction, plaquette, utilisateur, **kwargs):
    return fonction(plaquette=plaquette, par=utilisateur, perimetre=perimetre_de(utilisateur), **kwargs)


def test_the_published_pdf_is_frozen_when_the_aggregates_change(client, jeu):
    copil = copil_pour("departement", "69")
    caf = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur
    fed = membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.FEDERATION).utilisateur
    plaquette = services.plaquette_obtenir(jeu.campagne, "D:69")
    agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "Édito **du Rhône**."})
    agir(services.plaquette_soumettre, plaquette, caf)
    agir(services.plaquette_approuver, plaquette, caf)
    agir(services.plaquette_approuver, plaquette, fed)
    p = agir(services.plaquette_publier, plaquette, fed)
    servi = client.get(reverse("publications:publique_pdf", args=[2025, "D69"])).content
    assert servi.startswith(b"%PDF") and hashlib.sha256(servi).hexdigest() == p.empreinte_pdf
    html = client.get(reverse("publications:publique_html", args=[2025, "D69"])).content.decode()
    assert "du Rhône" in html

    # Les réponses changent et une nouvelle diffusion remplace les agrégats : tous les montants (section F)
    # doublent partout, ce qui garde le même motif de secret (règles et audit invariants par homothétie).
    for r in Reponse.objects.filter(campagne=jeu.campagne):
        r.valeurs = {
            k: (v * 2 if k.startswith("F") and isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in r.valeurs.items()
        }
        r.save(update_fields=["valeurs"])
    assert diffusion_publier(campagne=jeu.campagne).numero == 2
    services.plaquette_obtenir(jeu.campagne, "D:01")  # un nouveau rendu d'un autre territoire, pour le cache

    apres = client.get(reverse("publications:publique_pdf", args=[2025, "D69"])).content
    assert apres == servi
    assert hashlib.sha256(apres).hexdigest() == p.empreinte_pdf
    assert diffusion_courante(jeu.campagne).numero == 2


def test_the_command_renders_one_territory(jeu, tmp_path):
    sortie = io.StringIO()
    for forme in ("69", "D:69"):
        fichier = tmp_path / f"plaquette-{forme.replace(':', '')}.pdf"
        call_command("plaquettes", "--campagne", "2025", "--territoire", forme, "--out", str(fichier), stdout=sortie)
        assert fichier.read_bytes().startswith(b"%PDF")
    fichier = tmp_path / "region.pdf"
    call_command("plaquettes", "--campagne", "2025", "--territoire", "R:84", "--out", str(fichier), stdout=sortie)
    call_command(
        "plaquettes", "--campagne", "2025", "--territoire", "FR", "--out", str(tmp_path / "fr.pdf"), stdout=sortie
    )
    assert "Plaquette Rhône (69) 2025 (projet) écrite dans" in sortie.getvalue()
    assert "Plaquette France 2025 (projet)" in sortie.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campagne", "1990", "--territoire", "69", "--out", "x.pdf"], "Campagne 1990 introuvable"),
        (["--campagne", "2025", "--territoire", "999", "--out", "x.pdf"], "Territoire inconnu : « 999 »"),
        (["--campagne", "2025", "--territoire", "R:00", "--out", "x.pdf"], "Territoire inconnu"),
        (["--campagne", "2025", "--territoire", "n'importe", "--out", "x.pdf"], "Territoire inconnu"),
        (["--campagne", "2025", "--territoire", "69"], "--out"),
        (["--campagne", "2025"], "soit --territoire"),
    ],
)
def test_the_command_explains_its_errors(jeu, arguments, message):
    with pytest.raises(CommandError, match=message) as exc:
        call_command("plaquettes", *arguments)
    assert exc.value.returncode == 2


def test_all_territories_resume_after_a_crash_without_duplicates(jeu, monkeypatch):
    attendus = services.territoires_du_lot(jeu.campagne)
    assert attendus[:1] == ["FR"] and "D:69" in attendus and "R:53" in attendus
    vrai = services.rendre
    appels = []

    def rendre_puis_panne(plaquette, **kwargs):
        if len(appels) == 3:
            raise KeyboardInterrupt  # panne : Ctrl-C, arrêt brutal du processus…
        appels.append(plaquette.cle)
        return vrai(plaquette, **kwargs)

    monkeypatch.setattr(services, "rendre", rendre_puis_panne)
    sortie = io.StringIO()
    with pytest.raises(CommandError, match="relancez la même commande"):
        call_command("plaquettes", "--campagne", "2025", "--toutes", stdout=sortie)
    lot = Lot.objects.get()
    assert lot.statut == StatutLot.INTERROMPU and lot.compte()[0] == 3

    monkeypatch.setattr(
        services, "rendre", lambda plaquette, **kw: (appels.append(plaquette.cle), vrai(plaquette, **kw))[1]
    )
    call_command("plaquettes", "--campagne", "2025", "--toutes", stdout=sortie)

    texte = sortie.getvalue()
    assert f"Reprise du lot n° {lot.pk} : 3 territoire(s) déjà rendu(s) sur {len(attendus)}" in texte
    assert f"\r[{'#' * 30}] {len(attendus)}/{len(attendus)} (100 %)" in texte
    assert sorted(appels) == sorted(attendus)  # chaque territoire exactement une fois
    assert Lot.objects.count() == 1
    lignes = LotTerritoire.objects.filter(lot=lot)
    assert lignes.count() == len(attendus) and {li.statut for li in lignes} == {StatutLigne.FAIT}
    for ligne in lignes:
        assert (lot.dossier / ligne.fichier.split("/")[-1]).read_bytes().startswith(b"%PDF")
