"""Comparaison avec des structures comparables (groupe de pairs) : au moins 10 structures, élargissement
annoncé, refus sous 10, médianes protégées, aucun nom dans les fichiers produits."""

import io

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from core.pairs import MESSAGE_TROP_PETIT, Profil, comparer, groupe_de_pairs, mediane_protegee
from core.secret import Politique
from senacs.reponses.models import Reponse
from senacs.statistiques.automatises import ecrire_pdf, ecrire_xlsx, tableaux_structure
from senacs.statistiques.services import diffusion_publier
from tests.statistiques.fabriques import campagne_statistiques, var_dir  # noqa: F401


def profil(cle, type_="CS", taille="moyenne", milieu="urbain", **valeurs):
    return Profil(cle, type_, taille, milieu, {"F04": 500_000.0 + cle * 1000, "E02": 5.0 + cle, **valeurs})


CIBLE = profil(0)


# --- Le groupe : au moins 10, élargi pas à pas, sinon refusé (Python pur) ---


@pytest.mark.no_django_db
def test_a_group_of_at_least_ten_with_all_three_criteria_is_used():
    pairs = [profil(i) for i in range(1, 11)] + [profil(100 + i, milieu="rural") for i in range(20)]

    membres, criteres = groupe_de_pairs(CIBLE, [CIBLE, *pairs])

    assert criteres == ("type", "taille", "milieu")
    assert {p.cle for p in membres} == set(range(1, 11))  # la structure elle-même n'en est pas
    comparaison = comparer(CIBLE, pairs)
    assert comparaison.possible and comparaison.effectif == 10 and not comparaison.elargissement
    assert "les centres sociaux, budget de 300 000 € à 800 000 €, en milieu urbain" in comparaison.paragraphes[0]


@pytest.mark.no_django_db
def test_the_group_is_widened_first_by_dropping_urban_rural_then_size_and_says_so():
    urbains = [profil(i) for i in range(1, 6)]
    ruraux = [profil(10 + i, milieu="rural") for i in range(6)]
    grandes = [profil(20 + i, taille="grande", milieu="rural") for i in range(8)]

    sans_milieu = comparer(CIBLE, urbains + ruraux)
    sans_taille = comparer(CIBLE, urbains + grandes)

    assert sans_milieu.possible and sans_milieu.effectif == 11
    assert "abandonné le milieu (urbain ou rural)" in sans_milieu.elargissement
    assert "budget de 300 000 € à 800 000 €" in sans_milieu.description
    assert sans_taille.possible and sans_taille.effectif == 13
    assert "le milieu (urbain ou rural) puis la tranche de taille" in sans_taille.elargissement
    assert sans_taille.description == "les centres sociaux"


@pytest.mark.no_django_db
def test_no_comparison_under_ten_and_no_count_shown():
    pairs = [profil(i, taille="petite" if i % 2 else "grande") for i in range(1, 10)]  # 9 centres sociaux
    pairs += [profil(50 + i, type_="EVS") for i in range(30)]

    comparaison = comparer(CIBLE, pairs)

    assert not comparaison.possible and comparaison.effectif is None and comparaison.lignes == []
    (texte,) = comparaison.paragraphes
    assert MESSAGE_TROP_PETIT in texte
    assert "9" not in texte  # jamais l'effectif d'un groupe de moins de 10


@pytest.mark.no_django_db
def test_a_missing_criterion_of_the_structure_widens_the_group():
    cible = Profil(0, "CS", "moyenne", None, {})
    pairs = [profil(i) for i in range(1, 12)]

    comparaison = comparer(cible, pairs)

    assert comparaison.possible and comparaison.elargissement


@pytest.mark.no_django_db
def test_peer_medians_are_protected():
    pol = Politique()
    assert mediane_protegee([float(v) for v in range(1, 11)], pol) == 5.5
    assert mediane_protegee([float(v) for v in range(1, 10)], pol) is None  # moins de 10 réponses
    assert mediane_protegee([0.0] * 9 + [3.0], pol) is None  # tous sauf un ont la même valeur
    assert mediane_protegee([1.0] * 5 + [2.0] * 4 + [1_000_000.0], pol) is None  # dominance


