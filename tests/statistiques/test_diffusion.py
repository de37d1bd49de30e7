import csv
import io
import math
import statistics
from collections import defaultdict

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.stats import COLONNES_OUVERTES, Inegalite, Relation
from senacs.journal.models import AccesDonnees, Nature
from senacs.reponses.models import Reponse
from senacs.statistiques.models import Diffusion
from senacs.statistiques.selectors import QUESTIONS_SENSIBLES, donnees_campagne
from senacs.statistiques.services import (
    ErreurPublication,
    audit_campagne_ok,
    diffusion_enregistrer,
    diffusion_publier,
    lire_cellules,
    publication_autorisee,
    questions_de,
    relations_de,
)
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")


@pytest.fixture
def jeu(db):
    return campagne_statistiques()


@pytest.fixture
def diffusion(jeu):
    return diffusion_publier(campagne=jeu.campagne, motif="Tests")


# --- De la base au cœur ---


def test_it_builds_the_microdata_from_deposited_responses_and_their_snapshot(jeu):
    deplacee = jeu.repondantes[0]  # un CS du Rhône, déposé quand il était dans l'Ain
    reponse = Reponse.objects.get(campagne=jeu.campagne, structure=deplacee)
    reponse.instantane = {**reponse.instantane, "departement": "01", "region": "84", "zone": None}
    reponse.save()

    donnees = donnees_campagne(jeu.campagne)

    micro = donnees.microdonnees
    assert micro.height == len(jeu.repondantes)
    assert set(micro["structure"].to_list()) == {s.pk for s in jeu.repondantes}
    ligne = micro.filter(pl.col("structure") == deplacee.pk).row(0, named=True)
    assert (ligne["departement"], ligne["zone"]) == ("01", None)
    attendus = donnees.attendus
    assert attendus.height == len(jeu.structures)  # toutes attendues, brouillon compris, une fois chacune
    assert micro.schema["F04"] == pl.Float64
    assert micro.schema["B03"] == pl.List(pl.Utf8)
    assert micro.schema["A19"] == pl.Boolean
    assert micro.schema["F25"] == pl.Utf8


def test_every_structure_of_a_department_with_zones_is_in_exactly_one_zone(jeu):
    donnees = donnees_campagne(jeu.campagne)

    rhone = donnees.attendus.filter(pl.col("departement") == "69")
    assert rhone["zone"].null_count() == 0
    assert set(rhone["zone"].to_list()) == {"69-T1", "69-TR"}
    assert donnees.territoires.zones["69"] == ("69-T1", "69-TR")
    assert donnees.attendus.filter(pl.col("departement") != "69")["zone"].null_count() == (
        donnees.attendus.filter(pl.col("departement") != "69").height
    )


def test_it_declares_sensitive_questions_and_additive_relations_from_the_questionnaire(jeu):
    donnees = donnees_campagne(jeu.campagne)

    par_code = {q.code: q for q in donnees.questions}
    assert {c for c, q in par_code.items() if q.sensible} == set(QUESTIONS_SENSIBLES)
    assert "A05" not in par_code and "D05" not in par_code and "F05" not in par_code and "A01" not in par_code
    assert par_code["F26"].nature == "nombre"
    # Relations dérivées de la définition du questionnaire (core.secret.questionnaire) :
    egalites = {(r.total, r.composantes, r.exacte) for r in donnees.relations if isinstance(r, Relation)}
    lignes = tuple(f"F{i:02d}" for i in range(6, 21))
    assert ("F26", lignes, True) in egalites  # calcul F26 = F06 + … + F20
    assert ("F26", ("F04",), False) in egalites  # R04b : budget ≈ financements ventilés
    assert ("E02", ("E10", "E13", "E14", "E15", "E16", "E17"), False) in egalites  # R02 : ETP ventilés
    assert ("H02", ("H02A", "H02B", "H02C", "H02D", "H02E", "H02F"), True) in egalites
    inegalites = {frozenset((q, c) for q, _, _, c in r.termes) for r in donnees.relations if isinstance(r, Inegalite)}
    assert frozenset({("E03", 1.0), ("E04", 1.0), ("E01", -1.0)}) in inegalites  # R03a
    suivis = {q.code: q.declencheur for q in donnees.questions if q.declencheur}
    assert suivis["A24"] == ("A22", "oui") and suivis["F07"] == ("B05", "oui") and suivis["J02"] == ("J01", "oui")
    assert par_code["J02"].maximum == 53.0
    assert donnees.internes == {"H02"}


# --- Diffusion figée, audit ---


