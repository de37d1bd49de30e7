"""Plaquettes de démonstration : une à chaque étape du circuit, idempotence, effacement sans blocage."""

import pytest

from senacs.campagnes.models import Campagne
from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, invite_ajouter, membre_ajouter
from senacs.demo.complements import _vider_application
from senacs.publications.demo import demo_plaquettes
from senacs.publications.models import Gabarit, Plaquette, Statut
from senacs.publications.services import droits
from senacs.statistiques.models import Diffusion
from senacs.statistiques.services import diffusion_publier
from tests.factories import MandatFactory, UtilisateurFactory
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


def compte(email):
    return UtilisateurFactory(email=email, charte=True)


@pytest.fixture
def demo(db):
    jeu = campagne_statistiques()
    diffusion_publier(campagne=jeu.campagne)
    MandatFactory(
        utilisateur=compte("national@demo.senacs.fr"), role="national", niveau="nation", departement=None,
        organisme="national",
    )  # fmt: skip
    d69, d01, d48 = (copil_pour("departement", c) for c in ("69", "01", "48"))
    for email, copil, cote in (
        ("copil.caf.69@demo.senacs.fr", d69, Cote.CAF),
        ("copil.federation.69@demo.senacs.fr", d69, Cote.FEDERATION),
        ("preparateur.69@demo.senacs.fr", d69, Cote.CAF),
        ("copil.01@demo.senacs.fr", d01, Cote.FEDERATION),
        ("preparateur.01@demo.senacs.fr", d01, Cote.CAF),
        ("copil.48@demo.senacs.fr", d48, Cote.CAF),
        ("copil.region.84@demo.senacs.fr", copil_pour("region", "84"), Cote.CAF),
    ):
        membre_ajouter(copil=copil, utilisateur=compte(email), cote=cote)
    invite_ajouter(copil=d01, utilisateur=compte("invite.01@demo.senacs.fr"))
    return jeu


def test_the_demo_shows_every_step_of_the_workflow(demo):
    bilan = demo_plaquettes(1)

    statuts = dict(Plaquette.objects.values_list("cle", "statut"))
    assert statuts == {
        "D:69": Statut.PUBLIEE,
        "R:84": Statut.APPROUVEE,
        "D:48": Statut.SOUMISE,
        "D:01": Statut.BROUILLON,
        "FR": Statut.BROUILLON,
    }, bilan
    assert list(Plaquette.objects.publiques().values_list("cle", flat=True)) == ["D:69"]
    assert Gabarit.objects.get().est_verrouille("comparaison")
    d01 = Plaquette.objects.get(cle="D:01")
    from senacs.comptes.models import Utilisateur

    invite01 = Utilisateur.objects.get(email="invite.01@demo.senacs.fr")
    assert droits(invite01, perimetre_de(invite01), "D:01", d01).voit_brouillon
    assert demo_plaquettes(1) == "déjà faites"

    # Remise à zéro : les plaquettes ne bloquent ni l'effacement des comptes ni celui des campagnes.
    from senacs.copil.models import InviteCopil, MembreCopil, PartageDocument
    from senacs.reponses.models import Reponse

    PartageDocument.objects.all().delete()
    MembreCopil.objects.all().delete()
    InviteCopil.objects.all().delete()
    Utilisateur.objects.filter(email__endswith="@demo.senacs.fr").delete()
    assert Plaquette.objects.get(cle="D:69").publiee_par is None  # signature gardée en clair dans les transitions
    Reponse.objects.all().delete()
    Diffusion.objects.all().delete()
    Campagne.objects.all().delete()
    assert not Plaquette.objects.exists() and not Gabarit.objects.exists()
    _vider_application("publications")