@pytest.mark.no_django_db
def test_an_indicator_answered_by_fewer_than_ten_peers_is_suppressed():
    pairs = [profil(i, E02=None) if i > 5 else profil(i) for i in range(1, 12)]

    lignes = {ligne.code: ligne for ligne in comparer(CIBLE, pairs).lignes}

    assert lignes["E02"].mediane == "s"
    assert lignes["F04"].mediane != "s"
    assert lignes["F04"].votre == "500\u00a0000"


# --- Dans les tableaux automatisés (XLSX et PDF) ---


@pytest.fixture
def diffusion(db, var_dir):  # noqa: F811
    jeu = campagne_statistiques()
    return jeu, diffusion_publier(campagne=jeu.campagne)


def _textes(t):
    xlsx = CalamineWorkbook.from_filelike(io.BytesIO(ecrire_xlsx(t)))
    cellules = [str(c) for nom in xlsx.sheet_names for ligne in xlsx.get_sheet_by_name(nom).to_python() for c in ligne]
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(ecrire_pdf(t))).pages)
    return xlsx, cellules, pdf


def test_the_automated_tables_compare_with_peers_and_never_name_them(diffusion):
    jeu, diff = diffusion
    structure = next(s for s in jeu.repondantes if s.type == "CS")

    t = tableaux_structure(structure, diff)

    assert t.pairs is not None and t.pairs.possible  # une vingtaine de centres sociaux répondants
    assert t.pairs.effectif >= 10
    xlsx, cellules, pdf = _textes(t)
    assert "Structures comparables" in xlsx.sheet_names
    assert "Médiane du groupe" in cellules
    assert "Comparaison avec des structures comparables" in pdf
    autres = [s for s in jeu.structures if s.pk != structure.pk]
    for s in autres:
        assert not any(s.nom in c or s.identifiant in c for c in cellules), s.nom
        assert s.nom not in pdf and s.identifiant not in pdf


def test_the_automated_tables_refuse_a_group_under_ten(diffusion):
    jeu, diff = diffusion
    evs = [s for s in jeu.repondantes if s.type == "EVS"]
    # Il ne reste que 9 espaces de vie sociale répondants en plus de celui-ci : pas de comparaison.
    for s in evs[10:]:
        Reponse.objects.filter(structure=s, campagne=jeu.campagne).update(statut="brouillon")

    t = tableaux_structure(evs[0], diff)

    assert t.pairs is not None and not t.pairs.possible
    xlsx, cellules, pdf = _textes(t)
    assert any(MESSAGE_TROP_PETIT in c for c in cellules)
    assert MESSAGE_TROP_PETIT in " ".join(pdf.split())


@pytest.mark.no_django_db
def test_route6_two_colluding_members_see_the_same_median_and_recover_nothing():
    """Voie 6 : avec des médianes « sans soi » (code d'avant), deux EVS d'un même groupe de 12 voyaient
    deux médianes différentes (les 11 autres chacun) : connaissant leurs deux valeurs, elles lisaient
    dans l'écart les valeurs exactes des deux structures du milieu. La médiane est maintenant celle du
    groupe, structure comprise : la même pour chaque membre, l'écart est nul."""
    groupe = [profil(i, type_="EVS", F04=100_000.0 + 7_919.0 * i) for i in range(12)]
    a, b = groupe[0], groupe[11]
    med_a = {ligne.code: ligne.mediane for ligne in comparer(a, groupe).lignes}["F04"]
    med_b = {ligne.code: ligne.mediane for ligne in comparer(b, groupe).lignes}["F04"]
    assert med_a != "s" and med_a == med_b
    # Ce que l'ancien calcul aurait montré : deux valeurs de structures, exactement.
    autres_a = sorted(p.valeurs["F04"] for p in groupe if p is not a)
    autres_b = sorted(p.valeurs["F04"] for p in groupe if p is not b)
    assert autres_a[5] != autres_b[5]  # médiane de 11 = une valeur de structure, différente pour a et b
