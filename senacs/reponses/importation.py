"""Import en masse des réponses (fédérations qui ont collecté sur papier ou dans un autre outil) et export.

Format (une ligne par structure, la ligne 1 donne les noms des colonnes) :

- colonne ``structure`` : l'identifiant SENACS de la structure ;
- puis une colonne par code de question (``B08``, ``E01``, ``F04``…), dans n'importe quel ordre ; une
  cellule vide laisse la réponse enregistrée telle quelle ;
- nombres à la française (``1 234,56``, ``12,5 %``, ``45 000 €``), dates ``JJ/MM/AAAA``, ``oui`` /
  ``non``, code du choix, et pour un choix multiple les codes séparés par des espaces.

Fichier XLSX, XLS, ODS (première feuille) ou CSV (UTF-8 avec ou sans BOM, séparateur « ; » ou « , »).
La lecture des valeurs est celle du formulaire (``core.questionnaire.saisie``) et les mêmes contrôles
tournent sur la réponse complète qui en résulterait (``core.questionnaire.evaluation.anomalies``) :
toute anomalie bloquante qui porte sur une réponse importée est une erreur. Les réponses obligatoires
encore vides ne bloquent pas (la réponse reste un brouillon que la structure complète et dépose).

L'import est **tout ou rien** (une transaction) et chaque réponse importée est enregistrée comme saisie
par l'importateur **pour le compte** de la structure (``reponse_enregistrer(..., pour_le_compte=True,
origine="import")``) : la structure la voit dans son droit de regard et peut la contester. La réponse
est créée (brouillon) si elle n'existait pas. ``reponses_exporter`` écrit le même format : exporter puis
réimporter ne change rien.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import registre
from core.formats import ErreurSaisie, lecture_a_confirmer, lire_nombre
from core.questionnaire import saisie
from core.questionnaire.evaluation import anomalies, plan
from core.questionnaire.modele import TYPES_NOMBRE, Question
from core.questionnaire.modele import Questionnaire as ModeleQuestionnaire
from core.registre import Erreur, FichierIllisible, texte_cellule
from core.tableur import Feuille, ecrire_csv, ecrire_xlsx
from core.territoires import departements_par_code
from senacs.campagnes.models import Campagne, Phase
from senacs.questionnaires.importation import questionnaire_de_campagne
from senacs.reponses.models import Reponse, Statut
from senacs.reponses.revue import revue_notifier_reouverture, revue_notifier_saisie
from senacs.reponses.selectors import organisme_saisie, valeurs_precedentes
from senacs.reponses.services import reponse_enregistrer
from senacs.structures.models import Structure

PHASES_IMPORT = (Phase.SAISIE, Phase.CONTROLE)
COLONNE_STRUCTURE = "structure"
ORIGINE = "import"
ORGANISME_EXPLOITANT = "Comité technique national (import par l'exploitant)"
NOMS_PUBLICS = {"CS": "aux centres sociaux", "EVS": "aux espaces de vie sociale"}


@dataclass(slots=True)
class LigneImport:
    ligne: int
    identifiant: str
    nom: str
    creation: bool  # la réponse n'existait pas : elle sera créée (brouillon)
    modifications: dict[str, Any] = field(default_factory=dict)  # code → valeur stockée
    inchangees: int = 0
    revision: int | None = None  # révision de la réponse lue à l'analyse (revérifiée à l'écriture)
    rouvrir: bool = False  # réponse déposée à rouvrir (option explicite)


@dataclass
class RapportImportReponses:
    simulation: bool
    nom_fichier: str
    annee: int
    lignes: list[LigneImport] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)
    avertissements: list[Erreur] = field(default_factory=list)
    enregistre: bool = False

    @property
    def a_erreurs(self) -> bool:
        return bool(self.erreurs)

    @property
    def nb_reponses(self) -> int:
        return sum(len(li.modifications) for li in self.lignes)

    @property
    def nb_creations(self) -> int:
        return sum(1 for li in self.lignes if li.creation and li.modifications)

    @property
    def erreurs_triees(self) -> list[Erreur]:
        return sorted(self.erreurs, key=lambda e: (e.ligne or 0, e.colonne or ""))

    def resume(self) -> str:
        n, r, c = len(self.lignes), self.nb_reponses, self.nb_creations
        return (
            f"{registre.nombre_fr(n)} structure{'s' if n > 1 else ''}, "
            f"{registre.nombre_fr(r)} réponse{'s' if r > 1 else ''} à enregistrer, "
            f"{registre.nombre_fr(c)} questionnaire{'s' if c > 1 else ''} commencé{'s' if c > 1 else ''} par l'import"
        )

    def texte(self) -> list[str]:
        lignes = [f"Fichier « {self.nom_fichier} », campagne {self.annee} : {self.resume()}."]
        for li in self.lignes:
            etat = " (réponse créée)" if li.creation and li.modifications else ""
            lignes.append(
                f"  Ligne {li.ligne} — {li.identifiant} ({li.nom}) : {len(li.modifications)} réponse(s) "
                f"à enregistrer, {li.inchangees} inchangée(s){etat}"
            )
        if self.avertissements:
            lignes.append("")
            lignes.append(f"Avertissements ({registre.nombre_fr(len(self.avertissements))}) :")
            lignes.extend(
                _plafonner([f"  {e}" for e in self.avertissements[: ERREURS_LISTEES + 1]], len(self.avertissements))
            )
        if self.erreurs:
            lignes.append("")
            lignes.append(f"Erreurs ({registre.nombre_fr(len(self.erreurs))}) :")
            lignes.extend(
                _plafonner([f"  {e}" for e in self.erreurs_triees[: ERREURS_LISTEES + 1]], len(self.erreurs))
            )
        return lignes


#: Au plus ce nombre d'erreurs (ou d'avertissements) listées dans un rapport ; le total est toujours donné.
ERREURS_LISTEES = 200
#: Lignes de données au plus dans un fichier de réponses (une par structure : le registre en compte ~5 000).
LIGNES_MAX = 20_000


def _plafonner(lignes: list[str], total: int) -> list[str]:
    if total <= ERREURS_LISTEES:
        return lignes
    reste = total - ERREURS_LISTEES
    return [*lignes[:ERREURS_LISTEES], f"  … et {registre.nombre_fr(reste)} autre{'s' if reste > 1 else ''}"]


def _texte_departements(departements: Iterable[str]) -> str:
    deps = departements_par_code()
    codes = sorted(departements)
    libelles = [f"{c} ({deps[c].nom})" if c in deps else c for c in codes[:6]]
    return ", ".join(libelles) + ("…" if len(codes) > 6 else "")


def _codes_choix(modele: ModeleQuestionnaire, code: str) -> list[str]:
    return [c.code for c in modele.choix(code)]


def _egales(modele: ModeleQuestionnaire, code: str, a: Any, b: Any) -> bool:
    """Deux valeurs stockées disent-elles la même chose (1234 et 1234.0, ordre des choix…) ?"""
    if saisie.vide(a) or saisie.vide(b):
        return saisie.vide(a) and saisie.vide(b)
    if a == b:
        return True
    normaliser = plan(modele).normaliser
    na, nb = normaliser({code: a})[0].get(code), normaliser({code: b})[0].get(code)
    if isinstance(na, list) and isinstance(nb, list):
        return set(na) == set(nb)
    return na is not None and na == nb


def _lire_cellule(question: Question, brut: Any, codes: list[str]) -> Any:
    texte = texte_cellule(brut)
    if question.type == "choix_multiple":
        texte = texte.replace(",", " ").replace(";", " ")
    return saisie.lire(question, texte, codes)


def _entete(cellules: list[Any], modele: ModeleQuestionnaire, rapport: RapportImportReponses) -> dict[int, str]:
    """Colonnes de questions lisibles (index → code) ; les erreurs d'en-tête vont au rapport."""
    noms = [texte_cellule(c) for c in cellules]
    if not noms or registre.normaliser(noms[0]) not in (COLONNE_STRUCTURE, "identifiant"):
        rapport.erreurs.append(
            Erreur(
                1,
                noms[0] if noms and noms[0] else None,
                "la première colonne doit s'appeler « structure » (identifiant SENACS de la structure)",
            )
        )
    colonnes: dict[int, str] = {}
    vues: dict[str, int] = {}
    for j, nom in enumerate(noms[1:], start=1):
        if not nom:
            continue
        code = nom.strip().upper()
        if code in vues:
            rapport.erreurs.append(Erreur(1, nom, f"la colonne « {code} » figure deux fois"))
            continue
        vues[code] = j
        if code not in modele:
            rapport.erreurs.append(
                Erreur(1, nom, f"la question « {code} » n'existe pas dans le questionnaire {rapport.annee}")
            )
            continue
        if not modele.question(code).saisie:
            rapport.erreurs.append(
                Erreur(1, nom, f"la question {code} est calculée ou seulement affichée : elle ne s'importe pas")
            )
            continue
        colonnes[j] = code
    return colonnes


