"""Réponses complètes de démonstration : chaque réponse répond au questionnaire de sa campagne.

``completer_reponses`` part des réponses d'identité (``core.demo.campagnes`` : qui répond, quand, avec
quel statut) et remplit toutes les questions de la variante de la structure (``pour_public(type,
département)`` : CS ou EVS, questions locales J du Rhône et des Bouches-du-Rhône), dans la version du
questionnaire de la campagne (avant 2023, une seule ligne F06 = AGC + ACF, sans F07 ; module
thématique de l'année en section I). Les questions calculées (F05, F26, D05) prennent leur valeur
calculée, avec les formules du questionnaire.

Calibrage (docs partagés, calibration.md §5 à §9 ; paramètres dans ``core.demo.calibrage``) :

- grandeurs tirées pour toutes les structures et toutes les années de données à la fois (numpy,
  vectorisé par variable) à partir de variables latentes gaussiennes. Chaque latente est la somme d'une
  part permanente de la structure et d'une part annuelle AR(1) (ρ = 0,95), ce qui donne un log-budget
  stable d'une année sur l'autre (écart-type ≈ 0,08) et la même stabilité pour les autres grandeurs ;
- budget, personnes touchées et bénévoles corrélés (ρ = 0,8 et 0,4 sur l'échelle log) ; les ETP
  découlent des charges de personnel et d'un coût par ETP, les salariés des ETP et d'un ratio
  ETP/salariés (≈ 0,55) : budget, ETP, salariés et personnes touchées sont corrélés à 0,8–0,95 ;
- financements : AGC et ACF plafonnées, autres lignes par une loi de Dirichlet propre à la structure
  (parts moyennes du §7, ajustées selon le mode de gestion, le QPV et la ruralité), légèrement bruitée
  chaque année ; la somme des lignes (F26) vaut exactement le total des produits (F04) ;
- oui/non et choix : une latente persistante par question et par structure (≈ 5 % de changements
  d'une année à l'autre), prévalences du §8 (EVS × 0,6 sauf lien social et famille).

Une réponse « propre » respecte les règles du questionnaire : aucune anomalie bloquante et peu
d'avertissements (``tests/core/test_demo_reponses.py`` en mesure la part). ``core.demo.anomalies`` y
glisse ensuite ≈ 3 % d'anomalies connues.

Campagne en cours (2026) : les brouillons gardent un début réaliste du questionnaire (identité puis
quelques sections), les réponses soumises sont complètes, avec un dépôt n° 1 (réponses figées,
avertissements justifiés, empreinte SHA-256 comme ``senacs.reponses.services``).
"""

import datetime
import hashlib
import json
import math
import random
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import ndtri

from core.demo import calibrage, noms
from core.demo.anomalies import injecter_anomalies
from core.demo.campagnes import CODES_IDENTITE, population_declaree
from core.demo.comptes import CREATION_COMPTES, DEBUT_MANDATS, DOMAINE_COMPTES
from core.demo.modeles import (
    CampagneDemo,
    DepotDemo,
    MandatDemo,
    ReponseDemo,
    SaisiePourLeCompte,
    StructureDemo,
    UtilisateurDemo,
)
from core.demo.registre import DOMAINE_FICTIF
from core.questionnaire.definition import charger
from core.questionnaire.evaluation import plan
from core.questionnaire.expressions import Appel, Binaire, Expression, Litteral, Reference, analyser
from core.questionnaire.modele import Question, Questionnaire
from core.territoires import departements_par_code

DOSSIER_QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
ANNEES = calibrage.ANNEES_DONNEES
CORRESPONDANT_CAF_69 = f"correspondant.caf.69@{DOMAINE_COMPTES}"
CODES_SAISIS_POUR_LE_COMPTE = ("F06", "F07", "F09", "F10")  # ce que la Caf sait : ce qu'elle a versé
LIGNES_FINANCEMENT = tuple(f"F{n:02d}" for n in range(6, 21))


def charger_questionnaires(dossier: str | Path | None = None) -> dict[int, Questionnaire]:
    """Questionnaire de chaque campagne de la démonstration (``questionnaires/AAAA.yaml``)."""
    dossier = Path(dossier) if dossier is not None else DOSSIER_QUESTIONNAIRES
    return {annee: charger(dossier / f"{annee}.yaml") for annee in calibrage.ANNEES_CAMPAGNES}


def organisme_caf(departement: str) -> str:
    """Libellé de la Caf d'un département, comme le référentiel (« Caf – Rhône »)."""
    return f"Caf – {departements_par_code()[departement].nom}"


