"""Plaquettes de démonstration (campagne 2025), après les COPIL et la diffusion 2025.

``demo_plaquettes(graine)`` crée le gabarit national 2025 (bloc « comparaison » verrouillé avec un texte
national), puis des plaquettes à chaque étape du circuit :

- Rhône (D:69) : **publiée** (édito du préparateur, approuvée par la Caf et la fédération) ;
- Auvergne-Rhône-Alpes (R:84) : **approuvée** (la fédération y siège par ``copil.federation.69``,
  ajoutée au COPIL régional si besoin : le comité régional n'a sinon qu'un membre Caf) ;
- Lozère (D:48) : **soumise** au COPIL (une approbation Caf, en attente de la fédération) ;
- Ain (D:01) : **brouillon partagé** avec les invités du COPIL (``invite.01`` le voit) ;
- France (FR) : brouillon de l'édito national.

Un second appel ne refait rien (le gabarit 2025 existe déjà). Les territoires dont le COPIL manque
(jeu réduit) sont sautés.
"""

from django.utils import timezone

from senacs.campagnes.models import Campagne
from senacs.comptes.models import Utilisateur
from senacs.comptes.selectors import perimetre_de
from senacs.copil.models import Cote, NatureDocument
from senacs.copil.services import copil_pour, document_partager, membre_ajouter, membre_de
from senacs.publications import services
from senacs.publications.models import Gabarit

ANNEE = 2025

TEXTE_COMPARAISON = (
    "Les chiffres nationaux situent le territoire : un écart n'est ni un bon ni un mauvais point, "
    "il tient souvent à la taille des structures et au contexte local."
)

EDITOS = {
    "D:69": (
        "Cette plaquette rassemble les réponses des centres sociaux et des espaces de vie sociale du "
        "**Rhône** à l'enquête SENACS.\n\n"
        "Elle montre la place des habitants dans les projets :\n\n"
        "- la participation et le bénévolat ;\n"
        "- les partenariats avec les communes et les associations ;\n"
        "- les moyens humains et financiers.\n\n"
        "Merci aux équipes qui ont pris le temps de répondre."
    ),
    "R:84": (
        "En **Auvergne-Rhône-Alpes**, les centres sociaux et les espaces de vie sociale forment un réseau "
        "dense, du cœur des métropoles aux territoires ruraux. Cette plaquette en donne les chiffres clés."
    ),
    "D:48": (
        "En **Lozère**, territoire rural, les structures de l'animation de la vie sociale sont souvent "
        "le premier lieu de rencontre des habitants."
    ),
    "D:01": "Projet d'édito pour l'**Ain**, à discuter avec les centres invités au COPIL.",
    "FR": (
        "SENACS observe chaque année l'activité des centres sociaux et des espaces de vie sociale, "
        "avec le réseau des Caf et la Fédération des centres sociaux et socioculturels de France."
    ),
}

COMMENTAIRES = {
    "D:69": {
        "participation": "Les bénévoles restent *au cœur* des projets : ils animent, accueillent et décident.",
        "finances": "Les Caf et les communes demeurent les premiers financeurs.",
    },
}


def _compte(email: str) -> Utilisateur | None:
    return Utilisateur.objects.filter(email=email).first()


def _agir(fonction, plaquette, utilisateur, **kwargs):
    return fonction(plaquette=plaquette, par=utilisateur, perimetre=perimetre_de(utilisateur), **kwargs)


def _rediger(campagne, cle: str, redacteur) -> object | None:
    if redacteur is None:
        return None
    plaquette = services.plaquette_obtenir(campagne, cle)
    textes = {"edito": EDITOS[cle], **COMMENTAIRES.get(cle, {})}
    return _agir(services.plaquette_enregistrer, plaquette, redacteur, textes=textes)


def _faire_approuver(plaquette, membres) -> object:
    p = plaquette
    for m in membres:
        if m is not None:
            p = _agir(services.plaquette_approuver, p, m)
    return p


def demo_plaquettes(graine: int = 0) -> str:
    """Gabarit national 2025 et plaquettes de démonstration ; rend un bilan d'une ligne."""
    try:
        return _demo_plaquettes()
    except services.ErreurPlaquette as exc:
        # COPIL absents (jeu réduit, démo sans COPIL) : on le dit, sans arrêter la démo.
        return "plaquettes incomplètes : " + " ".join(exc.messages)


def _demo_plaquettes() -> str:
    campagne = Campagne.objects.filter(annee=ANNEE).first()
    if campagne is None:
        return f"pas de campagne {ANNEE}"
    if Gabarit.objects.filter(campagne=campagne).exists():
        return "déjà faites"
    national = _compte("national@demo.senacs.fr")
    if national is None:
        return "pas de compte national de démonstration"
    services.gabarit_modifier(
        campagne=campagne,
        par=national,
        perimetre=perimetre_de(national),
        blocs={b: (b == "comparaison", TEXTE_COMPARAISON if b == "comparaison" else "") for b in services.CODES_BLOCS},
        pages_optionnelles=services.PAGES_OPTIONNELLES,
    )
    bilan = []
    caf69, fed69 = _compte("copil.caf.69@demo.senacs.fr"), _compte("copil.federation.69@demo.senacs.fr")

    # Rhône : publiée.
    p = _rediger(campagne, "D:69", _compte("preparateur.69@demo.senacs.fr") or caf69)
    if p is not None and caf69 and fed69:
        _agir(services.plaquette_soumettre, p, caf69)
        p = _faire_approuver(p, [caf69, fed69])
        p = _agir(services.plaquette_publier, p, caf69)
        bilan.append(f"D:69 {p.get_statut_display().lower()}")

    # Auvergne-Rhône-Alpes : approuvée (la fédération du Rhône siège au COPIL régional).
    caf84 = _compte("copil.region.84@demo.senacs.fr")
    if caf84 and fed69:
        copil84 = copil_pour("region", "84")
        if membre_de(copil84, fed69) is None:
            membre_ajouter(copil=copil84, utilisateur=fed69, cote=Cote.FEDERATION, date_debut=timezone.localdate())
        p = _rediger(campagne, "R:84", caf84)
        _agir(services.plaquette_soumettre, p, caf84)
        p = _faire_approuver(p, [caf84, fed69])
        bilan.append(f"R:84 {p.get_statut_display().lower()}")

    # Lozère : soumise, une approbation Caf.
    copil48 = _compte("copil.48@demo.senacs.fr")
    p = _rediger(campagne, "D:48", copil48)
    if p is not None:
        _agir(services.plaquette_soumettre, p, copil48)
        p = _faire_approuver(p, [copil48])
        bilan.append(f"D:48 {p.get_statut_display().lower()}")

    # Ain : brouillon partagé avec les invités du COPIL.
    redacteur01 = _compte("preparateur.01@demo.senacs.fr") or _compte("copil.01@demo.senacs.fr")
    p = _rediger(campagne, "D:01", redacteur01)
    if p is not None:
        document_partager(
            copil=copil_pour("departement", "01"),
            nature=NatureDocument.PLAQUETTE,
            reference=p.reference_partage,
            titre=f"Projet de plaquette {p.libelle} — campagne {ANNEE}",
            par=redacteur01,
        )
        bilan.append("D:01 brouillon partagé avec les invités")

    # France : brouillon de l'édito national.
    _rediger(campagne, "FR", national)
    bilan.append("FR brouillon")
    return "gabarit 2025 ; " + ", ".join(bilan)
