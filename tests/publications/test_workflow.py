"""Circuit des plaquettes : gabarit national, rédaction, approbations des deux côtés, annulation sur
modification, embargo, refus sans audit, publication figée (SHA-256), lots repris sans doublon."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote
from senacs.copil.services import copil_pour, designation_approuver, designation_proposer, membre_ajouter
from senacs.publications import services
from senacs.publications.models import Action, Lot, LotTerritoire, Plaquette, Statut, StatutLigne, StatutLot
from senacs.publications.services import ErreurPlaquette
from tests.factories import CampagneFactory, UtilisateurFactory


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


class FauxRendu:
    """Remplace le rendu Typst (lent, et dépendant des agrégats) : compte les rendus par territoire ;
    le PDF dépend d'un « état des agrégats » modifiable pour vérifier que la version publiée est figée."""

    def __init__(self):
        self.appels: list[str] = []
        self.etat_agregats = "v1"
        self.panne_apres: int | None = None

    def __call__(self, plaquette, *, mention=services.MENTION_PROJET, html=True, horodatage=None):
        if self.panne_apres is not None and len(self.appels) >= self.panne_apres:
            raise RuntimeError("panne simulée")
        self.appels.append(plaquette.cle)
        textes = services.textes_effectifs(services.gabarit_de(plaquette.campagne), plaquette)
        corps = f"{plaquette.cle}|{mention}|{self.etat_agregats}|{sorted(textes.items())}"
        return b"%PDF-1.7\n" + corps.encode(), f"<p>{corps}</p>"


@pytest.fixture
def rendu(monkeypatch):
    faux = FauxRendu()
    monkeypatch.setattr(services, "rendre", faux)
    return faux


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
def plaquette(campagne, copil):
    return services.plaquette_obtenir(campagne, "D:69")


def agir(fonction, plaquette, utilisateur, **kwargs):
    return fonction(plaquette=plaquette, par=utilisateur, perimetre=perimetre_de(utilisateur), **kwargs)


def approuvee(plaquette, caf, federation, redacteur=None):
    redacteur = redacteur or caf
    agir(services.plaquette_enregistrer, plaquette, redacteur, textes={"edito": "Un **bel** édito."})
    agir(services.plaquette_soumettre, plaquette, redacteur)
    agir(services.plaquette_approuver, plaquette, caf)
    return agir(services.plaquette_approuver, plaquette, federation)


# --------------------------------------------------------------------------- gabarit


def test_only_the_national_role_edits_the_template(campagne, caf, national):
    blocs = {"edito": (True, "Texte **national**.")}
    with pytest.raises(ErreurPlaquette, match="rôle national"):
        services.gabarit_modifier(
            campagne=campagne, par=caf, perimetre=perimetre_de(caf), blocs=blocs, pages_optionnelles=[]
        )

    g = services.gabarit_modifier(
        campagne=campagne,
        par=national,
        perimetre=perimetre_de(national),
        blocs=blocs,
        pages_optionnelles=["tendances"],
    )

    assert g.version == 1 and g.est_verrouille("edito") and g.texte_national("edito") == "Texte **national**."
    assert g.pages_optionnelles == ["tendances"]
    assert g.source  # copie figée de la source Typst


def test_a_locked_block_needs_a_valid_national_text(campagne, national):
    with pytest.raises(ErreurPlaquette) as exc:
        services.gabarit_modifier(
            campagne=campagne,
            par=national,
            perimetre=perimetre_de(national),
            blocs={"edito": (True, ""), "rh": (False, "# Titre interdit")},
            pages_optionnelles=[],
        )
    assert any("verrouillé doit avoir un texte" in m for m in exc.value.messages)
    assert any("Commentaire sur les ressources humaines" in m for m in exc.value.messages)
    assert not services.Gabarit.objects.exists()


def test_a_locked_block_is_not_editable_locally_and_prints_the_national_text(plaquette, caf, national):
    services.gabarit_modifier(
        campagne=plaquette.campagne,
        par=national,
        perimetre=perimetre_de(national),
        blocs={"edito": (True, "Édito national.")},
        pages_optionnelles=[],
    )

    with pytest.raises(ErreurPlaquette, match="verrouillé"):
        agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "Mon édito local"})

    agir(services.plaquette_enregistrer, plaquette, caf, textes={"rh": "Des salariés."})
    plaquette.refresh_from_db()
    assert services.textes_effectifs(services.gabarit_de(plaquette.campagne), plaquette) == {
        "edito": "Édito national.",
        "rh": "Des salariés.",
    }


# --------------------------------------------------------------------------- rédaction