def empreinte_depot(contenu: Mapping[str, Any]) -> str:
    """SHA-256 du JSON canonique (clés triées, UTF-8, sans espaces), comme ``reponse_soumettre``."""
    canon = json.dumps(contenu, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- tirages


class Tirages:
    """Tirages numpy nommés : un flux indépendant par nom (ajouter une variable ne change pas les
    autres), pour ``n`` structures et les années de données ``ANNEES``."""

    def __init__(self, graine: int, n: int):
        self.graine = graine
        self.n = n
        self.y = len(ANNEES)

    def rng(self, nom: str) -> np.random.Generator:
        return np.random.default_rng([self.graine, zlib.crc32(nom.encode())])

    def normal(self, nom: str) -> np.ndarray:
        """N(0, 1) propre à la structure, (n,)."""
        return self.rng(nom).standard_normal(self.n)

    def uniforme(self, nom: str, bas: float = 0.0, haut: float = 1.0) -> np.ndarray:
        """U(bas, haut) propre à la structure, (n,)."""
        return self.rng(nom).uniform(bas, haut, self.n)

    def annuel(self, nom: str) -> np.ndarray:
        """N(0, 1) indépendant chaque année, (n, y)."""
        return self.rng(nom).standard_normal((self.n, self.y))

    def annuel_uniforme(self, nom: str, bas: float = 0.0, haut: float = 1.0) -> np.ndarray:
        return self.rng(nom).uniform(bas, haut, (self.n, self.y))

    def poisson(self, nom: str, lam: np.ndarray) -> np.ndarray:
        return self.rng(nom).poisson(np.broadcast_to(lam, (self.n, self.y))).astype(float)

    def _ar1(self, rng: np.random.Generator, rho: float, forme: tuple[int, ...], melange=None) -> np.ndarray:
        u = np.empty((self.n, self.y, *forme))
        bruit = np.clip(rng.standard_normal((self.n, self.y, *forme)), -3, 3)  # pas de saut extrême
        if melange is not None:
            bruit = bruit @ melange.T
        u[:, 0] = bruit[:, 0]
        for a in range(1, self.y):
            u[:, a] = rho * u[:, a - 1] + math.sqrt(1 - rho * rho) * bruit[:, a]
        return u

    def persistant(
        self, nom: str, part_annuelle: float = calibrage.PART_ANNUELLE, rho: float = calibrage.AR_RHO
    ) -> np.ndarray:
        """Latente N(0, 1) (n, y) : part permanente + part annuelle AR(1) de variance ``part_annuelle``."""
        rng = self.rng(nom)
        permanent = rng.standard_normal(self.n)
        annuel = self._ar1(rng, rho, ())
        return math.sqrt(1 - part_annuelle) * permanent[:, None] + math.sqrt(part_annuelle) * annuel

    def correles(
        self, nom: str, correlation: np.ndarray, part_annuelle: float = calibrage.PART_ANNUELLE
    ) -> np.ndarray:
        """Latentes N(0, 1) corrélées (n, y, k) : même corrélation chaque année, parts permanente et AR(1)."""
        rng = self.rng(nom)
        melange = np.linalg.cholesky(correlation)
        k = correlation.shape[0]
        permanent = rng.standard_normal((self.n, k)) @ melange.T
        annuel = self._ar1(rng, calibrage.AR_RHO, (k,), melange)
        return math.sqrt(1 - part_annuelle) * permanent[:, None, :] + math.sqrt(part_annuelle) * annuel

    def oui(self, nom: str, p, *, charge: np.ndarray | None = None, poids: float = 0.0) -> np.ndarray:
        """Oui/non persistant (n, y) de probabilité ``p`` ((n,), (n, y) ou scalaire), éventuellement lié à
        une latente ``charge`` (ex. la taille de la structure) avec le poids ``poids``."""
        part, rho = calibrage.PERSISTANCE_OUI_NON
        latente = self.persistant(nom, part, rho)
        if charge is not None and poids:
            latente = poids * charge + math.sqrt(1 - poids * poids) * latente
        p = np.asarray(p, dtype=float)
        if p.ndim == 1:
            p = p[:, None]
        return latente < ndtri(np.clip(p, 1e-9, 1 - 1e-9))


def _par_type(cs: np.ndarray, valeur_cs, valeur_evs) -> np.ndarray:
    return np.where(cs, valeur_cs, valeur_evs)


def _arrondi(x: np.ndarray, pas: float = 1.0) -> np.ndarray:
    return np.rint(x / pas) * pas


def _pourcentages(parts: np.ndarray) -> np.ndarray:
    """Parts (…, k) de somme 1 → pourcentages entiers de somme exactement 100 (plus forts restes)."""
    brut = parts * 100
    entiers = np.floor(brut)
    manque = (100 - entiers.sum(axis=-1)).astype(int)
    ordre = np.argsort(-(brut - entiers), axis=-1, kind="stable")
    rangs = np.empty_like(ordre)
    np.put_along_axis(rangs, ordre, np.arange(parts.shape[-1])[None, None, :], axis=-1)
    return entiers + (rangs < manque[..., None])


# --------------------------------------------------------------------------- grandeurs de toutes les structures


class Colonnes:
    """Réponses de toutes les structures pour toutes les années de données, question par question.

    ``valeurs[code]`` est un tableau (n, y) ; ``genres[code]`` dit comment le lire : ``nombre`` (NaN =
    sans réponse), ``decimal`` (deux décimales), ``oui_non`` (1/0, NaN), ``choix`` (objet : code ou
    None), ``multiple`` (masque de bits des codes ``options[code]``, −1 = sans réponse), ``texte``."""

    def __init__(self, graine: int, structures: Sequence[StructureDemo]):
        self.structures = structures
        self.n = len(structures)
        self.t = Tirages(graine, self.n)
        self.valeurs: dict[str, np.ndarray] = {}
        self.genres: dict[str, str] = {}
        self.options: dict[str, tuple[str, ...]] = {}
        s = structures
        self.cs = np.array([x.type == "CS" for x in s])
        self.mode = np.array([x.mode_gestion for x in s], dtype=object)
        self.associatif = self.mode == "associatif"
        self.collectivite = np.isin(self.mode, ["collectivite", "intercommunalite"])
        self.caf = self.mode == "caf"
        self.rural = np.array([x.type_territoire == "rural" for x in s])
        self.qpv = np.array([x.geographie_prioritaire == "qpv" for x in s])
        self.aupres = np.array([x.geographie_prioritaire == "aupres_qpv" for x in s])
        self.population = np.array([[population_declaree(x, a) for a in ANNEES] for x in s], dtype=float)
        self.prix = np.array([calibrage.NIVEAU_PRIX[a] for a in ANNEES])[None, :]
        self.covid = {code: np.array([f if a == 2020 else 1.0 for a in ANNEES])[None, :]
                      for code, f in calibrage.EFFET_COVID.items()}  # fmt: skip
        self._budget()
        self._personnel()
        self._benevoles()
        self._publics()
        self._participation()
        self._projet()
        self._finances()
        self._partenariats()

    # -- enregistrement

    def nombre(self, code: str, x: np.ndarray, pertinent=None) -> np.ndarray:
        x = np.broadcast_to(np.asarray(x, dtype=float), (self.n, len(ANNEES))).copy()
        if pertinent is not None:
            x[~np.broadcast_to(pertinent, x.shape)] = np.nan
        self.valeurs[code], self.genres[code] = x, "nombre"
        return x

    def decimal(self, code: str, x: np.ndarray, pertinent=None) -> np.ndarray:
        x = self.nombre(code, np.round(x, 2), pertinent)
        self.genres[code] = "decimal"
        return x

    def oui_non(self, code: str, x: np.ndarray, pertinent=None) -> np.ndarray:
        self.nombre(code, np.asarray(x, dtype=float), pertinent)
        self.genres[code] = "oui_non"
        return np.asarray(x, dtype=bool) & (np.ones((self.n, len(ANNEES)), bool) if pertinent is None else pertinent)

    def choix(self, code: str, x: np.ndarray) -> None:
        self.valeurs[code], self.genres[code] = np.broadcast_to(x, (self.n, len(ANNEES))), "choix"

    def multiple(self, code: str, options: Sequence[str], coches: np.ndarray, pertinent=None, au_moins=None) -> None:
        """``coches`` (n, y, k) booléens ; ``au_moins`` : option cochée si aucune ne l'est (None : vide permis)."""
        coches = coches.copy()
        if au_moins is not None:
            vide = ~coches.any(axis=-1)
            coches[..., options.index(au_moins)] |= vide
        masque = (coches * (1 << np.arange(len(options)))[None, None, :]).sum(axis=-1)
        if pertinent is not None:
            masque = np.where(pertinent, masque, -1)
        self.valeurs[code], self.genres[code], self.options[code] = masque, "multiple", tuple(options)

    def texte(self, code: str, x: np.ndarray) -> None:
        self.valeurs[code], self.genres[code] = np.broadcast_to(x, (self.n, len(ANNEES))), "texte"

    # -- §7 budget et §5 personnel

    def _budget(self):
        t, cs = self.t, self.cs
        correlation = np.array(
            [
                [1.0, calibrage.CORRELATION_BUDGET_PUBLIC, calibrage.CORRELATION_BUDGET_BENEVOLES],
                [calibrage.CORRELATION_BUDGET_PUBLIC, 1.0, 0.35],
                [calibrage.CORRELATION_BUDGET_BENEVOLES, 0.35, 1.0],
            ]
        )
        z = t.correles("taille", correlation)
        self.z_budget, self.z_public, self.z_benevoles = z[..., 0], z[..., 1], z[..., 2]
        med_cs, sig_cs, bas_cs, haut_cs = calibrage.BUDGET["CS"]
        med_evs, sig_evs, bas_evs, haut_evs = calibrage.BUDGET["EVS"]
        multiplicateur = np.where(
            cs,
            np.where(self.qpv, calibrage.BUDGET_QPV, 1.0)
            * np.where(self.rural, calibrage.BUDGET_RURAL, 1.0)
            * np.where(self.caf, calibrage.BUDGET_CAF, 1.0),
            1.0,
        )[:, None]
        log_budget = (
            np.log(_par_type(cs, med_cs, med_evs))[:, None] + _par_type(cs, sig_cs, sig_evs)[:, None] * z[..., 0]
        )
        produits = np.exp(log_budget) * multiplicateur * self.prix
        produits = np.clip(
            produits, _par_type(cs, bas_cs, bas_evs)[:, None], _par_type(cs, haut_cs, haut_evs)[:, None]
        )
        self.produits = np.rint(produits)
        r = (
            calibrage.RESULTAT_MOYEN
            + calibrage.RESULTAT_ECART_STRUCTURE * t.normal("resultat")[:, None]
            + calibrage.RESULTAT_ECART_ANNUEL * t.annuel("resultat-annuel")
        )
        self.charges = np.maximum(1.0, np.rint(self.produits * (1 - np.clip(r, -0.15, 0.15))))

    def _personnel(self):
        t, cs, n, y = self.t, self.cs, self.n, len(ANNEES)
        m_cs, s_cs, b_cs, h_cs = calibrage.PART_PERSONNEL["CS"]
        m_evs, s_evs, b_evs, h_evs = calibrage.PART_PERSONNEL["EVS"]
        part = _par_type(cs, m_cs, m_evs)[:, None] + _par_type(cs, s_cs, s_evs)[:, None] * t.persistant(
            "part-personnel", 0.05
        )
        part = np.clip(part, _par_type(cs, b_cs, b_evs)[:, None], _par_type(cs, h_cs, h_evs)[:, None])
        cout_cs, sig_cout_cs = calibrage.COUT_ETP["CS"]
        cout_evs, sig_cout_evs = calibrage.COUT_ETP["EVS"]
        cout = _par_type(cs, cout_cs, cout_evs)[:, None] * np.exp(
            _par_type(cs, sig_cout_cs, sig_cout_evs)[:, None] * t.persistant("cout-etp", 0.05)
        )
        cout = np.clip(cout * self.prix, *calibrage.COUT_ETP_BORNES)
        personnel = np.rint(part * self.charges)
        etp = personnel / cout
        # EVS sans salarié : décision permanente (aucune année salariée), le personnel est facturé par le
        # gestionnaire ou mis à disposition (F03 reste entre 46 % et 60 % des charges).
        sans_salarie = ~cs & ((t.uniforme("sans-salarie") < calibrage.EVS_SANS_SALARIE) | (etp.min(axis=1) < 0.3))
        self.sans_salarie = sans_salarie
        # Un CS a au moins 2 ETP ; un EVS au plus 9,5 (R17 : au-delà de 10 ETP, ce n'est plus un EVS).
        etp = np.where(cs[:, None], np.maximum(etp, calibrage.ETP_MINIMUM_CS), np.clip(etp, 0.3, 9.5))
        personnel = np.maximum(personnel, np.rint(etp * calibrage.COUT_ETP_BORNES[0] * 1.005))
        personnel = np.minimum(personnel, np.rint(0.84 * self.charges))  # R06a, R06b
        part_externe = t.annuel_uniforme("part-externe", 0.47, 0.6)
        personnel = np.where(sans_salarie[:, None], np.rint(part_externe * self.charges), personnel)
        etp = np.where(sans_salarie[:, None], 0.0, np.round(etp, 2))
        self.personnel, self.etp = personnel, etp
        m_r_cs, s_r_cs = calibrage.RATIO_ETP["CS"]
        m_r_evs, s_r_evs = calibrage.RATIO_ETP["EVS"]
        ratio = _par_type(cs, m_r_cs, m_r_evs)[:, None] + _par_type(cs, s_r_cs, s_r_evs)[:, None] * t.persistant(
            "ratio-etp", 0.05
        )
        ratio = np.clip(ratio, *calibrage.RATIO_ETP_BORNES)
        salaries = np.maximum(np.ceil(etp - 1e-9), np.rint(etp / ratio))
        salaries = np.where(cs[:, None], np.maximum(salaries, 1), salaries)
        self.salaries = salaries
        self.nombre("E01", salaries)
        self.decimal("E02", etp)

        # Direction (E10) et référent famille (E12, E13).
        u = t.uniforme("direction")
        plein, partiel = calibrage.DIRECTION_CS
        direction = np.where(
            u < plein,
            1.0,
            np.where(
                u < plein + partiel, np.round(0.5 + 0.1 * np.floor(t.uniforme("direction-partielle") * 5), 1), 1.3
            ),
        )[:, None]
        plafond = np.maximum(0.5, np.floor(0.45 * etp * 10) / 10)
        direction_cs = np.minimum(direction, plafond)
        direction_evs = np.round(np.minimum(etp * t.uniforme("direction-evs", 0.25, 0.5)[:, None], 0.8), 2)
        repond_evs = (t.uniforme("evs-repond-direction") < 0.85)[:, None]
        e10 = np.where(cs[:, None], direction_cs, direction_evs)
        pertinent_e10 = cs[:, None] | (repond_evs & (etp > 0))
        self.decimal("E10", e10, pertinent_e10)
        e10 = np.where(pertinent_e10, e10, 0.0)
        referent = t.oui(
            "referent-famille", _par_type(cs, calibrage.REFERENT_FAMILLE["CS"], calibrage.REFERENT_FAMILLE["EVS"])
        )
        referent &= cs[:, None] | (etp >= 0.5)
        repond_e12 = cs[:, None] | (t.uniforme("evs-repond-referent") < 0.85)[:, None]
        self.referent = self.oui_non("E12", referent, repond_e12) & repond_e12
        temps_cs = 0.5 + 0.05 * np.floor(t.uniforme("temps-referent") * 11)
        temps_evs = 0.2 + 0.05 * np.floor(t.uniforme("temps-referent-evs") * 7)
        e13 = np.minimum(_par_type(cs, temps_cs, temps_evs)[:, None], np.floor(0.3 * etp * 20) / 20)
        self.decimal("E13", e13, self.referent)
        e13 = np.where(self.referent, e13, 0.0)
        projet_famille = self.referent & t.oui("projet-famille", np.full(n, calibrage.PROJET_FAMILLE_SI_REFERENT))
        self.projet_famille = projet_famille & cs[:, None]

        # Ventilation des ETP par fonction : la somme des fonctions (E10, E13 à E17) vaut E02 (R02).
        reste = np.round(np.maximum(etp - e10 - e13, 0), 2)
        base = t.rng("fonctions").dirichlet([3, 10, 3, 4], n)
        parts = base[:, None, :] * np.exp(0.1 * t.rng("fonctions-annuel").standard_normal((n, y, 4)))
        parts /= parts.sum(axis=-1, keepdims=True)
        salarie = etp > 0
        cumul = np.zeros_like(reste)
        for code, k in (("E14", 0), ("E15", 1), ("E16", 2)):
            v = np.floor(reste * parts[..., k] * 100) / 100
            cumul += v
            self.decimal(code, v, salarie)
        self.decimal("E17", np.maximum(reste - cumul, 0), salarie)

        # Contrats (E03 à E09), vacataires, postes vacants, convention collective.
        part_cdi = np.where(
            self.collectivite,
            t.uniforme("cdi-collectivite", 0.15, 0.35),
            np.where(self.caf, 0.9, t.uniforme("cdi", 0.6, 0.85)),
        )[:, None]
        cdi = np.minimum(salaries, np.rint(salaries * part_cdi))
        part_cdd = np.where(self.collectivite, t.uniforme("cdd-collectivite", 0.1, 0.3), t.uniforme("cdd", 0.5, 1.0))[
            :, None
        ]
        cdd = np.rint((salaries - cdi) * part_cdd)
        cdd = np.where(self.collectivite[:, None], np.minimum(np.rint(salaries * part_cdd), salaries - cdi), cdd)
        self.nombre("E03", cdi)
        self.nombre("E04", cdd)
        aides = np.minimum(
            cdd, t.poisson("aides", _par_type(cs, 1.0, 0.3)[:, None] * t.uniforme("aides-taux", 0.3, 1.7)[:, None])
        )
        self.nombre("E05", aides)
        lam_relais = np.where(self.qpv, 0.9, np.where(self.aupres, 0.4, 0.05)) * np.where(cs, 1.0, 0.3)
        self.nombre("E06", np.minimum(salaries - aides, t.poisson("adultes-relais", lam_relais[:, None])))
        fonjep = t.rng("fonjep").poisson(_par_type(cs, 0.6, 0.25), self.n).astype(float)
        self.nombre(
            "E07", np.where(t.annuel_uniforme("fonjep-change") < 0.1, t.poisson("fonjep-annuel", 0.5), fonjep[:, None])
        )
        self.nombre("E08", t.poisson("service-civique", _par_type(cs, 1.0, 0.3)[:, None]))
        mad = t.poisson("mis-a-disposition", np.where(self.collectivite, 1.5, 0.2)[:, None])
        self.nombre("E09", np.where(self.sans_salarie[:, None], 1 + t.poisson("mad-evs", 0.5), mad))
        qualification = np.array(["niveau_6", "niveau_7", "niveau_5", "en_cours"], dtype=object)[
            np.searchsorted([0.5, 0.8, 0.95], t.uniforme("qualification"))
        ]
        self.choix("E11", np.where(cs, qualification, None)[:, None])
        vacataires = np.where(
            cs[:, None],
            np.rint(salaries * t.uniforme("vacataires", 0.1, 1.2)[:, None]),
            t.poisson("vacataires-evs", 1.5),
        )
        self.nombre("E18", vacataires)
        vacant = t.oui("postes-vacants", _par_type(cs, 0.35, 0.12))
        self.nombre("E19", np.where(vacant, 1 + t.poisson("vacants", 0.5), 0))
        convention = np.where(
            self.caf,
            "ucanss",
            np.where(
                self.collectivite,
                np.where(t.uniforme("fpt") < 0.95, "fpt", "autre"),
                np.where(t.uniforme("alisfa") < _par_type(cs, 0.92, 0.7), "alisfa", "autre"),
            ),
        ).astype(object)
        self.choix("E20", np.where(self.sans_salarie, None, convention)[:, None])

    # -- §6 bénévoles

    def _benevoles(self):
        t, cs = self.t, self.cs
        med_cs, sig_cs = calibrage.BENEVOLES_ACTIVITE["CS"]
        med_evs, sig_evs = calibrage.BENEVOLES_ACTIVITE["EVS"]
        activite = np.exp(
            np.log(_par_type(cs, med_cs, med_evs))[:, None]
            + _par_type(cs, sig_cs, sig_evs)[:, None] * self.z_benevoles
        )
        activite = np.maximum(3, np.rint(activite * self.covid["D01"]))
        regles = calibrage.BENEVOLES_GOUVERNANCE
        cle = np.where(~cs, "EVS", np.where(self.associatif, "associatif", "autre"))
        med = np.array([regles[c][0] for c in cle], dtype=float)[:, None]
        sig = np.array([regles[c][1] for c in cle], dtype=float)[:, None]
        bas = np.array([regles[c][2] for c in cle], dtype=float)[:, None]
        haut = np.array([regles[c][3] for c in cle], dtype=float)[:, None]
        gouvernance = np.clip(np.rint(med * np.exp(sig * t.persistant("gouvernance"))), bas, haut)
        recouvrement = t.uniforme("recouvrement", 0.3, 0.85)[:, None]
        total = activite + gouvernance - np.rint(recouvrement * np.minimum(activite, gouvernance))
        self.activite, self.gouvernance, self.benevoles = activite, gouvernance, total
        self.nombre("D01", activite)
        self.nombre("D02", gouvernance)
        self.nombre("D03", total)
        med_h, sig_h, bas_h, haut_h = calibrage.HEURES_PAR_BENEVOLE
        par_benevole = np.clip(med_h * np.exp(sig_h * t.persistant("heures")), bas_h, haut_h)
        heures = np.maximum(10, _arrondi(total * par_benevole, 10))
        self.heures = self.nombre("D04", heures)
        taux = t.uniforme("taux-valorisation", 11.5, 20.0)[:, None] * self.prix
        self.valorise = (t.uniforme("valorise") < 0.5)[:, None]
        self.valorisation = np.rint(heures * taux)
        self.nombre("D06", self.valorisation, self.valorise)
        jeunes = t.poisson(
            "jeunes-benevoles",
            _par_type(cs, calibrage.JEUNES_BENEVOLES["CS"], calibrage.JEUNES_BENEVOLES["EVS"])[:, None]
            * np.sqrt(total / 30),
        )
        self.nombre("D07", np.minimum(jeunes, total))
        self.oui_non("D10", t.oui("formations-benevoles", _par_type(cs, 0.6, 0.4), charge=self.z_benevoles, poids=0.3))

    # -- §8 publics et actions

    def _publics(self):
        t, cs, n, y = self.t, self.cs, self.n, len(ANNEES)
        med_cs, sig_cs = calibrage.PERSONNES_TOUCHEES["CS"]
        med_evs, sig_evs = calibrage.PERSONNES_TOUCHEES["EVS"]
        public = np.exp(
            np.log(_par_type(cs, med_cs, med_evs))[:, None] + _par_type(cs, sig_cs, sig_evs)[:, None] * self.z_public
        )
        public = public * self.covid["H01"]
        public = np.minimum(np.maximum(public, _par_type(cs, 20, 10)[:, None]), np.floor(0.9 * self.population))
        self.public = np.rint(public)
        self.nombre("H01", self.public)

        alpha = np.where(cs[:, None], np.array(calibrage.PARTS_AGES["CS"]), np.array(calibrage.PARTS_AGES["EVS"]))
        base = t.rng("ages").gamma(calibrage.CONCENTRATION_AGES * alpha)
        base = base / base.sum(axis=-1, keepdims=True)
        parts = base[:, None, :] * np.exp(0.08 * t.rng("ages-annuel").standard_normal((n, y, 6)))
        parts /= parts.sum(axis=-1, keepdims=True)
        ages = _pourcentages(parts)
        for k, code in enumerate(("H02A", "H02B", "H02C", "H02D", "H02E", "H02F")):
            self.nombre(code, ages[..., k])

        def action(code: str) -> np.ndarray:
            p_cs = calibrage.ACTIONS[code]
            p_evs = calibrage.ACTIONS_EVS_INCHANGEES.get(code, p_cs * calibrage.FACTEUR_EVS)
            p = _par_type(cs, p_cs, p_evs)
            if code in ("H18", "H19", "H22", "H25"):
                p = np.where(self.qpv, np.minimum(0.97, p + 0.12), p)
            return t.oui(f"action-{code}", p, charge=self.z_budget, poids=0.3)

        actions = {code: action(code) for code in calibrage.ACTIONS}
        for code, oui in actions.items():
            self.oui_non(code, oui)
        self.actions = actions
        eaje = actions["H03"] & t.oui("eaje", _par_type(cs, 0.3, 0.04), charge=self.z_budget, poids=0.4)
        self.eaje = eaje
        self.oui_non("H04", eaje)
        enfance = actions["H03"] | actions["H05"] | actions["H07"]
        f_enfants = np.where(
            enfance, t.uniforme("enfants", 0.7, 0.95)[:, None], t.uniforme("enfants-peu", 0.1, 0.3)[:, None]
        )
        self.nombre("H06", np.rint(self.public * (ages[..., 0] + ages[..., 1]) / 100 * f_enfants))
        self.nombre(
            "H08", np.rint(self.public * (ages[..., 2] + ages[..., 3]) / 100 * t.uniforme("jeunes", 0.3, 0.6)[:, None])
        )
        vacances = t.oui("vacances-jeunes", _par_type(cs, 0.55, 0.25))
        partis = np.clip(np.rint(_par_type(cs, 15, 6)[:, None] * np.exp(0.6 * t.persistant("partis"))), 2, 80)
        self.nombre("H09", np.where(vacances, partis, 0))
        familles = np.maximum(
            5,
            np.rint(
                self.public
                * _par_type(cs, t.uniforme("familles", 0.06, 0.14), t.uniforme("familles-evs", 0.1, 0.25))[:, None]
            ),
        )
        self.nombre("H11", familles, actions["H10"])
        base_sorties = np.where(actions["H10"], familles, np.rint(self.public * 0.03))
        self.nombre("H12", np.rint(base_sorties * t.uniforme("sorties", 0.2, 0.6)[:, None]))
        informees = np.rint(
            self.public * t.uniforme("informees", 0.15, 0.35)[:, None] * _par_type(cs, 1.0, 0.6)[:, None]
        )
        self.nombre("H14", informees)
        self.nombre("H15", np.rint(informees * t.uniforme("accompagnees", 0.3, 0.6)[:, None]))
        regulieres = (
            _par_type(cs, 8, 2)[:, None]
            + self.public / _par_type(cs, 50, 40)[:, None] * t.uniforme("regulieres", 0.7, 1.3)[:, None]
        )
        self.nombre("H26", np.clip(np.rint(regulieres), _par_type(cs, 5, 1)[:, None], _par_type(cs, 80, 30)[:, None]))
        forts = np.exp(np.log(_par_type(cs, 10, 5))[:, None] + 0.5 * t.persistant("temps-forts"))
        self.nombre("H27", np.clip(np.rint(forts), 1, 60))
        # Bénévoles en accompagnement à la scolarité : posé si la structure en mène (H07).
        self.nombre(
            "D08",
            np.minimum(self.activite, np.rint(self.activite * t.uniforme("benevoles-scolarite", 0.1, 0.35)[:, None])),
            actions["H07"],
        )
        domaines = ("scolarite", "lien_social", "ateliers", "accueil", "francais", "numerique", "sorties", "autre")
        p_domaines = {
            "scolarite": np.where(actions["H07"], 0.85, 0.1), "lien_social": 0.85, "ateliers": 0.7, "accueil": 0.5,
            "francais": np.where(actions["H18"], 0.6, 0.05), "numerique": np.where(actions["H16"], 0.4, 0.1),
            "sorties": 0.5, "autre": 0.1,
        }  # fmt: skip
        coches = np.stack([t.oui(f"domaine-{d}", p_domaines[d]) for d in domaines], axis=-1)
        self.multiple("D09", domaines, coches, au_moins="lien_social")

    # -- §6 participation et gouvernance (section C)

    def _participation(self):
        t, cs, n, y = self.t, self.cs, self.n, len(ANNEES)
        adhesion = (t.uniforme("adhesion") < _par_type(cs, 0.85, 0.8))[:, None]
        adherents = np.where(adhesion, np.rint(self.public * t.uniforme("adherents", 0.2, 0.7)[:, None]), 0)
        self.nombre("C01", adherents)
        self.nombre(
            "C02", np.where(adherents > 0, np.rint(adherents / t.uniforme("par-famille", 2.2, 3.0)[:, None]), 0)
        )
        tarifs = np.array([5, 8, 10, 12, 15, 20, 25, 30], dtype=float)
        tarif = tarifs[t.rng("tarif").integers(0, len(tarifs), n)][:, None]
        hausse = (
            np.array([0 if a < 2023 else 1 for a in ANNEES])[None, :] * (t.uniforme("hausse-tarif") < 0.3)[:, None]
        )
        self.nombre("C03", tarif + hausse * 2, adhesion & np.ones((n, y), bool))
        instance_assoc = np.clip(np.rint(self.gouvernance * t.uniforme("ca", 0.6, 0.95)[:, None]), 5, 24)
        comite = np.clip(
            np.rint(t.uniforme("comite", 5, 15)[:, None] + t.rng("comite-annuel").integers(-1, 2, (n, y))), 3, 20
        )
        membres = np.where(self.associatif[:, None], instance_assoc, comite)
        repond_c04 = cs[:, None] | (t.uniforme("evs-repond-instance") < 0.85)[:, None]
        self.nombre("C04", membres, repond_c04)
        self.nombre("C05", np.rint(membres * t.uniforme("habitants-instance", 0.5, 0.95)[:, None]), repond_c04)
        self.nombre("C06", np.rint(membres * t.uniforme("jeunes-instance", 0.0, 0.15)[:, None]), repond_c04)
        self.nombre("C07", np.rint(membres * t.uniforme("femmes-instance", 0.45, 0.75)[:, None]), repond_c04)
        reunions = np.where(
            self.associatif, t.rng("reunions").integers(4, 11, n), t.rng("reunions-autres").integers(2, 7, n)
        )
        self.nombre("C08", np.maximum(1, reunions[:, None] + t.rng("reunions-annuel").integers(-1, 2, (n, y))))
        instances = (
            "conseil_administration",
            "bureau",
            "assemblee_generale",
            "comite_usagers",
            "commissions",
            "groupes_habitants",
            "autre",
        )
        p_assoc = {
            "conseil_administration": 0.98,
            "bureau": 0.9,
            "assemblee_generale": 0.97,
            "comite_usagers": 0.15,
            "commissions": 0.5,
            "groupes_habitants": 0.5,
            "autre": 0.05,
        }
        p_autre = {
            "conseil_administration": 0.05,
            "bureau": 0.05,
            "assemblee_generale": 0.1,
            "comite_usagers": 0.85,
            "commissions": 0.4,
            "groupes_habitants": 0.5,
            "autre": 0.1,
        }
        coches = np.stack(
            [t.oui(f"instance-{i}", np.where(self.associatif, p_assoc[i], p_autre[i])) for i in instances], axis=-1
        )
        self.multiple("C09", instances, coches)
        etapes = ("diagnostic", "elaboration", "mise_en_oeuvre", "pilotage", "evaluation")
        p_etapes = {"diagnostic": 0.85, "elaboration": 0.75, "mise_en_oeuvre": 0.9, "pilotage": 0.5, "evaluation": 0.6}
        coches = np.stack([t.oui(f"etape-{e}", p_etapes[e] * _par_type(cs, 1.0, 0.85)) for e in etapes], axis=-1)
        self.multiple("C10", etapes, coches, au_moins="mise_en_oeuvre")
        med_cs, sig_cs, haut_cs = calibrage.ASSOCIATIONS_HEBERGEES["CS"]
        med_evs, sig_evs, haut_evs = calibrage.ASSOCIATIONS_HEBERGEES["EVS"]
        hebergees = np.exp(
            np.log(_par_type(cs, med_cs, med_evs))[:, None]
            + _par_type(cs, sig_cs, sig_evs)[:, None] * t.persistant("associations")
        )
        self.nombre("C11", np.minimum(np.rint(hebergees), _par_type(cs, haut_cs, haut_evs)[:, None]))
        self.nombre(
            "C12",
            np.clip(np.rint(np.exp(np.log(_par_type(cs, 5, 3))[:, None] + 0.6 * t.persistant("initiatives"))), 0, 40),
        )
        self.nombre("C13", t.poisson("collectifs", _par_type(cs, 2.0, 1.0)[:, None]))

    # -- section B : projet social

    def _projet(self):
        t, cs, n, y = self.t, self.cs, self.n, len(ANNEES)
        for code, phrases in (("B01", noms.PREOCCUPATIONS_TERRITOIRE), ("B02", noms.PREOCCUPATIONS_STRUCTURE)):
            rng = t.rng(f"texte-{code}")
            premier = rng.integers(0, len(phrases), n)
            second = (premier + rng.integers(1, len(phrases), n)) % len(phrases)
            change = t.persistant(f"texte-change-{code}", 0.3, 0.5) > 0.8
            indices = np.where(change, second[:, None], premier[:, None])
            self.texte(code, np.array(phrases, dtype=object)[indices])
        enjeux = (
            "isolement", "precarite", "parentalite", "jeunesse", "acces_droits", "numerique", "emploi", "logement",
            "sante", "mobilite", "vieillissement", "vivre_ensemble", "transition_ecologique", "autre",
        )  # fmt: skip
        base = {
            "isolement": 0.55, "precarite": 0.45, "parentalite": 0.5, "jeunesse": 0.35, "acces_droits": 0.35,
            "numerique": 0.3, "emploi": 0.2, "logement": 0.12, "sante": 0.2, "mobilite": 0.12,
            "vieillissement": 0.2, "vivre_ensemble": 0.3, "transition_ecologique": 0.12, "autre": 0.04,
        }  # fmt: skip
        marges = []
        for e in enjeux:
            p = np.full(n, base[e])
            if e in ("precarite", "emploi", "acces_droits", "logement", "vivre_ensemble"):
                p = np.where(self.qpv, np.minimum(0.9, p * 1.6), p)
            if e in ("mobilite", "isolement", "vieillissement"):
                p = np.where(self.rural, np.minimum(0.9, p * 1.8), p)
            part, rho = calibrage.PERSISTANCE_OUI_NON
            marges.append(ndtri(p)[:, None] - t.persistant(f"enjeu-{e}", part, rho))
        marges = np.stack(marges, axis=-1)  # > 0 : coché
        rang = np.argsort(np.argsort(-marges, axis=-1, kind="stable"), axis=-1)
        coches = (marges > 0) & (rang < 5)  # au plus cinq enjeux (contrainte de B03)
        coches |= (rang == 0) & ~coches.any(axis=-1, keepdims=True)
        self.multiple("B03", enjeux, coches)
        self.oui_non("B04", t.oui("diagnostic-partage", _par_type(cs, 0.75, 0.6)))
        self.oui_non("B05", self.projet_famille, cs[:, None] & np.ones((n, y), bool))
        hors_murs = t.oui("hors-les-murs", _par_type(cs, 0.75, 0.6))
        self.oui_non("B06", hors_murs)
        part = np.clip(
            5 * np.rint((10 + 6 * t.persistant("part-hors-murs", 0.1)) / 5)
            + 5 * np.rint(t.uniforme("hors-murs-base", -1, 3)[:, None]),
            5,
            60,
        )
        self.nombre("B07", part, hors_murs)
        jours = np.where(cs, t.rng("jours").integers(210, 291, n), t.rng("jours-evs").integers(80, 251, n))[:, None]
        self.nombre("B08", np.clip(jours + t.rng("jours-annuel").integers(-5, 6, (n, y)), 1, 365))
        amplitude = np.where(cs, t.uniforme("amplitude", 32, 55), t.uniforme("amplitude-evs", 8, 35))
        self.decimal("B09", np.broadcast_to(_arrondi(amplitude, 0.5)[:, None], (n, y)))
        self.oui_non("B10", t.oui("evaluation", _par_type(cs, 0.8, 0.6)))

    # -- §7 finances

    def _finances(self):
        t, cs, n, y = self.t, self.cs, self.n, len(ANNEES)
        produits, charges = self.produits, self.charges
        self.nombre("F02", charges)
        self.nombre("F03", self.personnel)
        self.nombre("F04", produits)
        cloture = np.where(
            t.uniforme("cloture") < 0.93, "12-31", np.where(t.uniforme("cloture-autre") < 0.5, "06-30", "08-31")
        )
        self.texte("F01", np.array([[f"{a}-{c}" for a in ANNEES] for c in cloture], dtype=object))

        # Prestations plafonnées des CS : AGC toujours, ACF si projet famille agréé (B05).
        ajustement = (produits / 500_000) ** 0.25
        agc = np.clip(t.uniforme("agc", *calibrage.AGC)[:, None] * ajustement, 30_000, calibrage.AGC[1]) * self.prix
        agc = np.rint(np.minimum(agc, calibrage.AGC_PART_MAX * produits))
        acf = (
            np.clip(t.uniforme("acf", *calibrage.ACF)[:, None] * (produits / 500_000) ** 0.15, 8_000, calibrage.ACF[1])
            * self.prix
        )
        acf = np.where(self.projet_famille, np.rint(np.minimum(acf, calibrage.ACF_PART_MAX * produits)), 0.0)
        agc, acf = np.where(cs[:, None], agc, 0.0), np.where(cs[:, None], acf, 0.0)
        self.agc, self.acf = agc, acf

        # Autres lignes : Dirichlet propre à la structure, ajustée (mode de gestion, QPV, ruralité).
        lignes = tuple(f"F{k:02d}" for k in range(8, 21))
        alpha = np.zeros((n, len(lignes)))
        for type_structure, est in (("CS", cs), ("EVS", ~cs)):
            parts = calibrage.FINANCEMENTS[type_structure]
            concentration = calibrage.CONCENTRATION_FINANCEMENTS[type_structure]
            total = sum(parts.values())
            for k, code in enumerate(lignes):
                alpha[est, k] = concentration * parts.get(code, 0) / total
        indice = {code: k for k, code in enumerate(lignes)}

        def ajuster(masque, code, facteur=1.0, ajout=0.0):
            alpha[masque, indice[code]] = alpha[masque, indice[code]] * facteur + ajout

        ajuster(self.collectivite, "F11", ajout=6.0)
        ajuster(self.collectivite, "F18", facteur=0.6)
        ajuster(self.qpv, "F15", facteur=1.8)
        ajuster(self.qpv, "F09", facteur=1.2)
        ajuster(self.qpv, "F10", facteur=1.2)
        ajuster(self.qpv, "F18", facteur=0.7)
        ajuster(self.rural, "F12", facteur=2.5)
        ajuster(self.rural, "F16", facteur=3.0)
        ajuster(self.caf & cs, "F10", ajout=25.0)  # gestion directe : fonds propres de la Caf (40 à 60 %)
        rng = t.rng("financements")
        base = rng.gamma(np.where(alpha > 0, alpha, 1.0)) * (alpha > 0)
        base = base / np.maximum(base.sum(axis=-1, keepdims=True), 1e-12)
        parts = base[:, None, :] * np.exp(0.1 * t.rng("financements-annuel").standard_normal((n, y, len(lignes))))
        parts[..., indice["F18"]] *= self.covid["F18"]
        parts /= np.maximum(parts.sum(axis=-1, keepdims=True), 1e-12)
        reste = produits - agc - acf
        montants = np.rint(reste[..., None] * parts)
        montants[montants < calibrage.SEUIL_LIGNE_FINANCEMENT] = 0
        if n:  # animation locale des EVS toujours présente (R07c)
            f08 = indice["F08"]
            montants[..., f08] = np.where(~cs[:, None], np.maximum(montants[..., f08], np.rint(0.08 * produits)), 0)
        # La somme des lignes vaut exactement le total des produits : la plus grosse ligne absorbe l'écart.
        ecart = reste - montants.sum(axis=-1)
        plus_grosse = montants.argmax(axis=-1)
        np.put_along_axis(
            montants,
            plus_grosse[..., None],
            np.take_along_axis(montants, plus_grosse[..., None], -1) + ecart[..., None],
            -1,
        )
        zeros = (t.uniforme("ecrit-les-zeros") < 0.6)[:, None]
        self.nombre("F06", agc, cs[:, None] & np.ones((n, y), bool))
        self.nombre("F07", acf, self.projet_famille)
        self.f06_ancien = self.nombre("F06_ANCIEN", agc + acf, cs[:, None] & np.ones((n, y), bool))
        for code, k in indice.items():
            valeur = montants[..., k]
            pertinent = (valeur > 0) | zeros | (code == "F11")
            if code == "F08":
                pertinent = np.where(cs[:, None], zeros & (t.uniforme("f08-cs") < 0.5)[:, None], True)
            self.nombre(code, valeur, pertinent)
        self.montants = montants
        self.lignes = lignes

        # Contributions volontaires, bilan, budget prévisionnel, situation perçue.
        mises_a_disposition = np.rint(produits * t.uniforme("mad-valeur", 0.0, 0.12)[:, None])
        contributions = np.where(self.valorise, self.valorisation, 0) + mises_a_disposition
        self.nombre("F21", contributions, (t.uniforme("declare-f21") < 0.6)[:, None] & (contributions > 0))
        fonds = charges * (0.25 + 0.15 * t.persistant("fonds-propres", 0.1))
        self.nombre("F22", _arrondi(fonds, 10), (t.uniforme("declare-f22") < 0.92)[:, None])
        jours = np.exp(np.log(50) + 0.6 * t.persistant("tresorerie", 0.2))
        tresorerie = charges * jours / 365
        tresorerie = np.where(t.annuel_uniforme("decouvert") < 0.02, -0.05 * charges, tresorerie)
        self.nombre("F23", _arrondi(tresorerie, 10), (t.uniforme("declare-f23") < 0.92)[:, None])
        previsionnel = charges * np.exp(0.02 + 0.06 * t.annuel("previsionnel"))
        self.nombre("F24", _arrondi(previsionnel, 100), (t.uniforme("declare-f24") < 0.9)[:, None])
        resultat = (produits - charges) / charges
        difficulte = (
            -np.log(jours / 50)
            - 8 * resultat
            + 0.5 * t.persistant("situation", 0.3)
            + np.array([0.2 * max(0, a - 2022) for a in ANNEES])[None, :]
        )
        situation = np.array(["sans_difficulte", "moderees", "importantes", "risque_cessation"], dtype=object)[
            np.searchsorted([0.0, 0.9, 1.8], difficulte)
        ]
        self.choix("F25", situation)

    # -- section G : partenariats

    def _partenariats(self):
        t, cs, n = self.t, self.cs, self.n
        self.oui_non("G01", t.oui("partenariat-commune", np.where(self.collectivite, 0.995, _par_type(cs, 0.9, 0.85))))
        self.oui_non("G02", t.oui("convention", _par_type(cs, 0.6, 0.35), charge=self.z_budget, poids=0.3))
        partenaires = {
            "caf": 0.95, "commune": 0.9, "intercommunalite": np.where(self.rural, 0.7, 0.4), "departement": 0.6,
            "etat": np.where(self.qpv, 0.8, 0.45), "region": 0.15, "education_nationale": 0.8,
            "bailleurs": np.where(self.qpv, 0.85, 0.35), "associations": 0.9, "equipements": 0.6, "emploi": 0.5,
            "sante": 0.45, "msa": np.where(self.rural, 0.4, 0.08), "entreprises": 0.15, "autre": 0.1,
        }  # fmt: skip
        coches = np.stack(
            [
                t.oui(
                    f"partenaire-{p}",
                    np.broadcast_to(v, (n,)) * _par_type(cs, 1.0, 0.7),
                    charge=self.z_budget,
                    poids=0.3,
                )
                for p, v in partenaires.items()
            ],
            axis=-1,
        )
        self.multiple("G03", tuple(partenaires), coches, au_moins="caf")
        nombre = np.exp(np.log(_par_type(cs, 15, 6))[:, None] + 0.5 * t.persistant("nombre-partenaires"))
        self.nombre("G04", np.maximum(np.rint(nombre), coches.sum(axis=-1)))
        actions = self.actions
        dispositifs = {
            "contrat_ville": np.where(self.qpv, 0.92, np.where(self.aupres, 0.6, 0.04)),
            "ctg": 0.7, "pedt": 0.5, "clas": None, "reaap": None,
            "cite_educative": np.where(self.qpv, 0.3, 0.01), "pre": np.where(self.qpv, 0.4, 0.03),
            "france_services": None, "autre": 0.1,
        }  # fmt: skip
        colonnes = []
        for d, p in dispositifs.items():
            if d == "clas":
                colonnes.append(actions["H07"] & t.oui("clas", np.full(n, 0.7)))
            elif d == "reaap":
                colonnes.append(actions["H10"] & t.oui("reaap", np.full(n, 0.5)))
            elif d == "france_services":
                colonnes.append(actions["H17"])
            else:
                colonnes.append(t.oui(f"dispositif-{d}", np.broadcast_to(p, (n,)) * _par_type(cs, 1.0, 0.7)))
        self.multiple("G05", tuple(dispositifs), np.stack(colonnes, axis=-1))
        self.oui_non("G06", t.oui("equipements", _par_type(cs, 0.7, 0.6)))


# --------------------------------------------------------------------------- tableaux → valeurs JSON


def _liste_python(genre: str, tableau: np.ndarray, lignes: np.ndarray, a: int, options: tuple[str, ...]) -> list:
    """Valeurs JSON (int, float, bool, str, liste de codes ou None) d'une colonne pour des structures."""
    x = tableau[lignes, a]
    if genre in ("nombre", "decimal", "oui_non"):
        manque = np.isnan(x).tolist()
        if genre == "nombre":
            valeurs = np.nan_to_num(x).astype(np.int64).tolist()
        elif genre == "decimal":
            valeurs = [int(v) if v.is_integer() else v for v in np.round(np.nan_to_num(x), 2).tolist()]
        else:
            valeurs = (np.nan_to_num(x) > 0.5).tolist()
        if any(manque):
            return [None if m else v for v, m in zip(valeurs, manque, strict=True)]
        return valeurs
    if genre == "multiple":
        cache: dict[int, list[str] | None] = {}
        resultat = []
        for masque in x.tolist():
            if masque not in cache:
                cache[masque] = None if masque < 0 else [o for k, o in enumerate(options) if masque >> k & 1] or None
            liste = cache[masque]
            resultat.append(list(liste) if liste is not None else None)
        return resultat
    return list(x)


def _vrai(valeur: Any) -> bool:
    if isinstance(valeur, bool):
        return valeur
    return valeur is not None and not isinstance(valeur, str | list) and valeur != 0


def _nombre_json(valeur: Any) -> Any:
    """Decimal (calcul) → nombre JSON : entier si la valeur est entière, sinon flottant."""
    if valeur is None or isinstance(valeur, bool | int | float | str):
        return valeur
    return int(valeur) if valeur == valeur.to_integral_value() else float(valeur)


# --------------------------------------------------------------------------- questions hors noyau

# Module thématique et questions locales : (genre, paramètres). Genres : « oui » (probabilité),
# « multiple » (probabilité de chaque choix ; « aucune » est exclusive), « entier » (bornes),
# « public » (part des personnes touchées H01, bornes).
QUESTIONS_ANNUELLES: dict[str, tuple[str, Any]] = {
    "I12": ("oui", 0.65),
    "I13": ("multiple", {"appels": 0.8, "courses": 0.4, "aide_alimentaire": 0.4, "continuite_educative": 0.6,
                         "masques": 0.5, "autre": 0.1}),
    "I14": ("public", (0.02, 0.10)),
    "I15": ("oui", 0.45),
    "I16": ("entier", (4, 40)),
    "I17": ("oui", 0.55),
    "I03": ("oui", 0.55),
    "I10": ("entier", (10, 60)),
    "I11": ("oui", 0.45),
    "I18": ("oui", 0.35),
    "I19": ("public", (0.03, 0.15)),
    "I20": ("multiple", {"demarches": 0.85, "initiation": 0.6, "acces_libre": 0.5, "parentalite_numerique": 0.3,
                         "equipement": 0.2, "autre": 0.05}),
    "I01": ("entier", (0, 12)),
    "I04": ("multiple", {"conseil_citoyen": 0.35, "budget_participatif": 0.2, "consultation": 0.55,
                         "interpellation": 0.25, "pouvoir_agir": 0.4, "aucune": 0.12}),
    "I05": ("public", (0.02, 0.10)),
    "I06": ("oui", 0.30),
    "I02": ("multiple", {"jardins": 0.6, "reparation": 0.35, "mobilite": 0.2, "alimentation": 0.4,
                         "sensibilisation": 0.6, "energie": 0.25, "autre": 0.05}),
    "I07": ("oui", 0.35),
    "I08": ("public", (0.02, 0.12)),
    "I09": ("oui", 0.40),
    "J01": ("oui", 0.45),
    "J02": ("entier", (8, 50)),
    "J03": ("oui", 0.85),
}  # fmt: skip
TEXTE_PAR_DEFAUT = "Voir le projet social de la structure."


def _uniforme_stable(*cles: Any) -> float:
    """Nombre dans [0, 1[ fixé par ses clés (même structure et même question : même tirage chaque année)."""
    return zlib.crc32(":".join(map(str, cles)).encode()) / 2**32


class QuestionsAnnuelles:
    """Réponses aux questions hors du noyau (module thématique, questions locales, questions inconnues
    du générateur) : une réponse plausible par type, condition de pertinence respectée."""

    def __init__(self, graine: int, annee: int):
        self.graine = graine
        self.rng = random.Random(f"senacs-demo:{graine}:annuelles:{annee}")

    def valeur(self, q: Question, questionnaire: Questionnaire, structure: str, valeurs: dict[str, Any]) -> Any:
        if q.pertinence and not _vrai(analyser(q.pertinence).evaluer(valeurs)):
            return None
        genre, parametres = QUESTIONS_ANNUELLES.get(q.code, (None, None))
        codes = [c.code for c in questionnaire.choix(q.code)]
        if q.type == "oui_non":
            p = parametres if genre == "oui" else 0.5
            return _uniforme_stable(self.graine, structure, q.code) < p
        if q.type == "choix_multiple":
            probabilites = parametres if genre == "multiple" else {}
            if "aucune" in codes and self.rng.random() < probabilites.get("aucune", 0.1):
                return ["aucune"]
            coches = [c for c in codes if c != "aucune" and self.rng.random() < probabilites.get(c, 0.35)]
            return coches or [next(c for c in codes if c != "aucune")]
        if q.type == "choix_unique":
            return self.rng.choice(codes) if codes else None
        if q.type in ("entier", "decimal", "euros", "pourcentage"):
            if genre == "public":
                bas, haut = parametres
                nombre = round((valeurs.get("H01") or 100) * self.rng.uniform(bas, haut))
            elif genre == "entier":
                nombre = self.rng.randint(*parametres)
            else:
                nombre = self.rng.randint(0, 100 if q.type == "pourcentage" else 20)
            if q.min is not None and not isinstance(q.min, str):
                nombre = max(nombre, int(math.ceil(q.min)))
            if q.max is not None and not isinstance(q.max, str):
                nombre = min(nombre, int(q.max))
            return nombre
        if q.type == "date":
            return q.max if isinstance(q.max, str) else f"{questionnaire.campagne - 1}-12-31"
        if q.type in ("texte", "texte_long"):
            return TEXTE_PAR_DEFAUT
        return None  # email, url : jamais obligatoires hors identité


# --------------------------------------------------------------------------- assemblage


def _structures_demo(utilisateurs: Iterable[UtilisateurDemo]) -> dict[str, str]:
    """Identifiant de structure → adresse du compte « structure » de la démonstration."""
    return {m.structure: u.email for u in utilisateurs for m in u.mandats if m.role == "structure" and m.structure}


def _comptes_structures(graine: int, reponses: Iterable[ReponseDemo], structures: dict[str, StructureDemo],
                        deja: dict[str, str]) -> dict[str, UtilisateurDemo]:  # fmt: skip
    """Un compte (non affiché, sans mot de passe utilisable) par structure qui a commencé la campagne en
    cours sans compte de démonstration : c'est lui qui saisit et dépose."""
    rng = random.Random(f"senacs-demo:{graine}:comptes-structures")
    comptes = {}
    for r in sorted(reponses, key=lambda r: r.structure):
        if r.campagne != calibrage.CAMPAGNE_EN_COURS or r.structure in deja:
            continue
        s = structures[r.structure]
        comptes[r.structure] = UtilisateurDemo(
            email=f"saisie.{s.identifiant.lower()}@{DOMAINE_FICTIF}",
            prenom=rng.choice(noms.PRENOMS),
            nom=rng.choice(noms.NOMS_FAMILLE),
            description="Compte de saisie de la structure (non affiché ; mot de passe inutilisable).",
            mandats=(
                MandatDemo(
                    "structure",
                    "structure",
                    "structure",
                    structure=s.identifiant,
                    date_debut=max(DEBUT_MANDATS, s.date_premier_agrement),
                ),
            ),
            date_joined=CREATION_COMPTES,
        )
    return comptes


_LENT = object()


def _calcul_rapide(expression: Expression) -> Callable[[Mapping[str, Any]], Any]:
    """Évaluation d'une formule de calcul, accélérée pour les trois formes du questionnaire quand les
    réponses lues sont des entiers : ``sum(${A}, ${B}…)``, ``${A} - ${B}``, ``round(${A} div N, k)``.
    Même résultat que ``expression.evaluer`` (arithmétique entière ou décimale exacte) ; sinon, repli
    sur ``expression.evaluer``."""
    r = expression.racine

    def repli(valeurs: Mapping[str, Any]) -> Any:
        return _nombre_json(expression.evaluer(valeurs))

    def entiers(valeurs: Mapping[str, Any], codes: Sequence[str]) -> list[int] | object:
        presents = [valeurs[c] for c in codes if valeurs.get(c) is not None]
        return presents if all(type(x) is int for x in presents) else _LENT

    if isinstance(r, Appel) and r.fonction == "sum" and all(isinstance(a, Reference) for a in r.arguments):
        codes = [a.code for a in r.arguments]

        def somme(valeurs):
            presents = entiers(valeurs, codes)
            if presents is _LENT:
                return repli(valeurs)
            return sum(presents) if presents else None

        return somme
    if isinstance(r, Binaire) and r.op == "-" and isinstance(r.gauche, Reference) and isinstance(r.droite, Reference):
        a, b = r.gauche.code, r.droite.code

        def difference(valeurs):
            x, y = valeurs.get(a), valeurs.get(b)
            if type(x) is int and type(y) is int:
                return x - y
            return repli(valeurs)

        return difference
    if (
        isinstance(r, Appel)
        and r.fonction == "round"
        and len(r.arguments) == 2
        and isinstance(r.arguments[0], Binaire)
        and r.arguments[0].op in ("div", "/")
        and isinstance(r.arguments[0].gauche, Reference)
        and isinstance(r.arguments[0].droite, Litteral)
        and isinstance(r.arguments[1], Litteral)
    ):
        code = r.arguments[0].gauche.code
        diviseur, chiffres = r.arguments[0].droite.valeur, r.arguments[1].valeur
        if isinstance(diviseur, Decimal) and diviseur != 0 and isinstance(chiffres, Decimal) and 0 <= chiffres <= 10:

            def arrondi(valeurs):
                x = valeurs.get(code)
                if type(x) is int:
                    return _nombre_json(round(Decimal(x) / diviseur, int(chiffres)))
                return repli(valeurs)

            return arrondi
    return repli


def calculs_rapides(variante: Questionnaire) -> tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...]:
    """Questions calculées de la variante, dans l'ordre des calculs, avec leur évaluation accélérée."""
    cache = variante._cache.get("demo-calculs")
    if cache is None:
        cache = tuple((code, _calcul_rapide(expression)) for code, expression in plan(variante).calculs)
        variante._cache["demo-calculs"] = cache
    return cache