def reponses_importer(
    *,
    contenu: bytes,
    nom_fichier: str,
    campagne: Campagne,
    par,
    departements: frozenset[str] | None,
    simulation: bool,
    rouvrir_deposees: bool = False,
    qui: str = "",
) -> RapportImportReponses:
    """Contrôle puis (hors simulation) importe un fichier de réponses ; tout ou rien.

    ``departements`` : départements dont l'importateur peut importer les structures (ceux de ses
    mandats de correspondant) ; ``None`` pour la France entière (commande d'exploitation). ``par`` :
    l'utilisateur importateur (None pour l'exploitant ; ``qui`` nomme alors l'opérateur).

    Une réponse validée n'est jamais modifiée ; une réponse déposée ne l'est qu'avec
    ``rouvrir_deposees`` : elle est alors rouverte (brouillon, piste d'audit) et la structure prévenue.
    Statut et révision de chaque réponse sont revérifiés, réponse verrouillée, dans la transaction qui
    écrit : si l'une a changé depuis l'analyse du fichier, rien n'est importé."""
    rapport = RapportImportReponses(simulation=simulation, nom_fichier=nom_fichier, annee=campagne.annee)
    if campagne.phase not in PHASES_IMPORT:
        rapport.erreurs.append(
            Erreur(
                None,
                None,
                f"la campagne {campagne.annee} est en phase « {campagne.get_phase_display()} » : les réponses "
                "s'importent pendant la saisie ou le contrôle de cohérence",
            )
        )
        return rapport
    modele = questionnaire_de_campagne(campagne)
    if modele is None:
        rapport.erreurs.append(Erreur(None, None, f"la campagne {campagne.annee} n'a pas de questionnaire"))
        return rapport
    try:
        cellules = registre.lire_fichier(contenu, registre.extension_de(nom_fichier))
    except FichierIllisible as exc:
        rapport.erreurs.append(Erreur(None, None, str(exc)))
        return rapport
    if not cellules or not any(texte_cellule(c) for c in cellules[0]):
        rapport.erreurs.append(Erreur(None, None, "le fichier est vide (la ligne 1 doit donner les colonnes)"))
        return rapport
    if len(cellules) - 1 > LIGNES_MAX:
        rapport.erreurs.append(
            Erreur(
                None,
                None,
                f"le fichier compte {registre.nombre_fr(len(cellules) - 1)} lignes : {registre.nombre_fr(LIGNES_MAX)} "
                "au plus (une ligne par structure) ; découpez-le",
            )
        )
        return rapport
    colonnes = _entete(list(cellules[0]), modele, rapport)

    donnees = [
        (numero, ligne) for numero, ligne in enumerate(cellules[1:], start=2) if any(texte_cellule(c) for c in ligne)
    ]
    identifiants = {texte_cellule(ligne[0]) for _, ligne in donnees if ligne}
    structures = {s.identifiant: s for s in Structure.objects.filter(identifiant__in=identifiants)}
    existantes = {
        r.structure_id: r for r in Reponse.objects.filter(campagne=campagne, structure__in=structures.values())
    }
    # Réponses de l'an dernier, comme dans le formulaire (celles déposées) : pour les règles precedent().
    precedentes = {s.pk: valeurs_precedentes(campagne, s) for s in structures.values()}
    vues: dict[str, int] = {}
    for numero, ligne in donnees:
        identifiant = texte_cellule(ligne[0]) if ligne else ""
        if not identifiant:
            rapport.erreurs.append(Erreur(numero, COLONNE_STRUCTURE, "identifiant de structure manquant"))
            continue
        if identifiant in vues:
            rapport.erreurs.append(
                Erreur(
                    numero, COLONNE_STRUCTURE, f"la structure « {identifiant} » figure déjà ligne {vues[identifiant]}"
                )
            )
            continue
        vues[identifiant] = numero
        structure = structures.get(identifiant)
        if structure is None:
            rapport.erreurs.append(
                Erreur(numero, COLONNE_STRUCTURE, f"structure « {identifiant} » inconnue au registre")
            )
            continue
        if departements is not None and structure.departement_id not in departements:
            rapport.erreurs.append(
                Erreur(
                    numero,
                    COLONNE_STRUCTURE,
                    f"la structure « {identifiant} » (département {structure.departement_id}) n'est pas dans votre "
                    f"périmètre ({_texte_departements(departements) or 'aucun département'})",
                )
            )
            continue
        _analyser_ligne(
            rapport,
            modele,
            colonnes,
            numero,
            ligne,
            structure,
            existantes.get(structure.pk),
            precedentes,
            rouvrir_deposees,
        )

    if rapport.a_erreurs or simulation:
        return rapport
    try:
        _enregistrer(rapport, campagne, structures, existantes, par, qui)
    except _ReponseChangee as exc:
        rapport.erreurs.append(Erreur(exc.ligne, COLONNE_STRUCTURE, exc.message))
    return rapport