def test_members_and_the_preparer_write_but_not_others(plaquette, caf, preparateur, correspondant_69, national):
    agir(services.plaquette_enregistrer, plaquette, preparateur, textes={"edito": "Par le préparateur."})
    plaquette.refresh_from_db()
    assert plaquette.textes == {"edito": "Par le préparateur."} and plaquette.revision == 1

    for intrus in (correspondant_69, national):
        with pytest.raises(ErreurPlaquette, match="Seuls les membres"):
            agir(services.plaquette_enregistrer, plaquette, intrus, textes={"edito": "Intrusion"})
    plaquette.refresh_from_db()
    assert plaquette.textes == {"edito": "Par le préparateur."}


def test_the_national_role_writes_the_national_plaquette(campagne, national):
    copil_pour("nation")
    fr = services.plaquette_obtenir(campagne, "FR")

    agir(services.plaquette_enregistrer, fr, national, textes={"edito": "Édito national."})

    fr.refresh_from_db()
    assert fr.textes["edito"] == "Édito national." and fr.libelle == "France"


def test_invalid_markdown_is_refused_in_french_and_nothing_is_saved(plaquette, caf):
    agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "Premier texte."})

    with pytest.raises(ErreurPlaquette) as exc:
        agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "Nouveau", "rh": "<script>x</script>"})

    assert any(m.startswith("« Commentaire sur les ressources humaines »") for m in exc.value.messages)
    plaquette.refresh_from_db()
    assert plaquette.textes == {"edito": "Premier texte."} and plaquette.revision == 1


def test_optional_pages_are_chosen_among_those_the_template_allows(plaquette, caf, national):
    services.gabarit_modifier(
        campagne=plaquette.campagne,
        par=national,
        perimetre=perimetre_de(national),
        blocs={},
        pages_optionnelles=["tendances", "partenariats"],
    )
    agir(services.plaquette_enregistrer, plaquette, caf, textes={}, pages=["partenariats"])
    plaquette.refresh_from_db()
    gabarit = services.gabarit_de(plaquette.campagne)

    assert services.pages_retenues(gabarit, plaquette) == ["qu-est-ce", "partenariats", "comparaison"]
    with pytest.raises(ErreurPlaquette, match="pas au choix"):
        agir(services.plaquette_enregistrer, plaquette, caf, textes={}, pages=["comparaison"])


# --------------------------------------------------------------------------- circuit


def test_approval_needs_both_a_caf_and_a_federation_member(plaquette, caf, federation, preparateur):
    agir(services.plaquette_enregistrer, plaquette, preparateur, textes={"edito": "Édito."})
    agir(services.plaquette_soumettre, plaquette, preparateur)

    with pytest.raises(ErreurPlaquette, match="membres du COPIL"):
        agir(services.plaquette_approuver, plaquette, preparateur)
    p = agir(services.plaquette_approuver, plaquette, caf)
    assert p.statut == Statut.SOUMISE
    with pytest.raises(ErreurPlaquette, match="déjà approuvé"):
        agir(services.plaquette_approuver, plaquette, caf)
    autre_caf = membre_ajouter(copil=copil_pour("departement", "69"), utilisateur=UtilisateurFactory(), cote=Cote.CAF)
    assert agir(services.plaquette_approuver, plaquette, autre_caf.utilisateur).statut == Statut.SOUMISE

    p = agir(services.plaquette_approuver, plaquette, federation)

    assert p.statut == Statut.APPROUVEE
    actions = list(p.transitions.values_list("action", "de", "vers"))
    assert actions[-1] == (Action.APPROUVER, Statut.SOUMISE, Statut.APPROUVEE)
    assert all(t.qui and t.le for t in p.transitions.all())


def test_a_member_of_another_copil_cannot_approve(plaquette, caf):
    ain = copil_pour("departement", "01")
    intrus = membre_ajouter(copil=ain, utilisateur=UtilisateurFactory(), cote=Cote.FEDERATION).utilisateur
    agir(services.plaquette_enregistrer, plaquette, caf, textes={"edito": "x"})
    agir(services.plaquette_soumettre, plaquette, caf)

    with pytest.raises(ErreurPlaquette):
        agir(services.plaquette_approuver, plaquette, intrus)