def _calculer(calculs: Sequence[tuple[str, Callable[[Mapping[str, Any]], Any]]], valeurs: dict[str, Any]) -> None:
    """Questions calculées (F05, F26, D05…), avec les formules du questionnaire, dans l'ordre des calculs."""
    for code, calcul in calculs:
        valeurs.pop(code, None)
        resultat = calcul(valeurs)
        if resultat is not None:
            valeurs[code] = resultat


def _blocs_indivisibles(variante: Questionnaire) -> list[frozenset[str]]:
    """Groupes de questions qu'une règle additionne en tolérant les absentes (``sum``, ``coalesce``) :
    un brouillon ne s'arrête pas au milieu (une ventilation à moitié saisie n'est pas une incohérence)."""
    blocs = variante._cache.get("demo-blocs")
    if blocs is None:
        tolerant = ("sum(", "coalesce(")
        calculs = {q.code: q.calcul for q in variante.questions() if q.calcul}
        blocs = []
        for regle in variante.regles:
            lues = analyser(regle.expression).references()
            textes = [regle.expression, *(calculs[c] for c in lues if c in calculs)]
            if not any(f in texte for texte in textes for f in tolerant):
                continue
            codes = set(lues)
            for code in lues & calculs.keys():
                codes |= analyser(calculs[code]).references()
            blocs.append(frozenset(codes))
        variante._cache["demo-blocs"] = blocs
    return blocs