class _ReponseChangee(Exception):
    """Une réponse a changé entre l'analyse du fichier et l'écriture : l'import est annulé en entier."""

    def __init__(self, ligne: int, message: str):
        super().__init__(message)
        self.ligne = ligne
        self.message = message


def _analyser_ligne(
    rapport: RapportImportReponses,
    modele: ModeleQuestionnaire,
    colonnes: dict[int, str],
    numero: int,
    cellules: list[Any],
    structure: Structure,
    reponse: Reponse | None,
    precedentes: dict[int, dict],
    rouvrir_deposees: bool = False,
) -> None:
    variante = modele.pour_public(structure.type, structure.departement_id)
    actuelles = dict(reponse.valeurs) if reponse else {}
    resultat = LigneImport(
        numero,
        structure.identifiant,
        structure.nom,
        creation=reponse is None,
        revision=reponse.revision if reponse is not None else None,
    )
    colonne_de: dict[str, str] = {}
    erreurs_avant = len(rapport.erreurs)
    for j, code in colonnes.items():
        brut = cellules[j] if j < len(cellules) else None
        if not texte_cellule(brut):
            continue
        colonne_de[code] = code
        if code not in variante:
            question = modele.question(code)
            motif = (
                f"la question {code} n'est pas posée {NOMS_PUBLICS.get(structure.type, structure.type)}"
                if structure.type not in question.publics
                else f"la question {code} est propre à d'autres départements que le {structure.departement_id}"
            )
            rapport.erreurs.append(Erreur(numero, code, motif))
            continue
        question = variante.question(code)
        try:
            valeur = _lire_cellule(question, brut, _codes_choix(modele, code))
        except saisie.ErreurSaisie as exc:
            rapport.erreurs.append(Erreur(numero, code, exc.message))
            continue
        if question.type in TYPES_NOMBRE and valeur is not None and lecture_a_confirmer(texte_cellule(brut)):
            rapport.avertissements.append(
                Erreur(
                    numero,
                    code,
                    f"« {texte_cellule(brut)} » lu {saisie.formater(question, valeur)} (le point sépare les "
                    "milliers) : vérifiez ce nombre",
                )
            )
        if _egales(modele, code, actuelles.get(code), valeur):
            resultat.inchangees += 1
            continue
        resultat.modifications[code] = valeur
    if len(rapport.erreurs) > erreurs_avant:
        return
    if resultat.modifications and reponse is not None and reponse.statut == Statut.VALIDEE:
        rapport.erreurs.append(
            Erreur(
                numero,
                COLONNE_STRUCTURE,
                f"la réponse de « {structure.identifiant} » est validée : elle ne se modifie plus par import",
            )
        )
        return
    if resultat.modifications:
        valeurs = {**actuelles, **resultat.modifications}
        for anomalie in anomalies(
            modele,
            valeurs,
            precedentes.get(structure.pk),
            public=structure.type,
            departement=structure.departement_id,
        ):
            concernees = [q for q in anomalie.questions if q in resultat.modifications]
            if not concernees or anomalie.code_regle.endswith(".obligatoire"):
                continue
            erreur = Erreur(numero, colonne_de.get(concernees[0], concernees[0]), anomalie.message)
            (rapport.erreurs if anomalie.bloquante else rapport.avertissements).append(erreur)
        if reponse is not None and reponse.statut == Statut.SOUMISE:
            if not rouvrir_deposees:
                rapport.erreurs.append(
                    Erreur(
                        numero,
                        COLONNE_STRUCTURE,
                        f"la réponse de « {structure.identifiant} » est déposée : l'import ne la modifie qu'avec "
                        "l'option de réouverture (--rouvrir-deposees), qui la rouvre et prévient la structure",
                    )
                )
                return
            resultat.rouvrir = True
            rapport.avertissements.append(
                Erreur(
                    numero,
                    COLONNE_STRUCTURE,
                    "la réponse est déposée : l'import la rouvre (brouillon à déposer de nouveau) et prévient la "
                    "structure",
                )
            )
    rapport.lignes.append(resultat)


