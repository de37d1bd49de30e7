"""Pages des plaquettes : droits par rôle (national, membre, préparateur, correspondant d'un autre
territoire, invité avec ou sans partage, public), rédaction avec aperçu, circuit, page publique, lots."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote, NatureDocument, PartageDocument
from senacs.copil.services import (
    copil_pour,
    designation_approuver,
    designation_proposer,
    invite_ajouter,
    membre_ajouter,
)
from senacs.publications import services
from senacs.publications.models import Gabarit, Lot, Plaquette, Statut, StatutLot
from tests.factories import CampagneFactory, UtilisateurFactory


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def rendu(monkeypatch):
    """Rendu simulé (le rendu Typst réel est testé dans ``tests/publications``)."""
    appels = []

    def faux(plaquette, *, mention=services.MENTION_PROJET, html=True, horodatage=None):
        appels.append(plaquette.cle)
        return b"%PDF-1.7 " + f"{plaquette.cle} {mention}".encode(), f"<p>Plaquette {plaquette.cle} — {mention}</p>"

    monkeypatch.setattr(services, "rendre", faux)
    return appels


@pytest.fixture
def audit(monkeypatch):
    etat = {"ok": True}
    monkeypatch.setattr(
        "senacs.statistiques.services.publication_autorisee", lambda campagne, recontroler=False: etat["ok"]
    )
    return etat


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2025, phase="analyse")


@pytest.fixture
def copil(db):
    return copil_pour("departement", "69")


@pytest.fixture
def caf(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF).utilisateur


@pytest.fixture
def federation(copil):
    return membre_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), cote=Cote.FEDERATION).utilisateur


@pytest.fixture
def preparateur(copil, caf, federation):
    designe = UtilisateurFactory(charte=True)
    d = designation_proposer(copil=copil, campagne=CampagneFactory(annee=2027), designe=designe, par=caf)
    designation_approuver(designation=d, par=federation)
    return designe


@pytest.fixture
def invite(copil):
    return invite_ajouter(copil=copil, utilisateur=UtilisateurFactory(charte=True), qualite="Centre").utilisateur


@pytest.fixture
def plaquette(campagne, copil):
    return services.plaquette_obtenir(campagne, "D:69")


def url(nom, territoire="D69", *args, annee=2025):
    return reverse(f"publications:{nom}", args=[annee, territoire, *args])


def agir(fonction, plaquette, utilisateur, **kwargs):
    return fonction(plaquette=plaquette, par=utilisateur, perimetre=perimetre_de(utilisateur), **kwargs)


def publiee(plaquette, caf, federation, embargo=None):
    agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "Édito du Rhône."})
    agir(services.plaquette_soumettre, plaquette, caf)
    agir(services.plaquette_approuver, plaquette, caf)
    agir(services.plaquette_approuver, plaquette, federation)
    if embargo:
        agir(services.plaquette_embargo, plaquette, caf, embargo=embargo)
    return agir(services.plaquette_publier, plaquette, caf)


# --------------------------------------------------------------------------- droits par rôle


def test_the_draft_is_seen_by_members_the_preparer_and_the_national_role(
    client, campagne, caf, federation, preparateur, national
):
    for utilisateur in (caf, federation, preparateur, national):
        client.force_login(utilisateur)
        reponse = client.get(url("detail"))
        assert reponse.status_code == 200, utilisateur
        assert "Plaquette Rhône (69)" in reponse.content.decode()


def test_other_territories_get_404(client, campagne, caf, correspondant_69, correspondant_region_84, copil_69):
    ain_membre = membre_ajouter(
        copil=copil_pour("departement", "01"), utilisateur=UtilisateurFactory(charte=True), cote=Cote.CAF
    )
    for utilisateur in (correspondant_69, correspondant_region_84, copil_69, ain_membre.utilisateur):
        client.force_login(utilisateur)
        assert client.get(url("detail")).status_code == 404, utilisateur
        assert client.get(url("projet_pdf")).status_code == 404
        assert client.post(url("enregistrer"), {"texte_edito": "x"}).status_code == 404
    client.force_login(caf)
    assert client.get(url("detail", "D01")).status_code == 404
    assert client.get(url("detail", "D999")).status_code == 404
    assert client.get(url("detail", annee=1990)).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, plaquette):
    reponse = client.get(url("detail"))
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"]


def test_a_guest_sees_the_draft_only_when_it_is_shared(client, plaquette, caf, invite):
    client.force_login(invite)
    assert client.get(url("detail")).status_code == 404
    assert client.get(url("projet_pdf")).status_code == 404

    client.force_login(caf)
    client.post(url("partager"))
    partage = PartageDocument.objects.get(nature=NatureDocument.PLAQUETTE)
    assert partage.reference == "2025:D:69"

    client.force_login(invite)
    page = client.get(url("detail")).content.decode()
    assert "Ce projet vous est partagé par le COPIL" in page
    assert "Enregistrer les textes" not in page and "Approuver" not in page
    assert client.get(url("projet_pdf")).content.startswith(b"%PDF")
    assert client.post(url("enregistrer"), {"texte_edito": "x"}).status_code == 404

    client.force_login(caf)
    client.post(url("partager"), {"retirer": "1"})
    client.force_login(invite)
    assert client.get(url("detail")).status_code == 404


def test_a_guest_of_another_copil_never_sees_the_draft(client, plaquette, caf):
    autre = invite_ajouter(
        copil=copil_pour("departement", "01"), utilisateur=UtilisateurFactory(charte=True)
    ).utilisateur
    client.force_login(caf)
    client.post(url("partager"))

    client.force_login(autre)
    assert client.get(url("detail")).status_code == 404


def test_the_index_lists_only_reachable_territories(client, campagne, caf, national):
    client.force_login(caf)
    page = client.get(reverse("publications:index")).content.decode()
    assert "Rhône (69)" in page and "Ain (01)" not in page and "Gabarit national" not in page

    client.force_login(national)
    page = client.get(reverse("publications:index")).content.decode()
    assert "Rhône (69)" in page and "Ain (01)" in page and "France" in page and "Gabarit national" in page


# --------------------------------------------------------------------------- rédaction et aperçu


def test_a_member_saves_an_edito(client, plaquette, caf):
    client.force_login(caf)

    reponse = client.post(url("enregistrer"), {"texte_edito": "Un **édito**.", "texte_rh": ""})

    assert reponse.status_code == 302
    plaquette.refresh_from_db()
    assert plaquette.textes == {"edito": "Un **édito**."}
    page = client.get(url("detail")).content.decode()
    assert "<strong>édito</strong>" in page and "Modification du contenu" in page


def test_bad_markdown_is_explained_in_french_and_nothing_is_saved(client, plaquette, caf):
    client.force_login(caf)
    client.post(url("enregistrer"), {"texte_edito": "Premier."})

    reponse = client.post(url("enregistrer"), {"texte_edito": "Nouveau", "texte_rh": "# Un titre"})

    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Rien n&#x27;a été enregistré" in page
    assert "# Un titre" in page  # la saisie est rendue
    plaquette.refresh_from_db()
    assert plaquette.textes == {"edito": "Premier."}


def test_the_live_preview_renders_the_markdown_subset(client, plaquette, caf):
    client.force_login(caf)

    bon = client.post(
        url("apercu", "D69", "edito"), {"texte_edito": "Du **gras** et\n\n- une liste"}, HTTP_HX_REQUEST="true"
    )
    mauvais = client.post(url("apercu", "D69", "edito"), {"texte_edito": "<script>alert(1)</script>"})

    assert bon.status_code == 200
    assert "<strong>gras</strong>" in bon.content.decode() and "<li>une liste</li>" in bon.content.decode()
    assert "<script>" not in mauvais.content.decode() and "ne sera pas accepté" in mauvais.content.decode()
    assert Plaquette.objects.get().textes == {}  # l'aperçu n'enregistre rien


def test_the_preview_is_refused_to_readers_who_cannot_write(client, plaquette, national, caf, invite):
    client.force_login(national)
    assert client.post(url("apercu", "D69", "edito"), {"texte_edito": "x"}).status_code == 404


def test_the_detail_page_has_an_accessible_live_preview_and_no_inline_script(client, plaquette, caf):
    client.force_login(caf)
    page = client.get(url("detail")).content.decode()

    assert 'aria-live="polite"' in page and 'hx-post="/plaquettes/2025/D69/apercu/edito/"' in page
    assert '<label for="texte_edito">' in page
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


# --------------------------------------------------------------------------- circuit par les vues


def test_the_workflow_through_the_pages(client, plaquette, caf, federation, audit):
    client.force_login(caf)
    client.post(url("enregistrer"), {"texte_edito": "Édito."})
    client.post(url("soumettre"))
    client.post(url("approuver"))
    assert Plaquette.objects.get().statut == Statut.SOUMISE
    client.force_login(federation)
    client.post(url("approuver"))
    assert Plaquette.objects.get().statut == Statut.APPROUVEE

    audit["ok"] = False
    sans_confirmation = client.post(url("publier"), follow=True)
    assert "Rien n&#x27;est publié" in sans_confirmation.content.decode()
    assert Plaquette.objects.get().statut != Statut.PUBLIEE
    reponse = client.post(url("publier"), {"confirme": "oui"}, follow=True)
    assert "Publication refusée : l&#x27;audit du secret statistique" in reponse.content.decode()
    assert Plaquette.objects.get().statut == Statut.APPROUVEE

    audit["ok"] = True
    client.post(url("publier"), {"confirme": "oui"})
    p = Plaquette.objects.get()
    assert p.statut == Statut.PUBLIEE
    page = client.get(url("detail")).content.decode()
    assert p.empreinte_pdf in page and "Enregistrer les textes" not in page


def test_a_change_after_approval_cancels_it_with_a_warning(client, plaquette, caf, federation):
    client.force_login(caf)
    client.post(url("enregistrer"), {"texte_edito": "Édito."})
    client.post(url("soumettre"))
    client.post(url("approuver"))
    client.force_login(federation)
    client.post(url("approuver"))

    avertissement = client.post(url("enregistrer"), {"texte_edito": "Édito modifié."}).content.decode()
    assert (
        "Rien n&#x27;est encore enregistré" in avertissement
        and "Enregistrer et annuler les approbations" in avertissement
    )
    assert "Édito modifié." in avertissement  # la saisie n'est pas perdue
    assert Plaquette.objects.get().statut == Statut.APPROUVEE and Plaquette.objects.get().textes["edito"] == "Édito."

    reponse = client.post(url("enregistrer"), {"texte_edito": "Édito modifié.", "confirme": "oui"}, follow=True)

    assert "les approbations sont annulées" in reponse.content.decode()
    assert Plaquette.objects.get().statut == Statut.BROUILLON


def test_an_invalid_embargo_date_is_explained(client, plaquette, caf):
    client.force_login(caf)
    reponse = client.post(url("embargo"), {"embargo": "31/02/2026"}, follow=True)
    assert "Date d&#x27;embargo invalide" in reponse.content.decode()
    assert Plaquette.objects.get().embargo is None


# --------------------------------------------------------------------------- page publique


def test_the_public_page_lists_only_published_plaquettes_out_of_embargo(
    client, campagne, plaquette, caf, federation, audit
):
    brouillon_01 = services.plaquette_obtenir(campagne, "D:01")
    publiee(plaquette, caf, federation)
    # Une seconde plaquette publiée sous embargo : invisible jusqu'à sa date.
    copil_pour("region", "84")
    region = services.plaquette_obtenir(campagne, "R:84")
    caf84 = membre_ajouter(
        copil=copil_pour("region", "84"), utilisateur=UtilisateurFactory(), cote=Cote.CAF
    ).utilisateur
    fed84 = membre_ajouter(
        copil=copil_pour("region", "84"), utilisateur=UtilisateurFactory(), cote=Cote.FEDERATION
    ).utilisateur
    publiee(region, caf84, fed84, embargo=timezone.localdate() + datetime.timedelta(days=10))

    page = client.get(reverse("publications:publiques")).content.decode()

    assert "Rhône (69)" in page
    assert "PDF accessible" in page and " ko)" in page
    assert brouillon_01.libelle not in page
    assert '<th scope="row">Auvergne-Rhône-Alpes</th>' not in page and '<th scope="row">Rhône (69)</th>' in page
    assert client.get(url("publique_pdf", "R84")).status_code == 404
    assert client.get(url("publique_html", "R84")).status_code == 404
    assert client.get(url("publique_pdf", "D01")).status_code == 404


def test_the_public_download_serves_the_frozen_file(client, plaquette, caf, federation, audit, rendu):
    p = publiee(plaquette, caf, federation)

    reponse = client.get(url("publique_pdf"))

    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert hashlib.sha256(reponse.content).hexdigest() == p.empreinte_pdf
    html = client.get(url("publique_html")).content.decode()
    assert "Plaquette D:69 — Validée par le COPIL" in html
    assert rendu == ["D:69"]  # servis sans nouveau rendu


def test_the_public_page_filters_by_campaign_and_region(client, plaquette, caf, federation, audit):
    publiee(plaquette, caf, federation)

    assert "Rhône (69)" in client.get(reverse("publications:publiques") + "?region=84").content.decode()
    assert "Rhône (69)" not in client.get(reverse("publications:publiques") + "?region=53").content.decode()
    assert "Rhône (69)" not in client.get(reverse("publications:publiques") + "?campagne=2024").content.decode()
    assert "Rhône (69)" in client.get(reverse("publications:publiques") + "?campagne=2025").content.decode()


# --------------------------------------------------------------------------- gabarit et lots (national)


def test_only_the_national_role_opens_the_template_page(client, campagne, caf, national):
    client.force_login(caf)
    assert client.get(reverse("publications:gabarit", args=[2025])).status_code == 403

    client.force_login(national)
    assert client.get(reverse("publications:gabarit", args=[2025])).status_code == 200
    donnees = {"verrouille_edito": "1", "texte_edito": "Édito **national**.", "pages_optionnelles": ["tendances"]}
    reponse = client.post(reverse("publications:gabarit", args=[2025]), donnees)

    assert reponse.status_code == 302
    g = Gabarit.objects.get()
    assert g.est_verrouille("edito") and g.pages_optionnelles == ["tendances"]


def test_a_bad_template_is_refused_with_a_french_message(client, campagne, national):
    client.force_login(national)

    reponse = client.post(reverse("publications:gabarit", args=[2025]), {"verrouille_edito": "1", "texte_edito": ""})

    assert reponse.status_code == 400
    assert "un bloc verrouillé doit avoir un texte national" in reponse.content.decode()
    assert not Gabarit.objects.exists()


def test_the_national_role_launches_a_batch_and_follows_its_progress(client, campagne, national, caf, monkeypatch):
    monkeypatch.setattr(services, "territoires_du_lot", lambda c: ["FR", "R:84", "D:69"])
    client.force_login(caf)
    assert client.get(reverse("publications:lots", args=[2025])).status_code == 403
    assert client.post(reverse("publications:lots", args=[2025])).status_code == 403

    client.force_login(national)
    reponse = client.post(reverse("publications:lots", args=[2025]), follow=True)

    lot = Lot.objects.get()
    assert lot.statut == StatutLot.TERMINE  # tâches immédiates en test
    page = reponse.content.decode()
    assert f'<progress id="barre-{lot.pk}" max="3" value="3">' in page
    assert f'<label for="barre-{lot.pk}">' in page
    fragment = client.get(reverse("publications:lot_progression", args=[lot.pk])).content.decode()
    assert "hx-trigger" not in fragment  # terminé : plus d'interrogation
    assert client.get(reverse("publications:lot_fichier", args=[lot.pk, "D69"])).content.startswith(b"%PDF")


def test_the_progress_fragment_polls_every_two_seconds_while_running(client, campagne, national, monkeypatch):
    monkeypatch.setattr(services, "territoires_du_lot", lambda c: ["FR", "D:69"])
    lot, _ = services.lot_creer_ou_reprendre(campagne=campagne)
    client.force_login(national)

    fragment = client.get(reverse("publications:lot_progression", args=[lot.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in fragment and 'max="2" value="0"' in fragment


def test_a_shared_plaquette_link_from_the_copil_page_leads_to_the_draft(client, plaquette, caf, invite):
    client.force_login(caf)
    client.post(url("partager"))
    partage = PartageDocument.objects.get()

    client.force_login(invite)
    reponse = client.get(reverse("publications:depuis_partage", args=[partage.pk]))

    assert reponse.status_code == 302 and reponse["Location"] == url("detail")
