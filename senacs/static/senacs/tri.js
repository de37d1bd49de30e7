/* SENACS — tableaux triables (table[data-senacs-triable]).
 *
 * Sans JavaScript, le tableau reste dans son ordre (départements par code). Avec JavaScript, chaque
 * en-tête de colonne devient un bouton : un clic trie la colonne (croissant, puis décroissant),
 * aria-sort le dit aux lecteurs d'écran et une zone role="status" annonce le tri. Les nombres se lisent
 * à la française (« 1 234,5 € ») ; « s » (secret) et « – » (aucune donnée) vont à la fin ; les textes
 * se comparent à la française (« Léo » avant « Lucie »).
 */
(function () {
  "use strict";

  function nombre(texte) {
    var t = texte.replace(/[\s\u00a0\u202f€%]/g, "").replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : null;
  }

  function valeur(ligne, i) {
    var cellule = ligne.children[i];
    return cellule ? cellule.textContent.trim() : "";
  }

  function comparer(a, b) {
    var na = nombre(a);
    var nb = nombre(b);
    if (na !== null && nb !== null) {
      return na - nb;
    }
    if (na !== null) {
      return -1;
    }
    if (nb !== null) {
      return 1;
    }
    return a.localeCompare(b, "fr", { sensitivity: "base", numeric: true });
  }

  function preparer(table) {
    var entetes = table.querySelectorAll("thead th");
    var corps = table.tBodies[0];
    var statut = document.createElement("p");
    statut.className = "visuellement-cache";
    statut.setAttribute("role", "status");
    table.parentNode.insertBefore(statut, table.nextSibling);
    entetes.forEach(function (th, i) {
      var bouton = document.createElement("button");
      bouton.type = "button";
      bouton.className = "bouton-tri";
      bouton.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(bouton);
      bouton.addEventListener("click", function () {
        var croissant = th.getAttribute("aria-sort") !== "ascending";
        var lignes = Array.prototype.slice.call(corps.rows);
        lignes.sort(function (x, y) {
          var r = comparer(valeur(x, i), valeur(y, i));
          return croissant ? r : -r;
        });
        lignes.forEach(function (l) {
          corps.appendChild(l);
        });
        entetes.forEach(function (autre) {
          autre.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", croissant ? "ascending" : "descending");
        statut.textContent = "Tableau trié par « " + bouton.textContent + " », ordre " + (croissant ? "croissant" : "décroissant") + ".";
      });
    });
  }

  function initialiser() {
    document.querySelectorAll("table[data-senacs-triable]").forEach(preparer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialiser);
  } else {
    initialiser();
  }
})();