def _reverifier(ligne: LigneImport, r: Reponse) -> None:
    """Sur la réponse verrouillée, dans la transaction qui écrit : rien n'a changé depuis l'analyse."""
    nom = f"la réponse de « {ligne.identifiant} »"
    if r.statut == Statut.VALIDEE:
        raise _ReponseChangee(
            ligne.ligne, f"{nom} a été validée pendant l'import : elle ne se modifie plus ; rien n'a été importé"
        )
    if r.statut == Statut.SOUMISE and not ligne.rouvrir:
        raise _ReponseChangee(
            ligne.ligne,
            f"{nom} a été déposée pendant l'import : relancez l'import (rien n'a été importé)",
        )
    if ligne.revision is not None and r.revision != ligne.revision:
        raise _ReponseChangee(
            ligne.ligne,
            f"{nom} a été modifiée pendant l'analyse du fichier : relancez l'import (rien n'a été importé)",
        )


def _enregistrer(rapport, campagne, structures, existantes, par, qui: str = "") -> None:
    from senacs.exploitation.audit import auditer, operateur
    from senacs.exploitation.models import Origine

    with transaction.atomic():
        for ligne in rapport.lignes:
            if not ligne.modifications:
                continue
            structure = structures[ligne.identifiant]
            reponse = existantes.get(structure.pk)
            if reponse is None:
                reponse, _ = Reponse.objects.get_or_create(
                    campagne=campagne, structure=structure, defaults={"statut": Statut.BROUILLON}
                )
            reponse = Reponse.objects.select_for_update(of=("self",)).select_related("campagne").get(pk=reponse.pk)
            _reverifier(ligne, reponse)
            organisme = (
                organisme_saisie(par, structure, pour_le_compte=True, jour=timezone.localdate())
                if par is not None
                else f"{ORGANISME_EXPLOITANT}, {qui or operateur()}"[:200]
            )
            if ligne.rouvrir and reponse.statut == Statut.SOUMISE:
                reponse.statut = Statut.BROUILLON
                reponse.save(update_fields=["statut"])
                auditer(
                    "reponse.rouvrir",
                    par=par,
                    qui=qui,
                    origine=Origine.WEB if par is not None else Origine.COMMANDE,
                    objet=f"réponse {campagne.annee} de {structure.identifiant}",
                    reponse=reponse.pk,
                    motif=f"import du fichier « {rapport.nom_fichier} »",
                    organisme=organisme,
                )
                revue_notifier_reouverture(reponse=reponse, par=par, organisme=organisme, fichier=rapport.nom_fichier)
            reponse_enregistrer(
                reponse=reponse,
                modifications={code: (valeur, None) for code, valeur in ligne.modifications.items()},
                par=par,
                organisme=organisme,
                pour_le_compte=True,
                origine=ORIGINE,
            )
            revue_notifier_saisie(reponse=reponse, codes=list(ligne.modifications), par=par, organisme=organisme)
    rapport.enregistre = True