def test_it_freezes_a_protected_and_audited_diffusion(diffusion):
    assert diffusion.numero == 1
    assert diffusion.audit_ok
    assert diffusion.chemin.exists()
    assert diffusion.secretes > 0
    assert publication_autorisee(diffusion.campagne)
    assert publication_autorisee(diffusion.campagne, recontroler=True)
    assert audit_campagne_ok(diffusion.campagne).ok


def test_it_refuses_a_diffusion_before_the_analysis_phase(jeu):
    jeu.campagne.phase = "controle"
    jeu.campagne.save()

    with pytest.raises(ErreurPublication, match="phase d'analyse"):
        diffusion_publier(campagne=jeu.campagne)
    assert not Diffusion.objects.exists()


def test_a_tampered_diffusion_file_is_no_longer_publishable(diffusion):
    with open(diffusion.chemin, "ab") as f:
        f.write(b"\0")

    assert not publication_autorisee(diffusion.campagne)
    with pytest.raises(ErreurPublication, match="modifié"):
        audit_campagne_ok(diffusion.campagne)


def test_a_second_diffusion_keeps_every_suppressed_cell_suppressed(diffusion):
    premiere = lire_cellules(diffusion)
    # Entre-temps, une structure corrige sa réponse : les chiffres bougent un peu.
    reponse = Reponse.objects.filter(campagne=diffusion.campagne).order_by("pk").first()
    reponse.valeurs = {**reponse.valeurs, "C01": (reponse.valeurs.get("C01") or 0) + 7}
    reponse.save()

    seconde = diffusion_publier(campagne=diffusion.campagne, motif="Correction")

    assert seconde.numero == 2 and seconde.audit_ok
    cle = ["niveau", "territoire", "public", "question", "statistique", "modalite"]
    masquees = premiere.filter(pl.col("statut") == "secret").select(cle)
    apres = lire_cellules(seconde).select(*cle, "statut").join(masquees, on=cle, how="inner")
    assert apres.height == masquees.height
    assert set(apres["statut"].to_list()) == {"secret"}


def test_the_internal_age_total_is_never_published(diffusion):
    assert diffusion.internes == ["H02"]
    tampon = io.BytesIO()
    from senacs.statistiques.services import export_agregats

    export_agregats(diffusion.campagne, tampon)
    assert ",H02," not in tampon.getvalue().decode()


# --- Commandes ---


def test_audit_secret_exits_zero_on_a_protected_campaign(diffusion):
    sortie = io.StringIO()

    call_command("audit-secret", "--campagne", str(diffusion.campagne.annee), stdout=sortie)

    texte = sortie.getvalue()
    assert "Cellules exposées : 0" in texte
    assert "Audit réussi" in texte


def test_audit_secret_exits_non_zero_when_an_exposed_release_is_forced(diffusion):
    cellules = lire_cellules(diffusion)
    # On force la publication d'un montant masqué au titre d'une règle primaire (contournement du gate).
    cible = cellules.with_row_index("i").filter(
        (pl.col("statut") == "secret")
        & (pl.col("statistique") == "somme")
        & pl.col("motif").is_in(["frequence", "dominance", "p_pourcent"])
    )
    assert cible.height
    i = cible["i"][0]
    forcees = (
        cellules.with_row_index("i")
        .with_columns(
            statut=pl.when(pl.col("i") == i).then(pl.lit("publie")).otherwise(pl.col("statut")),
            valeur=pl.when(pl.col("i") == i).then(pl.col("valeur_brute")).otherwise(pl.col("valeur")),
        )
        .drop("i")
    )
    diffusion_enregistrer(
        campagne=diffusion.campagne,
        cellules=forcees,
        questions=questions_de(diffusion),
        relations=relations_de(diffusion),
        internes=diffusion.internes,
        rapport=audit_campagne_ok(diffusion.campagne),
        motif="Publication forcée (test)",
    )
    sortie = io.StringIO()

    with pytest.raises(CommandError) as erreur:
        call_command("audit-secret", "--campagne", str(diffusion.campagne.annee), stdout=sortie)

    assert erreur.value.returncode == 1
    assert "Violations des règles primaires : 0" not in sortie.getvalue()
    assert not audit_campagne_ok(diffusion.campagne).ok
    with pytest.raises(CommandError):
        call_command("export-agregats", "--campagne", str(diffusion.campagne.annee), "--out", "/dev/null")


def test_audit_secret_simulates_a_campaign_without_diffusion(jeu):
    sortie = io.StringIO()

    call_command("audit-secret", "--campagne", str(jeu.campagne.annee), stdout=sortie)

    assert "aucune diffusion figée — simulation" in sortie.getvalue()
    assert not Diffusion.objects.exists()


