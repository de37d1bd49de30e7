"""Les écritures revérifient l'état de la réponse dans la transaction qui écrit (réponse verrouillée) :
une saisie ne passe pas après un dépôt, un import ne change jamais une réponse validée ni, sans
option explicite, une réponse déposée (issue 14, points 2, 3 et 7)."""

import threading

import pytest
from django.core import mail
from django.db import close_old_connections, connection

from senacs.exploitation.models import Evenement
from senacs.reponses import importation
from senacs.reponses.models import Depot, Reponse, ReponseHistorique, Statut
from senacs.reponses.services import EcritureRefusee, reponse_ouvrir, reponse_saisir, reponse_soumettre
from tests.pannes.outils import seulement_postgresql
from tests.reponses.donnees import VALEURS_COMPLETES, csv_
from tests.reponses.donnees import campagne_ouverte as _campagne_ouverte
from tests.reponses.donnees import remplir as _remplir


@pytest.fixture
def campagne(q2026):  # noqa: F811
    return _campagne_ouverte(q2026)


@pytest.fixture
def reponse(campagne, structure_69, usager_structure_69):
    r, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(r, {**VALEURS_COMPLETES, "J01": False}, usager_structure_69)
    return r


def _deposer(reponse, par):
    return reponse_soumettre(
        reponse=reponse, justifications={}, par=par, organisme="la structure", pour_le_compte=False
    )


def _saisir(reponse, par, valeur):
    return reponse_saisir(
        reponse=reponse,
        saisies={"E01": (valeur, reponse.versions.get("E01", 0))},
        par=par,
        organisme="la structure",
        pour_le_compte=False,
    )


def test_a_save_read_before_a_deposit_is_refused_when_it_writes(reponse, usager_structure_69):
    """Le formulaire a lu la réponse en brouillon ; le dépôt passe ; l'enregistrement arrive ensuite."""
    perimee = Reponse.objects.select_related("campagne", "structure").get(pk=reponse.pk)
    assert _deposer(reponse, usager_structure_69).ok
    with pytest.raises(EcritureRefusee, match="déposée"):
        _saisir(perimee, usager_structure_69, 99)
    r = Reponse.objects.get(pk=reponse.pk)
    assert r.valeurs["E01"] == 14 and r.statut == Statut.SOUMISE
    assert Depot.objects.get(reponse=r).valeurs["E01"] == 14


@seulement_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_and_deposits_never_leave_a_save_outside_the_receipt(
    campagne, structure_69, usager_structure_69
):
    """Vrais fils d'exécution, vraies transactions : 12 essais. Une saisie annoncée « enregistrée »
    est toujours dans le reçu du dépôt ; sinon elle a été refusée."""
    for essai in range(12):
        r, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
        Reponse.objects.filter(pk=r.pk).update(statut=Statut.BROUILLON)
        r.refresh_from_db()
        _remplir(r, {**VALEURS_COMPLETES, "J01": False}, usager_structure_69)
        depart = threading.Barrier(2)
        issues = {}

        def saisie(valeur=15, r=r, depart=depart, issues=issues):
            lue = Reponse.objects.select_related("campagne", "structure").get(pk=r.pk)
            depart.wait()
            try:
                issues["saisie"] = _saisir(lue, usager_structure_69, valeur).ok
            except EcritureRefusee:
                issues["saisie"] = False
            finally:
                close_old_connections()
                connection.close()

        def depot(r=r, depart=depart, issues=issues):
            lue = Reponse.objects.get(pk=r.pk)
            depart.wait()
            try:
                issues["depot"] = _deposer(lue, usager_structure_69).ok
            except EcritureRefusee:
                issues["depot"] = False
            finally:
                connection.close()

        fils = [threading.Thread(target=saisie), threading.Thread(target=depot)]
        for f in fils:
            f.start()
        for f in fils:
            f.join(30)
        r.refresh_from_db()
        assert issues["depot"] is True, issues
        dernier = Depot.objects.filter(reponse=r).order_by("-numero").first()
        assert r.statut == Statut.SOUMISE
        assert dernier.valeurs["E01"] == r.valeurs["E01"], (essai, issues)
        if issues["saisie"]:
            assert r.valeurs["E01"] == 15
        else:
            assert r.valeurs["E01"] == 14
        Reponse.objects.filter(pk=r.pk).update(statut=Statut.BROUILLON)


# --------------------------------------------------------------------------- imports


def _importer(campagne, contenu, **kwargs):
    return importation.reponses_importer(
        contenu=contenu,
        nom_fichier="reponses.csv",
        campagne=campagne,
        par=None,
        departements=None,
        simulation=False,
        qui="Dominique Exploitante",
        **kwargs,
    )