# --------------------------------------------------------------------------- export


def _nombre(valeur: Any) -> Decimal | None:
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int):
        return Decimal(valeur)
    if isinstance(valeur, float):
        return Decimal(repr(valeur))
    try:
        return lire_nombre(str(valeur))
    except ErreurSaisie:
        return None


def _texte_nombre(nombre: Decimal) -> str:
    """« 1234,56 » : virgule décimale, sans séparateur de milliers (relu tel quel par l'import)."""
    if nombre == nombre.to_integral_value():
        return format(nombre.quantize(Decimal(1)), "f")
    return format(nombre.normalize(), "f").replace(".", ",")


def _valeur_export(question: Question, valeur: Any, tableur: bool) -> Any:
    """Cellule de l'export, relisible par l'import : nombre (classeur) ou texte à la française (CSV)."""
    if saisie.vide(valeur):
        return None
    if question.type in TYPES_NOMBRE:
        nombre = _nombre(valeur)
        if nombre is None:
            return str(valeur)
        if tableur:
            return int(nombre) if nombre == nombre.to_integral_value() else float(nombre)
        return _texte_nombre(nombre)
    if question.type == "choix_multiple":
        return " ".join(saisie.vers_formulaire(question, valeur))
    return saisie.vers_formulaire(question, valeur)