def test_export_agregats_writes_exactly_the_open_data_schema(diffusion, tmp_path):
    chemin = tmp_path / "agregats.csv"

    call_command("export-agregats", "--campagne", "2025", "--out", str(chemin), stdout=io.StringIO())

    contenu = chemin.read_bytes()
    assert not contenu.startswith(b"\xef\xbb\xbf")
    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8"))))
    assert list(lignes[0]) == list(COLONNES_OUVERTES)
    assert {ligne["statut"] for ligne in lignes} == {"publie", "secret"}
    assert all(ligne["valeur"] == "" for ligne in lignes if ligne["statut"] == "secret")
    assert all(ligne["valeur"] != "" for ligne in lignes if ligne["statut"] == "publie")
    assert {ligne["niveau"] for ligne in lignes} == {"nation", "region", "departement", "zone"}
    assert {ligne["territoire"] for ligne in lignes if ligne["niveau"] == "zone"} == {"69-T1", "69-TR"}
    assert {ligne["parent"] for ligne in lignes if ligne["niveau"] == "departement"} == {"84", "53"}
    parts = [ligne["valeur"] for ligne in lignes if ligne["statistique"] == "part" and ligne["valeur"]]
    assert all(len(p.split(".")[1]) == 1 for p in parts)
    assert all("," not in ligne["valeur"] for ligne in lignes)


def test_export_agregats_is_refused_without_a_diffusion(jeu, tmp_path):
    with pytest.raises(CommandError, match="Aucune diffusion"):
        call_command("export-agregats", "--campagne", "2025", "--out", str(tmp_path / "a.csv"))


def test_export_brut_is_an_operator_command_written_to_the_access_log(jeu, tmp_path):
    chemin = tmp_path / "brut.csv"

    call_command(
        "export-brut", "--campagne", "2025", "--territoire", "D:69", "--out", str(chemin), stdout=io.StringIO()
    )

    lignes = list(csv.DictReader(io.StringIO(chemin.read_text(encoding="utf-8"))))
    rhone = [s for s in jeu.repondantes if s.departement_id == "69"]
    assert {ligne["structure"] for ligne in lignes} == {s.identifiant for s in rhone}
    acces = AccesDonnees.objects.get()
    assert acces.nature == Nature.EXPORT_BRUT
    assert acces.utilisateur is None
    assert "export-brut" in acces.detail
    assert set(acces.structures_consultees.values_list("structure_id", flat=True)) == {s.pk for s in rhone}


def test_export_brut_has_the_identity_columns_then_one_column_per_question(jeu, tmp_path):
    reponse = Reponse.objects.get(campagne=jeu.campagne, structure=jeu.repondantes[0])
    reponse.valeurs = {**reponse.valeurs, "B03": ["precarite", "isolement", "inconnu"], "B04": True, "A12": "1 234"}
    reponse.save()
    chemin = tmp_path / "brut.csv"
    call_command("export-brut", "--campagne", "2025", "--territoire", "FR", "--out", str(chemin), stdout=io.StringIO())

    lignes = list(csv.DictReader(io.StringIO(chemin.read_text(encoding="utf-8"))))
    colonnes = list(lignes[0])
    assert colonnes[:6] == ["structure", "type", "departement", "region", "zone", "gestionnaire"]
    assert "F04" in colonnes and "B03" in colonnes and "A01" in colonnes and "H02" not in colonnes
    assert len(lignes) == len(jeu.repondantes)
    par_structure = {ligne["structure"]: ligne for ligne in lignes}
    geres = [s for s in jeu.repondantes if s.gestionnaire_id]
    assert len({par_structure[s.identifiant]["gestionnaire"] for s in geres}) == 1
    assert {par_structure[s.identifiant]["zone"] for s in jeu.repondantes if s.departement_id == "69"} == {
        "69-T1",
        "69-TR",
    }
    assert {par_structure[s.identifiant]["zone"] for s in jeu.repondantes if s.departement_id != "69"} == {""}
    premiere = par_structure[jeu.repondantes[0].identifiant]
    # Choix multiples : codes connus, séparés par une espace, dans l'ordre du questionnaire ; oui/non ;
    # nombre au point décimal (une saisie « 1 234 » devient 1234).
    assert (premiere["B03"], premiere["B04"], premiere["A12"]) == ("isolement precarite", "oui", "1234")


