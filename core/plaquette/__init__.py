"""Plaquettes annuelles SENACS : contenu, sous-ensemble Markdown, gabarit Typst et rendu (PDF/UA, HTML).

Module pur Python (n'importe pas Django) : ``senacs.publications.contenu`` construit le contenu à partir
des agrégats protégés et ``core.plaquette.rendu`` le met en page.
"""