def _couper_brouillon(valeurs: dict[str, Any], variante: Questionnaire, rng: random.Random,
                      sections_completes: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Début réaliste du questionnaire : une partie de l'identité (15 %), ou l'identité puis 0 à 6
    sections complètes et le début de la suivante (sans couper une ventilation, voir ``_blocs_indivisibles``)."""
    sections = [[q.code for q in s.questions if q.saisie and q.code in valeurs] for s in variante.sections]
    if sections_completes is None:
        if rng.random() < 0.15:
            identite = sections[0]
            return {c: valeurs[c] for c in identite[: rng.randint(3, len(identite) - 1)]}
        sections_completes = rng.randint(0, 6)
    gardees = [c for s in sections[: 1 + sections_completes] for c in s]
    suivante = sections[1 + sections_completes] if 1 + sections_completes < len(sections) else []
    if suivante:
        coupure = rng.randint(0, max(0, len(suivante) - 1))
        for bloc in _blocs_indivisibles(variante):
            rangs = [i for i, c in enumerate(suivante) if c in bloc]
            if rangs and rangs[0] < coupure <= rangs[-1]:
                coupure = rangs[-1] + 1
        gardees += suivante[:coupure]
    return {c: valeurs[c] for c in gardees}


def generer_valeurs(
    graine: int,
    structures: Sequence[StructureDemo],
    campagnes: Sequence[CampagneDemo],
    reponses: Sequence[ReponseDemo],
    questionnaires: Mapping[int, Questionnaire],
) -> list[dict[str, Any]]:
    """Valeurs complètes (sans les questions calculées) de chaque réponse, dans l'ordre de ``reponses`` et
    dans l'ordre du questionnaire de sa campagne. Les réponses d'identité de ``reponses`` sont gardées."""
    ordre = sorted(structures, key=lambda s: s.identifiant)
    index = {s.identifiant: i for i, s in enumerate(ordre)}
    par_id = {s.identifiant: s for s in ordre}
    colonnes = Colonnes(graine, ordre)
    resultat: list[dict[str, Any] | None] = [None] * len(reponses)
    par_campagne: dict[int, list[int]] = {}
    for k, r in enumerate(reponses):
        par_campagne.setdefault(r.campagne, []).append(k)
    for campagne in sorted(campagnes, key=lambda c: c.annee):
        questionnaire = questionnaires[campagne.annee]
        a = ANNEES.index(campagne.annee_donnees)
        locaux = {d for q in questionnaire.questions() for d in q.departements}
        annuelles = QuestionsAnnuelles(graine, campagne.annee)
        groupes: dict[tuple[str, str | None], list[int]] = {}
        for k in par_campagne.get(campagne.annee, []):
            s = par_id[reponses[k].structure]
            groupes.setdefault((s.type, s.departement if s.departement in locaux else None), []).append(k)
        for (type_structure, departement), membres in sorted(groupes.items(), key=lambda g: (g[0][0], g[0][1] or "")):
            variante = questionnaire.pour_public(type_structure, departement)
            lignes = np.array([index[reponses[k].structure] for k in membres], dtype=np.int64)
            ancien_f06 = "F07" not in questionnaire  # avant 2023 : F06 = AGC + ACF (correspondance F06)
            vectorisees: list[tuple[str, list]] = []
            autres: list[Question] = []
            for q in variante.questions():
                if not q.saisie or q.code in CODES_IDENTITE:
                    continue  # notes, calculs (plus tard) et identité (déjà dans les réponses d'identité)
                cle = "F06_ANCIEN" if q.code == "F06" and ancien_f06 else q.code
                if cle in colonnes.valeurs:
                    liste = _liste_python(
                        colonnes.genres[cle], colonnes.valeurs[cle], lignes, a, colonnes.options.get(cle, ())
                    )
                    if q.type in ("choix_unique", "choix_multiple"):
                        permis = {c.code for c in questionnaire.choix(q.code)}
                        liste = [_filtrer_choix(v, permis) for v in liste]
                    vectorisees.append((q.code, liste))
                else:
                    autres.append(q)
            for i, k in enumerate(membres):
                valeurs = dict(reponses[k].valeurs)
                for code, liste in vectorisees:
                    v = liste[i]
                    if v is not None:
                        valeurs[code] = v
                for q in autres:
                    v = annuelles.valeur(q, questionnaire, reponses[k].structure, valeurs)
                    if v is not None:
                        valeurs[q.code] = v
                resultat[k] = valeurs
    return resultat  # type: ignore[return-value]


def _filtrer_choix(valeur: Any, permis: set[str]) -> Any:
    if isinstance(valeur, list):
        return [c for c in valeur if c in permis] or None
    return valeur if valeur is None or valeur in permis else None


# --------------------------------------------------------------------------- réponses complètes


class Variantes:
    """Variante (CS/EVS, questions locales) de chaque campagne, compilée une fois par clé : les
    départements sans question locale partagent la variante nationale."""

    def __init__(self, questionnaires: Mapping[int, Questionnaire]):
        self.questionnaires = questionnaires
        self.locaux = {a: {d for q in qs.questions() for d in q.departements} for a, qs in questionnaires.items()}

    def __call__(self, campagne: int, type_structure: str, departement: str) -> Questionnaire:
        cle = departement if departement in self.locaux[campagne] else None
        return self.questionnaires[campagne].pour_public(type_structure, cle)


def horodatages(reponse: ReponseDemo, codes: Sequence[str]) -> list[datetime.datetime]:
    """Moment de la saisie de chaque réponse d'une réponse en cours (dans l'ordre du questionnaire),
    réparti de la première saisie (``commencee_le``) à la dernière modification (``modifiee_le``)."""
    n = len(codes)
    if n <= 1:
        return [reponse.modifiee_le] * n
    duree = (reponse.modifiee_le - reponse.commencee_le).total_seconds()
    return [reponse.commencee_le + datetime.timedelta(minutes=int(duree * i / (n - 1) // 60)) for i in range(n)]


def completer_reponses(
    graine: int,
    structures: Sequence[StructureDemo],
    campagnes: Sequence[CampagneDemo],
    reponses: Sequence[ReponseDemo],
    questionnaires: Mapping[int, Questionnaire],
    utilisateurs: Sequence[UtilisateurDemo],
) -> tuple[tuple[ReponseDemo, ...], tuple, tuple[UtilisateurDemo, ...], tuple[str, ...]]:
    """Réponses complètes (voir le module), anomalies injectées, comptes de saisie des structures de la
    campagne en cours et notes éventuelles."""
    valeurs = generer_valeurs(graine, structures, campagnes, reponses, questionnaires)
    par_id = {s.identifiant: s for s in structures}
    comptes_demo = _structures_demo(utilisateurs)
    comptes = _comptes_structures(graine, reponses, par_id, comptes_demo)
    variantes = Variantes(questionnaires)
    rng = random.Random(f"senacs-demo:{graine}:brouillons")
    structure_69 = next((s for s, e in comptes_demo.items() if e == f"structure.69@{DOMAINE_COMPTES}"), None)

    # Brouillons : un début réaliste du questionnaire. Le Rhône de démonstration a rempli A à D ; la Caf
    # a saisi pour son compte les financements qu'elle verse (droit de regard de la structure).
    pour_le_compte: dict[int, tuple[str, ...]] = {}
    for k, r in enumerate(reponses):
        if r.statut != "brouillon":
            continue
        s = par_id[r.structure]
        variante = variantes(r.campagne, s.type, s.departement)
        complet = valeurs[k]
        if r.structure == structure_69:
            valeurs[k] = _couper_brouillon(complet, variante, rng, sections_completes=3)
            codes = tuple(c for c in CODES_SAISIS_POUR_LE_COMPTE if c in complet)
            valeurs[k].update({c: complet[c] for c in codes})
            pour_le_compte[k] = codes
        elif r.structure in comptes_demo:
            valeurs[k] = _couper_brouillon(complet, variante, rng, sections_completes=rng.randint(1, 5))
        else:
            valeurs[k] = _couper_brouillon(complet, variante, rng)

    anomalies = injecter_anomalies(graine, reponses, valeurs, exclues=set(comptes_demo))

    for k, r in enumerate(reponses):
        s = par_id[r.structure]
        _calculer(calculs_rapides(variantes(r.campagne, s.type, s.departement)), valeurs[k])

    position = {(r.campagne, r.structure): k for k, r in enumerate(reponses)}
    notes: list[str] = []
    resultat = []
    for k, r in enumerate(reponses):
        s = par_id[r.structure]
        en_cours = r.campagne == calibrage.CAMPAGNE_EN_COURS
        compte = comptes_demo.get(r.structure) or (comptes[r.structure].email if r.structure in comptes else None)
        changements: dict[str, Any] = {
            "valeurs": valeurs[k],
            "saisie_par": compte if (en_cours or r.structure in comptes_demo) else None,
        }
        if en_cours:
            changements["modifiee_par"] = compte
        if k in pour_le_compte:
            milieu = r.commencee_le + (r.modifiee_le - r.commencee_le) / 2
            changements["pour_le_compte"] = SaisiePourLeCompte(
                CORRESPONDANT_CAF_69,
                organisme_caf(s.departement),
                pour_le_compte[k],
                milieu.replace(second=0, microsecond=0),
            )
        if en_cours and r.statut == "soumise":
            variante = variantes(r.campagne, s.type, s.departement)
            precedente = position.get((r.campagne - 1, r.structure))
            precedentes = (
                valeurs[precedente] if precedente is not None and reponses[precedente].statut != "brouillon" else None
            )
            trouvees = plan(variante).anomalies(valeurs[k], precedentes)
            if any(a.bloquante for a in trouvees):  # ne devrait pas arriver : la réponse n'aurait pas pu être déposée
                notes.append(f"{r.structure} ({r.campagne}) : anomalie bloquante, laissée en brouillon.")
                changements.update(statut="brouillon", soumise_le=None, instantane={})
            else:
                justifications = {
                    a.code_regle: noms.JUSTIFICATIONS.get(a.code_regle, noms.JUSTIFICATION_PAR_DEFAUT)
                    for a in trouvees
                }
                changements["justifications"] = justifications
                changements["depot"] = _depot(r, s, variante, valeurs[k], trouvees, justifications, compte)
        resultat.append(replace(r, **changements))
    return tuple(resultat), tuple(anomalies), tuple(comptes[c] for c in sorted(comptes)), tuple(notes)


def _depot(r: ReponseDemo, s: StructureDemo, variante: Questionnaire, valeurs: dict[str, Any], avertissements,
           justifications: dict[str, str], compte: str) -> DepotDemo:  # fmt: skip
    """Dépôt n° 1, construit comme ``senacs.reponses.services.reponse_soumettre``."""
    saisies = {q.code for q in variante.questions() if q.saisie}
    figees = {code: v for code, v in valeurs.items() if code in saisies}
    liste = tuple(
        {
            "code": a.code_regle,
            "message": a.message,
            "questions": list(a.questions),
            "justification": justifications[a.code_regle],
        }
        for a in avertissements
    )
    contenu = {
        "campagne": r.campagne,
        "questionnaire": variante.version,
        "structure": s.identifiant,
        "numero": 1,
        "depose_le": r.soumise_le.astimezone(datetime.UTC).isoformat(),
        "valeurs": figees,
        "avertissements": list(liste),
    }
    return DepotDemo(1, figees, liste, compte, s.nom, r.soumise_le, empreinte_depot(contenu))