def test_an_import_never_changes_a_response_validated_between_analysis_and_write(
    reponse, campagne, structure_69, monkeypatch
):
    """L'import lit « brouillon » en analysant le fichier ; la validation passe avant qu'il n'écrive."""
    ecrire = importation._enregistrer

    def validation_pendant_l_import(*args, **kwargs):
        Reponse.objects.filter(pk=reponse.pk).update(statut=Statut.VALIDEE)
        return ecrire(*args, **kwargs)

    monkeypatch.setattr(importation, "_enregistrer", validation_pendant_l_import)
    avant = ReponseHistorique.objects.count()
    rapport = _importer(campagne, csv_([["structure", "E01"], [structure_69.identifiant, "77"]]))
    assert not rapport.enregistre
    assert any("validée pendant l'import" in e.message for e in rapport.erreurs)
    assert Reponse.objects.get(pk=reponse.pk).valeurs["E01"] == 14
    assert ReponseHistorique.objects.count() == avant


def test_an_import_refuses_a_response_changed_since_the_file_was_analysed(
    reponse, campagne, structure_69, monkeypatch
):
    ecrire = importation._enregistrer

    def saisie_pendant_l_import(*args, **kwargs):
        r = Reponse.objects.get(pk=reponse.pk)
        _remplir(r, {"E02": 11}, None)
        return ecrire(*args, **kwargs)

    monkeypatch.setattr(importation, "_enregistrer", saisie_pendant_l_import)
    rapport = _importer(campagne, csv_([["structure", "E01"], [structure_69.identifiant, "77"]]))
    assert not rapport.enregistre
    assert any("modifiée pendant l'analyse" in e.message for e in rapport.erreurs)
    assert Reponse.objects.get(pk=reponse.pk).valeurs["E01"] == 14


def test_an_import_changes_a_deposited_response_only_with_the_reopening_flag(
    reponse, campagne, structure_69, usager_structure_69, django_capture_on_commit_callbacks
):
    assert _deposer(reponse, usager_structure_69).ok
    contenu = csv_([["structure", "E01"], [structure_69.identifiant, "77"]])

    rapport = _importer(campagne, contenu)
    assert not rapport.enregistre
    assert any("--rouvrir-deposees" in e.message for e in rapport.erreurs)
    assert Reponse.objects.get(pk=reponse.pk).statut == Statut.SOUMISE

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rapport = _importer(campagne, contenu, rouvrir_deposees=True)
    assert rapport.enregistre, [e.message for e in rapport.erreurs]
    r = Reponse.objects.get(pk=reponse.pk)
    assert r.statut == Statut.BROUILLON and r.valeurs["E01"] == 77
    evenement = Evenement.objects.get(action="reponse.rouvrir")
    assert evenement.qui == "Dominique Exploitante" and evenement.origine == "commande"
    assert evenement.objet == f"réponse {campagne.annee} de {structure_69.identifiant}"
    assert any("rouverte après un import" in m.subject for m in mail.outbox)
    assert usager_structure_69.email in [d for m in mail.outbox for d in m.to]


def test_reopening_in_the_entry_screen_is_in_the_audit_trail(reponse, usager_structure_69):
    from senacs.reponses.services import reponse_rouvrir

    assert _deposer(reponse, usager_structure_69).ok
    reponse_rouvrir(reponse=reponse, pour_le_compte=False, par=usager_structure_69, organisme="la structure")
    e = Evenement.objects.get(action="reponse.rouvrir")
    assert e.utilisateur == usager_structure_69 and e.detail["depot"] == 1 and e.le is not None


@seulement_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_validation_committed_while_an_import_analyses_its_file_wins(
    campagne, structure_69, usager_structure_69, monkeypatch
):
    """Vrais fils : l'import analyse (lit « brouillon »), la validation est validée dans une autre
    transaction, puis l'import écrit : il est refusé en entier."""
    r, _ = reponse_ouvrir(campagne=campagne, structure=structure_69, par=usager_structure_69)
    _remplir(r, {**VALEURS_COMPLETES, "J01": False}, usager_structure_69)
    analyse_faite, validation_faite = threading.Event(), threading.Event()
    analyser = importation._analyser_ligne

    def analyse_lente(*args, **kwargs):
        analyser(*args, **kwargs)
        analyse_faite.set()
        assert validation_faite.wait(20)

    monkeypatch.setattr(importation, "_analyser_ligne", analyse_lente)
    rapports = []

    def importer():
        try:
            rapports.append(_importer(campagne, csv_([["structure", "E01"], [structure_69.identifiant, "77"]])))
        finally:
            connection.close()

    fil = threading.Thread(target=importer)
    fil.start()
    assert analyse_faite.wait(20)
    Reponse.objects.filter(pk=r.pk).update(statut=Statut.VALIDEE)
    validation_faite.set()
    fil.join(30)
    assert not rapports[0].enregistre
    assert Reponse.objects.get(pk=r.pk).valeurs["E01"] == 14