def reponses_a_exporter(*, campagne: Campagne, departements: frozenset[str] | None):
    reponses = Reponse.objects.filter(campagne=campagne).select_related("structure")
    if departements is not None:
        reponses = reponses.filter(structure__departement_id__in=departements)
    return reponses.order_by("structure__departement_id", "structure__identifiant")


def reponses_exporter(*, campagne: Campagne, departements: frozenset[str] | None, format: str) -> tuple[bytes, int]:
    """Les réponses de la campagne (départements donnés, ou toutes) au format d'import ; (contenu, nombre)."""
    modele = questionnaire_de_campagne(campagne)
    if modele is None:
        raise ValueError(f"La campagne {campagne.annee} n'a pas de questionnaire.")
    questions = [q for q in modele.questions() if q.saisie]
    entete = [COLONNE_STRUCTURE, *(q.code for q in questions)]
    tableur = format == "xlsx"
    lignes = [
        [r.structure.identifiant, *(_valeur_export(q, r.valeurs.get(q.code), tableur) for q in questions)]
        for r in reponses_a_exporter(campagne=campagne, departements=departements)
    ]
    if format == "csv":
        return ecrire_csv(entete, lignes), len(lignes)
    if format != "xlsx":
        raise ValueError("Format d'export inconnu : xlsx ou csv.")
    return _xlsx(entete, lignes, modele, questions), len(lignes)


def reponses_modele(*, campagne: Campagne, departements: frozenset[str]) -> bytes:
    """Classeur vierge au format d'import : une ligne par structure active des départements (identifiant
    seulement, aucune réponse) et la feuille « questions » qui décrit chaque colonne."""
    modele = questionnaire_de_campagne(campagne)
    if modele is None:
        raise ValueError(f"La campagne {campagne.annee} n'a pas de questionnaire.")
    questions = [q for q in modele.questions() if q.saisie]
    structures = (
        Structure.objects.actives()
        .filter(departement_id__in=departements)
        .order_by("departement_id", "identifiant")
        .values_list("identifiant", flat=True)
    )
    lignes = [[identifiant] for identifiant in structures]
    return _xlsx([COLONNE_STRUCTURE, *(q.code for q in questions)], lignes, modele, questions)


def _xlsx(entete, lignes, modele: ModeleQuestionnaire, questions: list[Question]) -> bytes:
    aide = []
    for q in questions:
        if q.liste:
            admises = " ; ".join(f"{c.code} = {c.libelle}" for c in modele.choix(q.code))
        elif q.type == "oui_non":
            admises = "oui / non"
        elif q.type == "date":
            admises = "JJ/MM/AAAA"
        else:
            admises = ""
        aide.append((q.code, q.libelle, q.type, q.unite or "", admises))
    return ecrire_xlsx(
        [
            Feuille("reponses", entete, lignes, largeurs={0: 14}, largeur=9, figer_colonnes=1, filtre=False),
            Feuille(
                "questions",
                ("code", "libellé", "type", "unité", "valeurs admises"),
                aide,
                largeurs={1: 60, 4: 60},
                largeur=9,
                filtre=False,
            ),
        ]
    )
