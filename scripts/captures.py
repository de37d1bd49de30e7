"""Captures d'écran de la démo pour la documentation (Chromium de Debian piloté par Playwright).

Usage : lancer la démo (`make demo`), puis dans un autre terminal
    .venv/bin/python scripts/captures.py [--url http://127.0.0.1:8000] [--sortie docs/captures]
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

MOT_DE_PASSE = "senacs-demo-2026"
PAGES = [
    # (compte, chemin, fichier)
    ("correspondant.caf.69@demo.senacs.fr", "/", "accueil-correspondant.png"),
    ("national@demo.senacs.fr", "/", "accueil-national.png"),
    ("structure.69@demo.senacs.fr", "/", "accueil-structure.png"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]


def capturer(url: str, sortie: Path) -> None:
    sortie.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for email, chemin, fichier in PAGES:
            contexte = navigateur.new_context(base_url=url, locale="fr-FR", viewport={"width": 1280, "height": 860})
            page = contexte.new_page()
            page.goto("/connexion/")
            page.get_by_label("Adresse électronique").fill(email)
            page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
            page.get_by_role("button", name="Se connecter").click()
            if "/charte/" in page.url:
                page.get_by_label("J'ai lu la charte").check()
                page.get_by_role("button", name="Accepter la charte et continuer").click()
            page.goto(chemin)
            page.screenshot(path=str(sortie / fichier), full_page=True)
            print(f"{fichier} : {page.title()}")
            contexte.close()
        navigateur.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--sortie", default="docs/captures", type=Path)
    args = parser.parse_args()
    capturer(args.url, args.sortie)