@pytest.mark.parametrize("statut_avant", [Statut.SOUMISE, Statut.APPROUVEE])
def test_any_change_cancels_the_approvals(plaquette, caf, federation, statut_avant):
    approuvee(plaquette, caf, federation)
    if statut_avant == Statut.SOUMISE:
        agir(services.plaquette_refuser, plaquette, caf, motif="À revoir")
        agir(services.plaquette_soumettre, plaquette, caf)
        agir(services.plaquette_approuver, plaquette, caf)
    plaquette.refresh_from_db()
    assert plaquette.statut == statut_avant

    p = agir(services.plaquette_enregistrer, plaquette, federation, textes={"edito": "Texte corrigé."})

    assert p.statut == Statut.BROUILLON
    assert not p.approbations.actives().exists()
    assert p.approbations.filter(annulee_le__isnull=False).exists()  # gardées, annulées
    dernieres = list(p.transitions.order_by("-pk").values_list("action", flat=True)[:2])
    assert dernieres == [Action.ANNULER, Action.MODIFIER]
    with pytest.raises(ErreurPlaquette, match="approuvée par le COPIL"):
        agir(services.plaquette_publier, p, caf)


def test_a_template_change_sends_submitted_plaquettes_back_to_draft(plaquette, caf, federation, national):
    approuvee(plaquette, caf, federation)

    services.gabarit_modifier(
        campagne=plaquette.campagne,
        par=national,
        perimetre=perimetre_de(national),
        blocs={"rh": (True, "Texte national RH.")},
        pages_optionnelles=[],
    )

    plaquette.refresh_from_db()
    assert plaquette.statut == Statut.BROUILLON
    assert "Gabarit national modifié" in plaquette.transitions.last().motif


def test_a_refusal_needs_a_reason_and_returns_to_draft(plaquette, caf, federation):
    approuvee(plaquette, caf, federation)

    with pytest.raises(ErreurPlaquette, match="motif"):
        agir(services.plaquette_refuser, plaquette, federation, motif="  ")
    p = agir(services.plaquette_refuser, plaquette, federation, motif="Chiffres RH à commenter.")

    assert p.statut == Statut.BROUILLON
    t = p.transitions.last()
    assert (t.action, t.motif, t.par) == (Action.REFUSER, "Chiffres RH à commenter.", federation)


def test_publication_is_refused_while_the_disclosure_audit_fails(plaquette, caf, federation, rendu, audit, var_dir):
    approuvee(plaquette, caf, federation)
    audit["ok"] = False

    with pytest.raises(ErreurPlaquette, match="audit du secret statistique"):
        agir(services.plaquette_publier, plaquette, caf)

    plaquette.refresh_from_db()
    assert plaquette.statut == Statut.APPROUVEE and not plaquette.fichier_pdf and rendu.appels == []


def test_publication_freezes_the_pdf_with_its_sha256(plaquette, caf, federation, rendu, audit, var_dir):
    approuvee(plaquette, caf, federation)

    p = agir(services.plaquette_publier, plaquette, federation)

    assert p.statut == Statut.PUBLIEE and p.publiee_par == federation
    octets = p.chemin_pdf.read_bytes()
    assert str(p.chemin_pdf).startswith(str(var_dir))
    assert hashlib.sha256(octets).hexdigest() == p.empreinte_pdf and p.taille_pdf == len(octets)
    assert b"Valid\xc3\xa9e par le COPIL" in octets
    # Les agrégats changent ensuite : le fichier servi ne change pas, il n'est jamais régénéré.
    rendu.etat_agregats = "v2"
    assert services.fichier_publie(p, "pdf") == octets
    assert services.fichier_publie(p, "html") == p.chemin_html.read_bytes()
    assert rendu.appels == ["D:69"]
    with pytest.raises(ErreurPlaquette, match="figée"):
        agir(services.plaquette_enregistrer, p, caf, textes={"edito": "Après coup"})
    with pytest.raises(ErreurPlaquette, match="déjà publiée"):
        agir(services.plaquette_publier, p, caf)


def test_a_tampered_published_file_is_not_served(plaquette, caf, federation, rendu, audit, var_dir):
    approuvee(plaquette, caf, federation)
    p = agir(services.plaquette_publier, plaquette, caf)
    p.chemin_pdf.write_bytes(b"%PDF-falsifie")

    with pytest.raises(ErreurPlaquette, match="altéré"):
        services.fichier_publie(p, "pdf")


def test_the_preparer_cannot_publish_but_the_national_role_can(
    plaquette, caf, federation, preparateur, national, rendu, audit, var_dir
):  # noqa: E501
    approuvee(plaquette, caf, federation)

    with pytest.raises(ErreurPlaquette, match="publient"):
        agir(services.plaquette_publier, plaquette, preparateur)
    p = agir(services.plaquette_publier, plaquette, national)

    assert p.statut == Statut.PUBLIEE
    assert p.transitions.last().titre == "comité technique national"