def test_export_brut_refuses_an_unknown_territory(jeu, tmp_path):
    with pytest.raises(CommandError, match="Territoire inconnu"):
        call_command("export-brut", "--campagne", "2025", "--territoire", "R:99", "--out", str(tmp_path / "b.csv"))


# --- Les chiffres publiés sont ceux des réponses brutes ---


def _lire_nombre(texte: str) -> float | None:
    return float(texte) if texte != "" else None


def test_published_values_equal_the_statistics_recomputed_from_export_brut(diffusion, tmp_path):
    brut, ouvert = tmp_path / "brut.csv", tmp_path / "agregats.csv"
    call_command("export-brut", "--campagne", "2025", "--territoire", "FR", "--out", str(brut), stdout=io.StringIO())
    call_command("export-agregats", "--campagne", "2025", "--out", str(ouvert), stdout=io.StringIO())
    questions = {q.code: q for q in questions_de(diffusion)}
    reponses = list(csv.DictReader(io.StringIO(brut.read_text(encoding="utf-8"))))

    # Recalcul en Python simple : chaque structure compte dans la France, sa région, son département,
    # sa zone, pour son public et pour l'ensemble.
    groupes = defaultdict(list)
    for r in reponses:
        territoires = [("nation", "FR"), ("region", r["region"]), ("departement", r["departement"])]
        if r["zone"]:
            territoires.append(("zone", r["zone"]))
        for t in territoires:
            for public in (r["type"], "ensemble"):
                groupes[(*t, public)].append(r)

    def attendu(niveau, territoire, public, question, statistique, modalite):
        lignes = groupes[(niveau, territoire, public)]
        if question == "*":
            return len(lignes) if statistique == "repondants" else None
        q = questions[question]
        valeurs = [r[question] for r in lignes if r[question] != ""]
        if statistique == "repondants":
            return len(valeurs)
        if q.nature == "nombre":
            nombres = [float(v) for v in valeurs]
            if statistique == "somme":
                return math.fsum(nombres)
            if statistique == "moyenne":
                return math.fsum(nombres) / len(nombres)
            q1, mediane, q3 = statistics.quantiles(nombres, n=4, method="inclusive")  # type 7 (R, numpy)
            return {"q1": q1, "mediane": mediane, "q3": q3}[statistique]
        choisis = [v.split() if q.nature == "choix_multiple" else [v] for v in valeurs]
        effectif = sum(1 for c in choisis if modalite in c)
        if statistique == "effectif":
            return effectif
        return round(100.0 * effectif / len(valeurs), 1)

    verifiees = 0
    for ligne in csv.DictReader(io.StringIO(ouvert.read_text(encoding="utf-8"))):
        if ligne["statut"] != "publie":
            continue
        valeur = attendu(
            ligne["niveau"],
            ligne["territoire"],
            ligne["public"],
            ligne["question"],
            ligne["statistique"],
            ligne["modalite"],
        )
        if valeur is None:
            continue
        assert float(ligne["valeur"]) == pytest.approx(valeur, abs=0.006), ligne
        verifiees += 1
    assert verifiees > 5_000


def test_audit_command_names_the_cell_and_the_route_of_a_follow_up_leak(jeu, settings):
    """Voie 1 par la commande : une diffusion protégée sans le modèle du questionnaire, dans laquelle
    le seul « oui » d'un territoire est masqué mais les répondants de la question de suivi publiés.
    ``audit-secret --modele-questionnaire`` échoue (code 1) et nomme la cellule et la voie ; l'audit
    d'avant (sans le modèle) la déclarait saine."""
    # Un territoire où un seul centre répond « oui » à H10 et répond ensuite à H11.
    reponses = list(Reponse.objects.filter(campagne=jeu.campagne, structure__departement_id="69"))
    for i, r in enumerate(reponses):
        oui = i == 0
        r.valeurs = {**r.valeurs, "H10": oui, "H11": 12 if oui else None}
        r.save(update_fields=["valeurs"])
    settings.SENACS_SECRET_MODELE_QUESTIONNAIRE = False
    diffusion_publier(campagne=jeu.campagne)
    call_command("audit-secret", "--campagne", "2025", stdout=io.StringIO())  # l'audit d'avant : sain
    settings.SENACS_SECRET_MODELE_QUESTIONNAIRE = True
    sortie = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "audit-secret", "--campagne", "2025", "--modele-questionnaire", "--exposees", "500", stdout=sortie
        )
    assert exc.value.returncode == 1
    texte = sortie.getvalue()
    assert "departement 69" in texte and "H10 effectif [oui]" in texte and "voie 1 (questions de suivi)" in texte
