/* SENACS — saisie du questionnaire : compléments à htmx (enregistrement automatique de chaque réponse).
 *
 * Sans JavaScript, la page fonctionne : le bouton « Enregistrer la section » enregistre tout.
 * Avec JavaScript, htmx envoie chaque réponse dès qu'elle change (hx-post sur « change ») et remplace
 * le champ par la réponse du serveur. Ce script ajoute trois garde-fous :
 *  1. si la personne tape de nouveau dans le champ pendant l'enregistrement, on ne remplace pas ce
 *     qu'elle tape : on reprend seulement la nouvelle version (le prochain « change » l'enregistrera) ;
 *  2. quand les messages d'erreur d'un autre champ changent (règle entre plusieurs questions),
 *     aria-invalid et le style d'erreur de ce champ suivent ;
 *  3. une panne réseau ou serveur est dite dans la zone de statut (aria-live), la saisie reste en place.
 */
(function () {
  "use strict";

  var STATUT = "statut-enregistrement";

  function dire(message) {
    var zone = document.getElementById(STATUT);
    if (zone) {
      zone.textContent = message;
    }
  }

  function question(elt) {
    return elt && elt.closest ? elt.closest("[data-senacs-question]") : null;
  }

  function valeurChamp(conteneur) {
    var code = conteneur.getAttribute("data-senacs-question");
    var champs = conteneur.querySelectorAll('[name="' + code + '"]');
    var valeurs = [];
    champs.forEach(function (champ) {
      if ((champ.type === "checkbox" || champ.type === "radio") && !champ.checked) {
        return;
      }
      valeurs.push(champ.value);
    });
    return valeurs.join("\u001f");
  }

  // 1. Mémorise la valeur envoyée ; ne remplace pas un champ que la personne est encore en train de modifier.
  document.addEventListener("htmx:configRequest", function (evt) {
    var conteneur = question(evt.detail.elt);
    if (conteneur && conteneur === evt.detail.elt) {
      conteneur.setAttribute("data-senacs-envoye", valeurChamp(conteneur));
    }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var cible = evt.detail.target;
    if (!cible || !cible.hasAttribute || !cible.hasAttribute("data-senacs-question")) {
      return;
    }
    var actif = document.activeElement;
    var enCours = actif && cible.contains(actif) && (actif.tagName === "TEXTAREA" || actif.type === "text");
    if (!enCours || valeurChamp(cible) === cible.getAttribute("data-senacs-envoye")) {
      return;
    }
    var code = cible.getAttribute("data-senacs-question");
    var doc = new DOMParser().parseFromString(evt.detail.serverResponse, "text/html");
    var nouvelle = doc.querySelector('[name="version_' + code + '"]');
    var ancienne = cible.querySelector('[name="version_' + code + '"]');
    if (nouvelle && ancienne && !doc.querySelector("#conflit-" + code)) {
      ancienne.value = nouvelle.value;
    }
    evt.detail.swapOverride = "none"; // les mises à jour hors bande (statut, avancement) s'appliquent quand même
  });

  // 2. aria-invalid suit les messages d'erreur mis à jour hors bande.
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var cible = evt.detail.target;
    if (!cible || !cible.id || cible.id.indexOf("erreurs-") !== 0) {
      return;
    }
    var conteneur = question(cible);
    if (!conteneur) {
      return;
    }
    var invalide = cible.querySelector(".champ__erreur") !== null;
    conteneur.classList.toggle("question--erreur", invalide);
    conteneur.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (champ) {
      if (invalide) {
        champ.setAttribute("aria-invalid", "true");
      } else {
        champ.removeAttribute("aria-invalid");
      }
    });
  });

  // 3. Panne : la saisie reste dans le champ, on le dit.
  function panne() {
    dire(
      "L'enregistrement a échoué (connexion ou serveur indisponible). Votre saisie est toujours dans le champ : " +
        "modifiez-le de nouveau ou utilisez le bouton « Enregistrer la section »."
    );
  }
  document.addEventListener("htmx:sendError", panne);
  document.addEventListener("htmx:responseError", panne);
  document.addEventListener("htmx:timeout", panne);
})();