def test_an_embargo_hides_a_published_plaquette_until_its_date(plaquette, caf, federation, rendu, audit, var_dir):
    demain = timezone.localdate() + datetime.timedelta(days=1)
    approuvee(plaquette, caf, federation)
    agir(services.plaquette_embargo, plaquette, caf, embargo=demain)
    p = agir(services.plaquette_publier, plaquette, caf)

    assert p.statut == Statut.PUBLIEE and not p.est_publique()
    assert not Plaquette.objects.publiques().exists()
    assert Plaquette.objects.publiques(demain).get() == p
    assert "embargo" in p.transitions.last().motif

    agir(services.plaquette_embargo, p, caf, embargo=None)
    assert Plaquette.objects.publiques().get() == p


# --------------------------------------------------------------------------- lots


@pytest.fixture
def territoires(monkeypatch):
    cles = ["FR", "R:84", "D:01", "D:69", "R:53", "D:35"]
    monkeypatch.setattr(services, "territoires_du_lot", lambda campagne: list(cles))
    return cles


def test_a_batch_renders_every_territory(campagne, rendu, territoires, var_dir):
    lot, repris = services.lot_creer_ou_reprendre(campagne=campagne)
    vus = []

    lot = services.lot_executer(lot, progression=lambda faits, total, cle: vus.append((faits, total, cle)))

    assert not repris and lot.statut == StatutLot.TERMINE
    assert vus[-1] == (6, 6, "D:35")
    assert sorted(rendu.appels) == sorted(territoires)
    for ligne in lot.territoires.all():
        assert (var_dir / "publications" / ligne.fichier).read_bytes().startswith(b"%PDF")


def test_a_crashed_batch_resumes_without_duplicates(campagne, rendu, territoires, var_dir):
    lot, _ = services.lot_creer_ou_reprendre(campagne=campagne)
    rendu.panne_apres = 4

    with pytest.raises(RuntimeError, match="panne"):
        services.lot_executer(lot)

    lot.refresh_from_db()
    assert lot.statut == StatutLot.INTERROMPU and "panne" in lot.erreur
    assert lot.compte() == (4, 0, 6)
    rendu.panne_apres = None

    repris, est_repris = services.lot_creer_ou_reprendre(campagne=campagne)
    services.lot_executer(repris)

    assert est_repris and repris.pk == lot.pk and Lot.objects.count() == 1
    assert sorted(rendu.appels) == sorted(territoires)  # chaque territoire rendu exactement une fois
    assert LotTerritoire.objects.filter(lot=lot).count() == 6
    assert set(LotTerritoire.objects.values_list("statut", flat=True)) == {StatutLigne.FAIT}
    assert set(LotTerritoire.objects.values_list("rendus", flat=True)) == {1}
    # Le lot terminé, une nouvelle demande crée un nouveau lot.
    assert services.lot_creer_ou_reprendre(campagne=campagne)[1] is False


def test_the_background_task_runs_a_batch(campagne, rendu, territoires, var_dir):
    from senacs.publications.tasks import rendre_lot

    lot, _ = services.lot_creer_ou_reprendre(campagne=campagne)

    resultat = rendre_lot.enqueue(lot.pk)

    assert resultat.return_value == StatutLot.TERMINE
    assert len(rendu.appels) == 6


def test_territory_keys_are_normalised():
    assert [services.normaliser_territoire(t) for t in ("48", "D:48", "d48", "R:76", "r76", "FR", "2A", "x:y")] == [
        "D:48",
        "D:48",
        "D:48",
        "R:76",
        "R:76",
        "FR",
        "D:2A",
        None,
    ]


def test_a_batch_held_by_another_runner_is_not_run_twice(campagne, rendu, territoires, var_dir):
    lot, _ = services.lot_creer_ou_reprendre(campagne=campagne)
    Lot.objects.filter(pk=lot.pk).update(statut=StatutLot.EN_COURS, battement=timezone.now())

    with pytest.raises(services.LotOccupe, match="en cours dans un autre processus"):
        services.lot_executer(lot)
    assert rendu.appels == []

    # Sans signe de vie depuis plus de deux minutes (processus tué), le lot se reprend.
    Lot.objects.filter(pk=lot.pk).update(battement=timezone.now() - datetime.timedelta(minutes=3))
    assert services.lot_executer(lot).statut == StatutLot.TERMINE
    assert sorted(rendu.appels) == sorted(territoires)


def test_the_demo_reset_can_remove_the_files(plaquette, caf, federation, rendu, audit, var_dir):
    approuvee(plaquette, caf, federation)
    agir(services.plaquette_publier, plaquette, caf)

    assert services.fichiers_effacer() == 2
    assert not (var_dir / "publications").exists()
